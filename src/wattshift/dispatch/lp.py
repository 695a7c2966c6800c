"""LP / MILP dispatch: the problem of :mod:`wattshift.dispatch.problem` as sparse matrices in HiGHS.

Every constraint family is one block of rows (built in :mod:`wattshift.dispatch.rows`) whose
coordinates are computed with NumPy index arithmetic (no Python loop over intervals); the blocks are
stacked into one compressed-column
matrix and handed to HiGHS [1]_ through the array overload of ``Highs.passModel``. The model is a
MILP only when a fleet has a minimum on/off time, using the three-binary (on, start, stop)
formulation of Rajan and Takriti [2]_; otherwise it is an LP.

Columns, in order: fleet loads ``m[k, t]`` (fleet-major), GPU load ``g[t]``, reserve offers
``r[p, t]``, peak loads ``z[c]``, then for each fleet with min on/off ``u[t], s[t], d[t]``.

References
----------
.. [1] Q. Huangfu and J. A. J. Hall, "Parallelizing the dual revised simplex method",
   Mathematical Programming Computation 10, 119-142, 2018 (HiGHS).
.. [2] D. Rajan and S. Takriti, "Minimum up/down polytopes of the unit commitment problem with
   start-up costs", IBM Research Report RC23628, 2005.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from wattshift.dispatch.problem import DispatchProblem, FloatArray, IntArray, Schedule
from wattshift.dispatch.rows import (
    INF,
    Rows,
    Term,
    commitment_block,
    commitment_fleets,
    energy_rows,
    hourly_reserve_rows,
    peak_rows,
    ramp_rows,
    reserve_groups,
)
from wattshift.highs import quiet_highs

if TYPE_CHECKING:  # imported where used: a merit-order run never pays for scipy.sparse or highspy
    import highspy
    import scipy.sparse as sp


@dataclass(frozen=True)
class LpModel:
    """The assembled model: CSC matrix, bounds, costs and where each variable lives.

    Attributes
    ----------
    matrix
        Constraint matrix (rows x columns), CSC.
    col_cost, col_lower, col_upper, row_lower, row_upper
        Objective coefficients [USD per unit] and bounds.
    offset_usd
        Constant objective term [USD].
    integrality
        1 for binary columns, 0 otherwise; None for a pure LP.
    gpu_col, reserve_col, peak_col
        Offsets of the column blocks.
    ramp_row
        Offset of the ramp rows: the row of limited fleet ``j`` (in fleet order among the fleets with a
        binding ramp limit) between intervals ``t − 1`` and ``t`` is ``ramp_row + j (T − 1) + t − 1``.
    reserve_best
        For each reserve column group (up, down) and interval, the product paid (G, T).
    """

    matrix: sp.csc_matrix
    col_cost: FloatArray
    col_lower: FloatArray
    col_upper: FloatArray
    row_lower: FloatArray
    row_upper: FloatArray
    offset_usd: float
    integrality: npt.NDArray[np.int32] | None
    gpu_col: int
    reserve_col: int
    peak_col: int
    reserve_best: IntArray
    ramp_row: int


def build_lp(p: DispatchProblem) -> LpModel:
    """Assemble the LP / MILP of ``p`` as sparse matrices (see the module docstring for the layout)."""
    import scipy.sparse as sp  # ~0.25 s at start-up (it loads numpy.f2py): only when an LP is built

    K, T = p.n_fleets, p.n_intervals
    C = p.peak_rate_usd_per_mw.shape[0] if p.peak_group is not None else 0
    mip = commitment_fleets(p)
    # Reserves enter every constraint only through the sum of the up products and the sum of the down
    # products, and each product's own bound equals the total cap; so each direction is one column per
    # interval paid at the best price of its products (exact; see `rows.reserve_groups`).
    groups, best, group_price = reserve_groups(p)
    gpu_col = K * T
    res_col = gpu_col + T
    peak_col = res_col + len(groups) * T
    uc_col = peak_col + C
    cost, lo, hi = _columns(p, group_price, n_col=uc_col + 3 * T * len(mip), peak_col=peak_col)

    rows = Rows()
    fleet_cols = np.arange(K)[:, None] * T + np.arange(T)[None, :]  # (K, T)
    rows.extend(_power_rows(p, fleet_cols, gpu_col, res_col, groups))
    rows.extend(hourly_reserve_rows(p, res_col, len(groups)))
    ramp, first = ramp_rows(p)
    ramp_row = rows.n
    rows.extend(ramp)
    lo[first.index] = np.maximum(lo[first.index], first.lower)
    hi[first.index] = np.minimum(hi[first.index], first.upper)
    rows.extend(peak_rows(p, fleet_cols, gpu_col, peak_col))
    rows.extend(energy_rows(p, fleet_cols, gpu_col))
    integrality = None
    if mip:
        uc = commitment_block(p, mip, uc_col)
        rows.extend(uc.rows)
        lo[uc_col:] = uc.col_lower
        hi[uc_col:] = uc.col_upper
        integrality = np.zeros(cost.shape[0], dtype=np.int32)
        integrality[uc_col:] = uc.is_binary

    r = np.concatenate(rows.rows) if rows.rows else np.zeros(0, dtype=np.int64)
    c = np.concatenate(rows.cols) if rows.cols else np.zeros(0, dtype=np.int64)
    v = np.concatenate(rows.vals) if rows.vals else np.zeros(0)
    matrix = sp.csc_matrix((v, (r, c)), shape=(rows.n, cost.shape[0]))
    return LpModel(
        matrix=matrix,
        col_cost=cost,
        col_lower=lo,
        col_upper=hi,
        row_lower=np.concatenate(rows.lower),
        row_upper=np.concatenate(rows.upper),
        offset_usd=p.constant_usd(),
        integrality=integrality,
        gpu_col=gpu_col,
        reserve_col=res_col,
        reserve_best=best,
        peak_col=peak_col,
        ramp_row=ramp_row,
    )


def _columns(
    p: DispatchProblem, group_price: FloatArray, *, n_col: int, peak_col: int
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Objective coefficients [USD per MW of the interval] and bounds of every column (binaries: 0)."""
    K, T, dt = p.n_fleets, p.n_intervals, p.interval_hours
    pi = p.price_usd_per_mwh
    gpu_col = K * T
    res_col = gpu_col + T
    uc_col = peak_col + (p.peak_rate_usd_per_mw.shape[0] if p.peak_group is not None else 0)
    cost, lo, hi = np.zeros(n_col), np.zeros(n_col), np.zeros(n_col)
    cost[:gpu_col] = ((p.fleet_value_usd_per_mwh - pi[None, :]) * dt).ravel()
    hi[:gpu_col] = np.repeat(p.fleet_capacity_mw, T)
    cost[gpu_col:res_col] = (p.ai_value_usd_per_mwh - pi) * dt
    lo[gpu_col:res_col] = p.gpu_firm_mw
    hi[gpu_col:res_col] = p.gpu_capacity_mw
    if group_price.shape[0]:
        cost[res_col:peak_col] = (group_price * dt).ravel()
        hi[res_col:peak_col] = p.reserve_max_mw
    if uc_col > peak_col:
        cost[peak_col:uc_col] = -p.peak_rate_usd_per_mw
        lo[peak_col:uc_col] = p.peak_floor_mw
        hi[peak_col:uc_col] = INF
    return cost, lo, hi


def _power_rows(
    p: DispatchProblem, fleet_cols: IntArray, gpu_col: int, res_col: int, groups: list[bool]
) -> Rows:
    """Interconnect, reserve-source and reserve-cap rows, one of each per interval."""
    T = p.n_intervals
    t_idx = np.arange(T)
    out = Rows()
    load_terms: list[Term] = [
        (np.broadcast_to(t_idx, (p.n_fleets, T)), fleet_cols, 1.0),
        (t_idx, gpu_col + t_idx, 1.0),
    ]
    up_terms: list[Term] = [(t_idx, res_col + groups.index(True) * T + t_idx, 1.0)] if True in groups else []
    dn_terms: list[Term] = (
        [(t_idx, res_col + groups.index(False) * T + t_idx, 1.0)] if False in groups else []
    )
    # Interconnect: Σ m + g + r_dn ≤ P − aux.
    out.add(T, load_terms + dn_terms, -INF, p.interconnect_mw - p.aux_mw)
    if up_terms:  # up reserves come from curtailable load: r_up − Σ m − g ≤ −G_firm
        neg: list[Term] = [(r, c, -1.0) for r, c, _ in load_terms]
        out.add(T, up_terms + neg, -INF, -p.gpu_firm_mw)
    if dn_terms:  # down reserves need equipment headroom: r_dn + Σ m + g ≤ Σ M + G
        out.add(T, load_terms + dn_terms, -INF, float(p.fleet_capacity_mw.sum()) + p.gpu_capacity_mw)
    if up_terms and dn_terms:  # one cap on all products
        out.add(T, up_terms + dn_terms, -INF, p.reserve_max_mw)
    return out


def pass_model(h: highspy.Highs, model: LpModel) -> None:
    """Hand ``model`` to HiGHS as arrays (``Highs.passModel`` with a column-wise matrix, maximising).

    The array overload of ``passModel`` copies the NumPy buffers straight into HiGHS; building a
    ``highspy.HighsLp`` field by field costs about ten times more on a year of 15-minute intervals.
    """
    import highspy

    A = model.matrix
    n_col = int(model.col_cost.shape[0])
    integrality = model.integrality if model.integrality is not None else np.zeros(n_col, dtype=np.int32)
    status = h.passModel(
        n_col,
        int(model.row_lower.shape[0]),
        int(A.nnz),
        int(highspy.MatrixFormat.kColwise),
        int(highspy.ObjSense.kMaximize),
        float(model.offset_usd),
        model.col_cost,
        model.col_lower,
        model.col_upper,
        model.row_lower,
        model.row_upper,
        A.indptr.astype(np.int32),
        A.indices.astype(np.int32),
        A.data,
        integrality.astype(np.int32),
    )
    if status == highspy.HighsStatus.kError:
        raise RuntimeError("HiGHS rejected the dispatch model")


def new_highs(
    *, time_limit_s: float | None = None, mip_rel_gap: float = 1e-6, presolve: bool = True
) -> highspy.Highs:
    """A quiet HiGHS instance with wattshift's options.

    ``presolve=False`` suits the pure dispatch LP: its rows are already irreducible (one interconnect,
    one reserve and one ranged ramp row per interval), so HiGHS's presolve removes almost nothing and
    its pre/postsolve roughly doubles the time of the dual simplex on a year of 15-minute intervals
    (``benchmarks/bench_dispatch.py``). The MILP keeps presolve, which its branch and bound needs.

    ``threads = 1``: the dual simplex is serial, and on the day-window MILPs HiGHS's other workers
    only spin while they wait for work: the report's dispatch section took the same wall time with
    one thread and 1.27 s of CPU instead of 1.74 s (2026-11-29, 2 cores), CPU the other lane of
    :mod:`wattshift.report.lanes` (or a neighbour) needs. Parallel runs come from processes instead.
    HiGHS's thread pool is one per process, sized by the first run; :func:`run_highs` falls back to
    that pool when another HiGHS user (a valuation, linopy) started it first.
    """
    h = quiet_highs()
    h.setOptionValue("threads", 1)
    if not presolve:
        h.setOptionValue("presolve", "off")
    h.setOptionValue("mip_rel_gap", mip_rel_gap)
    if time_limit_s is not None:
        h.setOptionValue("time_limit", float(time_limit_s))
    return h


class WarmStart:
    """One HiGHS instance reused across the rolling windows of a backtest (a warm start).

    Consecutive windows of the same length have the same constraint matrix and differ only in costs
    and bounds (prices, initial state). For such a window the model already in HiGHS is changed in
    place (``changeColsCost``, ``changeColsBounds``, ``changeRowsBounds``), so the dual simplex starts
    from the previous window's optimal basis instead of from scratch: about 3x less time per day
    window on the benchmark site (``benchmarks/bench_dispatch.py``). Any other window (another
    length, another matrix, a MILP) is passed whole, as :func:`solve_lp` would.
    """

    def __init__(self) -> None:
        self._highs: highspy.Highs | None = None
        self._matrix: sp.csc_matrix | None = None

    def load(self, model: LpModel, time_limit_s: float | None) -> highspy.Highs:
        """A HiGHS instance holding ``model``, changed in place when its matrix is the last one's."""
        same = (
            self._highs is not None
            and self._matrix is not None
            and model.integrality is None
            and self._matrix.shape == model.matrix.shape
            and np.array_equal(self._matrix.indptr, model.matrix.indptr)
            and np.array_equal(self._matrix.indices, model.matrix.indices)
            and np.array_equal(self._matrix.data, model.matrix.data)
        )
        if not same or self._highs is None:
            self._highs = new_highs(time_limit_s=time_limit_s, presolve=model.integrality is not None)
            pass_model(self._highs, model)
            self._matrix = model.matrix if model.integrality is None else None
            return self._highs
        h = self._highs
        n_col, n_row = model.col_cost.shape[0], model.row_lower.shape[0]
        cols = np.arange(n_col, dtype=np.int32)
        h.changeColsCost(n_col, cols, model.col_cost)
        h.changeColsBounds(n_col, cols, model.col_lower, model.col_upper)
        rows = np.arange(n_row, dtype=np.int32)
        h.changeRowsBounds(n_row, rows, model.row_lower, model.row_upper)  # type: ignore[attr-defined]
        h.changeObjectiveOffset(float(model.offset_usd))
        return h


def run_highs(h: highspy.Highs) -> None:
    """``h.run()``, on the process's HiGHS thread pool whatever size it was started with.

    HiGHS keeps one global scheduler per process, sized by the ``threads`` option of the first run;
    a later run asking for another size fails at once with ``kError`` (model status "Not Set") rather
    than solving (HiGHS 1.16, ``Highs::run``). :func:`new_highs` asks for one thread; where another
    HiGHS user in this process (the valuation's conversion plan, linopy) started the pool with its
    default size first, the run is repeated with ``threads = 0``, which takes the pool as it is.
    """
    import highspy

    status = h.run()
    if status == highspy.HighsStatus.kError and h.getModelStatus() == highspy.HighsModelStatus.kNotset:
        h.setOptionValue("threads", 0)
        h.run()


def solve_lp(
    p: DispatchProblem, *, time_limit_s: float | None = None, warm: WarmStart | None = None
) -> Schedule:
    """Optimal schedule by LP (or MILP with minimum on/off time) in HiGHS.

    ``warm`` reuses one HiGHS instance and its last basis across rolling windows (:class:`WarmStart`);
    the optimum is the same, only the simplex starts closer to it.

    Raises
    ------
    RuntimeError
        If HiGHS does not reach an optimal solution (infeasible site or time limit).
    """
    import highspy

    start = time.perf_counter()
    model = build_lp(p)
    if warm is not None:
        h = warm.load(model, time_limit_s)
    else:
        h = new_highs(time_limit_s=time_limit_s, presolve=model.integrality is not None)
        pass_model(h, model)
    run_highs(h)
    status = h.getModelStatus()
    if status != highspy.HighsModelStatus.kOptimal:
        raise RuntimeError(f"HiGHS did not solve the dispatch problem: {h.modelStatusToString(status)}")
    x = np.asarray(h.getSolution().col_value)
    K, T, R = p.n_fleets, p.n_intervals, p.n_products
    fleet = x[: K * T].reshape(K, T)
    gpu = x[model.gpu_col : model.gpu_col + T]
    res = np.zeros((R, T))
    n_groups = model.reserve_best.shape[0]
    offered = x[model.reserve_col : model.reserve_col + n_groups * T].reshape(n_groups, T)
    cols = np.broadcast_to(np.arange(T), (n_groups, T))
    np.add.at(res, (model.reserve_best, cols), offered)
    obj = float(h.getInfo().objective_function_value)
    solver = "milp" if model.integrality is not None else "lp"
    return Schedule(fleet, gpu, res, obj, solver, time.perf_counter() - start)
