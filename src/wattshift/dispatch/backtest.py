"""Rolling-horizon backtest of a site's dispatch over a price history (pure: arrays in, result out).

The history is cut into windows of ``window_days`` operating days in ``inputs.timezone`` (or solved
in one piece); each window is solved with the decision prices — the real-time prices themselves
(perfect foresight, an upper bound), the day-ahead prices, or a forecast from information available
at the time (:mod:`wattshift.dispatch.forecast`) — and settled at the settlement prices.
Fleet loads, on/off state and the peak-charge loads already incurred are carried from one window
to the next, so ramp limits, minimum on/off time and 4CP charges hold across window boundaries.
The value of flexibility is the net against an always-on reference on the same prices.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import cached_property, partial
from typing import Any, Literal

import numpy as np
import pandas as pd

from wattshift.dispatch.calendar import day_numbers, hour_numbers, peak_groups, windows
from wattshift.dispatch.decompose import decomposable, solve_decomposed
from wattshift.dispatch.lp import WarmStart, solve_lp
from wattshift.dispatch.merit import reserves_are_separable, solve_merit
from wattshift.dispatch.problem import (
    DispatchProblem,
    FloatArray,
    InitialState,
    IntArray,
    Schedule,
    build_problem,
)
from wattshift.dispatch.settlement import SettlementInputs, always_on, schedule_frame, settle
from wattshift.dispatch.spec import SiteSpec
from wattshift.errors import ConfigError
from wattshift.units import minutes_to_hours

SolverName = Literal["auto", "merit", "lp"]

#: ``progress(windows_done, windows_total)``: called with 0 before the first window and after each one.
Progress = Callable[[int, int], None]


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


def solve(
    problem: DispatchProblem,
    solver: SolverName,
    warm: WarmStart | None = None,
    *,
    separable: bool | None = None,
) -> Schedule:
    """Solve one window with ``solver`` (``auto``: merit order when it is exact, the LP by the exact
    window decomposition when ramps and hourly up-reserve awards are the only coupling
    (:mod:`~wattshift.dispatch.decompose`),
    else the whole LP/MILP; ``warm`` carries HiGHS's basis from window to window for the whole LP, see
    :class:`~wattshift.dispatch.lp.WarmStart`; ``separable``: :func:`reserves_are_separable` of
    ``problem`` when the caller knows it, None: found here).

    Raises
    ------
    ConfigError
        ``solver = "merit"`` on a site with constraints the merit order cannot honour.
    """
    if separable is None:
        separable = solver != "lp" and reserves_are_separable(problem)
    if solver == "merit" or (solver == "auto" and separable):
        if not separable:
            raise ConfigError(
                "--solver merit: this site has ramp limits, min on/off time, down reserves, hourly "
                "reserve awards, energy budgets or multi-interval peak charges; use --solver lp or auto"
            )
        return solve_merit(problem)
    if solver == "auto" and decomposable(problem):
        return solve_decomposed(problem, warm=warm)
    return solve_lp(problem, warm=warm)


def _state_after(fleet_mw: FloatArray, prev: InitialState | None) -> InitialState:
    """Fleet state at the end of a window (load, on/off, intervals in that state)."""
    on = fleet_mw[:, -1] > 1e-9
    running = fleet_mw > 1e-9
    same = running == on[:, None]
    # length of the trailing run of `same` per fleet
    flipped = ~same[:, ::-1]
    run = np.where(flipped.any(axis=1), flipped.argmax(axis=1), same.shape[1]).astype(np.int64)
    if prev is not None:
        carried = (run == same.shape[1]) & (prev.on == on)
        run = np.where(carried, run + prev.intervals_in_state, run)
    return InitialState(fleet_mw=fleet_mw[:, -1].copy(), on=on, intervals_in_state=run)


@dataclass
class _Solved:
    """Schedules of all windows, stitched (K, T), (T,), (R, T) [MW]."""

    fleet_mw: FloatArray
    gpu_mw: FloatArray
    reserve_mw: FloatArray
    solvers: set[str]
    windows: int
    planned_load_mw: FloatArray


def _decision_problems(
    site: SiteSpec, inputs: BacktestInputs, w: slice, common: dict[str, Any], solver: SolverName
) -> tuple[DispatchProblem, DispatchProblem, bool | None]:
    """(Day-start problem, executed problem, whether both are separable: True, or None = not known).

    A separable window executes each interval on its one-step price; otherwise both are the same.
    """
    values = inputs.decision_fleet_value_usd_per_mwh
    values = inputs.fleet_value_usd_per_mwh if values is None else values
    n_res = site.n_products
    problem = build_problem(
        site,
        interval_minutes=inputs.interval_minutes,
        price_usd_per_mwh=inputs.decision_price_usd_per_mwh[w],
        fleet_value_usd_per_mwh=values[:, w],
        ai_value_usd_per_mwh=inputs.ai_value_usd_per_mwh[w],
        reserve_price_usd_per_mw_h=inputs.reserve_price_usd_per_mw_h[:, w] if n_res else None,
        **common,
    )
    intraday = inputs.intraday_price_usd_per_mwh
    if intraday is not None and solver != "lp" and problem.merit_is_exact():
        return problem, replace(problem, price_usd_per_mwh=intraday[w]), True
    return problem, problem, None


def _solve_windows(
    site: SiteSpec,
    inputs: BacktestInputs,
    solver: SolverName,
    day: IntArray,
    cuts: list[slice],
    peaks: tuple[IntArray | None, int],
    progress: Progress | None,
) -> _Solved:
    """Solve the windows ``cuts`` of the operating days ``day`` (T,) in order, carrying fleet state
    and peak loads from one to the next."""
    idx = inputs.interval_start_utc
    T, K, n_res = len(idx), site.fleets.n, site.n_products
    hour = hour_numbers(idx)
    group, n_groups = peaks
    out = _Solved(np.zeros((K, T)), np.zeros(T), np.zeros((n_res, T)), set(), len(cuts), np.zeros(T))
    floor = np.zeros(n_groups)
    state: InitialState | None = None
    warm = WarmStart()
    if progress is not None:
        progress(0, len(cuts))
    for done, w in enumerate(cuts, start=1):
        g = None if group is None else group[w]
        common: dict[str, Any] = {
            "peak_group": g,
            "n_peak_groups": n_groups,
            "peak_floor_mw": floor.copy(),
            "day_index": day[w] - day[w][0],
            "reserve_hour": hour[w] - hour[w][0],
            "initial": state,
        }
        planned, executed, separable = _decision_problems(site, inputs, w, common, solver)
        sched = solve(executed, solver, warm, separable=separable)
        out.solvers.add(sched.solver)
        if inputs.day_ahead_price_usd_per_mwh is not None:
            plan = sched if planned is executed else solve(planned, solver, warm, separable=separable)
            out.planned_load_mw[w] = plan.load_mw(site.aux_mw)
        out.fleet_mw[:, w], out.gpu_mw[w] = sched.fleet_mw, sched.gpu_mw
        if n_res:
            out.reserve_mw[:, w] = sched.reserve_mw
        if g is not None:
            load = sched.load_mw(site.aux_mw)
            for c in np.unique(g[g >= 0]):
                floor[c] = max(floor[c], float(load[g == c].max()))
        state = _state_after(sched.fleet_mw, state)
        if progress is not None:
            progress(done, len(cuts))
    return out


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
    done = _solve_windows(decide_site, inputs, solver, day, cuts, peaks, progress)
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
    site: SiteSpec, inputs: BacktestInputs, done: _Solved, per: dict[str, FloatArray]
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
