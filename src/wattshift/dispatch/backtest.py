"""Rolling-horizon backtest of a site's dispatch over a price history (pure: arrays in, result out).

The history is cut into windows of ``window_days`` UTC days (or solved in one piece); each window is
solved with the decision prices — the real-time prices themselves (perfect foresight) or the
day-ahead prices (decide day-ahead, settle real-time) — and settled at the settlement prices.
Fleet loads, on/off state and the peak-charge loads already incurred are carried from one window
to the next, so ramp limits, minimum on/off time and 4CP charges hold across window boundaries.
The value of flexibility is the net against an always-on reference on the same prices.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from wattshift.dispatch.lp import solve_lp
from wattshift.dispatch.merit import solve_merit
from wattshift.dispatch.problem import (
    DispatchProblem,
    FloatArray,
    InitialState,
    IntArray,
    Schedule,
    build_problem,
)
from wattshift.dispatch.settlement import SettlementInputs, always_on, schedule_frame, settle
from wattshift.dispatch.spec import PeakSpec, SiteSpec
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
    """

    interval_start_utc: pd.DatetimeIndex
    interval_minutes: float
    decision_price_usd_per_mwh: FloatArray
    settle_price_usd_per_mwh: FloatArray
    fleet_value_usd_per_mwh: FloatArray
    ai_value_usd_per_mwh: FloatArray
    reserve_price_usd_per_mw_h: FloatArray


@dataclass(frozen=True)
class BacktestResult:
    """Outcome of a backtest: schedule frame, totals by stream and the always-on reference.

    Attributes
    ----------
    schedule
        Per-interval frame (MW per use, price, USD per stream).
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
    """

    schedule: pd.DataFrame
    totals: dict[str, float]
    always_on_totals: dict[str, float]
    objective_usd: float
    solver: str
    solve_seconds: float
    windows: int

    @property
    def value_of_flexibility_usd(self) -> float:
        """Net of the optimised schedule minus net of always-on mining on the same prices [USD]."""
        return self.totals["net_usd"] - self.always_on_totals["net_usd"]


def peak_groups(
    peak: PeakSpec | None,
    interval_start_utc: pd.DatetimeIndex,
    price_usd_per_mwh: FloatArray,
    interval_minutes: float,
) -> tuple[IntArray | None, int]:
    """Peak-charge candidate group of each interval (-1 = none) and the number of groups.

    One group per (year, month) in ``peak.months`` present in the range. Candidates are
    the given peak intervals (``rule = "given"``; a peak inside an interval selects that interval) or
    the ``intervals_per_month`` highest-price intervals of the month (``rule = "top_price"``).
    """
    pc = peak
    if pc is None:
        return None, 0
    idx = interval_start_utc
    ym = idx.year.to_numpy() * 12 + idx.month.to_numpy() - 1
    in_season = np.isin(idx.month.to_numpy(), pc.months)
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


def _windows(interval_start_utc: pd.DatetimeIndex, window_days: int | None) -> list[slice]:
    """Consecutive slices of ``window_days`` UTC days each (one slice when None)."""
    n = len(interval_start_utc)
    if window_days is None:
        return [slice(0, n)]
    day = (
        interval_start_utc.tz_convert("UTC").tz_localize(None).normalize()
        - interval_start_utc[0].tz_convert("UTC").tz_localize(None).normalize()
    ).days.to_numpy()
    block = day // window_days
    cuts = np.flatnonzero(np.diff(block)) + 1
    bounds = [0, *cuts.tolist(), n]
    return [slice(a, b) for a, b in itertools.pairwise(bounds)]


def solve(problem: DispatchProblem, solver: SolverName) -> Schedule:
    """Solve one window with ``solver`` (``auto``: merit order when it is exact, else LP/MILP).

    Raises
    ------
    ConfigError
        ``solver = "merit"`` on a site with constraints the merit order cannot honour.
    """
    if solver == "merit" or (solver == "auto" and problem.merit_is_exact()):
        if not problem.merit_is_exact():
            raise ConfigError(
                "--solver merit: this site has ramp limits, min on/off time, reserves, energy budgets or "
                "multi-interval peak charges; use --solver lp or auto"
            )
        return solve_merit(problem)
    return solve_lp(problem)


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


def run_backtest(
    site: SiteSpec,
    inputs: BacktestInputs,
    *,
    solver: SolverName = "auto",
    window_days: int | None = 1,
    progress: Progress | None = None,
) -> BacktestResult:
    """Backtest ``site`` on ``inputs`` with a rolling horizon of ``window_days`` days.

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
    T, K = len(idx), site.fleets.n
    group, n_groups = peak_groups(site.peak, idx, inputs.decision_price_usd_per_mwh, inputs.interval_minutes)
    day = (
        (
            idx.tz_convert("UTC").tz_localize(None).normalize()
            - idx[0].tz_convert("UTC").tz_localize(None).normalize()
        )
        .days.to_numpy()
        .astype(np.int64)
    )
    fleet_mw, gpu_mw = np.zeros((K, T)), np.zeros(T)
    n_res = site.n_products
    reserve_mw = np.zeros((n_res, T))
    floor = np.zeros(n_groups)
    state: InitialState | None = None
    solvers: set[str] = set()
    started = time.perf_counter()
    windows = _windows(idx, window_days)
    if progress is not None:
        progress(0, len(windows))
    for done, w in enumerate(windows, start=1):
        g = None if group is None else group[w]
        problem = build_problem(
            site,
            interval_minutes=inputs.interval_minutes,
            price_usd_per_mwh=inputs.decision_price_usd_per_mwh[w],
            fleet_value_usd_per_mwh=inputs.fleet_value_usd_per_mwh[:, w],
            ai_value_usd_per_mwh=inputs.ai_value_usd_per_mwh[w],
            reserve_price_usd_per_mw_h=inputs.reserve_price_usd_per_mw_h[:, w] if n_res else None,
            peak_group=g,
            n_peak_groups=n_groups,
            peak_floor_mw=floor.copy(),
            day_index=day[w] - day[w][0],
            initial=state,
        )
        sched = solve(problem, solver)
        solvers.add(sched.solver)
        fleet_mw[:, w], gpu_mw[w] = sched.fleet_mw, sched.gpu_mw
        if n_res:
            reserve_mw[:, w] = sched.reserve_mw
        if g is not None:
            load = sched.load_mw(site.aux_mw)
            for c in np.unique(g[g >= 0]):
                floor[c] = max(floor[c], float(load[g == c].max()))
        state = _state_after(sched.fleet_mw, state)
        if progress is not None:
            progress(done, len(windows))
    elapsed = time.perf_counter() - started

    settle_in = settlement_inputs(site, inputs, inputs.settle_price_usd_per_mwh, group, n_groups)
    decide_in = settlement_inputs(site, inputs, inputs.decision_price_usd_per_mwh, group, n_groups)
    per, totals = settle(settle_in, fleet_mw, gpu_mw, reserve_mw)
    _, decided = settle(decide_in, fleet_mw, gpu_mw, reserve_mw)
    fl = site.fleets
    base_fleet, base_gpu = always_on(
        fl.power_mw, fl.efficiency_j_per_th, site.gpu_capacity_mw, site.interconnect_mw - site.aux_mw, T
    )
    _, base = settle(settle_in, base_fleet, base_gpu, np.zeros((n_res, T)))
    products = list(site.reserves.products) if site.reserves is not None else []
    frame = schedule_frame(
        idx, list(fl.names), fleet_mw, gpu_mw, products, reserve_mw, inputs.settle_price_usd_per_mwh, per
    )
    return BacktestResult(
        schedule=frame,
        totals=totals,
        always_on_totals=base,
        objective_usd=decided["net_usd"],
        solver="+".join(sorted(solvers)),
        solve_seconds=elapsed,
        windows=len(windows),
    )


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
    )
