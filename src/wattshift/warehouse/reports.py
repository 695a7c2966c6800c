"""What the warehouse holds: status per source file, the ingest log, and content fingerprints."""

from __future__ import annotations

from typing import Final

import duckdb
import pandas as pd

from wattshift.warehouse.derived import table_hash
from wattshift.warehouse.schema import DATA_TABLES, STORED_TABLES, TABLES

#: Table → source kind (for reports).
KIND_OF_TABLE: Final[dict[str, str]] = {
    "btc_daily": "coinmetrics",
    "fear_greed": "fear_greed",
    "iso_prices": "ercot",
    "asic_models": "asics",
    "gpu_prices": "gpu",
    "fx_rates": "fx",
    "system_load": "ercot_load",
    "cp4_intervals": "ercot_4cp",
}


def status(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Rows and span per table and source file, with the time of its last successful ingest.

    Returns
    -------
    pandas.DataFrame
        Columns ``table, kind, source, rows, first, last, last_ingest`` (naive UTC timestamps;
        ``first``/``last`` are days for daily tables, interval starts for prices, missing for the
        ASIC catalogue). ``rows`` counts the rows a file *supplies*: for ranked tables, rows it
        won against overlapping files (a file fully overridden by a higher-priority one shows 0);
        for ``btc_daily``, the file's layer, plus a ``(merged)`` row for the merged table.
    """
    parts = [
        "SELECT 'btc_daily' AS tbl, '(merged)' AS source, count(*) AS rows, "
        "CAST(min(date) AS TIMESTAMP) AS first, CAST(max(date) AS TIMESTAMP) AS last FROM btc_daily",
        "SELECT 'btc_daily', source_file, count(*), CAST(min(date) AS TIMESTAMP), "
        "CAST(max(date) AS TIMESTAMP) FROM btc_daily_layers GROUP BY source_file",
    ]
    for name, spec in TABLES.items():
        if name == "btc_daily":
            continue
        column = spec.time_column or "NULL"
        parts.append(
            f"SELECT '{name}', source_file, count(*), CAST(min({column}) AS TIMESTAMP), "
            f"CAST(max({column}) AS TIMESTAMP) FROM {name} GROUP BY source_file"
        )
    frame = con.execute(
        "WITH t AS (" + " UNION ALL ".join(parts) + "), "
        "l AS (SELECT table_name AS tbl, file_name AS source, max(finished_at) AS last_ingest "
        "FROM ingest_log WHERE status IN ('ok', 'unchanged') GROUP BY ALL) "
        "SELECT coalesce(t.tbl, l.tbl) AS table, coalesce(t.source, l.source) AS source, "
        "coalesce(t.rows, 0) AS rows, t.first, t.last, l.last_ingest "
        "FROM t FULL OUTER JOIN l ON l.source = t.source AND l.tbl = t.tbl "
        "WHERE coalesce(t.rows, 0) > 0 OR coalesce(t.source, l.source) <> '(merged)' "
        "ORDER BY 1, t.first NULLS LAST, 2"
    ).df()
    frame.insert(1, "kind", frame["table"].map(KIND_OF_TABLE).astype("str"))
    frame["rows"] = frame["rows"].astype("int64")
    return frame


def ingest_log(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every ingest attempt, oldest first.

    Returns
    -------
    pandas.DataFrame
        ``source, table_name, file_name, file_sha256, rows, started_at, finished_at, status, error``
        (timestamps naive UTC; ``status`` is ``ok``, ``unchanged`` or ``error``).
    """
    return con.execute("SELECT * FROM ingest_log ORDER BY started_at, rowid").df()


def fingerprint(con: duckdb.DuckDBPyConnection, *, stored: bool = False) -> dict[str, str]:
    """Content hash of every data table: row count, sum and XOR of the rows' 64-bit hashes.

    Independent of physical row order. Two warehouses hold the same data exactly when their
    fingerprints are equal (up to hash collisions); ``ingest_log`` is excluded.

    Parameters
    ----------
    con
        Open connection.
    stored
        Hash the stored tables (:data:`~wattshift.warehouse.schema.STORED_TABLES`, including the
        integer ids of price series, which follow ingest order) instead of the data as users see
        it (:data:`~wattshift.warehouse.schema.DATA_TABLES`, independent of ingest order).
    """
    out: dict[str, str] = {}
    for table in STORED_TABLES if stored else DATA_TABLES:
        out[table] = table_hash(con, table)
    return out
