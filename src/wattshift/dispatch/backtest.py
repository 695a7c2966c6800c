"""Rolling-horizon backtest of a site's dispatch over a price history (pure: arrays in, result out).

The history is cut into windows of ``window_days`` operating days in ``inputs.timezone`` (or solved
in one piece); each window is solved with the decision prices — the real-time prices themselves
(perfect foresight, an upper bound), the day-ahead prices, or a forecast from information available
at the time (:mod:`wattshift.dispatch.forecast`) — and settled at the settlement prices.
Fleet loads, on/off state and the peak-charge loads already incurred are carried from one window
to the next, so ramp limits, minimum on/off time and 4CP charges hold across window boundaries
(:mod:`wattshift.dispatch.rolling`; windows the merit order solves alone are solved in one piece,
with the same schedule). The value of flexibility is the net against an always-on reference on the
same prices.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import cached_property, partial

import numpy as np
import pandas as pd

from wattshift.dispatch.calendar import day_numbers, peak_groups, windows
from wattshift.dispatch.problem import FloatArray, IntArray
from wattshift.dispatch.rolling import Progress, Solved, SolverName, solve, solve_windows
from wattshift.dispatch.settlement import SettlementInputs, always_on, schedule_frame, settle
from wattshift.dispatch.spec import SiteSpec
from wattshift.errors import ConfigError
from wattshift.units import minutes_to_hours

__all__ = [
    "BacktestInputs",
    "BacktestResult",
    "Progress",
    "SolverName",
    "run_backtest",
    "settlement_inputs",
    "solve",
]


@dataclass(frozen=True)
class BacktestInputs:
    """Aligned arrays for a backtest (T intervals, K fleets, R products).

    Attributes
    ----------
    interval_start_utc
        Interval starts (T,), tz-aware UTC, evenly spaced.
    interval_minutes
        Interval length [min].
    decision_price_usd_per_mwh
        Price the schedule is decided on (T,) [USD/MWh].
    settle_price_usd_per_mwh
        Price the schedule is settled at (T,) [USD/MWh].
    fleet_value_usd_per_mwh
        Mining value per fleet (K, T) [USD/MWh].
    ai_value_usd_per_mwh
        AI value (T,) [USD/MWh].
    reserve_price_usd_per_mw_h
        Reserve clearing prices (R, T) [USD/MW-h], in the order of ``site.reserves.products``.
    timezone
        Zone of the operating day (windows, daily budgets), e.g. ``America/Chicago`` for ERCOT.
    intraday_price_usd_per_mwh
        One-step-ahead decision price (T,) [USD/MWh] used by windows without inter-temporal
        coupling (each interval decided alone); None = ``decision_price_usd_per_mwh``.
    decision_fleet_value_usd_per_mwh
        Mining value known at decision time (K, T) [USD/MWh]; None = ``fleet_value_usd_per_mwh``.
    day_ahead_price_usd_per_mwh
        Day-ahead price (T,) [USD/MWh] for a site buying its planned load day-ahead; None = no
        day-ahead purchase. The planned load is the schedule decided on day-start information.
    peak_decision_groups, peak_settlement_groups
        Peak-charge groups ``(group of each interval, number of groups)`` the schedule is decided
        on and settled at (ERCOT 4CP: :mod:`wattshift.dispatch.cp4`); None = from ``site.peak``
        (:func:`~wattshift.dispatch.calendar.peak_groups`), settlement as decision.
    peak_decision_rate_share
        Share of the peak rate each decision group is charged at [unitless]: 1 when the group is
        the real peak; the rule's hit probability for 4CP alert days (an expected charge).
    """

    interval_start_utc: pd.DatetimeIndex
    interval_minutes: float
    decision_price_usd_per_mwh: FloatArray
    settle_price_usd_per_mwh: FloatArray
    fleet_value_usd_per_mwh: FloatArray
    ai_value_usd_per_mwh: FloatArray
    reserve_price_usd_per_mw_h: FloatArray
    timezone: str = "UTC"
    intraday_price_usd_per_mwh: FloatArray | None = None
    decision_fleet_value_usd_per_mwh: FloatArray | None = None
    day_ahead_price_usd_per_mwh: FloatArray | None = None
    peak_decision_groups: tuple[IntArray, int] | None = None
    peak_settlement_groups: tuple[IntArray, int] | None = None
    peak_decision_rate_share: float = 1.0


@dataclass(frozen=True)
class BacktestResult:
    """Outcome of a backtest: schedule frame, totals by stream and the always-on reference.

    Attributes
    ----------
    totals
        Totals of :func:`wattshift.dispatch.settlement.settle` for the optimised schedule.
    always_on_totals
        The same for the always-on reference.
    objective_usd
        Net at the decision prices (what the solver maximised) [USD].
    solver
        Solver used (``merit``, ``lp`` or ``milp``; ``lp+milp`` if windows differed).
    solve_seconds
        Total build + solve time [s].
    windows
        Number of windows solved.
    schedule_of
        Builds :attr:`schedule` (a caller that reads only the totals never pays for the frame).
    """

    totals: dict[str, float]
    always_on_totals: dict[str, float]
    objective_usd: float
    solver: str
    solve_seconds: float
    windows: int
    schedule_of: Callable[[], pd.DataFrame] = field(repr=False, compare=False)

    @cached_property
    def schedule(self) -> pd.DataFrame:
        """Per-interval frame (MW per use, price, USD per stream), built on first use."""
        return self.schedule_of()

    @property
    def value_of_flexibility_usd(self) -> float:
        """Net of the optimised schedule minus net of always-on mining on the same prices [USD]."""
        return self.totals["net_usd"] - self.always_on_totals["net_usd"]


def run_backtest(
    site: SiteSpec,
    inputs: BacktestInputs,
    *,
    solver: SolverName = "auto",
    window_days: int | None = 1,
    progress: Progress | None = None,
) -> BacktestResult:
    """Backtest ``site`` on ``inputs`` with a rolling horizon of ``window_days`` operating days.

    Parameters
    ----------
    site
        The site spec.
    inputs
        Aligned prices and values.
    solver
        ``auto``, ``merit`` or ``lp``.
    window_days
        Window length [days]; None solves the whole range as one problem.
    progress
        Called as ``progress(windows_done, windows_total)`` once with 0 before the first window and
        after each solved window (so the last call has ``windows_done == windows_total``); it does
        not change the result. None: no calls.
    """
    idx = inputs.interval_start_utc
    T = len(idx)
    peaks, (group, n_groups) = _peaks(site, inputs)
    started = time.perf_counter()
    day = day_numbers(idx, inputs.timezone)
    cuts = windows(day, window_days)
    decide_site = site
    if site.peak is not None and inputs.peak_decision_rate_share != 1.0:
        rate = site.peak.rate_usd_per_mw_month * inputs.peak_decision_rate_share
        decide_site = replace(site, peak=replace(site.peak, rate_usd_per_mw_month=rate))
    done = solve_windows(decide_site, inputs, solver, day, cuts, peaks, progress)
    elapsed = time.perf_counter() - started

    settle_in = settlement_inputs(site, inputs, inputs.settle_price_usd_per_mwh, group, n_groups)
    decide_in = settlement_inputs(decide_site, inputs, inputs.decision_price_usd_per_mwh, *peaks)
    if inputs.day_ahead_price_usd_per_mwh is not None:
        settle_in = replace(settle_in, planned_load_mw=done.planned_load_mw)
    per, totals = settle(settle_in, done.fleet_mw, done.gpu_mw, done.reserve_mw)
    _, decided = settle(decide_in, done.fleet_mw, done.gpu_mw, done.reserve_mw)
    fl = site.fleets
    base_fleet, base_gpu = always_on(
        fl.power_mw, fl.efficiency_j_per_th, site.gpu_capacity_mw, site.interconnect_mw - site.aux_mw, T
    )
    base_in = replace(settle_in, planned_load_mw=base_fleet.sum(axis=0) + base_gpu + site.aux_mw)
    _, base = settle(base_in, base_fleet, base_gpu, np.zeros((site.n_products, T)))
    return BacktestResult(
        totals=totals,
        always_on_totals=base,
        objective_usd=decided["net_usd"],
        solver="+".join(sorted(done.solvers)),
        solve_seconds=elapsed,
        windows=done.windows,
        schedule_of=_frame(site, inputs, done, per),
    )


def _peaks(
    site: SiteSpec, inputs: BacktestInputs
) -> tuple[tuple[IntArray | None, int], tuple[IntArray | None, int]]:
    """(Decision, settlement) peak-charge groups of a backtest.

    Raises
    ------
    ConfigError
        An ERCOT 4CP site without the official intervals laid on the grid.
    """
    decide: tuple[IntArray | None, int]
    if inputs.peak_decision_groups is not None:
        decide = inputs.peak_decision_groups
    elif site.peak is not None and site.peak.rule == "ercot_4cp":
        raise ConfigError(
            "4CP rule ercot_4cp needs ERCOT's published 4CP intervals (load them through services)"
        )
    else:
        idx, price = inputs.interval_start_utc, inputs.decision_price_usd_per_mwh
        decide = peak_groups(site.peak, idx, price, inputs.interval_minutes, inputs.timezone)
    settle = inputs.peak_settlement_groups
    return decide, (decide if settle is None else settle)


def _frame(
    site: SiteSpec, inputs: BacktestInputs, done: Solved, per: dict[str, FloatArray]
) -> partial[pd.DataFrame]:
    """The schedule frame of a finished backtest, built on first use (of the prices as they are now)."""
    products = list(site.reserves.products) if site.reserves is not None else []
    fleets, price = list(site.fleets.names), inputs.settle_price_usd_per_mwh.copy()
    args = (inputs.interval_start_utc, fleets, done.fleet_mw, done.gpu_mw, products, done.reserve_mw, price)
    return partial(schedule_frame, *args, per, timezone=inputs.timezone)


def settlement_inputs(
    site: SiteSpec,
    inputs: BacktestInputs,
    price_usd_per_mwh: FloatArray,
    group: IntArray | None,
    n_groups: int,
) -> SettlementInputs:
    """Settlement facts of ``site`` on ``inputs`` at energy prices ``price_usd_per_mwh`` (T,) [USD/MWh]."""
    rate = 0.0 if site.peak is None else site.peak.rate_usd_per_mw_month
    return SettlementInputs(
        interval_hours=minutes_to_hours(inputs.interval_minutes),
        price_usd_per_mwh=price_usd_per_mwh,
        fleet_value_usd_per_mwh=inputs.fleet_value_usd_per_mwh,
        ai_value_usd_per_mwh=inputs.ai_value_usd_per_mwh,
        reserve_price_usd_per_mw_h=inputs.reserve_price_usd_per_mw_h,
        aux_mw=site.aux_mw,
        block_mw=site.block_mw,
        block_price_usd_per_mwh=site.block_price_usd_per_mwh,
        deliverable_mw=site.deliverable_mw,
        peak_group=group,
        peak_rate_usd_per_mw=np.full(n_groups, rate),
        reserve_is_up=site.reserves.is_up if site.reserves is not None else np.zeros(0, dtype=bool),
        gpu_capital_cost_usd_per_hour=site.gpu.capital_cost_usd_per_hour if site.gpu is not None else 0.0,
        day_ahead_price_usd_per_mwh=inputs.day_ahead_price_usd_per_mwh,
        deployment_share=site.reserves.deployment_share if site.reserves is not None else 0.0,
    )
