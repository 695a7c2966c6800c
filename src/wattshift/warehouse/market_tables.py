"""Ingest of the tables of markets beyond prices: FX rates, system load and 4CP intervals.

Each frame is checked (columns, keys) and normalised for DuckDB (tz-aware UTC → naive UTC, days →
naive midnights), then merged with :func:`wattshift.warehouse.merge.merge_ranked`: per key, the
higher ``(priority, source_file)`` wins, so re-ingesting a file is idempotent and an ingest is one
transaction with the rest (the caller's).
"""

from __future__ import annotations

from typing import Final

import duckdb
import numpy as np
import pandas as pd

from wattshift.errors import DataError
from wattshift.warehouse import merge
from wattshift.warehouse.schema import TABLES

#: Tables ingested here.
MARKET_TABLES: Final[frozenset[str]] = frozenset({"fx_rates", "system_load", "cp4_intervals"})


def _naive_utc(values: pd.Series, source: str, column: str) -> pd.Series:
    if not isinstance(values.dtype, pd.DatetimeTZDtype):
        raise DataError(f"{column} must be tz-aware, got {values.dtype}", file=source, column=column)
    naive: pd.Series = values.dt.tz_convert("UTC").dt.tz_localize(None).astype("datetime64[us]")
    return naive


def prepare(table: str, frame: pd.DataFrame, source: str) -> pd.DataFrame:
    """Check and normalise ``frame`` for ``table`` (one of :data:`MARKET_TABLES`)."""
    spec = TABLES[table]
    missing = [c for c in spec.columns if c not in frame.columns]
    if missing:
        raise DataError(f"frame lacks column(s) {', '.join(missing)}", file=source, column=missing[0])
    out = frame.loc[:, list(spec.columns)].copy()
    if "interval_start_utc" in out.columns:
        out["interval_start_utc"] = _naive_utc(out["interval_start_utc"], source, "interval_start_utc")
    if "date" in out.columns:
        out["date"] = pd.to_datetime(out["date"]).astype("datetime64[us]")
    for col in spec.key:
        if out[col].isna().any():
            pos = int(np.flatnonzero(out[col].isna().to_numpy())[0])
            raise DataError(f"empty key cell in parsed row {pos}", file=source, column=col)
    dup = out.duplicated(list(spec.key)).to_numpy()
    if dup.any():
        pos = int(np.flatnonzero(dup)[0])
        raise DataError(f"duplicate key in parsed row {pos}", file=source, column=spec.key[-1])
    return out.sort_values(list(spec.key), ignore_index=True)


def ingest(
    con: duckdb.DuckDBPyConnection,
    table: str,
    frame: pd.DataFrame,
    *,
    source: str,
    file_name: str,
    priority: int,
) -> int:
    """Prepare and merge ``frame`` into ``table`` inside the caller's transaction; returns rows merged."""
    rows = prepare(table, frame, source)
    merge.merge_ranked(con, table, rows, priority=priority, source_file=file_name)
    return len(rows)
