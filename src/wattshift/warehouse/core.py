"""The :class:`Warehouse`: a DuckDB file with the market data, ingested atomically and idempotently.

This is the only place (with :mod:`~wattshift.warehouse.merge` and :mod:`~wattshift.warehouse.queries`)
that talks SQL. Ingest rules:

- **atomic per file**: the file is parsed completely first (adapters raise
  :class:`~wattshift.errors.DataError` naming file, line and column); the rows then go in within one
  transaction. On any error the transaction is rolled back (every table is exactly as before), an
  ``ingest_log`` row with status ``error`` and the message is written after the rollback, and the
  error is re-raised.
- **idempotent**: a file whose name and SHA-256 equal the last successful ingest of that name is
  skipped and logged as ``unchanged``; ingesting changed content replaces the file's own values
  (see :mod:`~wattshift.warehouse.merge` for how overlapping files are resolved).
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from types import TracebackType

import duckdb
import pandas as pd

from wattshift.data.registry import KNOWN_FILES, spec_for
from wattshift.errors import DataError, WattshiftError
from wattshift.warehouse import fx, market_queries, market_tables, merge, queries, reports
from wattshift.warehouse.queries import DayLike, TimeLike, fetch_one
from wattshift.warehouse.reports import KIND_OF_TABLE
from wattshift.warehouse.results import (
    TABLE_OF_KIND,
    IngestResult,
    Planned,
    Progress,
    Status,
    error_result,
    file_label,
    file_sha256,
    utc_now,
)
from wattshift.warehouse.schema import DDL, SCHEMA_VERSION


class Warehouse:
    """A DuckDB warehouse of BTC, Fear & Greed, ISO price, ASIC and GPU price data.

    Parameters
    ----------
    path
        The DuckDB file (created with its tables on the first writable open); ``":memory:"`` for
        a throw-away in-memory warehouse.
    read_only
        Open with DuckDB ``read_only`` (several readers may share the file; no ingest).

    Raises
    ------
    WattshiftError
        A read-only open of a missing file or of a file that is not a wattshift warehouse, a
        warehouse of another schema version, or a file locked by another writer.

    Examples
    --------
    >>> with Warehouse(tmp_path / "w.duckdb") as wh:  # doctest: +SKIP
    ...     wh.ingest_file(data_dir / "asics" / "asic_models.csv")
    ...     wh.asic_models().head()
    """

    def __init__(self, path: str | Path, read_only: bool = False) -> None:
        self.path = Path(path)
        self.read_only = read_only
        in_memory = str(path) == ":memory:"
        if read_only and not in_memory and not self.path.exists():
            raise WattshiftError(f"no warehouse at {self.path}: run `wattshift data ingest --all` first")
        if not read_only and not in_memory:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._con = duckdb.connect(str(self.path), read_only=read_only)
        except (duckdb.IOException, duckdb.InvalidInputException) as exc:
            raise WattshiftError(f"cannot open the warehouse {self.path}: {exc}") from None
        self._con.execute("SET enable_progress_bar = false")
        self._check_schema()

    # -- lifecycle -------------------------------------------------------------------------------

    def _check_schema(self) -> None:
        present = {
            r[0]
            for r in self._con.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'"
            ).fetchall()
        }
        if "schema_version" not in present:
            if self.read_only:
                self.close()
                raise WattshiftError(f"{self.path} is not a wattshift warehouse (no schema_version table)")
            self._con.begin()
            for statement in DDL:
                self._con.execute(statement)
            self._con.execute("INSERT INTO schema_version VALUES (?)", [SCHEMA_VERSION])
            self._con.commit()
            return
        row = fetch_one(self._con, "SELECT max(version) FROM schema_version")
        version = row[0] if row else None
        if version != SCHEMA_VERSION:
            self.close()
            raise WattshiftError(
                f"the warehouse {self.path} has schema version {version}, this wattshift needs "
                f"{SCHEMA_VERSION}: delete the file and run `wattshift data ingest --all`"
            )

    def close(self) -> None:
        """Close the connection (idempotent)."""
        self._con.close()

    def __enter__(self) -> Warehouse:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Warehouse({str(self.path)!r}, read_only={self.read_only})"

    # -- ingest ----------------------------------------------------------------------------------

    def _require_writable(self) -> None:
        if self.read_only:
            raise WattshiftError(f"the warehouse {self.path} is open read-only; cannot ingest")

    def _log(
        self,
        source: str,
        table: str,
        file_name: str,
        sha256: str | None,
        rows: int,
        started_at: dt.datetime,
        status: Status,
        error: str | None = None,
    ) -> None:
        """Append a row to ``ingest_log`` (``finished_at`` = now)."""
        self._con.execute(
            "INSERT INTO ingest_log VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [source, table, file_name, sha256, rows, started_at, utc_now(), status, error],
        )

    def _last_ok_sha(self, file_name: str) -> str | None:
        row = fetch_one(
            self._con,
            "SELECT file_sha256 FROM ingest_log WHERE file_name = ? AND status = 'ok' "
            "ORDER BY finished_at DESC, rowid DESC LIMIT 1",
            [file_name],
        )
        return str(row[0]) if row and row[0] is not None else None

    def ingest_file(self, path: str | Path) -> IngestResult:
        """Parse a known data file (kind from its name) and merge it in one transaction.

        Parameters
        ----------
        path
            A file listed in :data:`wattshift.data.registry.KNOWN_FILES` (or matching its patterns).

        Returns
        -------
        IngestResult
            ``status`` is ``ok`` or ``unchanged`` (same SHA-256 as the last successful ingest).

        Raises
        ------
        DataError
            Unknown file name or bad content (file, line, column in the message); the warehouse
            is unchanged and the failure is in ``ingest_log``.
        """
        self._require_writable()
        planned = self._plan(Path(path))
        if isinstance(planned, IngestResult):
            return planned
        try:
            frame = planned.spec.read(planned.path)
        except Exception as exc:
            self._log_failure(planned, exc)
            raise
        return self._complete(planned, frame)

    def ingest_files(
        self, paths: Iterable[str | Path], *, progress: Progress | None = None
    ) -> list[IngestResult]:
        """Ingest several files, each atomically; a failed file is reported, not raised.

        The next file is parsed in a worker thread while the current one is merged (DuckDB and
        the Arrow/C parsers release the GIL), which shortens a full ingest on two or more cores.
        A file listed twice is ingested once.

        Parameters
        ----------
        paths
            Data files (kinds from their names).
        progress
            Called as ``progress(done, total, file_name)`` before each file and once at the end
            (``done == total``, empty name).

        Returns
        -------
        list of IngestResult
            One per distinct file, in the given order; failures have ``status == "error"``.
        """
        self._require_writable()
        unique = list(dict.fromkeys(Path(p) for p in paths))
        total = len(unique)
        results: list[IngestResult] = []
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="wattshift-parse") as pool:
            pending: list[tuple[Planned | IngestResult, Future[pd.DataFrame] | None]] = []

            def submit(index: int) -> None:
                try:
                    planned = self._plan(unique[index])
                except DataError as exc:
                    planned = error_result(unique[index], exc)
                job = pool.submit(planned.spec.read, planned.path) if isinstance(planned, Planned) else None
                pending.append((planned, job))

            if total:
                submit(0)
            for index in range(total):
                if progress is not None:
                    progress(index, total, unique[index].name)
                planned, job = pending.pop(0)
                if index + 1 < total:
                    submit(index + 1)
                results.append(self._finish(planned, job))
        if progress is not None:
            progress(total, total, "")
        return results

    def _finish(self, planned: Planned | IngestResult, job: Future[pd.DataFrame] | None) -> IngestResult:
        if isinstance(planned, IngestResult):
            return planned
        assert job is not None
        try:
            frame = job.result()
        except Exception as exc:
            self._log_failure(planned, exc)
            return error_result(planned.path, exc, planned)
        try:
            return self._complete(planned, frame)
        except Exception as exc:
            return error_result(planned.path, exc, planned)

    def _plan(self, path: Path) -> Planned | IngestResult:
        """Recognise the file and hash it; an unchanged file is logged and returned as a result."""
        t0, started = time.perf_counter(), utc_now()
        try:
            spec = spec_for(path)
        except DataError as exc:
            self._log("unknown", "", path.name, None, 0, started, "error", str(exc))
            raise
        planned = Planned(path, spec, "", started, t0)
        try:
            sha = file_sha256(path)
        except DataError as exc:
            self._log_failure(planned, exc)
            raise
        planned = Planned(path, spec, sha, started, t0)
        label = file_label(path)
        if self._last_ok_sha(label) == sha:
            self._log(spec.kind, spec.table, label, sha, 0, started, "unchanged")
            return IngestResult(
                label, spec.kind, spec.table, 0, time.perf_counter() - t0, "unchanged", sha256=sha
            )
        return planned

    def _log_failure(self, planned: Planned, exc: BaseException) -> None:
        self._log(
            planned.spec.kind,
            planned.spec.table,
            file_label(planned.path),
            planned.sha256 or None,
            0,
            planned.started,
            "error",
            str(exc),
        )

    def _complete(self, planned: Planned, frame: pd.DataFrame) -> IngestResult:
        return self._ingest(
            planned.spec.table,
            frame,
            display=str(planned.path),
            file_name=file_label(planned.path),
            kind=planned.spec.kind,
            priority=planned.spec.priority,
            sha256=planned.sha256,
            started=planned.started,
            t0=planned.t0,
        )

    def ingest_frame(
        self, kind: str, frame: pd.DataFrame, *, source_name: str, priority: int | None = None
    ) -> IngestResult:
        """Merge an already parsed canonical frame, atomically, as if it were file ``source_name``.

        Parameters
        ----------
        kind
            Source kind or table name (keys of :data:`TABLE_OF_KIND`).
        frame
            A canonical frame for that table.
        source_name
            Name recorded as the rows' source file (a re-ingest under the same name replaces).
        priority
            Row priority for ranked tables; default: the registry's for a known name, else 0.

        Raises
        ------
        ValueError
            Unknown ``kind``.
        DataError
            A frame that does not fit the table (missing column, empty or duplicate key, ...).
        """
        self._require_writable()
        if kind not in TABLE_OF_KIND:
            raise ValueError(f"unknown kind {kind!r}; known: {', '.join(TABLE_OF_KIND)}")
        table = TABLE_OF_KIND[kind]
        name = file_label(Path(source_name))
        if priority is None:
            known = KNOWN_FILES.get(name)
            priority = known.priority if known is not None else 0
        return self._ingest(
            table,
            frame,
            display=source_name,
            file_name=name,
            kind=KIND_OF_TABLE[table],
            priority=priority,
            sha256=None,
            started=utc_now(),
            t0=time.perf_counter(),
        )

    def _ingest(
        self,
        table: str,
        frame: pd.DataFrame,
        *,
        display: str,
        file_name: str,
        kind: str,
        priority: int,
        sha256: str | None,
        started: dt.datetime,
        t0: float,
    ) -> IngestResult:
        con = self._con
        try:
            con.begin()
            try:
                rows = self._apply(table, frame, display=display, file_name=file_name, priority=priority)
                self._log(kind, table, file_name, sha256, rows, started, "ok")
                con.commit()
            except BaseException:
                con.rollback()
                raise
        except Exception as exc:
            self._log(kind, table, file_name, sha256, 0, started, "error", str(exc))
            raise
        return IngestResult(file_name, kind, table, rows, time.perf_counter() - t0, "ok", sha256=sha256)

    def _apply(self, table: str, frame: pd.DataFrame, *, display: str, file_name: str, priority: int) -> int:
        """Merge ``frame`` into ``table`` (inside the caller's transaction); returns rows merged."""
        con = self._con
        if table == "btc_daily":
            days, vintage = merge.prepare_btc_daily(frame, display)
            merge.merge_btc_daily(con, days, vintage=vintage, source_file=file_name)
            return len(days)
        if table == "iso_prices":
            frame, currency = fx.split_currency(frame, display)
            prices = merge.prepare_iso_prices(frame, display)
            merge.merge_iso_prices(con, prices, priority=priority, source_file=file_name)
            fx.record_currency(con, prices.series, currency)
            return len(prices)
        if table in market_tables.MARKET_TABLES:
            return market_tables.ingest(
                con, table, frame, source=display, file_name=file_name, priority=priority
            )
        if table == "gpu_prices":
            quotes = merge.prepare_gpu_prices(frame, display)
            merge.merge_gpu_prices(con, quotes, source_file=file_name)
            return len(quotes)
        rows = merge.prepare_ranked(table, frame, display)
        merge.merge_ranked(con, table, rows, priority=priority, source_file=file_name)
        return len(rows)

    # -- reports ---------------------------------------------------------------------------------

    def status(self) -> pd.DataFrame:
        """Rows and span per table and source file; see :func:`wattshift.warehouse.reports.status`."""
        return reports.status(self._con)

    def ingest_log(self) -> pd.DataFrame:
        """Every ingest attempt, oldest first; see :func:`wattshift.warehouse.reports.ingest_log`."""
        return reports.ingest_log(self._con)

    def fingerprint(self, *, stored: bool = False) -> dict[str, str]:
        """Order-independent content hash per table; see :func:`wattshift.warehouse.reports.fingerprint`."""
        return reports.fingerprint(self._con, stored=stored)

    # -- queries ---------------------------------------------------------------------------------

    def btc_daily(self, start: DayLike | None = None, end: DayLike | None = None) -> pd.DataFrame:
        """BTC daily frame (``BTC_DAILY_COLUMNS``), ``start``..``end`` inclusive."""
        return queries.btc_daily(self._con, start, end)

    def fear_greed(self, start: DayLike | None = None, end: DayLike | None = None) -> pd.DataFrame:
        """Fear & Greed frame (``date, value, classification``), ``start``..``end`` inclusive."""
        return queries.fear_greed(self._con, start, end)

    def iso_prices(
        self, node: str, market: str, start: TimeLike, end: TimeLike, *, iso: str = "ERCOT"
    ) -> pd.DataFrame:
        """ISO price frame of one node and market for ``[start, end)`` (a date = its UTC midnight).

        Raises
        ------
        NotInWarehouseError
            When nothing matches; the message names the span held (gaps are never filled).
        """
        return queries.iso_prices(self._con, node, market, start, end, iso=iso)

    def price_nodes(self) -> pd.DataFrame:
        """Price series held: ``iso, node, market, interval_minutes, first, last, rows``."""
        return queries.price_nodes(self._con)

    def asic_models(self) -> pd.DataFrame:
        """ASIC catalogue (:data:`~wattshift.data.schema.ASIC_COLUMNS`), most efficient first."""
        return queries.asic_models(self._con)

    def gpu_prices(
        self, gpu: str | None = None, start: DayLike | None = None, end: DayLike | None = None
    ) -> pd.DataFrame:
        """GPU rental prices [USD/GPU-hour]: ``date, gpu, price_usd_per_gpu_hour, kind, provider, source``."""
        return queries.gpu_prices(self._con, gpu, start, end)

    # -- markets beyond ERCOT (queries in market_queries) ---------------------------------------

    def fx_rates(self, currency: str = "USD") -> pd.DataFrame:
        """ECB reference rates of ``currency`` [units per EUR], by date."""
        return market_queries.fx_rates(self._con, currency)

    def system_load(self, zone: str = "ERCOT", *, iso: str = "ERCOT") -> pd.DataFrame:
        """Hourly load [MW] of ``zone``; see :func:`~wattshift.warehouse.market_queries.system_load`."""
        return market_queries.system_load(self._con, zone, iso=iso)

    def cp4_intervals(self) -> pd.DataFrame:
        """ERCOT's official 4CP intervals; see :func:`~wattshift.warehouse.market_queries.cp4_intervals`."""
        return market_queries.cp4_intervals(self._con)

    def price_gaps(self) -> pd.DataFrame:
        """Gaps per price series (never filled); see :func:`.market_queries.price_gaps`."""
        return market_queries.price_gaps(self._con)
