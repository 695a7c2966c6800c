"""Prices in a market's own currency: stored as they are, converted to USD at query time.

A price frame with ``price_eur_per_mwh`` (Nord Pool) is stored unchanged in the price table, and its
series are listed in ``price_currency``. When such a series is read, each interval is converted with
the ECB reference rate (USD per EUR) of its delivery day in the market's time zone. The ECB fixes
one rate per TARGET business day; a weekend or holiday takes the rate of the latest business day
before it, at most :data:`MAX_RATE_AGE_DAYS` days old (Good Friday to Easter Monday is 4 days). A day
with no such rate is an error naming the span of rates held; nothing is extrapolated.

Source of the rates: European Central Bank euro foreign exchange reference rates (``fx_rates``).
"""

from __future__ import annotations

from typing import Final

import duckdb
import numpy as np
import pandas as pd

from wattshift.errors import DataError, NotInWarehouseError
from wattshift.markets import MARKETS

#: Oldest ECB rate used for a day without its own fixing [days].
MAX_RATE_AGE_DAYS: Final[int] = 4
#: Price columns by currency in adapter frames.
PRICE_COLUMN_OF: Final[dict[str, str]] = {"USD": "price_usd_per_mwh", "EUR": "price_eur_per_mwh"}
STORED_PRICE_COLUMN: Final[str] = "price_usd_per_mwh"


def split_currency(frame: pd.DataFrame, source: str) -> tuple[pd.DataFrame, str]:
    """The frame with its price column under the stored name, and the currency of its prices.

    Raises
    ------
    DataError
        If the frame has no known price column or more than one.
    """
    found = [cur for cur, col in PRICE_COLUMN_OF.items() if col in frame.columns]
    if len(found) != 1:
        raise DataError(
            f"a price frame needs exactly one of {', '.join(PRICE_COLUMN_OF.values())}",
            file=source,
            column="price",
        )
    currency = found[0]
    if currency == "USD":
        return frame, currency
    return frame.rename(columns={PRICE_COLUMN_OF[currency]: STORED_PRICE_COLUMN}), currency


def record_currency(con: duckdb.DuckDBPyConnection, series: pd.DataFrame, currency: str) -> None:
    """List the ``iso, node, market`` rows of ``series`` as priced in ``currency`` (USD: nothing)."""
    if currency == "USD":
        return
    for row in series.itertuples(index=False):
        con.execute(
            "INSERT OR REPLACE INTO price_currency VALUES (?, ?, ?, ?)",
            [row.iso, row.node, row.market, currency],
        )


def series_currency(con: duckdb.DuckDBPyConnection, iso: str, node: str, market: str) -> str:
    """Currency of a stored series (``USD`` unless listed in ``price_currency``)."""
    rows = con.execute(
        "SELECT currency FROM price_currency WHERE iso = ? AND node = ? AND market = ?", [iso, node, market]
    ).fetchall()
    return str(rows[0][0]) if rows else "USD"


def usd_per_unit(con: duckdb.DuckDBPyConnection, currency: str, days: np.ndarray) -> np.ndarray:
    """USD per 1 ``currency`` for each day (``datetime64[D]``), from the ECB rates held.

    ECB rates are units per EUR, so USD per EUR is the ``USD`` rate, and USD per ``X`` is
    ``USD rate / X rate`` (cross rate through the euro, as the ECB advises).

    Raises
    ------
    NotInWarehouseError
        For the first day without a rate at most :data:`MAX_RATE_AGE_DAYS` old; names the span held.
    """
    usd = _rates(con, "USD", days)
    return usd if currency == "EUR" else usd / _rates(con, currency, days)


def _rates(con: duckdb.DuckDBPyConnection, currency: str, days: np.ndarray) -> np.ndarray:
    held = con.execute(
        "SELECT date, units_per_eur FROM fx_rates WHERE currency = ? ORDER BY date", [currency]
    ).fetchnumpy()
    rate_days = np.asarray(held["date"]).astype("datetime64[D]")
    values = np.asarray(held["units_per_eur"], dtype=np.float64)
    wanted = np.asarray(days).astype("datetime64[D]")
    idx = np.searchsorted(rate_days, wanted, side="right") - 1
    ok = idx >= 0
    age = np.where(ok, (wanted - rate_days[np.maximum(idx, 0)]).astype(np.int64), 10**6)
    missing = age > MAX_RATE_AGE_DAYS
    if missing.any():
        day = wanted[int(np.flatnonzero(missing)[0])]
        span = f"{rate_days[0]} to {rate_days[-1]} ({len(rate_days):,} days)" if len(rate_days) else "none"
        raise NotInWarehouseError(
            f"no ECB EUR/{currency} rate for {day} (nor in the {MAX_RATE_AGE_DAYS} days before); "
            f"rates held: {span}. Ingest a newer ECB file (fx/eurofxref-hist.csv) to convert these prices"
        )
    return values[idx]


def to_usd(con: duckdb.DuckDBPyConnection, frame: pd.DataFrame, iso: str, currency: str) -> pd.DataFrame:
    """Convert a price frame of ``iso`` from ``currency`` to USD with the rate of each delivery day.

    ``price_usd_per_mwh = price_<cur>_per_mwh × USD per <cur>`` on the interval's local day
    (:data:`wattshift.markets.MARKETS` gives the time zone).
    """
    if currency == "USD" or frame.empty:
        return frame
    starts = frame["interval_start_utc"].dt.tz_convert("UTC").dt.tz_localize(None).to_numpy()
    out = frame.copy()
    out[STORED_PRICE_COLUMN] = to_usd_values(
        con, starts, frame[STORED_PRICE_COLUMN].to_numpy(dtype=np.float64), iso, currency
    )
    return out


def to_usd_values(
    con: duckdb.DuckDBPyConnection, starts_utc: np.ndarray, price: np.ndarray, iso: str, currency: str
) -> np.ndarray:
    """:func:`to_usd` on arrays: ``price`` [currency/MWh] (N,) of intervals starting at ``starts_utc``
    (naive UTC ``datetime64``) in USD/MWh at the rate of each interval's local delivery day (a copy)."""
    if currency == "USD" or price.size == 0:
        return price.copy()
    tz = MARKETS[iso].timezone if iso in MARKETS else "UTC"
    local = pd.DatetimeIndex(starts_utc).tz_localize("UTC").tz_convert(tz).tz_localize(None).to_numpy()
    rate: np.ndarray = usd_per_unit(con, currency, local.astype("datetime64[D]"))
    converted: np.ndarray = price * rate
    return converted
