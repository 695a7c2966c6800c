"""The rolling horizon of a backtest: its windows solved in order, state carried between them (pure).

Each window of :func:`wattshift.dispatch.backtest.run_backtest` is a :class:`DispatchProblem` on the
window's decision prices, solved by :func:`solve`; the fleets' loads and on/off state at its end and
the peak-charge loads it incurred are carried into the next window.

A backtest whose windows are all solved in closed form by the merit order (nothing couples intervals:
no ramp limit, minimum on/off time, reserve, energy budget or peak charge) is solved as one problem
over all its windows: the merit order decides each interval alone (element-wise array operations),
so the schedule is the windows' schedules, interval for interval, without a problem per window.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from wattshift.dispatch.calendar import hour_numbers
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
from wattshift.dispatch.spec import SiteSpec
from wattshift.errors import ConfigError

if TYPE_CHECKING:
    from wattshift.dispatch.backtest import BacktestInputs

SolverName = Literal["auto", "merit", "lp"]

#: ``progress(windows_done, windows_total)``: called with 0 before the first window and after each one.
Progress = Callable[[int, int], None]


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
class Solved:
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


def solve_windows(
    site: SiteSpec,
    inputs: BacktestInputs,
    solver: SolverName,
    day: IntArray,
    cuts: list[slice],
    peaks: tuple[IntArray | None, int],
    progress: Progress | None,
) -> Solved:
    """Solve the windows ``cuts`` of the operating days ``day`` (T,): in one piece when the merit order
    solves each of them (module docstring), else :func:`window_by_window`."""
    whole = None if peaks[0] is not None else _in_one_piece(site, inputs, solver, len(cuts), progress)
    return whole if whole is not None else window_by_window(site, inputs, solver, day, cuts, peaks, progress)


def _in_one_piece(
    site: SiteSpec, inputs: BacktestInputs, solver: SolverName, n_windows: int, progress: Progress | None
) -> Solved | None:
    """The windows of a backtest without peak groups solved as one merit-order problem, or None when
    the merit order does not solve them (then every window would say so: without peak groups and
    reserve products, whether a window couples its intervals depends on the site alone).

    ``progress`` gets the calls of :func:`window_by_window`, all after the one solve.
    """
    if solver == "lp" or site.n_products or n_windows < 2:
        return None
    T = len(inputs.interval_start_utc)
    common: dict[str, Any] = {"peak_group": None, "n_peak_groups": 0}
    planned, executed, separable = _decision_problems(site, inputs, slice(0, T), common, solver)
    if not (separable or executed.merit_is_exact()):
        return None
    sched = solve_merit(executed)
    plan = sched if planned is executed else solve_merit(planned)
    out = Solved(sched.fleet_mw, sched.gpu_mw, np.zeros((0, T)), {sched.solver}, n_windows, np.zeros(T))
    if inputs.day_ahead_price_usd_per_mwh is not None:
        out.planned_load_mw = plan.load_mw(site.aux_mw)
    if progress is not None:
        for done in range(n_windows + 1):
            progress(done, n_windows)
    return out


def window_by_window(
    site: SiteSpec,
    inputs: BacktestInputs,
    solver: SolverName,
    day: IntArray,
    cuts: list[slice],
    peaks: tuple[IntArray | None, int],
    progress: Progress | None,
) -> Solved:
    """Solve the windows ``cuts`` of the operating days ``day`` (T,) in order, carrying fleet state
    and peak loads from one to the next."""
    idx = inputs.interval_start_utc
    T, K, n_res = len(idx), site.fleets.n, site.n_products
    hour = hour_numbers(idx)
    group, n_groups = peaks
    out = Solved(np.zeros((K, T)), np.zeros(T), np.zeros((n_res, T)), set(), len(cuts), np.zeros(T))
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
