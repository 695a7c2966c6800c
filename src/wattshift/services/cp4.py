"""ERCOT 4CP from the warehouse: official intervals on a dispatch grid, the alert rule, its backtest.

:func:`peak_groups_for` lays ERCOT's published 4CP intervals (settlement) and the no-hindsight
4CP-day rule's alert windows (decisions in ``forecast`` and ``day_ahead`` modes; the real intervals
in ``perfect`` mode, an upper bound) on a dispatch grid. :func:`backtest_rule` scores the rule
against the published intervals of a year: hits, misses, false alarms, hours curtailed and the
transmission charge avoided by a 1 MW load against always-on.

``day_ahead`` and ``forecast`` use the same alerts: a 4CP curtailment is a real-time action (the load
drops in the afternoon of day ``d`` whatever it bought day-ahead), decided at the midnight starting
``d`` from ERCOT native load through ``d − 1``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Protocol

import numpy as np
import pandas as pd

from wattshift.dispatch.backtest import BacktestInputs
from wattshift.dispatch.calendar import peak_groups
from wattshift.dispatch.cp4 import (
    AlertRule,
    MonthScore,
    alert_days,
    alert_groups,
    alert_intervals,
    alert_rate_share,
    daily_peaks_mw,
    official_groups,
    score_months,
)
from wattshift.dispatch.problem import FloatArray, IntArray
from wattshift.dispatch.spec import PeakSpec
from wattshift.errors import ConfigError, NotInWarehouseError
from wattshift.units import kw_year_to_usd_per_mw

Groups = tuple[IntArray, int]

#: Zone of ERCOT's operating day and of the 4CP alert window.
ERCOT_TZ = "America/Chicago"

__all__ = [
    "AlertRule",
    "RuleBacktest",
    "backtest_rule",
    "official_starts",
    "peak_groups_for",
    "with_cp4_groups",
]


class Cp4Source(Protocol):
    """What the 4CP service reads (``wattshift.warehouse.Warehouse`` has it)."""

    def cp4_intervals(self) -> pd.DataFrame:
        """Official 4CP intervals: ``year, month, interval_start_utc, ...``."""
        ...

    def system_load(self, zone: str = "ERCOT", *, iso: str = "ERCOT") -> pd.DataFrame:
        """Hourly load: ``interval_start_utc, interval_minutes, load_mw``."""
        ...


def _source(wh: Any) -> Cp4Source:
    if not (hasattr(wh, "cp4_intervals") and hasattr(wh, "system_load")):
        raise NotInWarehouseError("this warehouse holds no ERCOT 4CP intervals or system load")
    return wh  # type: ignore[no-any-return]


def official_starts(wh: Any, years: list[int], months: tuple[int, ...]) -> pd.DatetimeIndex:
    """Published 4CP interval starts (UTC) of ``years`` in ``months``.

    Raises
    ------
    NotInWarehouseError
        A year without published intervals (the message names the years held).
    """
    table = _source(wh).cp4_intervals()
    held = sorted({int(y) for y in table["year"]})
    missing = [y for y in years if y not in held]
    if missing:
        span = ", ".join(str(y) for y in held) or "none"
        raise NotInWarehouseError(
            f"no published ERCOT 4CP intervals for {', '.join(map(str, missing))}; years held: {span} "
            '(ingest ercot_4cp, or set peak_charges.missing_years = "top_price" to use the price proxy)'
        )
    keep = table["year"].isin(years) & table["month"].isin(months)
    return pd.DatetimeIndex(table.loc[keep, "interval_start_utc"]).tz_convert("UTC")


def hourly_load(wh: Any, start: pd.Timestamp, end: pd.Timestamp) -> tuple[FloatArray, pd.DatetimeIndex]:
    """ERCOT hourly native load in [start, end) [MW] and the hour starts (UTC).

    Raises
    ------
    NotInWarehouseError
        The load does not cover [start, end) (the message names the span held).
    """
    frame = _source(wh).system_load("ERCOT")
    idx = pd.DatetimeIndex(frame["interval_start_utc"]).tz_convert("UTC")
    if idx.empty or idx[0] > start or idx[-1] + pd.Timedelta(hours=1) < end:
        held = f"{idx[0].isoformat()} .. {idx[-1].isoformat()}" if len(idx) else "none"
        raise NotInWarehouseError(
            f"ERCOT native load needed from {start.isoformat()} to {end.isoformat()} "
            f"for the 4CP rule; held: {held}"
        )
    sel = (idx >= start) & (idx < end)
    return frame["load_mw"].to_numpy(dtype=np.float64)[sel], idx[sel]


def alert_rule(peak: PeakSpec) -> AlertRule:
    """The 4CP-day rule of a site's peak-charge spec."""
    return AlertRule(peak.alert_threshold_pct, peak.alert_window_local_hours, peak.months)


def _alert_decisions(wh: Any, peak: PeakSpec, grid: pd.DatetimeIndex, timezone: str) -> Groups:
    """Alert-day groups on ``grid`` from the load known before each day (:mod:`wattshift.dispatch.cp4`)."""
    local = grid.tz_convert(timezone)
    in_season = np.isin(local.month, peak.months)
    if not in_season.any():
        return np.full(len(grid), -1, dtype=np.int64), 0
    days = local[in_season].tz_localize(None).normalize()
    # from the day before the first day's month: the month-to-date peak of a run starting mid-month
    # covers the month's earlier days, as the plan's does (services.plan_cp4)
    month_start = days.min().replace(day=1)
    first = (month_start - pd.Timedelta(days=1)).tz_localize(timezone).tz_convert("UTC")
    last = (days.max()).tz_localize(timezone).tz_convert("UTC")
    load, hours = hourly_load(wh, first, last)
    rule = alert_rule(peak)
    alerts = alert_days(daily_peaks_mw(load, hours, timezone), rule)
    return alert_groups(alert_intervals(grid, alerts, rule, timezone))


def peak_groups_for(
    wh: Any,
    peak: PeakSpec | None,
    grid: pd.DatetimeIndex,
    *,
    perfect: bool,
    decision_price_usd_per_mwh: FloatArray,
    interval_minutes: float,
    timezone: str,
) -> tuple[Groups, Groups] | None:
    """(Decision, settlement) peak groups of an ``ercot_4cp`` site on ``grid``; None for other rules.

    Settlement: the interval holding each month's published 4CP interval. Decisions: the same in
    ``perfect`` mode; otherwise one group per alert day's window. Years without published
    intervals: an error, or the price proxy for the whole run with ``missing_years = "top_price"``.
    """
    if peak is None or peak.rule != "ercot_4cp":
        return None
    local = grid.tz_convert(timezone)
    years = sorted({int(y) for y, m in zip(local.year, local.month, strict=True) if m in peak.months})
    if not years:
        empty = (np.full(len(grid), -1, dtype=np.int64), 0)
        return empty, empty
    try:
        starts = official_starts(wh, years, peak.months)
    except NotInWarehouseError:
        if peak.missing_years != "top_price":
            raise
        proxy = replace(peak, rule="top_price")
        group, n = peak_groups(proxy, grid, decision_price_usd_per_mwh, interval_minutes, timezone)
        assert group is not None
        return (group, n), (group, n)
    settle = official_groups(grid, starts)
    return (settle if perfect else _alert_decisions(wh, peak, grid, timezone)), settle


def with_cp4_groups(
    wh: Any, peak: PeakSpec | None, inputs: BacktestInputs, *, perfect: bool
) -> BacktestInputs:
    """``inputs`` with the 4CP decision and settlement groups of an ``ercot_4cp`` site (else unchanged)."""
    groups = peak_groups_for(
        wh,
        peak,
        inputs.interval_start_utc,
        perfect=perfect,
        decision_price_usd_per_mwh=inputs.decision_price_usd_per_mwh,
        interval_minutes=inputs.interval_minutes,
        timezone=inputs.timezone,
    )
    if groups is None:
        return inputs
    proxy = groups[0] is groups[1]
    share = (
        1.0
        if perfect or peak is None or proxy
        else alert_rate_share(alert_rule(peak), peak.alert_hit_probability, inputs.interval_minutes)
    )
    return replace(
        inputs,
        peak_decision_groups=groups[0],
        peak_settlement_groups=groups[1],
        peak_decision_rate_share=share,
    )


@dataclass(frozen=True)
class RuleBacktest:
    """The 4CP-day rule against a year's published intervals.

    Attributes
    ----------
    year, rule
        The year and the rule's parameters.
    rate_usd_per_kw_year
        Transmission rate used for the charges [USD/kW-year].
    months
        One score per 4CP month with native load.
    skipped
        4CP months (``YYYY-MM``) without native load to score them.
    """

    year: int
    rule: AlertRule
    rate_usd_per_kw_year: float
    months: list[MonthScore]
    skipped: list[str] = field(default_factory=list)

    def month_charge_usd(self) -> float:
        """Charge of 1 MW in one month's 4CP interval: rate / 4 [USD] (PUCT Subst. R. 25.192(b))."""
        return float(kw_year_to_usd_per_mw(self.rate_usd_per_kw_year)) / len(self.rule.months)

    def rows(self) -> list[dict[str, Any]]:
        """One row per month: alerts, hit, misses, false alarms, hours, charges for 1 MW [USD]."""
        charge = self.month_charge_usd()
        out = []
        for m in self.months:
            out.append(
                {
                    "year": m.year,
                    "month": m.month,
                    "cp4_interval_start_utc": m.cp4_start_utc.isoformat(),
                    "alert_days": m.alert_days,
                    "hits": int(m.hit),
                    "misses": int(not m.hit),
                    "false_alarms": m.false_alarms,
                    "hours_curtailed": m.hours_curtailed,
                    "charge_always_on_usd": charge,
                    "charge_with_rule_usd": 0.0 if m.hit else charge,
                    "charge_avoided_usd": charge if m.hit else 0.0,
                }
            )
        return out

    def totals(self) -> dict[str, float]:
        """Sums over the months of every numeric column of :meth:`rows`."""
        keys: tuple[str, ...] = ("alert_days", "hits", "misses", "false_alarms", "hours_curtailed")
        keys += ("charge_always_on_usd", "charge_with_rule_usd", "charge_avoided_usd")
        rows = self.rows()
        return {k: float(sum(r[k] for r in rows)) for k in keys}


def backtest_rule(wh: Any, year: int, rule: AlertRule, rate_usd_per_kw_year: float) -> RuleBacktest:
    """Score the 4CP-day rule on ``year``'s published intervals with the warehouse's native load.

    Raises
    ------
    ConfigError
        A rate that is not positive.
    NotInWarehouseError
        No published intervals for ``year``, or no native load for any of its 4CP months (months
        without load are listed in ``skipped``).
    """
    if rate_usd_per_kw_year <= 0:
        raise ConfigError(f"--rate-usd-per-kw-year must be positive, got {rate_usd_per_kw_year}")
    starts = official_starts(wh, [year], rule.months)
    frame = _source(wh).system_load("ERCOT")
    hours = pd.DatetimeIndex(frame["interval_start_utc"]).tz_convert("UTC")
    covered = [ts for ts in starts if _load_covers_month(hours, ts)]
    skipped = [f"{ts.tz_convert(ERCOT_TZ):%Y-%m}" for ts in starts if ts not in covered]
    if not covered:
        held = f"{hours[0].isoformat()} .. {hours[-1].isoformat()}" if len(hours) else "none"
        raise NotInWarehouseError(f"no ERCOT native load for the 4CP months of {year}; held: {held}")
    load = frame["load_mw"].to_numpy(dtype=np.float64)
    alerts = alert_days(daily_peaks_mw(load, hours, ERCOT_TZ), rule)
    scores = score_months(alerts, pd.DatetimeIndex(covered), rule, ERCOT_TZ)
    return RuleBacktest(year, rule, rate_usd_per_kw_year, scores, skipped)


def _load_covers_month(hours: pd.DatetimeIndex, cp4_start_utc: pd.Timestamp) -> bool:
    """Whether hourly load covers the day before the 4CP month through the day before its last day."""
    local = cp4_start_utc.tz_convert(ERCOT_TZ)
    month_start = pd.Timestamp(local.year, local.month, 1)
    need_from = (month_start - pd.Timedelta(days=1)).tz_localize(ERCOT_TZ).tz_convert("UTC")
    last_day = month_start + pd.offsets.MonthEnd(0)
    need_to = pd.Timestamp(last_day).tz_localize(ERCOT_TZ).tz_convert("UTC")
    return bool(len(hours)) and hours[0] <= need_from and hours[-1] + pd.Timedelta(hours=1) >= need_to
