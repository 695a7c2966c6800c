"""What followed the signals: forward BTC returns after each signal, against all days.

A *forward return* over ``h`` days from day ``d`` is ``P[d + h] / P[d] - 1`` with the daily BTC
price ``P`` [USD] (calendar days). For each set of signal days the backtest reports the median,
mean, hit rate (share of positive returns) and worst return at each horizon, next to the same
statistics over all days - so "four lights red" can be judged against simply holding.

Signal days overlap (a 365-day window starting on consecutive days shares 364 days), so the
counts ``n`` overstate the independent evidence; zone *entries* and Hash Ribbon buys are the
sparser, more independent sets.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from wattshift.signals._frame import daily_series_frame

#: Default forward-return horizons [days].
DEFAULT_HORIZONS_DAYS: tuple[int, ...] = (30, 90, 180, 365)

BACKTEST_COLUMNS: tuple[str, ...] = (
    "signal",
    "horizon_days",
    "n",
    "median_return",
    "mean_return",
    "hit_rate",
    "worst_return",
)


def forward_returns(
    btc_daily: pd.DataFrame, *, horizons_days: Sequence[int] = DEFAULT_HORIZONS_DAYS
) -> pd.DataFrame:
    """Forward BTC return per day and horizon.

    Parameters
    ----------
    btc_daily
        A frame with ``date`` and ``price_usd`` [USD], one row per day.
    horizons_days
        Horizons ``h`` [days]; each must be positive.

    Returns
    -------
    pandas.DataFrame
        ``date`` (complete daily calendar) and one column ``return_{h}d`` [fraction] per horizon:
        ``P[d + h] / P[d] - 1``, NaN when either price is missing or ``d + h`` is past the data.

    Raises
    ------
    ValueError
        If a horizon is not a positive integer.
    """
    bad = [h for h in horizons_days if int(h) != h or h <= 0]
    if bad:
        raise ValueError(f"horizons must be positive whole days, got {bad}")
    data = daily_series_frame(btc_daily, ["price_usd"], name="btc_daily")
    price = data["price_usd"].where(data["price_usd"] > 0)
    result = pd.DataFrame({"date": data.index})
    for h in horizons_days:
        result[f"return_{int(h)}d"] = (price.shift(-int(h)) / price - 1.0).to_numpy()
    return result


def summarize_returns(returns: pd.DataFrame, horizons_days: Sequence[int]) -> list[dict[str, float]]:
    """Median, mean, hit rate and worst of each ``return_{h}d`` column (NaN ignored).

    Returns
    -------
    list of dict
        One dict per horizon: ``horizon_days``, ``n`` (days with a known return),
        ``median_return``, ``mean_return``, ``hit_rate`` (share ``> 0``), ``worst_return``
        [fraction]; statistics are NaN when ``n`` is 0.
    """
    rows = []
    for h in horizons_days:
        values = returns[f"return_{int(h)}d"].to_numpy(dtype="float64")
        values = values[~np.isnan(values)]
        n = len(values)
        rows.append(
            {
                "horizon_days": float(h),
                "n": float(n),
                "median_return": float(np.median(values)) if n else np.nan,
                "mean_return": float(values.mean()) if n else np.nan,
                "hit_rate": float((values > 0).mean()) if n else np.nan,
                "worst_return": float(values.min()) if n else np.nan,
            }
        )
    return rows


def zone_entries(in_zone: pd.Series) -> pd.Series:
    """Days on which a boolean "in zone" series turns on (off or unknown the day before).

    Parameters
    ----------
    in_zone
        Nullable boolean per day (``<NA>`` = unknown).

    Returns
    -------
    pandas.Series
        Plain boolean, True on entry days.
    """
    now = in_zone.fillna(False).astype(bool)
    before = now.shift(1, fill_value=False).astype(bool)
    return now & ~before


def backtest_signals(
    btc_daily: pd.DataFrame,
    signal_days: Mapping[str, pd.Series],
    *,
    horizons_days: Sequence[int] = DEFAULT_HORIZONS_DAYS,
) -> pd.DataFrame:
    """Forward-return statistics after each set of signal days, and over all priced days.

    Parameters
    ----------
    btc_daily
        A frame with ``date`` and ``price_usd`` [USD].
    signal_days
        Name → boolean series indexed by date (True on the days the signal holds or fires). The
        name ``"all days"`` is added first: every day with a price.
    horizons_days
        Forward-return horizons [days].

    Returns
    -------
    pandas.DataFrame
        Columns :data:`BACKTEST_COLUMNS`: one row per signal and horizon, ``n`` as int.
    """
    returns = forward_returns(btc_daily, horizons_days=horizons_days).set_index("date")
    rows: list[dict[str, object]] = []
    for name, days in {"all days": None, **dict(signal_days)}.items():
        if days is None:
            picked = returns
        else:
            mask = days.reindex(returns.index).fillna(False).astype(bool)
            picked = returns[mask.to_numpy()]
        for stats in summarize_returns(picked, horizons_days):
            rows.append({"signal": name, **stats})
    table = pd.DataFrame(rows, columns=list(BACKTEST_COLUMNS))
    table["horizon_days"] = table["horizon_days"].astype("int64")
    table["n"] = table["n"].astype("int64")
    return table
