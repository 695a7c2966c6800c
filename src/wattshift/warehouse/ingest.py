"""Ingest into the :class:`~wattshift.warehouse.core.Warehouse`: plan, parse, check, merge, log.

Rules (see also :mod:`~wattshift.warehouse.core`):

- **atomic per file**: the file is parsed completely first (adapters raise
  :class:`~wattshift.errors.DataError` naming file, line and column); the rows are then checked
  (bounds, dates, nodes: :mod:`~wattshift.warehouse.checks`), the history rule is applied
  (:mod:`~wattshift.warehouse.history`: rows missing from a new version refuse the ingest unless
  ``replace``) and the rows go in, all within one transaction. On any error the transaction is
  rolled back (every table is exactly as before), an ``ingest_log`` row with status ``error`` and
  the message is written after the rollback, and the error is re-raised.
- **idempotent**: a file whose name and SHA-256 equal the last successful ingest of that name is
  skipped and logged as ``unchanged``.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import duckdb
import pandas as pd

from wattshift.data.registry import KNOWN_FILES, spec_for
from wattshift.errors import DataError, WattshiftError
from wattshift.warehouse import checks, fx, history, market_tables, merge
from wattshift.warehouse.queries import fetch_one
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


@dataclass(frozen=True)
class IngestOptions:
    """How an ingest treats data it would otherwise refuse.

    Attributes
    ----------
    replace
        Accept a new version of a file that lacks rows its earlier version stored: those rows are
        deleted (default: refused, see :mod:`~wattshift.warehouse.history`).
    allow_new_nodes
        Accept settlement points not in the market's published list (still safe names only; see
        :mod:`~wattshift.data.nodes`).
    """

    replace: bool = False
    allow_new_nodes: bool = False


DEFAULT_OPTIONS: Final[IngestOptions] = IngestOptions()


class IngestMixin:
    """The ingest half of :class:`~wattshift.warehouse.core.Warehouse` (which sets the attributes)."""

    path: Path
    read_only: bool
    _con: duckdb.DuckDBPyConnection

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

    def ingest_file(self, path: str | Path, *, options: IngestOptions = DEFAULT_OPTIONS) -> IngestResult:
        """Parse a known data file (kind from its name) and merge it in one transaction.

        Parameters
        ----------
        path
            A file listed in :data:`wattshift.data.registry.KNOWN_FILES` (or matching its patterns).
        options
            ``replace`` (accept losing rows the new version lacks), ``allow_new_nodes``.

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
        return self._complete(planned, frame, options)

    def ingest_files(
        self,
        paths: Iterable[str | Path],
        *,
        progress: Progress | None = None,
        options: IngestOptions = DEFAULT_OPTIONS,
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
        options
            See :meth:`ingest_file`.

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
                results.append(self._finish(planned, job, options))
        if progress is not None:
            progress(total, total, "")
        return results

    def _finish(
        self, planned: Planned | IngestResult, job: Future[pd.DataFrame] | None, options: IngestOptions
    ) -> IngestResult:
        if isinstance(planned, IngestResult):
            return planned
        assert job is not None
        try:
            frame = job.result()
        except Exception as exc:
            self._log_failure(planned, exc)
            return error_result(planned.path, exc, planned)
        try:
            return self._complete(planned, frame, options)
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

    def _complete(self, planned: Planned, frame: pd.DataFrame, options: IngestOptions) -> IngestResult:
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
            options=options,
        )

    def ingest_frame(
        self,
        kind: str,
        frame: pd.DataFrame,
        *,
        source_name: str,
        priority: int | None = None,
        options: IngestOptions = DEFAULT_OPTIONS,
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
        options
            See :meth:`ingest_file`.

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
            options=options,
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
        options: IngestOptions,
    ) -> IngestResult:
        con = self._con
        try:
            con.begin()
            try:
                rows = self._apply(table, frame, display, file_name, priority, options)
                self._log(kind, table, file_name, sha256, rows, started, "ok")
                con.commit()
            except BaseException:
                con.rollback()
                raise
        except Exception as exc:
            self._log(kind, table, file_name, sha256, 0, started, "error", str(exc))
            raise
        return IngestResult(file_name, kind, table, rows, time.perf_counter() - t0, "ok", sha256=sha256)

    def _apply(
        self,
        table: str,
        frame: pd.DataFrame,
        display: str,
        file_name: str,
        priority: int,
        options: IngestOptions,
    ) -> int:
        """Check and merge ``frame`` into ``table`` (inside the caller's transaction); returns rows merged.

        Order: normalise (``merge.prepare_*``), content checks (:mod:`~wattshift.warehouse.checks`),
        the history rule (:mod:`~wattshift.warehouse.history`), then the merge.
        """
        con = self._con
        if table == "iso_prices":
            frame, currency = fx.split_currency(frame, display)
            prices = merge.prepare_iso_prices(frame, display)
            checks.check_iso_prices(con, prices, display, allow_new_nodes=options.allow_new_nodes)
            history.guard(con, table, prices, source_file=file_name, replace=options.replace)
            merge.merge_iso_prices(con, prices, priority=priority, source_file=file_name)
            fx.record_currency(con, prices.series, currency)
            return len(prices)
        if table in market_tables.MARKET_TABLES:
            return market_tables.ingest(
                con, table, frame, source=display, file_name=file_name, priority=priority
            )
        if table == "btc_daily":
            rows, vintage = merge.prepare_btc_daily(frame, display)
        elif table == "gpu_prices":
            rows = merge.prepare_gpu_prices(frame, display)
        else:
            rows = merge.prepare_ranked(table, frame, display)
        checks.check_rows(table, rows, display)
        history.guard(con, table, rows, source_file=file_name, replace=options.replace)
        if table == "btc_daily":
            merge.merge_btc_daily(con, rows, vintage=vintage, source_file=file_name)
        elif table == "gpu_prices":
            merge.merge_gpu_prices(con, rows, source_file=file_name)
        else:
            merge.merge_ranked(con, table, rows, priority=priority, source_file=file_name)
        return len(rows)
