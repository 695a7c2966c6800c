"""Puell Multiple: the value of a day's new coins against its one-year average (David Puell, 2019).

The ratio is high when miners earn far more than usual (cycle tops, they sell) and low when
they earn far less (capitulation, cycle bottoms).
"""

from __future__ import annotations

import pandas as pd

from wattshift.signals._frame import daily_series_frame, zone_labels

#: Bottom zone: Puell Multiple below this [unitless]. Sources use 0.3-0.6; signals.md uses 0.5.
PUELL_BOTTOM_BELOW = 0.5
#: Top zone: Puell Multiple above this [unitless].
PUELL_TOP_ABOVE = 4.0
#: Length of the moving average in the denominator [days].
PUELL_WINDOW_DAYS = 365


def puell_multiple(
    btc_daily: pd.DataFrame,
    *,
    include_fees: bool = False,
    window_days: int = PUELL_WINDOW_DAYS,
    bottom_below: float = PUELL_BOTTOM_BELOW,
    top_above: float = PUELL_TOP_ABOVE,
) -> pd.DataFrame:
    """Puell Multiple per day, with its zone.

    ``puell[d] = I[d] / SMA_w(I)[d]`` where ``I`` is the USD value of the coins issued on day ``d``
    and ``SMA_w`` the simple mean over the ``w`` calendar days ending on ``d`` (inclusive).

    Parameters
    ----------
    btc_daily
        BTC daily frame (``wattshift.data.schema.BTC_DAILY_COLUMNS``); uses ``date``,
        ``issuance_usd`` [USD/day] (block subsidy only) and, with ``include_fees``, ``revenue_usd``.
    include_fees
        Use miner revenue (subsidy + fees) [USD/day] instead of subsidy only. The default
        (subsidy only) reproduces Glassnode's published values; the fee-inclusive variant is the
        one in Coin Metrics' documentation.
    window_days
        Length of the moving average [days]; 365 in the original definition.
    bottom_below, top_above
        Zone thresholds [unitless]: bottom ``< 0.5``, top ``> 4`` by default.

    Returns
    -------
    pandas.DataFrame
        Columns ``date``, ``issuance_value_usd`` [USD/day], ``puell`` [unitless] and ``zone``
        (``bottom``/``neutral``/``top``). ``puell`` is NaN until ``window_days`` days of issuance
        exist (and for ``window_days`` days after any missing day): never 0.

    Notes
    -----
    Subsidy-only issuance gives 0.35 on 2022-06-17 with Coin Metrics' ``IssTotUSD`` (Glassnode's
    chart, as reported by BeInCrypto, shows 0.35).

    References
    ----------
    .. [1] D. Puell, "The Puell Multiple", Medium / Adaptive Capital, 2019.
    .. [2] Coin Metrics, "Puell Multiple", coinmetrics.io metric documentation.
    """
    column = "revenue_usd" if include_fees else "issuance_usd"
    data = daily_series_frame(btc_daily, [column], name="btc_daily")
    value_usd = data[column]
    mean_usd = value_usd.rolling(window_days, min_periods=window_days).mean()
    puell = value_usd / mean_usd.where(mean_usd > 0)
    return pd.DataFrame(
        {
            "date": data.index,
            "issuance_value_usd": value_usd.to_numpy(),
            "puell": puell.to_numpy(),
            "zone": zone_labels(puell, bottom_below=bottom_below, top_above=top_above).array,
        }
    )
