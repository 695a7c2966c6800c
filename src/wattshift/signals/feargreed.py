"""Crypto Fear & Greed Index (alternative.me): bands and zones of an external daily series.

The index (0-100) is published by alternative.me; we do not recompute it. This module puts it
on a daily calendar (days missing upstream stay missing: never interpolated), and classifies it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from wattshift.signals._frame import daily_series_frame, zone_labels

#: Bands of the index, as published: (upper bound inclusive, label).
FEAR_GREED_BANDS: tuple[tuple[float, str], ...] = (
    (25.0, "Extreme Fear"),
    (46.0, "Fear"),
    (54.0, "Neutral"),
    (75.0, "Greed"),
    (100.0, "Extreme Greed"),
)
#: Bottom zone: index at or below this ("extreme fear").
FEAR_GREED_BOTTOM_MAX = 25.0
#: Top zone: index above this ("extreme greed" starts at 76).
FEAR_GREED_TOP_ABOVE = 75.0


def classify_fear_greed(value: pd.Series) -> pd.Series:
    """alternative.me band of each index value; missing where the value is missing.

    Parameters
    ----------
    value
        Index values [0-100].

    Returns
    -------
    pandas.Series
        ``Extreme Fear`` (0-25), ``Fear`` (26-46), ``Neutral`` (47-54), ``Greed`` (55-75),
        ``Extreme Greed`` (76-100), as a string series with ``<NA>`` for missing values.

    References
    ----------
    .. [1] alternative.me, "Crypto Fear & Greed Index", https://alternative.me/crypto/fear-and-greed-index/
    """
    uppers = np.array([upper for upper, _ in FEAR_GREED_BANDS])
    labels = np.array([label for _, label in FEAR_GREED_BANDS], dtype=object)
    values = value.to_numpy(dtype="float64")
    index = np.clip(np.searchsorted(uppers, values, side="left"), 0, len(uppers) - 1)
    result = pd.Series(labels[index], index=value.index, dtype="string")
    result[np.isnan(values)] = pd.NA
    return result


def fear_greed_zones(
    fear_greed: pd.DataFrame,
    *,
    bottom_max: float = FEAR_GREED_BOTTOM_MAX,
    top_above: float = FEAR_GREED_TOP_ABOVE,
) -> pd.DataFrame:
    """The Fear & Greed series on a complete daily calendar, with band and zone.

    Parameters
    ----------
    fear_greed
        Fear & Greed frame: ``date``, ``value`` [0-100], ``classification``.
    bottom_max
        Bottom zone: value ``<= bottom_max`` (25, extreme fear, by default).
    top_above
        Top zone: value ``> top_above`` (75: extreme greed).

    Returns
    -------
    pandas.DataFrame
        Columns ``date`` (every day from the first to the last input day), ``value``,
        ``classification`` (the published band of the value) and ``zone``. A day missing from the
        input (four upstream: 2018-04-14..16 and 2024-10-26) has ``value`` NaN and no band or zone.
    """
    data = daily_series_frame(fear_greed, ["value"], name="fear_greed")
    value = data["value"]
    return pd.DataFrame(
        {
            "date": data.index,
            "value": value.to_numpy(),
            "classification": classify_fear_greed(value).array,
            "zone": zone_labels(
                value, bottom_below=bottom_max, top_above=top_above, bottom_inclusive=True
            ).array,
        }
    )
