"""LP / MILP dispatch: the problem of :mod:`wattshift.dispatch.problem` as sparse matrices in HiGHS.

Every constraint family is one block of rows whose coordinates are computed with NumPy index
arithmetic (no Python loop over intervals); the blocks are stacked into one compressed-column
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

import os
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import highspy
import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from wattshift.dispatch.problem import DispatchProblem, FloatArray, IntArray, Schedule

INF = np.inf
#: One set of matrix entries: (local row indices, column indices, coefficient(s)).
Term = tuple[
    npt.NDArray[np.integer[Any]], npt.NDArray[np.integer[Any]], npt.NDArray[np.floating[Any]] | float
]


@dataclass
class _Rows:
    """Row blocks in coordinate form, stacked at the end."""

    rows: list[npt.NDArray[np.integer[Any]]] = field(default_factory=list)
    cols: list[npt.NDArray[np.integer[Any]]] = field(default_factory=list)
    vals: list[FloatArray] = field(default_factory=list)
    lower: list[FloatArray] = field(default_factory=list)
    upper: list[FloatArray] = field(default_factory=list)
    n: int = 0

    def add(
        self,
        n_rows: int,
        terms: Sequence[Term],
        lower: npt.NDArray[np.floating[Any]] | float,
        upper: npt.NDArray[np.floating[Any]] | float,
    ) -> None:
        """Add ``n_rows`` rows; each term is (local row index, column index, coefficient)."""
        for r, c, v in terms:
            self.rows.append(r.ravel() + self.n)
            self.cols.append(c.ravel())
            self.vals.append(np.broadcast_to(np.asarray(v, dtype=np.float64), r.shape).ravel())
        self.lower.append(np.broadcast_to(np.asarray(lower, dtype=np.float64), (n_rows,)))
        self.upper.append(np.broadcast_to(np.asarray(upper, dtype=np.float64), (n_rows,)))
        self.n += n_rows


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


def build_lp(p: DispatchProblem) -> LpModel:
    """Assemble the LP / MILP of ``p`` as sparse matrices (see the module docstring for the layout)."""
    K, T = p.n_fleets, p.n_intervals
    C = p.peak_rate_usd_per_mw.shape[0] if p.peak_group is not None else 0
    dt = p.interval_hours
    pi = p.price_usd_per_mwh
    t_idx = np.arange(T)
    mip = [
        k
        for k in range(K)
        if p.is_mip
        and (
            (p.min_on_intervals is not None and p.min_on_intervals[k] > 1)
            or (p.min_off_intervals is not None and p.min_off_intervals[k] > 1)
        )
    ]
    # Reserves enter every constraint only through the sum of the up products and the sum of the down
    # products, and each product's own bound equals the total cap; so each direction is one column per
    # interval paid at the best price of its products (exact; see `_reserve_groups`).
    groups, best, group_price = _reserve_groups(p)
    n_groups = len(groups)
    gpu_col = K * T
    res_col = gpu_col + T
    peak_col = res_col + n_groups * T
    uc_col = peak_col + C
    n_col = uc_col + 3 * T * len(mip)

    cost = np.zeros(n_col)
    lo = np.zeros(n_col)
    hi = np.zeros(n_col)
    cost[:gpu_col] = ((p.fleet_value_usd_per_mwh - pi[None, :]) * dt).ravel()
    hi[:gpu_col] = np.repeat(p.fleet_capacity_mw, T)
    cost[gpu_col:res_col] = (p.ai_value_usd_per_mwh - pi) * dt
    lo[gpu_col:res_col] = p.gpu_firm_mw
    hi[gpu_col:res_col] = p.gpu_capacity_mw
    if n_groups:
        cost[res_col:peak_col] = (group_price * dt).ravel()
        hi[res_col:peak_col] = p.reserve_max_mw
    if C:
        cost[peak_col:uc_col] = -p.peak_rate_usd_per_mw
        lo[peak_col:uc_col] = p.peak_floor_mw
        hi[peak_col:uc_col] = INF

    rows = _Rows()
    fleet_cols = np.arange(K)[:, None] * T + t_idx[None, :]  # (K, T)
    load_terms: list[Term] = [
        (np.broadcast_to(t_idx, (K, T)), fleet_cols, 1.0),
        (t_idx, gpu_col + t_idx, 1.0),
    ]
    up_col = res_col + groups.index(True) * T if True in groups else None
    dn_col = res_col + groups.index(False) * T if False in groups else None
    up_terms: list[Term] = [(t_idx, up_col + t_idx, 1.0)] if up_col is not None else []
    dn_terms: list[Term] = [(t_idx, dn_col + t_idx, 1.0)] if dn_col is not None else []

    # Interconnect: Σ m + g + r_dn ≤ P − aux.
    rows.add(T, load_terms + dn_terms, -INF, p.interconnect_mw - p.aux_mw)
    if up_terms:  # up reserves come from curtailable load: r_up − Σ m − g ≤ −G_firm
        neg: list[Term] = [(r, c, -1.0) for r, c, _ in load_terms]
        rows.add(T, up_terms + neg, -INF, -p.gpu_firm_mw)
    if dn_terms:  # down reserves need equipment headroom: r_dn + Σ m + g ≤ Σ M + G
        rows.add(T, load_terms + dn_terms, -INF, float(p.fleet_capacity_mw.sum()) + p.gpu_capacity_mw)
    if up_terms and dn_terms:  # one cap on all products
        rows.add(T, up_terms + dn_terms, -INF, p.reserve_max_mw)

    _ramp_rows(p, rows, lo, hi)
    if C and p.peak_group is not None:
        cand = np.flatnonzero(p.peak_group >= 0)
        n = cand.size
        loc = np.arange(n)
        terms: list[Term] = [
            (np.broadcast_to(loc, (K, n)), fleet_cols[:, cand], 1.0),
            (loc, gpu_col + cand, 1.0),
            (loc, peak_col + p.peak_group[cand], -1.0),
        ]
        rows.add(n, terms, -INF, -p.aux_mw)
    _energy_rows(p, rows, fleet_cols, gpu_col)
    integrality = _min_up_down_rows(p, rows, mip, uc_col, cost, lo, hi) if mip else None

    r = np.concatenate(rows.rows) if rows.rows else np.zeros(0, dtype=np.int64)
    c = np.concatenate(rows.cols) if rows.cols else np.zeros(0, dtype=np.int64)
    v = np.concatenate(rows.vals) if rows.vals else np.zeros(0)
    matrix = sp.csc_matrix((v, (r, c)), shape=(rows.n, n_col))
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
    )


def _reserve_groups(p: DispatchProblem) -> tuple[list[bool], IntArray, FloatArray]:
    """Reserve directions present (True = up), the best-paid product of each per interval, its price.

    Every reserve constraint involves the up products only through their sum (curtailable load) and
    the down products only through theirs (headroom), and each product's bound equals the total cap
    ``R_max``. For given sums the objective ``Σ_p ρ_p r_p`` is therefore largest with each sum in the
    direction's best-paid product, which makes one column per direction and interval exact.
    """
    R, T = p.n_products, p.n_intervals
    groups: list[bool] = []
    best: list[IntArray] = []
    price: list[FloatArray] = []
    for is_up in (True, False):
        members = np.flatnonzero(p.reserve_is_up[:R] == is_up) if R else np.zeros(0, dtype=np.int64)
        if members.size == 0:
            continue
        rho = p.reserve_price_usd_per_mw_h[members]
        arg = np.argmax(rho, axis=0)
        groups.append(is_up)
        best.append(members[arg])
        price.append(rho[arg, np.arange(T)])
    if not groups:
        return [], np.zeros((0, T), dtype=np.int64), np.zeros((0, T))
    return groups, np.vstack(best), np.vstack(price)


def _ramp_rows(p: DispatchProblem, rows: _Rows, lo: FloatArray, hi: FloatArray) -> None:
    """``−R_k ≤ m[k,t] − m[k,t−1] ≤ R_k``; the first interval is bounded around the initial load."""
    ramp = p.ramp_mw_per_interval
    if ramp is None:
        return
    T = p.n_intervals
    limited = np.flatnonzero(np.isfinite(ramp) & (ramp < p.fleet_capacity_mw))
    if limited.size == 0:
        return
    n = T - 1
    loc = np.arange(limited.size)[:, None] * n + np.arange(n)[None, :]
    cur = limited[:, None] * T + np.arange(1, T)[None, :]
    rows.add(
        limited.size * n,
        [(loc, cur, 1.0), (loc, cur - 1, -1.0)],
        np.repeat(-ramp[limited], n),
        np.repeat(ramp[limited], n),
    )
    init = p.initial
    if init is not None:
        for k in limited:
            prev = float(init.fleet_mw[k])
            if np.isfinite(prev):
                lo[k * T] = max(lo[k * T], prev - ramp[k])
                hi[k * T] = min(hi[k * T], prev + ramp[k])


def _energy_rows(p: DispatchProblem, rows: _Rows, fleet_cols: IntArray, gpu_col: int) -> None:
    """Daily budgets: site energy ≤ cap and GPU energy ≥ SLA minimum, pro rata for partial days."""
    if not p.has_energy_budget:
        return
    T, K, dt = p.n_intervals, p.n_fleets, p.interval_hours
    day = p.day_index if p.day_index is not None else np.zeros(T, dtype=np.int64)
    n_days = int(day.max()) + 1
    hours = np.bincount(day, minlength=n_days) * dt
    t_idx = np.arange(T)
    if np.isfinite(p.max_energy_mwh_per_day):
        cap = p.max_energy_mwh_per_day * hours / 24.0 - p.aux_mw * hours
        terms: list[Term] = [
            (np.broadcast_to(day, (K, T)), fleet_cols, dt),
            (day, gpu_col + t_idx, dt),
        ]
        rows.add(n_days, terms, -INF, cap)
    if p.gpu_min_energy_mwh_per_day > 0:
        rows.add(n_days, [(day, gpu_col + t_idx, dt)], p.gpu_min_energy_mwh_per_day * hours / 24.0, INF)


def _window(T: int, width: int) -> tuple[IntArray, IntArray]:
    """(row, τ) pairs of the rolling sums ``Σ_{τ = t−width+1}^{t}`` over ``t = 0..T−1``."""
    t = np.arange(T)[:, None]
    tau = t - np.arange(width)[None, :]
    keep = tau >= 0
    return np.broadcast_to(t, tau.shape)[keep], tau[keep]


def _min_up_down_rows(
    p: DispatchProblem,
    rows: _Rows,
    mip: list[int],
    uc_col: int,
    cost: FloatArray,
    lo: FloatArray,
    hi: FloatArray,
) -> npt.NDArray[np.int32]:
    """On/start/stop binaries with minimum up and down time (Rajan-Takriti) for fleets in ``mip``."""
    T = p.n_intervals
    t_idx = np.arange(T)
    integrality = np.zeros(cost.shape[0], dtype=np.int32)
    assert (
        p.min_on_intervals is not None and p.min_off_intervals is not None and p.min_load_fraction is not None
    )
    for j, k in enumerate(mip):
        u = uc_col + 3 * T * j + t_idx
        s, d = u + T, u + 2 * T
        m = k * T + t_idx
        integrality[u] = 1
        hi[u[0] : d[-1] + 1] = 1.0
        cap = float(p.fleet_capacity_mw[k])
        rows.add(T, [(t_idx, m, 1.0), (t_idx, u, -cap)], -INF, 0.0)  # m ≤ M u
        fmin = float(p.min_load_fraction[k])
        if fmin > 0:
            rows.add(T, [(t_idx, m, 1.0), (t_idx, u, -fmin * cap)], 0.0, INF)  # m ≥ f M u
        # u[t] − u[t−1] − s[t] + d[t] = 0; at t = 0 the right side is the initial state.
        init = p.initial
        u0 = float(init.on[k]) if init is not None else None
        if u0 is None:  # free initial state: no transition row at t = 0
            loc = t_idx[:-1]
            terms = [(loc, u[1:], 1.0), (loc, s[1:], -1.0), (loc, d[1:], 1.0), (loc, u[:-1], -1.0)]
            rows.add(T - 1, terms, 0.0, 0.0)
            hi[s[0]] = hi[d[0]] = 0.0
        else:
            rhs = np.zeros(T)
            rhs[0] = u0
            terms = [(t_idx, u, 1.0), (t_idx, s, -1.0), (t_idx, d, 1.0), (t_idx[1:], u[:-1], -1.0)]
            rows.add(T, terms, rhs, rhs)
        up_w, down_w = int(p.min_on_intervals[k]), int(p.min_off_intervals[k])
        if up_w > 1:
            r, tau = _window(T, up_w)
            rows.add(T, [(r, s[tau], 1.0), (t_idx, u, -1.0)], -INF, 0.0)
        if down_w > 1:
            r, tau = _window(T, down_w)
            rows.add(T, [(r, d[tau], 1.0), (t_idx, u, 1.0)], -INF, 1.0)
        if init is not None:
            h = int(init.intervals_in_state[k])
            if init.on[k] and h < up_w:
                lo[u[: up_w - h]] = 1.0
            if not init.on[k] and h < down_w:
                hi[u[: down_w - h]] = 0.0
    return integrality


def pass_model(h: highspy.Highs, model: LpModel) -> None:
    """Hand ``model`` to HiGHS as arrays (``Highs.passModel`` with a column-wise matrix, maximising).

    The array overload of ``passModel`` copies the NumPy buffers straight into HiGHS; building a
    ``highspy.HighsLp`` field by field costs about ten times more on a year of 15-minute intervals.
    """
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


def _construct_quietly() -> highspy.Highs:
    """``highspy.Highs()`` with its start-up banner sent to stderr, not stdout (JSON goes to stdout).

    HiGHS prints the banner from C++ before any option can be set, so file descriptor 1 is pointed
    at stderr for the duration of the constructor.
    """
    sys.stdout.flush()
    try:
        saved = os.dup(1)
    except OSError:  # no real stdout (embedded interpreters): nothing to protect
        return highspy.Highs()  # type: ignore[no-untyped-call]
    try:
        os.dup2(2, 1)
        return highspy.Highs()  # type: ignore[no-untyped-call]
    finally:
        os.dup2(saved, 1)
        os.close(saved)


def new_highs(*, time_limit_s: float | None = None, mip_rel_gap: float = 1e-6) -> highspy.Highs:
    """A quiet HiGHS instance with wattshift's options."""
    h = _construct_quietly()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("mip_rel_gap", mip_rel_gap)
    if time_limit_s is not None:
        h.setOptionValue("time_limit", float(time_limit_s))
    return h


def solve_lp(p: DispatchProblem, *, time_limit_s: float | None = None) -> Schedule:
    """Optimal schedule by LP (or MILP with minimum on/off time) in HiGHS.

    Raises
    ------
    RuntimeError
        If HiGHS does not reach an optimal solution (infeasible site or time limit).
    """
    start = time.perf_counter()
    model = build_lp(p)
    h = new_highs(time_limit_s=time_limit_s)
    pass_model(h, model)
    h.run()
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
