"""A read-only warehouse connection for one-day lookups that imports DuckDB and nothing heavy.

:class:`~wattshift.warehouse.core.Warehouse` returns pandas frames, so opening one costs pandas'
import (~0.3 s of a ~0.5 s command). :class:`DayReader` opens the same file with the same checks
(:func:`~wattshift.warehouse.files.check_warehouse_file`, waiting like every open while a writer
holds it) and answers only what :mod:`wattshift.services.oneday` asks: is the derived table fresh,
and its row of one day.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from types import TracebackType
from typing import Any

from wattshift.warehouse import derived
from wattshift.warehouse.files import check_warehouse_file
from wattshift.warehouse.lock import DEFAULT_WAIT_S, OnWait, connect_waiting
from wattshift.warehouse.version import SCHEMA_VERSION


class DayReader:
    """Read-only connection to the warehouse at ``path``.

    Raises
    ------
    NotInWarehouseError, WattshiftError
        As :class:`~wattshift.warehouse.core.Warehouse` for a missing or non-DuckDB file.
    WarehouseBusyError
        Another process held the file for longer than ``wait_s`` [s].
    duckdb.Error
        DuckDB could not open the file.
    """

    def __init__(self, path: Path, *, wait_s: float = DEFAULT_WAIT_S, on_wait: OnWait | None = None) -> None:
        check_warehouse_file(path, read_only=True)
        self._con = connect_waiting(path, read_only=True, timeout_s=wait_s, on_wait=on_wait)

    def close(self) -> None:
        """Close the connection (idempotent)."""
        self._con.close()

    def __enter__(self) -> DayReader:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def fresh(self, code: str) -> bool:
        """True when the warehouse has this layout version and a derived table stamped with the
        current content of its source tables and with ``code`` (see :mod:`.derived`)."""
        if not derived.has_table(self._con, "schema_version"):
            return False
        row = self._con.execute("SELECT max(version) FROM schema_version").fetchall()
        if row[0][0] != SCHEMA_VERSION:
            return False
        stamp = derived.stored_stamp(self._con)
        return stamp is not None and stamp == (derived.source_fingerprint(self._con), code)

    def derived_day(self, day: dt.date | None, latest: derived.Latest) -> dict[str, Any] | None:
        """The derived row of ``day`` (see :func:`.derived.day_row`); check :meth:`fresh` first."""
        return derived.day_row(self._con, day, latest)
