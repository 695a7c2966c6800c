"""Operating days, windows and peak-charge candidates of an interval grid (pure).

ERCOT's operating day runs midnight to midnight Central Prevailing Time (``America/Chicago``), 23
hours on the spring-forward day and 25 on the fall-back day. :func:`day_numbers` numbers each
interval's local day; windows, daily budgets and forecasts follow those days.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd

from wattshift.dispatch.problem import FloatArray, IntArray
from wattshift.dispatch.spec import PeakSpec


def _ticks(interval_start_utc: pd.DatetimeIndex, span: np.timedelta64) -> int:
    """Ticks of the index's storage unit (``ns``, ``us``, ``ms`` or ``s``) in ``span``."""
    return int(span // np.timedelta64(1, interval_start_utc.unit))


def day_numbers(interval_start_utc: pd.DatetimeIndex, timezone: str = "UTC") -> IntArray:
    """Local day of each interval, counted from the first interval's day (T,) [days].

    The local wall-clock time of each interval (pandas' UTC offset lookup for ``timezone``) is
    floored to its midnight by integer division of its ticks by a day's; the day number is the
    difference of those floors, so a DST day of 23 or 25 hours is one day like any other.
    """
    if not len(interval_start_utc):
        return np.zeros(0, np.int64)
    wall = interval_start_utc.tz_convert(timezone).tz_localize(None)
    midnight = wall.asi8 // _ticks(wall, np.timedelta64(1, "D"))
    return np.asarray(midnight - midnight[0], dtype=np.int64)


def hour_numbers(interval_start_utc: pd.DatetimeIndex) -> IntArray:
    """Clock hour of each interval, counted from the first (T,); ERCOT hours are whole UTC hours.

    Floors of the UTC ticks to whole hours (the epoch is a whole UTC hour), relative to the first.
    """
    if not len(interval_start_utc):
        return np.zeros(0, np.int64)
    utc = interval_start_utc.tz_convert("UTC")
    hour = utc.asi8 // _ticks(utc, np.timedelta64(1, "h"))
    return np.asarray(hour - hour[0], dtype=np.int64)


def windows(day: IntArray, window_days: int | None) -> list[slice]:
    """Consecutive slices of ``window_days`` days each (one slice when None)."""
    n = int(day.shape[0])
    if window_days is None:
        return [slice(0, n)]
    block = day // window_days
    cuts = np.flatnonzero(np.diff(block)) + 1
    bounds = [0, *cuts.tolist(), n]
    return [slice(a, b) for a, b in itertools.pairwise(bounds)]


def peak_groups(
    peak: PeakSpec | None,
    interval_start_utc: pd.DatetimeIndex,
    price_usd_per_mwh: FloatArray,
    interval_minutes: float,
    timezone: str = "UTC",
) -> tuple[IntArray | None, int]:
    """Peak-charge candidate group of each interval (-1 = none) and the number of groups.

    One group per local (year, month) in ``peak.months`` present in the range (months in
    ``timezone``: an ERCOT August ends at midnight Central, not UTC). Candidates are
    the given peak intervals (``rule = "given"``; a peak inside an interval selects that interval) or
    the ``intervals_per_month`` highest-price intervals of the month (``rule = "top_price"``).
    """
    pc = peak
    if pc is None:
        return None, 0
    idx = interval_start_utc
    local = idx.tz_convert(timezone)
    ym = local.year.to_numpy() * 12 + local.month.to_numpy() - 1
    in_season = np.isin(local.month.to_numpy(), pc.months)
    months = np.unique(ym[in_season])
    group = np.full(len(idx), -1, dtype=np.int64)
    step = pd.Timedelta(minutes=interval_minutes)
    for c, key in enumerate(months):
        sel = np.flatnonzero(ym == key)
        if pc.rule == "given":
            for given in pc.peaks_utc:
                ts = pd.Timestamp(given)
                ts = ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")
                pos = int(idx.searchsorted(ts, side="right")) - 1
                if pos >= 0 and ym[pos] == key and ts < idx[pos] + step:
                    group[pos] = c
        else:
            n = min(pc.intervals_per_month, sel.size)
            top = sel[np.argsort(-price_usd_per_mwh[sel], kind="stable")[:n]]
            group[top] = c
    return group, int(months.size)
