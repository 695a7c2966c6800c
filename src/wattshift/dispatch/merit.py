"""Merit-order dispatch: the closed-form optimum when no constraint couples intervals.

Without ramp limits, minimum on/off time, reserves, energy budgets or multi-interval peak charges the
problem of :mod:`wattshift.dispatch.problem` separates into one fractional knapsack per interval:
the firm GPU load is served first, then each flexible use (ASIC fleets, spot GPU) is filled in
decreasing order of its margin ``value − price`` [USD/MWh] while the margin is positive and the
interconnect has room (Dantzig's greedy rule for the continuous knapsack, which is optimal [1]_).

Sorting is replaced by pairwise comparisons: the capacity ahead of use ``i`` in interval ``t`` is
``Σ_j M_j [margin_j > margin_i, ties by index]``, so use ``i`` gets
``clip(room − ahead_i, 0, M_i)`` when its margin is positive. This is O(T K²) element-wise work with
no Python loop over intervals.

Up reserves stay separable when each interval's award is its own (no hourly award tying the intervals
of a market hour) and no product is a down reserve: the offer ``r_t`` is bounded by the curtailable
load ``L_t = Σ_k m_{k,t} + g_t − G_firm`` and by ``R_max``, and is paid the best up price
``ρ_t = max_p ρ_{p,t}`` (one product holds the whole offer; see :func:`rows.reserve_groups`). For a given
``L_t`` the best loads still fill in decreasing margin, and the value of ``L`` is the concave
``F(L) = Σ (top-L margins) + ρ⁺ min(R_max, L)``: its slope at ``L`` is the next margin plus ``ρ⁺`` while
``L < R_max``. So a second merit pass runs the uses with ``margin ≤ 0 < margin + ρ`` (in decreasing
margin) until the curtailable load reaches ``min(R_max, room)``, and ``r_t = min(R_max, L_t)``.

References
----------
.. [1] G. B. Dantzig, "Discrete-variable extremum problems", Operations Research 5(2), 266-288, 1957.
"""

from __future__ import annotations

import time
from dataclasses import replace

import numpy as np

from wattshift.dispatch.problem import DispatchProblem, FloatArray, IntArray, Schedule, objective_usd


def effective_price_usd_per_mwh(problem: DispatchProblem) -> FloatArray:
    """Decision price plus the peak-charge adder at single-candidate peak intervals (T,) [USD/MWh].

    A peak group with one candidate interval ``t`` charges ``c`` [USD/MW] x load[t]; spread over the
    interval's ``Δt`` hours that is ``c / Δt`` [USD/MWh] on top of the energy price.
    """
    pi = problem.price_usd_per_mwh
    if problem.peak_group is None or problem.peak_rate_usd_per_mw.size == 0:
        return pi
    adder = np.zeros_like(pi)
    cand = problem.peak_group >= 0
    adder[cand] = problem.peak_rate_usd_per_mw[problem.peak_group[cand]] / problem.interval_hours
    return pi + adder


def merit_allocation(
    margin_usd_per_mwh: FloatArray, capacity_mw: FloatArray, room_mw: FloatArray
) -> FloatArray:
    """Fill uses in decreasing order of margin, up to ``room_mw``, positive margins only.

    Parameters
    ----------
    margin_usd_per_mwh
        Margin of each use in each interval (N, T) [USD/MWh].
    capacity_mw
        Capacity of each use (N,) [MW].
    room_mw
        Power available to the uses in each interval (T,) [MW].

    Returns
    -------
    numpy.ndarray
        Load of each use (N, T) [MW].
    """
    n = capacity_mw.shape[0]
    positive = margin_usd_per_mwh > 0.0
    if room_mw.size == 0 or float(capacity_mw.sum()) <= float(room_mw.min()):
        # The interconnect never binds: every use with a positive margin runs at capacity.
        return np.where(positive, capacity_mw[:, None], 0.0)
    ahead = np.zeros_like(margin_usd_per_mwh)
    for i in range(n):
        for j in range(i + 1, n):
            # j (> i) fills before i only when its margin is strictly higher; else i fills before j.
            j_first = (margin_usd_per_mwh[j] > margin_usd_per_mwh[i]).astype(np.float64)
            ahead[i] += capacity_mw[j] * j_first
            ahead[j] += capacity_mw[i] * (1.0 - j_first)
    # clip(room − ahead, 0, M) on positive margins (np.clip with broadcast bounds is ~10x slower)
    alloc = np.subtract(room_mw[None, :], ahead, out=ahead)
    np.maximum(alloc, 0.0, out=alloc)
    np.minimum(alloc, capacity_mw[:, None], out=alloc)
    np.multiply(alloc, positive, out=alloc)
    return alloc


def reserves_are_separable(problem: DispatchProblem) -> bool:
    """Whether the problem is separable by interval with its reserves: up products only, no hourly awards,
    and otherwise no coupling constraint (:meth:`DispatchProblem.merit_is_exact` without reserves)."""
    T = problem.n_intervals
    if problem.n_products == 0:
        return problem.merit_is_exact()
    hourly = problem.hourly_reserve_awards
    up_only = bool(np.all(problem.reserve_is_up[: problem.n_products]))
    bare = replace(
        problem,
        reserve_price_usd_per_mw_h=np.zeros((0, T)),
        reserve_is_up=np.zeros(0, dtype=bool),
        reserve_max_mw=0.0,
        reserve_hour=None,
    )
    return up_only and not hourly and bare.merit_is_exact()


def _best_product(price_usd_per_mw_h: FloatArray) -> tuple[IntArray, FloatArray]:
    """Index of the best-paid product (first on ties, as ``argmax``) and its price, per interval (T,).

    A loop over the R rows: ``argmax(axis=0)`` on an (R, T) array is several times slower.
    """
    best = np.zeros(price_usd_per_mw_h.shape[1], dtype=np.int64)
    rho = price_usd_per_mw_h[0].copy()
    for r in range(1, price_usd_per_mw_h.shape[0]):
        better = price_usd_per_mw_h[r] > rho
        best[better] = r
        np.maximum(rho, price_usd_per_mw_h[r], out=rho)
    return best, rho


def _up_reserve_pass(
    margin_usd_per_mwh: FloatArray,
    capacity_mw: FloatArray,
    room_mw: FloatArray,
    alloc_mw: FloatArray,
    problem: DispatchProblem,
) -> tuple[FloatArray, FloatArray]:
    """Loads after the reserve pass (N, T) [MW] and the up-reserve offer in the best product (R, T) [MW].

    Uses with ``margin ≤ 0 < margin + ρ`` run (in decreasing margin) while the curtailable load is
    below ``min(R_max, room)``; the offer is ``min(R_max, L)`` where ``ρ > 0`` (module docstring).
    """
    R, T = problem.n_products, problem.n_intervals
    best, rho = _best_product(problem.reserve_price_usd_per_mw_h[:R])
    paid = rho > 0.0
    load = alloc_mw.sum(axis=0)
    second = (margin_usd_per_mwh <= 0.0) & (margin_usd_per_mwh + rho[None, :] > 0.0)
    room2 = np.where(paid, np.maximum(np.minimum(problem.reserve_max_mw, room_mw) - load, 0.0), 0.0)
    need = np.flatnonzero(np.any(second, axis=0) & (room2 > 0.0))  # the pass adds load only here
    if need.size:
        # Ordering by margin + ρ is ordering by margin (same ρ for every use in an interval).
        margin2 = np.where(second[:, need], margin_usd_per_mwh[:, need] + rho[None, need], -1.0)
        alloc_mw = alloc_mw.copy()
        alloc_mw[:, need] += merit_allocation(margin2, capacity_mw, room2[need])
        load[need] = alloc_mw[:, need].sum(axis=0)
    offer = np.where(paid, np.minimum(problem.reserve_max_mw, load), 0.0)
    reserve_mw = np.zeros((R, T))
    for r in range(R):  # the offer sits in the best-paid product (row loop: R is a handful)
        np.copyto(reserve_mw[r], offer, where=best == r)
    return alloc_mw, reserve_mw


def solve_merit(problem: DispatchProblem) -> Schedule:
    """Optimal schedule of a problem without inter-temporal coupling, in closed form.

    Up reserves paid per interval are included (:func:`reserves_are_separable`).

    Raises
    ------
    ValueError
        If the problem has a constraint the merit order cannot honour
        (see :meth:`DispatchProblem.merit_is_exact` and :func:`reserves_are_separable`).
    """
    if not reserves_are_separable(problem):
        raise ValueError(
            "merit order is exact only without ramp limits, min on/off time, down reserves, hourly "
            "reserve awards, energy budgets and multi-interval peak charges; use the LP solver"
        )
    start = time.perf_counter()
    price = effective_price_usd_per_mwh(problem)
    K, T = problem.n_fleets, problem.n_intervals
    flex_gpu = problem.gpu_capacity_mw - problem.gpu_firm_mw
    margin = np.empty((K + 1, T))
    margin[:K] = problem.fleet_value_usd_per_mwh - price[None, :]
    margin[K] = problem.ai_value_usd_per_mwh - price
    capacity = np.append(problem.fleet_capacity_mw, flex_gpu)
    room = np.full(T, problem.interconnect_mw - problem.aux_mw - problem.gpu_firm_mw, dtype=np.float64)
    alloc = merit_allocation(margin, capacity, room)
    reserve_mw = np.zeros((0, T))
    if problem.n_products:
        alloc, reserve_mw = _up_reserve_pass(margin, capacity, room, alloc, problem)
    fleet_mw = alloc[:K]
    gpu_mw = alloc[K] + problem.gpu_firm_mw
    obj = objective_usd(problem, fleet_mw, gpu_mw, reserve_mw)
    return Schedule(fleet_mw, gpu_mw, reserve_mw, obj, "merit", time.perf_counter() - start)
