"""Read queries for markets beyond ERCOT: FX rates, system load, 4CP intervals and price gaps.

Interval starts come back tz-aware UTC, days as naive midnights, numbers as float64. Gaps are
computed from the prices held (never filled): a gap is a run of missing intervals between two
held intervals of a series.
"""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd

from wattshift.errors import NotInWarehouseError


def _utc(frame: pd.DataFrame, *columns: str) -> pd.DataFrame:
    for col in columns:
        frame[col] = pd.to_datetime(frame[col]).dt.tz_localize("UTC").astype("datetime64[ns, UTC]")
    return frame


def fx_rates(con: duckdb.DuckDBPyConnection, currency: str = "USD") -> pd.DataFrame:
    """ECB rates of one currency: ``date, currency, units_per_eur`` [currency/EUR], by date."""
    frame = con.execute(
        "SELECT date, currency, units_per_eur FROM fx_rates WHERE currency = ? ORDER BY date", [currency]
    ).df()
    frame["date"] = pd.to_datetime(frame["date"]).astype("datetime64[ns]")
    return frame


def system_load(con: duckdb.DuckDBPyConnection, zone: str = "ERCOT", *, iso: str = "ERCOT") -> pd.DataFrame:
    """Hourly load of one zone: ``interval_start_utc, interval_minutes, load_mw`` [MW], by time.

    Raises
    ------
    NotInWarehouseError
        If the warehouse holds no load for ``iso``/``zone`` (names the zones held).
    """
    frame = con.execute(
        "SELECT interval_start_utc, interval_minutes, load_mw FROM system_load "
        "WHERE iso = ? AND zone = ? ORDER BY interval_start_utc",
        [iso, zone],
    ).df()
    if frame.empty:
        held = [
            f"{r[0]}/{r[1]}"
            for r in con.execute("SELECT DISTINCT iso, zone FROM system_load ORDER BY 1, 2").fetchall()
        ]
        raise NotInWarehouseError(f"no {iso} {zone} load in the warehouse; held: {', '.join(held) or 'none'}")
    frame["load_mw"] = frame["load_mw"].astype(np.float64)
    return _utc(frame, "interval_start_utc")


def cp4_intervals(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """ERCOT 4CP intervals: ``year, month, interval_start_utc, interval_minutes, total_4cp_mw,
    annual_average_4cp_mw`` [MW], by year and month."""
    frame = con.execute(
        "SELECT year, month, interval_start_utc, interval_minutes, total_4cp_mw, annual_average_4cp_mw "
        "FROM cp4_intervals ORDER BY year, month"
    ).df()
    return _utc(frame, "interval_start_utc")


def price_gaps(con: duckdb.DuckDBPyConnection, *, min_intervals: int = 1) -> pd.DataFrame:
    """Gaps in every price series held (never filled).

    Returns
    -------
    pandas.DataFrame
        One row per series with gaps: ``iso, node, market, gaps`` (count), ``missing_intervals``,
        ``longest_gap_start`` / ``longest_gap_end`` (UTC; the first missing interval start and the
        next held interval start), ``longest_gap_hours``. Only gaps of at least ``min_intervals``
        missing intervals count.
    """
    frame = con.execute(
        """
        WITH v AS (
            SELECT series_id, interval_start_utc AS t, interval_minutes AS m,
                   lead(interval_start_utc) OVER (PARTITION BY series_id ORDER BY interval_start_utc) AS nxt
            FROM iso_price_values
        ), g AS (
            SELECT series_id, t + to_minutes(CAST(m AS BIGINT)) AS gap_start, nxt AS gap_end,
                   (epoch(nxt) - epoch(t)) / 60 / m - 1 AS missing
            FROM v WHERE nxt IS NOT NULL AND (epoch(nxt) - epoch(t)) / 60 / m - 1 >= ?
        )
        SELECT s.iso, s.node, s.market, count(*) AS gaps, sum(missing) AS missing_intervals,
               arg_max(gap_start, missing) AS longest_gap_start, arg_max(gap_end, missing) AS longest_gap_end,
               max(epoch(gap_end) - epoch(gap_start)) / 3600 AS longest_gap_hours
        FROM g JOIN price_series AS s USING (series_id)
        GROUP BY ALL ORDER BY s.iso, s.node, s.market
        """,
        [min_intervals],
    ).df()
    frame["gaps"] = frame["gaps"].astype(np.int64)
    frame["missing_intervals"] = frame["missing_intervals"].astype(np.int64)
    frame["longest_gap_hours"] = frame["longest_gap_hours"].astype(np.float64)
    return _utc(frame, "longest_gap_start", "longest_gap_end")
