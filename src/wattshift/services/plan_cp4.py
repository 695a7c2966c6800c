"""Peak charges (ERCOT 4CP) in tomorrow's plan: which intervals of day ``D`` carry a charge, and why.

The plan applies the same rules as the dispatch backtest (:mod:`wattshift.services.cp4`,
:mod:`wattshift.dispatch.cp4`), on one day and with what is known before ``D``'s midnight only:

- ``rule = "ercot_4cp"``: the 4CP-day alert rule. ``D`` is an alert day when ERCOT's highest hourly
  native load of ``D − 1`` is at least ``(1 − X / 100)`` x the month-to-date peak (the highest hourly
  load of ``D``'s month through ``D − 1``; on a month's first day, ``D − 1``'s own peak), reading the
  load of the hours that start in ``[first day of D's month − 1 day, D)`` and nothing later. On an alert
  day each 15-minute interval of the local alert window is its own peak group charged ``p / N`` of the
  month's rate (:func:`wattshift.dispatch.cp4.alert_rate_share`: ``p`` the chance the day holds the
  month's 4CP interval, ``N`` the window's intervals), the expected charge.
- ``rule = "given"``: the listed peak intervals that fall on ``D``, at the full month's rate.
- ``rule = "top_price"``: the ``intervals_per_month`` highest-price intervals of ``D`` at the plan's
  prices, one group at the full month's rate (:func:`wattshift.dispatch.calendar.peak_groups` on the
  plan's one-day grid: the day is treated as if it may hold the month's peak, a conservative proxy).

Missing ERCOT native load for the hours needed is an error naming the span needed and held
(:class:`~wattshift.errors.NotInWarehouseError`), not a silent "no alert": a plan that mines through
a 4CP interval costs the month's whole charge (15,000 USD/MW at 60 USD/kW-year), far more than one
refused plan; the operator can drop ``[peak_charges]`` to plan without the rule, knowingly.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from wattshift.dispatch.calendar import peak_groups
from wattshift.dispatch.cp4 import alert_days, alert_groups, alert_intervals, alert_rate_share, daily_peaks_mw
from wattshift.dispatch.problem import FloatArray, IntArray
from wattshift.dispatch.settlement import peak_charges_usd
from wattshift.dispatch.spec import PeakSpec, SiteSpec
from wattshift.services.cp4 import alert_rule, hourly_load
from wattshift.services.dispatch_inputs import day_start_utc
from wattshift.units import minutes_to_hours


@dataclass(frozen=True)
class PlanPeaks:
    """Peak charges of one plan day.

    Attributes
    ----------
    rule
        ``ercot_4cp``, ``given`` or ``top_price``.
    in_season
        Whether ``D`` lies in a charged month.
    alert
        Whether any interval of ``D`` carries a charge (an alert day under ``ercot_4cp``).
    group, n_groups
        Peak group of each interval (T,) (-1 = none) and their number.
    rate_usd_per_mw
        Decision charge of each group [USD/MW]: the month's rate x the share (``p / N`` for alerts, 1 else).
    yesterday_peak_mw, month_to_date_peak_mw
        ERCOT's highest hourly load of ``D − 1`` and of ``D``'s month through ``D − 1`` [MW]
        (``ercot_4cp`` in season; else None).
    threshold_pct, window_local_hours
        The alert rule's threshold [%] and local window [h] (``ercot_4cp``; else None).
    """

    rule: str
    in_season: bool
    alert: bool
    group: IntArray
    n_groups: int
    rate_usd_per_mw: FloatArray
    yesterday_peak_mw: float | None = None
    month_to_date_peak_mw: float | None = None
    threshold_pct: float | None = None
    window_local_hours: tuple[int, int] | None = None

    def decision_spec(self, spec: SiteSpec) -> SiteSpec:
        """``spec`` whose peak rate is the decision charge per group (one rate for all groups)."""
        if spec.peak is None or self.n_groups == 0:
            return spec
        rate = float(self.rate_usd_per_mw[0])
        return replace(spec, peak=replace(spec.peak, rate_usd_per_mw_month=rate))


def _out_of_season(peak: PeakSpec, n: int) -> PlanPeaks:
    """No charged interval (a day outside ``peak.months``); the rule's parameters for the record."""
    cp4 = peak.rule == "ercot_4cp"
    return PlanPeaks(
        rule=peak.rule,
        in_season=False,
        alert=False,
        group=np.full(n, -1, dtype=np.int64),
        n_groups=0,
        rate_usd_per_mw=np.zeros(0),
        threshold_pct=peak.alert_threshold_pct if cp4 else None,
        window_local_hours=peak.alert_window_local_hours if cp4 else None,
    )


def plan_peaks(
    wh: Any,
    peak: PeakSpec,
    day: dt.date,
    grid: pd.DatetimeIndex,
    price_usd_per_mwh: FloatArray,
    timezone: str,
    interval_minutes: float = 15.0,
) -> PlanPeaks:
    """The peak groups of the plan of ``day`` on ``grid`` (UTC starts, ``interval_minutes`` apart).

    ``price_usd_per_mwh`` (T,) [USD/MWh] is the plan's price, read by ``top_price`` only.

    Raises
    ------
    NotInWarehouseError
        ``ercot_4cp`` in season without ERCOT native load for the hours needed (message names them).
    """
    T = len(grid)
    if day.month not in peak.months:
        return _out_of_season(peak, T)
    if peak.rule != "ercot_4cp":
        group, n = peak_groups(peak, grid, price_usd_per_mwh, interval_minutes, timezone)
        assert group is not None
        rates = np.full(n, peak.rate_usd_per_mw_month)
        return PlanPeaks(peak.rule, True, bool((group >= 0).any()), group, n, rates)
    return _alert(wh, peak, day, grid, timezone, interval_minutes)


def _alert(
    wh: Any, peak: PeakSpec, day: dt.date, grid: pd.DatetimeIndex, timezone: str, interval_minutes: float
) -> PlanPeaks:
    """The 4CP-day rule for ``day`` from the load of the hours before its midnight only."""
    month_start = day.replace(day=1)
    load, hours = hourly_load(
        wh, day_start_utc(month_start - dt.timedelta(days=1), timezone), day_start_utc(day, timezone)
    )
    rule = alert_rule(peak)
    peaks = daily_peaks_mw(load, hours, timezone)
    alerts = alert_days(peaks, rule)
    yesterday = pd.Timestamp(day - dt.timedelta(days=1))
    # the month-to-date reference of alert_days: d's month through d − 1 (on the 1st, d − 1 itself)
    known = (
        peaks[peaks.index >= pd.Timestamp(month_start)] if day.day > 1 else peaks[peaks.index == yesterday]
    )
    alert = bool(alerts.get(pd.Timestamp(day), False))
    group, n = alert_groups(alert_intervals(grid, alerts, rule, timezone))
    share = alert_rate_share(rule, peak.alert_hit_probability, interval_minutes)
    return PlanPeaks(
        rule="ercot_4cp",
        in_season=True,
        alert=alert,
        group=group,
        n_groups=n,
        rate_usd_per_mw=np.full(n, peak.rate_usd_per_mw_month * share),
        yesterday_peak_mw=float(peaks[yesterday]) if yesterday in peaks.index else None,
        month_to_date_peak_mw=float(known.max()) if len(known) else None,
        threshold_pct=rule.threshold_pct,
        window_local_hours=rule.window_local_hours,
    )


def expected_charge_usd(peaks: PlanPeaks, load_mw: FloatArray) -> float:
    """Expected peak charge of a load (T,) [MW], as settlement charges it
    (:func:`wattshift.dispatch.settlement.peak_charges_usd`) [USD]."""
    return peak_charges_usd(peaks.group, peaks.rate_usd_per_mw, load_mw)


def cp4_block(
    peaks: PlanPeaks,
    interval_start: pd.DatetimeIndex,
    plan_load_mw: FloatArray,
    always_on_mw: float,
    interval_minutes: float = 15.0,
) -> dict[str, Any]:
    """The ``cp4`` block of the plan's JSON: the decision, its reason in numbers, the charge avoided.

    ``charge_avoided_usd`` = expected charge of the always-on load (``always_on_mw`` in every
    interval) − that of the planned load [USD]; ``adder_usd_per_mwh`` = the charge of one MW in one
    charged interval spread over its energy, ``rate / Δt`` [USD/MWh]: on a charged interval a fleet
    mines only while its strike exceeds the price plus this adder.
    """
    charged = peaks.group >= 0
    starts = interval_start[charged]
    always = expected_charge_usd(peaks, np.full(len(plan_load_mw), always_on_mw))
    planned = expected_charge_usd(peaks, plan_load_mw)
    window = peaks.window_local_hours
    adder = float(peaks.rate_usd_per_mw[0]) / minutes_to_hours(interval_minutes) if peaks.n_groups else 0.0
    return {
        "rule": peaks.rule,
        "in_season": peaks.in_season,
        "alert": peaks.alert,
        "yesterday_peak_mw": peaks.yesterday_peak_mw,
        "month_to_date_peak_mw": peaks.month_to_date_peak_mw,
        "threshold_pct": peaks.threshold_pct,
        "window_local": None if window is None else f"{window[0]:02d}:00-{window[1]:02d}:00",
        "charged_intervals": int(charged.sum()),
        "first_charged_start": starts[0].isoformat() if len(starts) else None,
        "last_charged_start": starts[-1].isoformat() if len(starts) else None,
        "adder_usd_per_mwh": adder,
        "expected_charge_usd": planned,
        "always_on_charge_usd": always,
        "charge_avoided_usd": always - planned,
    }
