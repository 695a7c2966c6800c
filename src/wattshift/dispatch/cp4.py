"""ERCOT 4CP: the official peak intervals on a dispatch grid, and a no-hindsight 4CP-day rule (pure).

ERCOT charges transmission to a load on its demand in the four coincident peaks (4CP): the one
15-minute interval of each of June, July, August and September in which ERCOT's total load was
highest. The annual charge is the rate [USD/kW-year] x the mean of the load's four 4CP demands
[kW] (PUCT Substantive Rule 25.192, transmission service rates; ERCOT posts the intervals after
September, MIS report NP9-83-M). Each month's interval therefore costs ``rate / 4`` per kW of load.

The intervals are known only in hindsight. A load that wants to avoid them curtails on *4CP alert
days*. The rule here is the common "load within X % of the month-to-date peak" practice, with a
persistence forecast, so that it uses only load known at decision time:

- the forecast of operating day ``d``'s peak is the highest hourly load of day ``d − 1`` (known at
  midnight starting ``d``: the decision time);
- the running peak is the highest hourly load of ``d``'s month up to and including ``d − 1`` (on a
  month's first day, day ``d − 1``'s own peak, so the first day of each 4CP month is an alert);
- ``d`` is an alert day when the forecast is at least ``(1 − X / 100)`` x the running peak;
- on an alert day the load curtails in the local hours ``[start, end)`` of the alert window
  (default 15:00-18:00 Central: every published 4CP interval of 2022, the year before the backtests,
  started between 16:30 and 16:45, and ERCOT's 4CP intervals have historically fallen in the late
  afternoon).

Day ``d``'s alert depends only on hourly loads that start before ``d``'s midnight
(:func:`alert_days`); a test changes loads after a decision time and checks no earlier alert moves.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from wattshift.dispatch.problem import BoolArray, FloatArray, IntArray

#: ERCOT's 4CP months (June-September), PUCT Subst. R. 25.192(c).
CP4_MONTHS: tuple[int, ...] = (6, 7, 8, 9)
#: Default alert threshold X [% below the month-to-date peak]: the smallest whole percent that
#: alerts on all four 4CP days of 2023 and 2024 (``wattshift cp4 backtest``; chosen in sample).
DEFAULT_THRESHOLD_PCT = 3.0
#: Default alert window, local hours [start, end) (see the module docstring).
DEFAULT_WINDOW_LOCAL_HOURS: tuple[int, int] = (15, 18)


@dataclass(frozen=True)
class AlertRule:
    """The 4CP-day rule's parameters.

    Attributes
    ----------
    threshold_pct
        Alert when yesterday's peak is within this share of the month-to-date peak [%].
    window_local_hours
        Local hours ``[start, end)`` curtailed on an alert day [h].
    months
        Months in which alerts are raised (ERCOT: June-September).
    """

    threshold_pct: float = DEFAULT_THRESHOLD_PCT
    window_local_hours: tuple[int, int] = DEFAULT_WINDOW_LOCAL_HOURS
    months: tuple[int, ...] = CP4_MONTHS


def daily_peaks_mw(load_mw: FloatArray, interval_start_utc: pd.DatetimeIndex, timezone: str) -> pd.Series:
    """Highest hourly load of each local day [MW], indexed by the local date (naive midnight)."""
    local_day = interval_start_utc.tz_convert(timezone).tz_localize(None).normalize()
    return pd.Series(load_mw, index=local_day).groupby(level=0).max()


def alert_days(daily_peak_mw: pd.Series, rule: AlertRule) -> pd.Series:
    """Whether each day of the 4CP months is an alert day (bool, indexed by local date).

    Days are those of ``daily_peak_mw`` and the day after each (decided before any of its own load
    is known). A day whose previous day has no load is not an alert (no information). Day ``d``
    reads only ``daily_peak_mw`` at dates before ``d``.
    """
    peaks = daily_peak_mw.sort_index()
    known = pd.DatetimeIndex(peaks.index)
    days = known.union(known + pd.Timedelta(days=1))
    previous = days - pd.Timedelta(days=1)
    month_key = known.year * 12 + known.month
    # running max of the month through each day, then shifted to "through d − 1"
    running = peaks.groupby(month_key).cummax()
    prev_peak = peaks.reindex(previous).to_numpy(dtype=np.float64, na_value=np.nan)
    prev_running = running.reindex(previous).to_numpy(dtype=np.float64, na_value=np.nan)
    same_month = np.asarray(previous.month == days.month)
    reference = np.where(same_month, prev_running, prev_peak)
    factor = 1.0 - rule.threshold_pct / 100.0
    with np.errstate(invalid="ignore"):
        alert = (prev_peak >= factor * reference) & ~np.isnan(prev_peak)
    alert &= np.isin(days.month, rule.months)
    return pd.Series(alert, index=days)


def alert_intervals(
    interval_start_utc: pd.DatetimeIndex, alerts: pd.Series, rule: AlertRule, timezone: str
) -> BoolArray:
    """Whether each grid interval lies in an alert day's window (T,)."""
    local = interval_start_utc.tz_convert(timezone)
    day = local.tz_localize(None).normalize()
    flagged = alerts.reindex(day).fillna(False).to_numpy(dtype=bool)
    start, end = rule.window_local_hours
    hour = np.asarray(local.hour)
    return np.asarray(flagged & (hour >= start) & (hour < end), dtype=bool)


def alert_groups(in_alert: BoolArray) -> tuple[IntArray, int]:
    """One decision group per alert interval: group of each interval (-1 = none), number of groups.

    The charge on an alert day is uncertain: with probability ``p`` the day holds the month's 4CP
    interval, equally likely any of the ``N`` intervals of the window. The expected charge of the
    day is then ``c p / N x Σ_t load[t]`` over its window (linear in the load), i.e. one
    single-interval group per alert interval at the rate share ``p / N``
    (:func:`alert_rate_share`), which keeps each interval's decision separable.
    """
    group = np.full(in_alert.shape[0], -1, dtype=np.int64)
    n = int(np.count_nonzero(in_alert))
    group[in_alert] = np.arange(n, dtype=np.int64)
    return group, n


def alert_rate_share(rule: AlertRule, hit_probability: float, interval_minutes: float) -> float:
    """Share ``p / N`` of the month's rate charged per alert interval [unitless].

    ``p`` is the chance an alert day holds the 4CP interval, ``N`` the intervals in its window.
    """
    start, end = rule.window_local_hours
    n_window = (end - start) * 60.0 / interval_minutes
    return hit_probability / n_window


def official_groups(
    interval_start_utc: pd.DatetimeIndex, cp4_start_utc: pd.DatetimeIndex
) -> tuple[IntArray, int]:
    """Group of the grid interval containing each published 4CP interval start (-1 = none).

    ``cp4_start_utc`` holds the official 15-minute interval starts; a grid of 15-minute or hourly
    intervals selects the one interval containing each start.
    """
    group = np.full(len(interval_start_utc), -1, dtype=np.int64)
    if len(interval_start_utc) == 0:
        return group, 0
    step = (
        interval_start_utc[1] - interval_start_utc[0]
        if len(interval_start_utc) > 1
        else pd.Timedelta(hours=1)
    )
    end = interval_start_utc[-1] + step
    n = 0
    for ts in cp4_start_utc:
        if not interval_start_utc[0] <= ts < end:
            continue
        pos = int(interval_start_utc.searchsorted(ts, side="right")) - 1
        group[pos] = n
        n += 1
    return group, n


@dataclass(frozen=True)
class MonthScore:
    """The rule against one month's official 4CP interval.

    Attributes
    ----------
    year, month
        The month.
    cp4_start_utc
        Official interval start.
    alert_days, false_alarms
        Days alerted, and those that were not the 4CP day (or whose window missed the interval).
    hit
        Whether the official interval lies inside an alert day's window.
    hours_curtailed
        Hours in alert windows [h].
    """

    year: int
    month: int
    cp4_start_utc: pd.Timestamp
    alert_days: int
    hit: bool
    false_alarms: int
    hours_curtailed: float


def score_months(
    alerts: pd.Series, cp4_start_utc: pd.DatetimeIndex, rule: AlertRule, timezone: str
) -> list[MonthScore]:
    """Hits, misses and false alarms of ``alerts`` against each official 4CP interval."""
    start, end = rule.window_local_hours
    rows = []
    for ts in cp4_start_utc:
        local = ts.tz_convert(timezone)
        day = pd.Timestamp(local.date())
        days = pd.DatetimeIndex(alerts.index)
        month = alerts[(days.year == local.year) & (days.month == local.month)]
        n_alert = int(month.sum())
        hit = bool(month.get(day, False)) and start <= local.hour < end
        rows.append(
            MonthScore(
                year=local.year,
                month=local.month,
                cp4_start_utc=ts,
                alert_days=n_alert,
                hit=hit,
                false_alarms=n_alert - int(hit),
                hours_curtailed=float(n_alert * (end - start)),
            )
        )
    return rows
