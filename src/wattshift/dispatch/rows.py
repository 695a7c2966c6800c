"""Constraint row blocks of the dispatch LP / MILP, each built by a function that returns it.

A :class:`Rows` holds rows in coordinate form (local row index, column index, coefficient) with
their bounds; :mod:`wattshift.dispatch.lp` stacks the blocks into one sparse matrix. The functions
here take the problem and the column offsets and return new blocks (and, where a block also bounds
columns, the bounds it sets); nothing passed in is changed.

The unit-commitment block is the three-binary (on, start, stop) formulation of Rajan and Takriti
[1]_.

References
----------
.. [1] D. Rajan and S. Takriti, "Minimum up/down polytopes of the unit commitment problem with
   start-up costs", IBM Research Report RC23628, 2005.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from wattshift.dispatch.problem import DispatchProblem, FloatArray, IntArray
from wattshift.units import HOURS_PER_DAY

INF = np.inf
#: One set of matrix entries: (local row indices, column indices, coefficient(s)).
Term = tuple[
    npt.NDArray[np.integer[Any]], npt.NDArray[np.integer[Any]], npt.NDArray[np.floating[Any]] | float
]


@dataclass
class Rows:
    """Row blocks in coordinate form, stacked at the end (a builder local to one model)."""

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

    def extend(self, other: Rows) -> None:
        """Append the rows of ``other`` after these."""
        for r, c, v in zip(other.rows, other.cols, other.vals, strict=True):
            self.rows.append(r + self.n)
            self.cols.append(c)
            self.vals.append(v)
        self.lower.extend(other.lower)
        self.upper.extend(other.upper)
        self.n += other.n


@dataclass(frozen=True)
class ColumnBounds:
    """Tightened bounds for some columns: ``lower[i] ≤ x[index[i]] ≤ upper[i]``."""

    index: IntArray
    lower: FloatArray
    upper: FloatArray


@dataclass(frozen=True)
class CommitmentBlock:
    """On/start/stop binaries of the fleets with minimum up/down time.

    Attributes
    ----------
    rows
        Their constraint rows.
    col_lower, col_upper
        Bounds of the block's own columns (3 T per fleet: ``u``, ``s``, ``d``).
    is_binary
        Integrality of the block's own columns (1 = binary).
    """

    rows: Rows
    col_lower: FloatArray
    col_upper: FloatArray
    is_binary: npt.NDArray[np.int32]


def reserve_groups(p: DispatchProblem) -> tuple[list[bool], IntArray, FloatArray]:
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


def hourly_reserve_rows(p: DispatchProblem, res_col: int, n_groups: int) -> Rows:
    """``r[g, t] = r[g, t − 1]`` when ``t`` and ``t − 1`` are in the same market hour (hourly awards)."""
    out = Rows()
    hour = p.reserve_hour
    if hour is None or n_groups == 0 or p.n_intervals < 2:
        return out
    T = p.n_intervals
    same = np.flatnonzero(hour[1:] == hour[:-1]) + 1  # intervals tied to the one before
    n = same.size
    if n == 0:
        return out
    loc = np.arange(n_groups)[:, None] * n + np.arange(n)[None, :]
    cur = res_col + np.arange(n_groups)[:, None] * T + same[None, :]
    out.add(n_groups * n, [(loc, cur, 1.0), (loc, cur - 1, -1.0)], 0.0, 0.0)
    return out


def ramp_rows(p: DispatchProblem) -> tuple[Rows, ColumnBounds]:
    """``−R_k ≤ m[k,t] − m[k,t−1] ≤ R_k``, and the first interval's bounds around the initial load."""
    out = Rows()
    none = ColumnBounds(np.zeros(0, dtype=np.int64), np.zeros(0), np.zeros(0))
    ramp = p.ramp_mw_per_interval
    limited = p.ramp_limited_fleets
    if ramp is None or limited.size == 0:
        return out, none
    T = p.n_intervals
    n = T - 1
    loc = np.arange(limited.size)[:, None] * n + np.arange(n)[None, :]
    cur = limited[:, None] * T + np.arange(1, T)[None, :]
    out.add(
        limited.size * n,
        [(loc, cur, 1.0), (loc, cur - 1, -1.0)],
        np.repeat(-ramp[limited], n),
        np.repeat(ramp[limited], n),
    )
    init = p.initial
    if init is None:
        return out, none
    known = limited[np.isfinite(init.fleet_mw[limited])]
    prev = init.fleet_mw[known]
    return out, ColumnBounds(known * T, prev - ramp[known], prev + ramp[known])


def peak_rows(p: DispatchProblem, fleet_cols: IntArray, gpu_col: int, peak_col: int) -> Rows:
    """``Σ_k m[k,t] + g[t] + aux ≤ z[c]`` for every peak candidate ``t`` of group ``c``."""
    out = Rows()
    if p.peak_group is None or p.peak_rate_usd_per_mw.shape[0] == 0:
        return out
    cand = np.flatnonzero(p.peak_group >= 0)
    n, K = cand.size, p.n_fleets
    loc = np.arange(n)
    terms: list[Term] = [
        (np.broadcast_to(loc, (K, n)), fleet_cols[:, cand], 1.0),
        (loc, gpu_col + cand, 1.0),
        (loc, peak_col + p.peak_group[cand], -1.0),
    ]
    out.add(n, terms, -INF, -p.aux_mw)
    return out


def energy_rows(p: DispatchProblem, fleet_cols: IntArray, gpu_col: int) -> Rows:
    """Daily budgets: site energy ≤ cap and GPU energy ≥ SLA minimum, pro rata for partial days."""
    out = Rows()
    if not p.has_energy_budget:
        return out
    T, K, dt = p.n_intervals, p.n_fleets, p.interval_hours
    day = p.day_index if p.day_index is not None else np.zeros(T, dtype=np.int64)
    n_days = int(day.max()) + 1
    hours = np.bincount(day, minlength=n_days) * dt
    t_idx = np.arange(T)
    if np.isfinite(p.max_energy_mwh_per_day):
        cap = p.max_energy_mwh_per_day * hours / HOURS_PER_DAY - p.aux_mw * hours
        terms: list[Term] = [
            (np.broadcast_to(day, (K, T)), fleet_cols, dt),
            (day, gpu_col + t_idx, dt),
        ]
        out.add(n_days, terms, -INF, cap)
    if p.gpu_min_energy_mwh_per_day > 0:
        least = p.gpu_min_energy_mwh_per_day * hours / HOURS_PER_DAY
        out.add(n_days, [(day, gpu_col + t_idx, dt)], least, INF)
    return out


def _window(T: int, width: int) -> tuple[IntArray, IntArray]:
    """(row, τ) pairs of the rolling sums ``Σ_{τ = t−width+1}^{t}`` over ``t = 0..T−1``."""
    t = np.arange(T)[:, None]
    tau = t - np.arange(width)[None, :]
    keep = tau >= 0
    return np.broadcast_to(t, tau.shape)[keep], tau[keep]


def commitment_fleets(p: DispatchProblem) -> list[int]:
    """Fleets with a minimum on or off time longer than one interval (they get binaries)."""
    if not p.is_mip:
        return []
    on, off = p.min_on_intervals, p.min_off_intervals
    return [
        k for k in range(p.n_fleets) if (on is not None and on[k] > 1) or (off is not None and off[k] > 1)
    ]


def commitment_block(p: DispatchProblem, mip: list[int], uc_col: int) -> CommitmentBlock:
    """On/start/stop binaries with minimum up and down time (Rajan-Takriti) for the fleets ``mip``.

    Columns of fleet ``j`` of ``mip`` start at ``uc_col + 3 T j``: ``u[t]``, then ``s[t]``, ``d[t]``.
    """
    T = p.n_intervals
    out = Rows()
    lower: list[FloatArray] = []
    upper: list[FloatArray] = []
    for j, k in enumerate(mip):
        rows, lo, hi = _one_fleet_commitment(p, k, uc_col + 3 * T * j)
        out.extend(rows)
        lower.append(lo)
        upper.append(hi)
    is_binary = np.tile(np.repeat(np.array([1, 0, 0], dtype=np.int32), T), len(mip))
    return CommitmentBlock(out, np.concatenate(lower), np.concatenate(upper), is_binary)


def _one_fleet_commitment(p: DispatchProblem, k: int, first_col: int) -> tuple[Rows, FloatArray, FloatArray]:
    """Rows of fleet ``k``'s binaries (columns from ``first_col``) and their bounds (3 T,) each."""
    assert p.min_on_intervals is not None and p.min_off_intervals is not None
    assert p.min_load_fraction is not None
    T = p.n_intervals
    t_idx = np.arange(T)
    out = Rows()
    lower, upper = np.zeros(3 * T), np.ones(3 * T)
    u = first_col + t_idx
    s, d = u + T, u + 2 * T
    m = k * T + t_idx
    cap = float(p.fleet_capacity_mw[k])
    out.add(T, [(t_idx, m, 1.0), (t_idx, u, -cap)], -INF, 0.0)  # m ≤ M u
    fmin = float(p.min_load_fraction[k])
    if fmin > 0:
        out.add(T, [(t_idx, m, 1.0), (t_idx, u, -fmin * cap)], 0.0, INF)  # m ≥ f M u
    # u[t] − u[t−1] − s[t] + d[t] = 0; at t = 0 the right side is the initial state.
    init = p.initial
    if init is None:  # free initial state: no transition row at t = 0
        loc = t_idx[:-1]
        terms = [(loc, u[1:], 1.0), (loc, s[1:], -1.0), (loc, d[1:], 1.0), (loc, u[:-1], -1.0)]
        out.add(T - 1, terms, 0.0, 0.0)
        upper[T] = upper[2 * T] = 0.0  # s[0] = d[0] = 0
    else:
        rhs = np.zeros(T)
        rhs[0] = float(init.on[k])
        terms = [(t_idx, u, 1.0), (t_idx, s, -1.0), (t_idx, d, 1.0), (t_idx[1:], u[:-1], -1.0)]
        out.add(T, terms, rhs, rhs)
    up_w, down_w = int(p.min_on_intervals[k]), int(p.min_off_intervals[k])
    if up_w > 1:  # Σ_{τ in window} s[τ] ≤ u[t]
        r, tau = _window(T, up_w)
        out.add(T, [(r, s[tau], 1.0), (t_idx, u, -1.0)], -INF, 0.0)
    if down_w > 1:  # Σ_{τ in window} d[τ] ≤ 1 − u[t]
        r, tau = _window(T, down_w)
        out.add(T, [(r, d[tau], 1.0), (t_idx, u, 1.0)], -INF, 1.0)
    if init is not None:
        h = int(init.intervals_in_state[k])
        if init.on[k] and h < up_w:
            lower[: up_w - h] = 1.0
        if not init.on[k] and h < down_w:
            upper[: down_w - h] = 0.0
    return out, lower, upper
