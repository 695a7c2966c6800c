"""Input checks shared by the signal engines: a daily calendar with one row per UTC day.

Every indicator uses calendar-day windows (a 30-day SMA is 30 calendar days). The engines put
their input on a complete daily calendar first, so that a day missing from the input becomes a
row of NaN (and so leaves the windows that contain it undefined) instead of silently shortening
a window.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from wattshift.errors import DataError


def daily_series_frame(frame: pd.DataFrame, columns: Iterable[str], *, name: str) -> pd.DataFrame:
    """``frame[columns]`` indexed by a complete daily ``DatetimeIndex`` (missing days → NaN rows).

    Parameters
    ----------
    frame
        A frame with a ``date`` column (midnight timestamps, one row per day) and ``columns``.
    columns
        The numeric columns the caller needs; they are returned as float64.
    name
        Name of the frame for error messages (``"btc_daily"``, ``"fear_greed"``).

    Returns
    -------
    pandas.DataFrame
        Indexed by ``date`` (frequency one day, from the first to the last input day).

    Raises
    ------
    DataError
        If a column is missing, or dates are not unique.
    """
    cols = list(columns)
    missing = [c for c in ("date", *cols) if c not in frame.columns]
    if missing:
        raise DataError(f"missing column(s) {', '.join(missing)}", file=name, column=missing[0])
    dates = pd.to_datetime(frame["date"]).dt.normalize()
    if dates.duplicated().any():
        first = dates[dates.duplicated()].iloc[0]
        raise DataError(f"duplicate date {first.date().isoformat()}", file=name, column="date")
    data = frame[cols].astype("float64").set_axis(pd.DatetimeIndex(dates, name="date"), axis=0).sort_index()
    if data.empty:
        return data
    calendar = pd.date_range(data.index[0], data.index[-1], freq="D", name="date")
    return data.reindex(calendar)


def zone_labels(
    value: pd.Series, *, bottom_below: float, top_above: float, bottom_inclusive: bool = False
) -> pd.Series:
    """Zone of each value: ``"bottom"``, ``"top"`` or ``"neutral"``; missing where ``value`` is NaN.

    Parameters
    ----------
    value
        Indicator values (NaN = not defined yet, or missing).
    bottom_below
        Values below this (or at it, with ``bottom_inclusive``) are in the bottom zone.
    top_above
        Values above this are in the top zone.
    bottom_inclusive
        Use ``<=`` for the bottom threshold (Fear & Greed's "0-25 extreme fear").
    """
    bottom = value <= bottom_below if bottom_inclusive else value < bottom_below
    values = value.to_numpy(dtype="float64")
    labels = pd.array(["neutral"] * len(values), dtype="string")
    labels[bottom.to_numpy(dtype=bool)] = "bottom"
    labels[values > top_above] = "top"
    labels[np.isnan(values)] = pd.NA
    return pd.Series(labels, index=value.index)
