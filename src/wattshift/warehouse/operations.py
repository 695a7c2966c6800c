"""Operations tables: the fleet command audit, alerts sent, and scheduled runs (SQL lives here).

Created on first use (``CREATE TABLE IF NOT EXISTS``), outside the market-data schema, so an older
warehouse gains them without a rebuild and the data fingerprints do not change:

- ``fleet_audit(at_utc, requested_by, ip, fleet, command, target_w, ok, attempts, error, dry_run)``:
  every command sent to a machine and its result (a dry run records what would be sent);
- ``alert_log(at_utc, rule, key, severity, message, value, sent, suppressed_reason)``: every alert
  that fired, whether it was sent or suppressed (duplicate, quiet hours);
- ``job_runs(job, started_utc, finished_utc, status, detail)``: every scheduled run and its outcome.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import pandas as pd

from wattshift.warehouse.core import Warehouse
from wattshift.warehouse.derived import has_table

_DDL = (
    """CREATE TABLE IF NOT EXISTS fleet_audit (
        at_utc TIMESTAMPTZ NOT NULL, requested_by VARCHAR NOT NULL, ip VARCHAR NOT NULL,
        fleet VARCHAR NOT NULL, command VARCHAR NOT NULL, target_w DOUBLE, ok BOOLEAN NOT NULL,
        attempts INTEGER NOT NULL, error VARCHAR, dry_run BOOLEAN NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS alert_log (
        at_utc TIMESTAMPTZ NOT NULL, rule VARCHAR NOT NULL, key VARCHAR NOT NULL,
        severity VARCHAR NOT NULL, message VARCHAR NOT NULL, value DOUBLE, sent BOOLEAN NOT NULL,
        suppressed_reason VARCHAR)""",
    """CREATE TABLE IF NOT EXISTS job_runs (
        job VARCHAR NOT NULL, started_utc TIMESTAMPTZ NOT NULL, finished_utc TIMESTAMPTZ NOT NULL,
        status VARCHAR NOT NULL, detail VARCHAR)""",
)
_COLUMNS = {
    "fleet_audit": [
        "at_utc",
        "requested_by",
        "ip",
        "fleet",
        "command",
        "target_w",
        "ok",
        "attempts",
        "error",
        "dry_run",
    ],
    "alert_log": ["at_utc", "rule", "key", "severity", "message", "value", "sent", "suppressed_reason"],
    "job_runs": ["job", "started_utc", "finished_utc", "status", "detail"],
}


def _ensure(wh: Warehouse) -> None:
    for statement in _DDL:
        wh._con.execute(statement)


def _has_table(wh: Warehouse, table: str) -> bool:
    return has_table(wh._con, table)


def append(wh: Warehouse, table: str, rows: Sequence[Sequence[Any]]) -> int:
    """Append ``rows`` (in :data:`_COLUMNS` order) to operations ``table``; returns the rows written."""
    if table not in _COLUMNS:
        raise ValueError(f"unknown operations table {table!r}")
    if not rows:
        return 0
    _ensure(wh)
    marks = ", ".join("?" for _ in _COLUMNS[table])
    wh._con.begin()
    try:
        wh._con.executemany(f"INSERT INTO {table} VALUES ({marks})", [list(r) for r in rows])
        wh._con.commit()
    except Exception:
        wh._con.rollback()
        raise
    return len(rows)


def recent(wh: Warehouse, table: str, limit: int = 100) -> pd.DataFrame:
    """The newest ``limit`` rows of operations ``table`` (empty frame when it does not exist yet)."""
    if table not in _COLUMNS:
        raise ValueError(f"unknown operations table {table!r}")
    if not _has_table(wh, table):
        return pd.DataFrame(columns=_COLUMNS[table])
    order = "started_utc" if table == "job_runs" else "at_utc"
    return wh._con.execute(f"SELECT * FROM {table} ORDER BY {order} DESC, rowid DESC LIMIT ?", [limit]).df()


def last_sent(wh: Warehouse, key: str) -> dt.datetime | None:
    """When an alert with ``key`` was last sent (None: never)."""
    if not _has_table(wh, "alert_log"):
        return None
    row = wh._con.execute("SELECT max(at_utc) FROM alert_log WHERE key = ? AND sent", [key]).fetchone()
    value = row[0] if row else None
    return value if isinstance(value, dt.datetime) else None
