"""Content checks run on every frame before it is merged (files and API uploads alike).

- value bounds per column (:mod:`wattshift.data.plausible`; ISO prices per market: offer floor and
  cap plus adders);
- no day or interval after tomorrow (UTC);
- ISO prices: known settlement points only (:mod:`wattshift.data.nodes`; nodes the warehouse
  already holds count as known; ``allow_new_nodes`` extends the list).

Each check raises :class:`~wattshift.errors.DataError` naming the file, the column and the row's
key (``date``, or node, market and interval), so the transaction is rolled back untouched.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import numpy as np
import pandas as pd

from wattshift.data.nodes import check_known_nodes
from wattshift.data.plausible import bounds_for_table, check_not_future, check_plausible, price_bound
from wattshift.errors import DataError
from wattshift.warehouse.merge import PreparedPrices

#: Tables whose rows carry a day (checked against tomorrow).
_DATED = ("btc_daily", "fear_greed", "gpu_prices")
_KEYS = {"asic_models": ("model",), "gpu_prices": ("date", "gpu")}


def check_rows(table: str, frame: pd.DataFrame, file: str, *, today: dt.date | None = None) -> None:
    """Bounds and dates of a prepared frame of ``table`` (any table but ``iso_prices``)."""
    check_plausible(frame, bounds_for_table(table), file=file, key=_KEYS.get(table, ("date",)))
    if table in _DATED and "date" in frame.columns:
        check_not_future(frame["date"], file=file, column="date", today=today)


def _held_nodes(con: duckdb.DuckDBPyConnection, iso: str) -> set[str]:
    rows = con.execute("SELECT DISTINCT node FROM price_series WHERE iso = ?", [iso]).fetchall()
    return {str(r[0]) for r in rows}


def check_iso_prices(
    con: duckdb.DuckDBPyConnection,
    prices: PreparedPrices,
    file: str,
    *,
    allow_new_nodes: bool = False,
    today: dt.date | None = None,
) -> None:
    """Nodes, price bounds per market and interval dates of a prepared ISO price frame.

    Raises
    ------
    DataError
        An unknown settlement point (column ``node``), a price outside its market's bounds
        (``price_usd_per_mwh``) or an interval after tomorrow (``interval_start_utc``).
    """
    series = prices.series
    for iso, nodes in series.groupby("iso")["node"]:
        check_known_nodes(
            str(iso),
            nodes.astype(str),
            file=file,
            extra=_held_nodes(con, str(iso)),
            allow_new=allow_new_nodes,
        )
    lo = np.empty(len(series))
    hi = np.empty(len(series))
    for i, (iso, market) in enumerate(zip(series["iso"], series["market"], strict=True)):
        bound = price_bound(str(iso), str(market))
        lo[i], hi[i] = bound.lo, bound.hi
    values = prices.values
    codes = values["code"].to_numpy()
    price = values["price_usd_per_mwh"].to_numpy(dtype=np.float64)
    bad = (price < lo[codes]) | (price > hi[codes]) | ~np.isfinite(price)
    if bad.any():
        pos = int(np.flatnonzero(bad)[0])
        row = series.iloc[int(codes[pos])]
        bound = price_bound(str(row["iso"]), str(row["market"]))
        raise DataError(
            f"implausible price {float(price[pos])!r} USD/MWh for {row['node']} {row['market']} at "
            f"{pd.Timestamp(values['interval_start_utc'].iloc[pos]).isoformat()}Z: outside "
            f"[{bound.lo:g}, {bound.hi:g}] ({bound.source})",
            file=file,
            column="price_usd_per_mwh",
        )
    check_not_future(values["interval_start_utc"], file=file, column="interval_start_utc", today=today)
