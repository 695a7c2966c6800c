"""MVRV Z-Score: how far market value stands above realized value, in standard deviations.

Market value over realized value (MVRV) is due to Mahmudov & Puell (2018); the Z-score form, which
divides the gap by the standard deviation of market value, to "Awe & Wonder" (October 2018).
"""

from __future__ import annotations

import pandas as pd

from wattshift.signals._frame import daily_series_frame, zone_labels

#: Bottom zone: Z below this [unitless] (market value under realized value).
MVRV_Z_BOTTOM_BELOW = 0.0
#: Top zone: Z above this [unitless].
MVRV_Z_TOP_ABOVE = 7.0
#: Days of market cap needed before the expanding standard deviation is used [days].
MVRV_Z_MIN_HISTORY_DAYS = 365

#: Label to show next to the values: ours differ from Glassnode's (see :func:`mvrv_z_score`).
MVRV_Z_LABEL = "MVRV Z (Coin Metrics realized cap, expanding std)"


def mvrv_z_score(
    btc_daily: pd.DataFrame,
    *,
    min_history_days: int = MVRV_Z_MIN_HISTORY_DAYS,
    bottom_below: float = MVRV_Z_BOTTOM_BELOW,
    top_above: float = MVRV_Z_TOP_ABOVE,
) -> pd.DataFrame:
    """MVRV Z-Score per day, with its zone.

    ``z[d] = (M[d] - R[d]) / std(M[d0..d])`` with market cap ``M`` [USD], realized cap ``R``
    [USD], and the standard deviation (sample, ddof=1) *expanding* over every priced day from the
    first one ``d0`` up to ``d``, as Glassnode computes it ("cumulatively from the first
    available data point"). A single full-history standard deviation would give values about
    ten times too small and would look ahead.

    Parameters
    ----------
    btc_daily
        BTC daily frame; uses ``date``, ``market_cap_usd`` [USD] and ``realized_cap_usd`` [USD].
    min_history_days
        Number of priced days required before a value is given [days]; earlier days are NaN.
    bottom_below, top_above
        Zone thresholds [unitless]: bottom ``< 0``, top ``> 7`` by default.

    Returns
    -------
    pandas.DataFrame
        Columns ``date``, ``market_cap_usd``, ``realized_cap_usd``, ``mvrv`` [unitless],
        ``mvrv_z`` [unitless] and ``zone``.

    Notes
    -----
    Realized cap here is Coin Metrics' (``CapMrktCurUSD / CapMVRVCur``); Glassnode's tops run
    5-10 % higher, so label the series with :data:`MVRV_Z_LABEL`. With these data the first
    negative day of the 2022 bear market is 2022-06-13, as in Glassnode's chart (BeInCrypto).

    References
    ----------
    .. [1] M. Mahmudov and D. Puell, "Bitcoin Market-Value-to-Realized-Value (MVRV) Ratio", 2018.
    .. [2] Awe & Wonder, "MVRV Z-Score", October 2018; Glassnode Academy, "MVRV Z-Score".
    """
    data = daily_series_frame(btc_daily, ["market_cap_usd", "realized_cap_usd"], name="btc_daily")
    market_usd = data["market_cap_usd"]
    realized_usd = data["realized_cap_usd"]
    std_usd = market_usd.expanding(min_periods=max(min_history_days, 2)).std(ddof=1)
    z = (market_usd - realized_usd) / std_usd.where(std_usd > 0)
    return pd.DataFrame(
        {
            "date": data.index,
            "market_cap_usd": market_usd.to_numpy(),
            "realized_cap_usd": realized_usd.to_numpy(),
            "mvrv": (market_usd / realized_usd.where(realized_usd > 0)).to_numpy(),
            "mvrv_z": z.to_numpy(),
            "zone": zone_labels(z, bottom_below=bottom_below, top_above=top_above).array,
        }
    )
