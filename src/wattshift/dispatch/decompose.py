"""Exact window decomposition of the dispatch LP: closed form everywhere, small LPs where ramps bind.

When the only constraints that couple intervals are *links* between consecutive intervals — ramp
limits and hourly up-reserve awards (:mod:`wattshift.dispatch.links`); no minimum on/off time,
energy budget, down reserve or multi-interval peak charge — the LP of :mod:`wattshift.dispatch.lp`
is solved as follows:

1. Drop the link rows and solve every interval in closed form
   (:func:`~wattshift.dispatch.merit.solve_merit`): the relaxed optimum ``x̂``.
2. Find the links ``t`` (rows between ``t − 1`` and ``t``; ``t = 0``: the initial load) that ``x̂``
   violates and put a window of intervals around each (``pad`` intervals each side, enough to ramp a
   whole fleet), widened to whole market hours with hourly awards.
3. Solve one LP in HiGHS holding every pending window, each between its two neighbour intervals
   fixed at ``x̂`` (the windows are independent blocks of that LP).
4. A window whose boundary ramp rows (window ↔ fixed neighbour) all have a zero dual is final; the
   others grow on the side(s) with a nonzero dual, windows that touch merge, and step 3 repeats.
   After ``max_rounds`` rounds, or when the windows cover more than ``max_share`` of the horizon, or
   if a window LP is not optimal, the full LP is solved instead.

Optimality (Karush-Kuhn-Tucker: a primal feasible point and a dual feasible point satisfying
complementary slackness are optimal; Bertsimas and Tsitsiklis [1]_, theorem 4.5; Boyd and
Vandenberghe [2]_, section 5.5.3). The stitched schedule ``x`` is ``x̂`` outside the windows and the
window LP's optimum inside. It is feasible: every per-interval row holds (``x̂`` solves the
per-interval problem, the window LPs hold those rows); the link rows inside and on the boundary of
each window are rows of its LP; the link rows between two outside intervals hold because every
violated link was put inside a window and windows only grow. No award row crosses a window boundary
(windows are whole market hours), so the boundary rows are ramp rows. A dual solution of the full
LP is assembled from (a) the duals of each outside interval's own LP at ``x̂`` (optimal for that
interval), with zero duals on every link row between outside intervals, and (b) each window LP's
duals for its intervals, its inner link rows and its boundary rows. This is dual feasible for the
full LP when the boundary duals are zero: a boundary row is the only row shared by a window and an
outside interval, so with its dual zero the reduced cost of an outside column is the one of its
interval's LP and the reduced cost of a window column is the one of the window LP. Complementary
slackness holds row by row (each dual comes from an LP solved at the same primal values). Hence
``x`` is optimal for the full LP. Duals at or below :data:`DUAL_TOL` count as zero (HiGHS solves to a
dual feasibility tolerance of 1e-7 anyway).

A window of ``n`` intervals between fixed neighbours is feasible when ``n + 1 ≥ |Δ_k| / R_k`` for
every fleet (the straight ramp between the neighbours, with no reserve offered, stays in each
interval's convex feasible set), which the initial width ``2 pad`` with ``pad = max_k ⌈M_k / R_k⌉``
ensures.

References
----------
.. [1] D. Bertsimas and J. N. Tsitsiklis, *Introduction to Linear Optimization*, Athena Scientific,
   1997, section 4.3 (complementary slackness).
.. [2] S. Boyd and L. Vandenberghe, *Convex Optimization*, Cambridge University Press, 2004.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

import numpy as np

from wattshift.dispatch.links import (
    hour_runs,
    initial_windows,
    merge_windows,
    ramp_pad,
    relax_links,
    segment_hours,
    segments,
    snap_to_hours,
    violated_links,
)
from wattshift.dispatch.lp import LpModel, WarmStart, build_lp, new_highs, pass_model, run_highs, solve_lp
from wattshift.dispatch.merit import reserves_are_separable, solve_merit
from wattshift.dispatch.problem import (
    BoolArray,
    DispatchProblem,
    FloatArray,
    InitialState,
    IntArray,
    Schedule,
    objective_usd,
)

#: Boundary ramp-row duals at or below this count as zero [USD per MW].
DUAL_TOL = 1e-7


@dataclass(frozen=True)
class Decomposition:
    """A schedule solved by the decomposition and what it took.

    Attributes
    ----------
    schedule
        The optimal schedule (``solver`` ``"lp"``: it is the LP's optimum).
    method
        ``"merit"`` (the relaxed solution already honours every ramp), ``"windows"`` or
        ``"full"`` (the full LP, see ``fallback``).
    rounds
        LP rounds solved (0 for ``merit``).
    windows
        Windows in the final schedule.
    lp_intervals
        Intervals inside the final windows.
    lp_rows, lp_cols
        Rows and columns of the window LPs, summed over rounds.
    fallback
        Why the full LP was solved ("" otherwise).
    """

    schedule: Schedule
    method: str
    rounds: int = 0
    windows: int = 0
    lp_intervals: int = 0
    lp_rows: int = 0
    lp_cols: int = 0
    fallback: str = ""


@dataclass(frozen=True)
class _WindowSolution:
    """Optimal loads inside the solved windows and the largest |dual| on each window's boundaries."""

    t: IntArray
    fleet_mw: FloatArray
    gpu_mw: FloatArray
    reserve_mw: FloatArray
    left_dual: FloatArray
    right_dual: FloatArray
    n_rows: int
    n_cols: int


def decomposable(p: DispatchProblem) -> bool:
    """Whether ramps and hourly up-reserve awards are the only coupling, and there is some to decompose."""
    return (p.has_ramp or p.hourly_reserve_awards) and reserves_are_separable(relax_links(p))


def _take(
    p: DispatchProblem, idx: IntArray, initial: InitialState | None, reserve_hour: IntArray | None
) -> DispatchProblem:
    """The problem on intervals ``idx`` (in that order), with ``initial`` before the first."""
    rho = p.reserve_price_usd_per_mw_h
    return replace(
        p,
        price_usd_per_mwh=p.price_usd_per_mwh[idx],
        fleet_value_usd_per_mwh=p.fleet_value_usd_per_mwh[:, idx],
        ai_value_usd_per_mwh=p.ai_value_usd_per_mwh[idx],
        reserve_price_usd_per_mw_h=rho[:, idx] if rho.shape[1] == p.n_intervals else rho,
        peak_group=None if p.peak_group is None else p.peak_group[idx],
        day_index=None if p.day_index is None else p.day_index[idx],
        reserve_hour=reserve_hour,
        initial=initial,
    )


def _pinned_model(
    model: LpModel, relaxed: Schedule, idx: IntArray, fixed: BoolArray, joins: IntArray
) -> LpModel:
    """``model`` with the fixed neighbour positions pinned to the relaxed solution and the ramp rows
    ``joins`` (between two segments: not links of the problem) freed."""
    lo, hi = model.col_lower.copy(), model.col_upper.copy()
    pos = np.flatnonzero(fixed)
    S, K = idx.shape[0], relaxed.fleet_mw.shape[0]
    t = idx[pos]
    cols = (np.arange(K)[:, None] * S + pos[None, :]).ravel()
    lo[cols] = hi[cols] = relaxed.fleet_mw[:, t].ravel()
    lo[model.gpu_col + pos] = hi[model.gpu_col + pos] = relaxed.gpu_mw[t]
    if relaxed.reserve_mw.shape[0]:  # one up-reserve column per interval (separable: up products only)
        res = model.reserve_col + pos
        lo[res] = hi[res] = relaxed.reserve_mw[:, t].sum(axis=0)
    row_lo, row_hi = model.row_lower.copy(), model.row_upper.copy()
    row_lo[joins], row_hi[joins] = -np.inf, np.inf
    return replace(model, col_lower=lo, col_upper=hi, row_lower=row_lo, row_upper=row_hi)


def _boundary_duals(
    p: DispatchProblem,
    dual: FloatArray,
    fleet_rows: IntArray,
    windows: tuple[IntArray, IntArray, IntArray, IntArray],
) -> tuple[FloatArray, FloatArray]:
    """Largest |dual| of each window's left and right boundary ramp rows (0 without a neighbour) (W,)."""
    starts, ends, seg_pos, length = windows
    left, right = np.zeros(starts.shape[0]), np.zeros(starts.shape[0])
    if fleet_rows.size == 0:
        return left, right
    has_left, has_right = starts > 0, ends < p.n_intervals - 1
    left[has_left] = dual[fleet_rows + seg_pos[None, has_left]].max(axis=0)
    last = seg_pos + length - 1
    right[has_right] = dual[fleet_rows + last[None, has_right] - 1].max(axis=0)
    return left, right


def _solve_windows(
    p: DispatchProblem, relaxed: Schedule, starts: IntArray, ends: IntArray
) -> _WindowSolution:
    """One HiGHS LP holding the windows ``[starts, ends]`` (sorted, disjoint, not touching).

    Raises
    ------
    RuntimeError
        If HiGHS does not reach an optimal solution.
    """
    import highspy

    idx, seg_pos, length, fixed = segments(p, starts, ends)
    S, K, lim = idx.shape[0], p.n_fleets, p.ramp_limited_fleets
    sub = _take(p, idx, p.initial if starts[0] == 0 else None, segment_hours(p, idx, length))
    model = build_lp(sub)
    # Ramp row of fleet j between positions i − 1 and i: ramp_row + j (S − 1) + i − 1.
    fleet_rows = model.ramp_row + np.arange(lim.size if S > 1 else 0)[:, None] * (S - 1)
    joins = (fleet_rows + seg_pos[None, 1:] - 1).ravel()
    h = new_highs(presolve=False)
    pass_model(h, _pinned_model(model, relaxed, idx, fixed, joins))
    run_highs(h)
    status = h.getModelStatus()
    if status != highspy.HighsModelStatus.kOptimal:
        raise RuntimeError(f"window LP: {h.modelStatusToString(status)}")
    sol = h.getSolution()
    x, dual = np.asarray(sol.col_value), np.abs(np.asarray(sol.row_dual))
    left, right = _boundary_duals(p, dual, fleet_rows, (starts, ends, seg_pos, length))
    inner = ~fixed
    reserve = np.zeros((p.n_products, S))
    n_groups = model.reserve_best.shape[0]
    offered = x[model.reserve_col : model.reserve_col + n_groups * S].reshape(n_groups, S)
    np.add.at(reserve, (model.reserve_best, np.broadcast_to(np.arange(S), (n_groups, S))), offered)
    return _WindowSolution(
        t=idx[inner],
        fleet_mw=x[: K * S].reshape(K, S)[:, inner],
        gpu_mw=x[model.gpu_col : model.gpu_col + S][inner],
        reserve_mw=reserve[:, inner],
        left_dual=left,
        right_dual=right,
        n_rows=int(model.row_lower.shape[0]),
        n_cols=int(model.col_cost.shape[0]),
    )


def decompose(
    p: DispatchProblem,
    *,
    max_rounds: int = 12,
    max_share: float = 0.5,
    pad: int | None = None,
    warm: WarmStart | None = None,
) -> Decomposition:
    """Solve the LP of ``p`` by the window decomposition (module docstring), or the full LP.

    Parameters
    ----------
    p
        The problem; when :func:`decomposable` is False the full LP is solved.
    max_rounds
        Window rounds before falling back to the full LP.
    max_share
        Share of the intervals the windows may cover before the full LP is cheaper [unitless].
    pad
        Intervals each side of a violated link in its first window; None: ``max_k ⌈M_k / R_k⌉``, which
        makes every first window feasible (module docstring). Smaller values only mean more rounds.
    warm
        Warm start for the full LP, when it is solved (:class:`~wattshift.dispatch.lp.WarmStart`).
    """
    start = time.perf_counter()
    if not decomposable(p):
        linked = p.has_ramp or p.hourly_reserve_awards
        reason = "ramps and hourly awards are not the only coupling" if linked else "no binding ramp limit"
        return _full(p, reason, start, warm)
    relaxed = solve_merit(relax_links(p))
    links = violated_links(p, relaxed.fleet_mw, relaxed.reserve_mw)
    if links.size == 0:
        return Decomposition(
            _schedule(p, relaxed.fleet_mw, relaxed.gpu_mw, relaxed.reserve_mw, start), "merit"
        )
    pad = ramp_pad(p) if pad is None else max(1, pad)
    runs = hour_runs(p)
    starts, ends = initial_windows(p, links, pad)
    done = np.zeros(starts.shape[0], dtype=bool)
    fleet, gpu, reserve = relaxed.fleet_mw.copy(), relaxed.gpu_mw.copy(), relaxed.reserve_mw.copy()
    n_rows = n_cols = 0
    for rounds in range(1, max_rounds + 1):
        if int((ends - starts + 1).sum()) > max_share * p.n_intervals:
            return _full(p, f"windows cover more than {max_share:.0%} of the intervals", start, warm)
        todo = ~done
        try:
            sol = _solve_windows(p, relaxed, starts[todo], ends[todo])
        except RuntimeError as err:
            return _full(p, str(err), start, warm)
        n_rows, n_cols = n_rows + sol.n_rows, n_cols + sol.n_cols
        fleet[:, sol.t], gpu[sol.t], reserve[:, sol.t] = sol.fleet_mw, sol.gpu_mw, sol.reserve_mw
        grow_left, grow_right = sol.left_dual > DUAL_TOL, sol.right_dual > DUAL_TOL
        done[todo] = ~(grow_left | grow_right)
        if done.all():
            sched = _schedule(p, fleet, gpu, reserve, start)
            width = int((ends - starts + 1).sum())
            return Decomposition(sched, "windows", rounds, starts.shape[0], width, n_rows, n_cols)
        step = np.maximum(pad, (ends[todo] - starts[todo] + 1) // 2)
        starts[todo] = np.where(grow_left, np.maximum(starts[todo] - step, 0), starts[todo])
        ends[todo] = np.where(grow_right, np.minimum(ends[todo] + step, p.n_intervals - 1), ends[todo])
        starts, ends = snap_to_hours(starts, ends, runs)
        starts, ends, done = merge_windows(starts, ends, done)
    return _full(p, f"no convergence in {max_rounds} rounds", start, warm)


def solve_decomposed(p: DispatchProblem, warm: WarmStart | None = None) -> Schedule:
    """The LP's optimal schedule of ``p`` by :func:`decompose` (full LP where it does not apply)."""
    return decompose(p, warm=warm).schedule


def _schedule(
    p: DispatchProblem, fleet: FloatArray, gpu: FloatArray, reserve: FloatArray, start: float
) -> Schedule:
    """The stitched schedule with its objective at the problem's prices."""
    obj = objective_usd(p, fleet, gpu, reserve)
    return Schedule(fleet, gpu, reserve, obj, "lp", time.perf_counter() - start)


def _full(p: DispatchProblem, reason: str, start: float, warm: WarmStart | None) -> Decomposition:
    """The full LP (or MILP), with the reason it was needed."""
    sched = solve_lp(p, warm=warm)
    sched = replace(sched, solve_seconds=time.perf_counter() - start)
    return Decomposition(sched, "full", fallback=reason)
