"""Small canonical frames built by hand for tests (synthetic values, never market data).

Each builder returns a frame in a layout of :mod:`wattshift.data.schema`, so that engines and the
:class:`~wattshift.testing.FakeWarehouse` take it as they take an adapter's output.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import pandas as pd

from wattshift.data.schema import BTC_DAILY_COLUMNS, ISO_PRICE_COLUMNS
from wattshift.testing.warehouse import FakeWarehouse

#: Numbers given to a builder: a list or a 1-D array.
Values = Sequence[float] | npt.NDArray[np.float64]


def synthetic_btc(
    start: str = "2020-01-01",
    *,
    hashrate_ehs: Values | None = None,
    price_usd: Values | None = None,
    issuance_usd: Values | None = None,
    market_cap_usd: Values | None = None,
    realized_cap_usd: Values | None = None,
) -> pd.DataFrame:
    """A BTC daily frame (every column of ``BTC_DAILY_COLUMNS``, NaN where not given), one row per day.

    Parameters
    ----------
    start
        First day (``YYYY-MM-DD``).
    hashrate_ehs, price_usd, issuance_usd, market_cap_usd, realized_cap_usd
        Values per day [EH/s], [USD/BTC], [USD/day], [USD], [USD]; the longest sets the row count
        (the others must have that length).
    """
    given = {
        "hashrate_ehs": hashrate_ehs,
        "price_usd": price_usd,
        "issuance_usd": issuance_usd,
        "market_cap_usd": market_cap_usd,
        "realized_cap_usd": realized_cap_usd,
    }
    n = max(len(v) for v in given.values() if v is not None)
    frame = pd.DataFrame({"date": pd.date_range(start, periods=n, freq="D", unit="ns")})
    for col in BTC_DAILY_COLUMNS[1:]:
        values = given.get(col)
        frame[col] = np.asarray(values, dtype="float64") if values is not None else np.full(n, np.nan)
    return frame


def fear_greed_frame(start: str, values: Values) -> pd.DataFrame:
    """A Fear & Greed frame, one row per day from ``start``; NaN values leave their day out.

    ``classification`` is ``"n/a"`` (the engines read ``value`` only).
    """
    frame = pd.DataFrame(
        {
            "date": pd.date_range(start, periods=len(values), freq="D", unit="ns"),
            "value": np.asarray(values, float),
        }
    )
    frame = frame[frame["value"].notna()].reset_index(drop=True)
    frame["classification"] = "n/a"
    return frame


def iso_price_frame(
    node: str,
    market: str,
    start: str,
    minutes: int,
    prices_usd_per_mwh: Values,
    *,
    iso: str = "ERCOT",
) -> pd.DataFrame:
    """An ISO price frame (``ISO_PRICE_COLUMNS``) of one series on a regular UTC grid.

    Parameters
    ----------
    node, market
        Series (``market``: ``rt``, ``da``, ``da_as``, ...).
    start
        First interval start, UTC.
    minutes
        Interval length [min].
    prices_usd_per_mwh
        One price per interval [USD/MWh] (``da_as``: [USD/MW per hour]).
    """
    prices = np.asarray(prices_usd_per_mwh, dtype=np.float64)
    starts = pd.date_range(start, periods=len(prices), freq=f"{minutes}min", tz="UTC", unit="ns")
    return pd.DataFrame(
        {
            "iso": iso,
            "node": node,
            "market": market,
            "interval_start_utc": starts,
            "interval_minutes": minutes,
            "price_usd_per_mwh": prices,
        },
        columns=list(ISO_PRICE_COLUMNS),
    )


def tiny_dispatch_warehouse(*, drop_rt: slice | None = None) -> FakeWarehouse:
    """Three synthetic UTC days (2023-08-01..03) for the dispatch tests, in a :class:`FakeWarehouse`.

    Holds HB_WEST 15-min ``rt`` prices (a sine of 40 ± 60 USD/MWh plus noise, seed 3, with a
    900 USD/MWh spike on intervals 70-73), hourly ``da`` prices (hourly mean of ``rt`` + 5), hourly
    REGUP and RRS ``da_as`` prices (uniform 5-30; the third day from seed 4), BTC daily figures of
    the order of August 2023 (round numbers) for 2023-07-31..08-03, and one ASIC (Antminer S21,
    200 TH/s, 3,500 W).

    Parameters
    ----------
    drop_rt
        Real-time intervals (positions) to leave out, to make a gap.
    """
    rng = np.random.default_rng(3)
    n = 2 * 96
    rt = 40 + 60 * np.sin(np.arange(n) / 96 * 2 * np.pi) + rng.normal(0, 20, n)
    rt[70:74] = 900.0  # a price spike
    da = rt.reshape(-1, 4).mean(axis=1) + 5.0
    regup, rrs = rng.uniform(5, 30, 48), rng.uniform(5, 30, 48)
    # A third UTC day from its own generator (the first two stay as they were), so that the ERCOT
    # operating days 2023-08-01..02 (05:00 UTC to 05:00 UTC) are covered too.
    more = np.random.default_rng(4)
    rt = np.concatenate([rt, 40 + 60 * np.sin(np.arange(96) / 96 * 2 * np.pi) + more.normal(0, 20, 96)])
    da = np.concatenate([da, rt[n:].reshape(-1, 4).mean(axis=1) + 5.0])
    regup = np.concatenate([regup, more.uniform(5, 30, 24)])
    rrs = np.concatenate([rrs, more.uniform(5, 30, 24)])
    n += 96
    real_time = iso_price_frame("HB_WEST", "rt", "2023-08-01", 15, rt)
    if drop_rt is not None:
        keep = np.ones(n, dtype=bool)
        keep[drop_rt] = False
        real_time = real_time[keep]
    prices = pd.concat(
        [
            real_time,
            iso_price_frame("HB_WEST", "da", "2023-08-01", 60, da),
            iso_price_frame("REGUP", "da_as", "2023-08-01", 60, regup),
            iso_price_frame("RRS", "da_as", "2023-08-01", 60, rrs),
        ],
        ignore_index=True,
    )
    # Difficulty, blocks, subsidy, fees and price of the order of August 2023 (synthetic round numbers);
    # only the columns the hashprice needs.
    btc = pd.DataFrame(
        {
            "date": pd.date_range("2023-07-31", "2023-08-03", freq="D", unit="ns"),
            "price_usd": 29_000.0,
            "difficulty": 52e12,
            "blocks": 144.0,
            "issuance_btc": 900.0,
            "fees_btc": 30.0,
            "hashrate_ehs": 380.0,
        }
    )
    asics = pd.DataFrame(
        {
            "model": ["Antminer S21 (200T)"],
            "vendor": ["Bitmain"],
            "hashrate_ths": [200.0],
            "power_w": [3500.0],
            "efficiency_j_per_th": [17.5],
            "release": ["2023"],
            "source": ["test"],
        }
    )
    return FakeWarehouse(btc_daily=btc, iso_prices=prices, asic_models=asics)
