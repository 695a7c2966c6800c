"""The :class:`Warehouse`: a DuckDB file with the market data, ingested atomically and idempotently.

This is the only place (with :mod:`~wattshift.warehouse.merge` and :mod:`~wattshift.warehouse.queries`)
that talks SQL. Ingest (atomic per file, idempotent, never shrinking history without ``replace``)
lives in :mod:`~wattshift.warehouse.ingest`; a writable open takes the writer lock and waits for
other processes (:mod:`~wattshift.warehouse.lock`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from types import TracebackType

import duckdb
import pandas as pd

from wattshift.errors import NotInWarehouseError, WattshiftError
from wattshift.warehouse import derived, market_queries, queries, reports
from wattshift.warehouse.files import check_warehouse_file
from wattshift.warehouse.ingest import IngestMixin
from wattshift.warehouse.lock import DEFAULT_WAIT_S, OnWait, WriterLock, connect_waiting
from wattshift.warehouse.queries import DayLike, PriceArrays, SeriesWindow, TimeLike, fetch_one
from wattshift.warehouse.schema import DDL, SCHEMA_VERSION


class Warehouse(IngestMixin):
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
    NotInWarehouseError
        A read-only open of a missing file.
    WattshiftError
        A file that is not a wattshift warehouse (a CSV, say), a directory, or a warehouse of
        another schema version.
    WarehouseBusyError
        Another writer (or, for DuckDB's file lock, any other process) held the file for longer
        than ``wait_s`` [s]; ``on_wait(message)`` is called once when waiting starts.

    Examples
    --------
    >>> with Warehouse(tmp_path / "w.duckdb") as wh:  # doctest: +SKIP
    ...     wh.ingest_file(data_dir / "asics" / "asic_models.csv")
    ...     wh.asic_models().head()
    """

    def __init__(
        self,
        path: str | Path,
        read_only: bool = False,
        *,
        wait_s: float = DEFAULT_WAIT_S,
        on_wait: OnWait | None = None,
    ) -> None:
        self.path = Path(path)
        self.read_only = read_only
        self._writer: WriterLock | None = None
        in_memory = str(path) == ":memory:"
        if not in_memory:
            check_warehouse_file(self.path, read_only)
        if not read_only and not in_memory:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._writer = WriterLock(self.path, timeout_s=wait_s, on_wait=on_wait)
            self._writer.acquire()
        try:
            self._con = connect_waiting(self.path, read_only=read_only, timeout_s=wait_s, on_wait=on_wait)
        except duckdb.Error as exc:
            self._release_writer()
            raise WattshiftError(f"cannot open the warehouse {self.path}: {exc}") from None
        except BaseException:
            self._release_writer()
            raise
        self._con.execute("SET enable_progress_bar = false")
        self._check_schema()

    def _release_writer(self) -> None:
        if self._writer is not None:
            self._writer.release()
            self._writer = None

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
        """Close the connection and release the writer lock (idempotent)."""
        self._con.close()
        self._release_writer()

    def __enter__(self) -> Warehouse:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Warehouse({str(self.path)!r}, read_only={self.read_only})"

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

    # -- derived daily table (see :mod:`wattshift.warehouse.derived`) ---------------------------

    def derived_sources(self) -> str:
        """Content hash of the derived table's source tables (:func:`.derived.source_fingerprint`)."""
        return derived.source_fingerprint(self._con)

    def derived_stamp(self) -> tuple[str, str] | None:
        """``(sources, code)`` the derived table was computed at, or None (:func:`.derived.stored_stamp`)."""
        return derived.stored_stamp(self._con)

    def store_derived(self, frame: pd.DataFrame, sources: str, code: str) -> None:
        """Replace the derived daily table by ``frame``, stamped (:func:`.derived.store`; writable)."""
        derived.store(self._con, frame, sources, code)

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

    def iso_prices_batch(self, wanted: Sequence[SeriesWindow]) -> list[PriceArrays | NotInWarehouseError]:
        """Several price series in one query: per window what :meth:`iso_prices` gives, as arrays,
        or the error it raises (returned); see :func:`~wattshift.warehouse.queries.iso_prices_batch`."""
        return queries.iso_prices_batch(self._con, wanted)

    def price_nodes(self) -> pd.DataFrame:
        """Price series held: ``iso, node, market, interval_minutes, first, last, rows``."""
        return queries.price_nodes(self._con)

    def series_span(
        self, node: str, market: str, *, iso: str = "ERCOT"
    ) -> tuple[datetime | None, datetime | None, int]:
        """First and last interval start (naive ``datetime``, UTC; None when not held) and row count
        of one price series: its row of :meth:`price_nodes`, without reading every series."""
        return queries.series_span(self._con, iso, node, market)

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
