"""The dispatch problem as arrays: one site, one window of intervals, all prices and values.

A :class:`DispatchProblem` holds everything the solvers need and nothing else (no I/O, no dates):
interval length, the decision price, the value of a MWh in each use, reserve prices and the
site's limits. :func:`build_problem` makes one from a :class:`~wattshift.dispatch.spec.SiteSpec`
and aligned arrays.

Formulation (DESIGN.md section 5). Per interval ``t`` of length ``Δt`` [h] choose fleet loads
``m[k, t]`` [MW], GPU load ``g[t]`` [MW] and reserve offers ``r[p, t]`` [MW] to maximise::

    Σ_t Δt [ Σ_k (v[k,t] − π[t]) m[k,t] + (a[t] − π[t]) g[t] + Σ_p ρ[p,t] r[p,t] − π[t] aux ]
      + Σ_t Δt (π[t] − K) Q − Σ_c c_c z_c

subject to ``Σ_k m + g + aux + Σ_dn r ≤ P``, ``0 ≤ m ≤ M``, ``G_firm ≤ g ≤ G``,
``Σ_up r ≤ Σ_k m + g − G_firm``, ``Σ_p r ≤ R_max``, ramp limits, minimum on/off time, daily
energy budgets and ``z_c ≥ load[t]`` for the peak-charge candidates ``t`` of group ``c``. ``Q``, ``K``
are the block contract's MW and price (zero for an index contract): the block's unused part is sold
back at ``π``, so the marginal price is ``π`` under both contracts and the block only adds a constant.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from wattshift.dispatch.spec import SiteSpec
from wattshift.units import minutes_to_hours

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class InitialState:
    """State of each fleet just before the window (carried between rolling-horizon windows).

    Attributes
    ----------
    fleet_mw
        Load of each fleet in the previous interval [MW] (NaN = free, e.g. the first window).
    on
        Whether each fleet was energised.
    intervals_in_state
        How many intervals each fleet has been in that state (large = unconstrained).
    """

    fleet_mw: FloatArray
    on: BoolArray
    intervals_in_state: IntArray


@dataclass(frozen=True)
class DispatchProblem:
    """One window of the dispatch problem, as arrays (units in the names; K fleets, T intervals, R products).

    Attributes
    ----------
    interval_hours
        Interval length Δt [h].
    price_usd_per_mwh
        Decision energy price π (T,) [USD/MWh].
    fleet_value_usd_per_mwh
        Mining value v of a MWh in each fleet (K, T) [USD/MWh].
    fleet_capacity_mw
        Fleet power M (K,) [MW].
    ai_value_usd_per_mwh
        AI value a (T,) [USD/MWh]; zeros when there is no GPU cluster.
    gpu_capacity_mw, gpu_firm_mw
        GPU power G and firm (SLA) load G_firm [MW].
    interconnect_mw, aux_mw
        Interconnect limit P and auxiliary load [MW].
    block_mw, block_price_usd_per_mwh
        Fixed-price block Q [MW] and its price K [USD/MWh] (0 for an index contract).
    reserve_price_usd_per_mw_h
        Clearing price ρ of each offered product (R, T) [USD/MW per hour].
    reserve_is_up
        Whether each product is provided by reducing load (R,).
    reserve_max_mw
        Cap on the sum of reserve offers [MW].
    ramp_mw_per_interval
        Largest change of each fleet's load between intervals (K,) [MW]; inf = unlimited.
    min_on_intervals, min_off_intervals
        Minimum up / down time of each fleet (K,) [intervals]; 0 = none.
    min_load_fraction
        Smallest load of an energised fleet (K,) [share of M], used with min on/off time.
    peak_group
        Peak-charge candidate group of each interval (T,), -1 = not a candidate.
    peak_rate_usd_per_mw
        Charge per MW of the largest load among each group's candidates (C,) [USD/MW].
    peak_floor_mw
        Largest load already seen in each group in earlier windows (C,) [MW].
    day_index
        Day of each interval (T,), 0-based, for daily energy budgets.
    max_energy_mwh_per_day
        Cap on the site's daily energy, aux included [MWh]; inf = none.
    gpu_min_energy_mwh_per_day
        Least GPU energy per day [MWh].
    initial
        Fleet state before the window (None = free).
    reserve_hour
        Market hour of each interval (T,); reserve awards are constant within an hour (ERCOT's
        day-ahead ancillary awards are hourly). None = each interval its own award.
    """

    interval_hours: float
    price_usd_per_mwh: FloatArray
    fleet_value_usd_per_mwh: FloatArray
    fleet_capacity_mw: FloatArray
    ai_value_usd_per_mwh: FloatArray
    gpu_capacity_mw: float
    gpu_firm_mw: float
    interconnect_mw: float
    aux_mw: float = 0.0
    block_mw: float = 0.0
    block_price_usd_per_mwh: float = 0.0
    reserve_price_usd_per_mw_h: FloatArray = field(default_factory=lambda: np.zeros((0, 0)))
    reserve_is_up: BoolArray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    reserve_max_mw: float = 0.0
    ramp_mw_per_interval: FloatArray | None = None
    min_on_intervals: IntArray | None = None
    min_off_intervals: IntArray | None = None
    min_load_fraction: FloatArray | None = None
    peak_group: IntArray | None = None
    peak_rate_usd_per_mw: FloatArray = field(default_factory=lambda: np.zeros(0))
    peak_floor_mw: FloatArray = field(default_factory=lambda: np.zeros(0))
    day_index: IntArray | None = None
    max_energy_mwh_per_day: float = float("inf")
    gpu_min_energy_mwh_per_day: float = 0.0
    initial: InitialState | None = None
    reserve_hour: IntArray | None = None

    @property
    def n_intervals(self) -> int:
        """Number of intervals T."""
        return int(self.price_usd_per_mwh.shape[0])

    @property
    def n_fleets(self) -> int:
        """Number of ASIC fleets K."""
        return int(self.fleet_capacity_mw.shape[0])

    @property
    def n_products(self) -> int:
        """Number of reserve products R."""
        return int(self.reserve_is_up.shape[0]) if self.reserve_max_mw > 0 else 0

    @property
    def ramp_limited_fleets(self) -> IntArray:
        """Fleets whose ramp limit is below their capacity: the fleets with ramp rows (index array)."""
        r = self.ramp_mw_per_interval
        if r is None:
            return np.zeros(0, dtype=np.int64)
        return np.flatnonzero(np.isfinite(r) & (r < self.fleet_capacity_mw))

    @property
    def has_ramp(self) -> bool:
        """Whether any fleet has a ramp limit below its capacity."""
        return self.ramp_limited_fleets.size > 0

    @property
    def hourly_reserve_awards(self) -> bool:
        """Whether reserve awards are hourly (consecutive intervals share a market hour and a reserve)."""
        hour = self.reserve_hour
        return (
            self.n_products > 0
            and hour is not None
            and self.n_intervals > 1
            and bool(np.any(hour[1:] == hour[:-1]))
        )

    @property
    def is_mip(self) -> bool:
        """Whether a minimum on/off time makes the problem a MILP."""
        on, off = self.min_on_intervals, self.min_off_intervals
        return bool((on is not None and np.any(on > 1)) or (off is not None and np.any(off > 1)))

    @property
    def peak_candidates_per_group(self) -> IntArray:
        """Number of candidate intervals of each peak group (C,)."""
        n = self.peak_rate_usd_per_mw.shape[0]
        if self.peak_group is None or n == 0:
            return np.zeros(n, dtype=np.int64)
        g = self.peak_group[self.peak_group >= 0]
        return np.bincount(g, minlength=n).astype(np.int64)

    @property
    def has_energy_budget(self) -> bool:
        """Whether a daily energy budget (site cap or GPU minimum) applies."""
        return bool(np.isfinite(self.max_energy_mwh_per_day) or self.gpu_min_energy_mwh_per_day > 0)

    def merit_is_exact(self) -> bool:
        """Whether no constraint couples intervals, so the closed-form merit order is optimal.

        Peak charges stay separable when every group with a candidate in the window has exactly one
        and no load carried from earlier windows (the charge is then a per-interval price adder).
        """
        n = self.peak_candidates_per_group
        active = n > 0  # groups without a candidate in this window only add a constant
        peaks_ok = bool(np.all(n[active] == 1) and np.all(self.peak_floor_mw[active] <= 0))
        return (
            not self.has_ramp
            and not self.is_mip
            and self.n_products == 0
            and not self.has_energy_budget
            and peaks_ok
        )

    def constant_usd(self) -> float:
        """Objective terms that no decision changes [USD]: aux energy and the block contract."""
        dt = self.interval_hours
        pi = self.price_usd_per_mwh
        aux = -float(np.sum(pi)) * self.aux_mw * dt
        block = float(np.sum(pi - self.block_price_usd_per_mwh)) * self.block_mw * dt
        return aux + block


def build_problem(
    site: SiteSpec,
    *,
    interval_minutes: float,
    price_usd_per_mwh: FloatArray,
    fleet_value_usd_per_mwh: FloatArray,
    ai_value_usd_per_mwh: FloatArray | None = None,
    reserve_price_usd_per_mw_h: FloatArray | None = None,
    peak_group: IntArray | None = None,
    n_peak_groups: int = 0,
    peak_floor_mw: FloatArray | None = None,
    day_index: IntArray | None = None,
    initial: InitialState | None = None,
    reserve_hour: IntArray | None = None,
) -> DispatchProblem:
    """Assemble a :class:`DispatchProblem` from a site spec and aligned arrays (no I/O).

    Parameters
    ----------
    site
        The site (:class:`wattshift.dispatch.spec.SiteSpec`).
    interval_minutes
        Interval length [min].
    price_usd_per_mwh
        Decision energy price (T,) [USD/MWh].
    fleet_value_usd_per_mwh
        Mining value per fleet (K, T) [USD/MWh].
    ai_value_usd_per_mwh
        AI value (T,) [USD/MWh]; required when the site has GPUs.
    reserve_price_usd_per_mw_h
        Clearing prices (R, T) [USD/MW-h] in the order of ``site.reserves.products``.
    peak_group, n_peak_groups, peak_floor_mw
        Peak-charge candidate groups (T,) (-1 = none), their number and loads already seen [MW].
    day_index
        Day of each interval (T,), needed for daily energy budgets.
    initial
        Fleet state before the window.
    reserve_hour
        Market hour of each interval (T,): reserve awards are hourly.
    """
    T = int(np.asarray(price_usd_per_mwh).shape[0])
    fl = site.fleets
    values = np.asarray(fleet_value_usd_per_mwh, dtype=np.float64).reshape(fl.n, T)
    gpu = site.gpu
    if gpu is not None and ai_value_usd_per_mwh is None:
        raise ValueError("ai_value_usd_per_mwh is required for a site with GPUs")
    ai = np.zeros(T) if ai_value_usd_per_mwh is None else np.asarray(ai_value_usd_per_mwh, dtype=np.float64)
    res = site.reserves
    rho, is_up = _reserve_arrays(site, reserve_price_usd_per_mw_h, T)
    rate = 0.0 if site.peak is None else site.peak.rate_usd_per_mw_month
    return DispatchProblem(
        interval_hours=minutes_to_hours(interval_minutes),
        price_usd_per_mwh=np.asarray(price_usd_per_mwh, dtype=np.float64),
        fleet_value_usd_per_mwh=values,
        fleet_capacity_mw=fl.power_mw,
        ai_value_usd_per_mwh=ai,
        gpu_capacity_mw=0.0 if gpu is None else gpu.capacity_mw,
        gpu_firm_mw=0.0 if gpu is None else gpu.firm_mw,
        interconnect_mw=site.interconnect_mw,
        aux_mw=site.aux_mw,
        block_mw=site.block_mw,
        block_price_usd_per_mwh=site.block_price_usd_per_mwh,
        reserve_price_usd_per_mw_h=rho,
        reserve_is_up=is_up,
        reserve_max_mw=0.0 if res is None else res.max_mw,
        ramp_mw_per_interval=fl.ramp_mw_per_min * interval_minutes,
        min_on_intervals=np.ceil(fl.min_on_minutes / interval_minutes).astype(np.int64),
        min_off_intervals=np.ceil(fl.min_off_minutes / interval_minutes).astype(np.int64),
        min_load_fraction=fl.min_load_fraction,
        peak_group=peak_group,
        peak_rate_usd_per_mw=np.full(n_peak_groups, rate),
        peak_floor_mw=np.zeros(n_peak_groups) if peak_floor_mw is None else peak_floor_mw,
        day_index=day_index,
        max_energy_mwh_per_day=site.max_energy_mwh_per_day,
        gpu_min_energy_mwh_per_day=0.0 if gpu is None else gpu.min_energy_mwh_per_day,
        initial=initial,
        reserve_hour=reserve_hour,
    )


def _reserve_arrays(site: SiteSpec, price: FloatArray | None, T: int) -> tuple[FloatArray, BoolArray]:
    """Reserve prices (R, T) [USD/MW-h] and directions (R,) of ``site`` (empty without reserves)."""
    if site.reserves is None:
        return np.zeros((0, T)), np.zeros(0, dtype=bool)
    if price is None:
        raise ValueError("reserve_price_usd_per_mw_h is required for a site with reserves")
    rho = np.asarray(price, dtype=np.float64).reshape(len(site.reserves.products), T)
    return rho, site.reserves.is_up


@dataclass(frozen=True)
class Schedule:
    """A solved dispatch: MW per use per interval and the objective.

    Attributes
    ----------
    fleet_mw
        Load of each fleet (K, T) [MW].
    gpu_mw
        GPU load (T,) [MW].
    reserve_mw
        Reserve offered per product (R, T) [MW].
    objective_usd
        Objective value at the decision prices, constant terms and peak charges included [USD].
    solver
        ``"merit"``, ``"lp"`` or ``"milp"``.
    solve_seconds
        Wall time of build + solve [s].
    """

    fleet_mw: FloatArray
    gpu_mw: FloatArray
    reserve_mw: FloatArray
    objective_usd: float
    solver: str
    solve_seconds: float

    def load_mw(self, aux_mw: float) -> FloatArray:
        """Site load per interval, aux included (T,) [MW]."""
        load: FloatArray = self.fleet_mw.sum(axis=0) + self.gpu_mw + aux_mw
        return load


def objective_usd(
    problem: DispatchProblem, fleet_mw: FloatArray, gpu_mw: FloatArray, reserve_mw: FloatArray
) -> float:
    """The objective of a schedule at the problem's decision prices [USD] (see module docstring)."""
    dt = problem.interval_hours
    pi = problem.price_usd_per_mwh
    energy = float(np.sum((problem.fleet_value_usd_per_mwh - pi) * fleet_mw)) * dt
    energy += float(np.sum((problem.ai_value_usd_per_mwh - pi) * gpu_mw)) * dt
    reserves = float(np.sum(problem.reserve_price_usd_per_mw_h * reserve_mw)) * dt if reserve_mw.size else 0.0
    peak = 0.0
    if problem.peak_group is not None and problem.peak_rate_usd_per_mw.size:
        load = fleet_mw.sum(axis=0) + gpu_mw + problem.aux_mw
        for c in range(problem.peak_rate_usd_per_mw.size):
            sel = problem.peak_group == c
            top = max(float(load[sel].max()) if sel.any() else 0.0, float(problem.peak_floor_mw[c]))
            peak += problem.peak_rate_usd_per_mw[c] * top
    return energy + reserves + problem.constant_usd() - peak
