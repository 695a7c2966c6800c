"""The derived daily table: per-day values computed from ``btc_daily`` and ``fear_greed``, stamped.

``derived_daily`` holds one row per day of what the one-day answers need and what takes the whole
history to compute (the signals frame, the network's BTC per TH/s per day and its form); it is
written by :func:`wattshift.services.derived.refresh_derived` after an ingest. ``derived_stamp``
holds one row: the content hash of the source tables (:func:`source_fingerprint`) when the rows
were computed, and the code stamp of the computation (a hash of its source files). A reader serves
a row only when both equal the current ones, so an ingest that did not refresh the table (or a
newer wattshift) makes the table stale, never wrong: the caller computes from the source tables.

Both tables are created on their first write; a warehouse without them is simply not derived yet
(no schema change, :data:`~wattshift.warehouse.version.SCHEMA_VERSION` unchanged). This module
imports DuckDB only: the frame to store is handed in by the services.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, Final, Literal

import duckdb

if TYPE_CHECKING:
    import pandas as pd

DERIVED_TABLE: Final[str] = "derived_daily"
STAMP_TABLE: Final[str] = "derived_stamp"
#: The tables the derived values are computed from.
SOURCE_TABLES: Final[tuple[str, ...]] = ("btc_daily", "fear_greed")

#: Which day "latest" means: the last day with a BTC price, or with a price and a hashprice form.
Latest = Literal["priced", "hashprice"]
_LATEST_WHERE: Final[dict[str, str]] = {
    "priced": "price_usd IS NOT NULL AND NOT isnan(price_usd)",
    "hashprice": "price_usd IS NOT NULL AND NOT isnan(price_usd) AND hashprice_form <> 'missing'",
}


def table_hash(con: duckdb.DuckDBPyConnection, table: str) -> str:
    """Order-independent content hash of ``table``: row count, sum and XOR of the rows' hashes."""
    rows = con.execute(
        f"SELECT count(*), coalesce(sum(hash(r)), 0), coalesce(bit_xor(hash(r)), 0) FROM {table} AS r"
    ).fetchall()
    count, total, xor = rows[0]
    return f"{count}:{total}:{xor}"


def source_fingerprint(con: duckdb.DuckDBPyConnection) -> str:
    """The content hash of every table of :data:`SOURCE_TABLES`, as one string."""
    return ";".join(f"{table}={table_hash(con, table)}" for table in SOURCE_TABLES)


def has_table(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    """Whether the warehouse's main schema has ``table``."""
    rows = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'main' AND table_name = ?",
        [table],
    ).fetchall()
    return bool(rows[0][0])


def stored_stamp(con: duckdb.DuckDBPyConnection) -> tuple[str, str] | None:
    """``(source fingerprint, code stamp)`` the derived rows were computed at, or None (never derived)."""
    if not (has_table(con, STAMP_TABLE) and has_table(con, DERIVED_TABLE)):
        return None
    rows = con.execute(f"SELECT sources, code FROM {STAMP_TABLE}").fetchall()
    return (str(rows[0][0]), str(rows[0][1])) if len(rows) == 1 else None


def store(con: duckdb.DuckDBPyConnection, frame: pd.DataFrame, sources: str, code: str) -> None:
    """Replace the derived rows by ``frame`` and stamp them, in one transaction.

    Parameters
    ----------
    con
        A writable connection (the caller holds the writer lock).
    frame
        One row per day, a ``date`` column of day midnights and any value columns.
    sources
        :func:`source_fingerprint` read *before* the source tables were read for ``frame``.
    code
        The code stamp of the computation.

    Raises
    ------
    RuntimeError
        If the source tables changed since ``sources`` was read (nothing is written).
    """
    con.begin()
    try:
        if source_fingerprint(con) != sources:
            raise RuntimeError("the source tables changed while the derived table was computed")
        con.register("derived_frame", frame)
        con.execute(
            f"CREATE OR REPLACE TABLE {DERIVED_TABLE} AS "
            'SELECT * REPLACE (CAST("date" AS DATE) AS "date") FROM derived_frame ORDER BY "date"'
        )
        con.unregister("derived_frame")
        con.execute(f"CREATE OR REPLACE TABLE {STAMP_TABLE} (sources VARCHAR, code VARCHAR)")
        con.execute(f"INSERT INTO {STAMP_TABLE} VALUES (?, ?)", [sources, code])
        con.commit()
    except BaseException:
        con.rollback()
        raise


def day_row(con: duckdb.DuckDBPyConnection, day: dt.date | None, latest: Latest) -> dict[str, Any] | None:
    """The derived row of ``day`` (None: the latest day in the sense of ``latest``) as a dict.

    Returns None when the day is not there. The caller checks the stamp first (:func:`stored_stamp`).
    """
    if day is None:
        sql = f'SELECT * FROM {DERIVED_TABLE} WHERE {_LATEST_WHERE[latest]} ORDER BY "date" DESC LIMIT 1'
        cursor = con.execute(sql)
    else:
        cursor = con.execute(f'SELECT * FROM {DERIVED_TABLE} WHERE "date" = ?', [day])
    rows = cursor.fetchall()
    if not rows:
        return None
    names = [column[0] for column in cursor.description or ()]
    return dict(zip(names, rows[0], strict=True))
