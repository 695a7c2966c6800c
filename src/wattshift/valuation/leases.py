"""Leases with defaults, non-renewals, downtime and re-letting, month by month over paths.

A lease runs ``term`` months at a rent that steps up yearly by the escalator. Each occupied month
the tenant defaults with the monthly hazard ``h = 1 - (1 - p_d)^(1/12)`` (``p_d`` the annual
default probability); at term end it renews with probability ``p_r``. A default or a non-renewal
leaves the hall vacant for ``downtime`` months (opex still paid), then a new tenant signs at the
*market* rent of that month (the starting rent grown at the market growth rate), after a
re-letting cost (tenant improvements, commissions) paid in the month the new lease starts. Any
number of events can happen on a path. A renewal restarts the term at the market rent, with no
downtime and no re-letting cost.

The stabilised (long-run expected) occupancy of this renewal process [1]_ is
``E[occupied per cycle] / (E[occupied per cycle] + P(event) * downtime)`` with
``E[occupied per cycle] = sum_{m < term} (1 - h)^m`` months and
``P(event) = 1 - (1 - h)^term (p_r)``: the probability that a lease ends in a default or a
non-renewal. Re-letting cost per year is ``12 P(event) C / (cycle months)``.

References
----------
.. [1] S. M. Ross, *Introduction to Probability Models*, 12th ed., ch. 7 (renewal-reward theorem:
   the long-run share of time in a state is its expected time per cycle over the expected cycle).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    from numpy.random._pcg64 import _PCG64State as PCG64State  # the stubs' type of PCG64.state

from wattshift.units import MONTHS_PER_YEAR

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class LeaseTerms:
    """One MW's lease terms (plain scalars; the service builds this from the configuration).

    Attributes
    ----------
    term_months
        Lease term [months], > 0.
    escalator_annual
        Yearly rent step within a lease [1/year].
    market_growth_annual
        Growth of the market rent a new or renewing tenant signs at [1/year].
    default_probability_annual
        Probability of a tenant default within a year [fraction].
    renewal_probability
        Probability of renewal at term end [fraction].
    downtime_months
        Vacant months after a default or non-renewal [months].
    reletting_cost_months_of_rent
        Re-letting cost (tenant improvements and commissions) in months of the new rent [months].
    """

    term_months: int
    escalator_annual: float
    market_growth_annual: float
    default_probability_annual: float
    renewal_probability: float
    downtime_months: int
    reletting_cost_months_of_rent: float

    def __post_init__(self) -> None:
        if self.term_months <= 0:
            raise ValueError("term_months must be > 0")
        if not 0.0 <= self.default_probability_annual < 1.0:
            raise ValueError("default_probability_annual must be in [0, 1)")
        if not 0.0 <= self.renewal_probability <= 1.0:
            raise ValueError("renewal_probability must be in [0, 1]")
        if self.downtime_months < 0 or self.reletting_cost_months_of_rent < 0:
            raise ValueError("downtime_months and reletting_cost_months_of_rent must be >= 0")

    @property
    def monthly_hazard(self) -> float:
        """``1 - (1 - p_d)^(1/12)`` [1/month]."""
        return float(1.0 - (1.0 - self.default_probability_annual) ** (1.0 / MONTHS_PER_YEAR))


@dataclass(frozen=True)
class LeasePaths:
    """Simulated lease states, shape ``(paths, months)`` each.

    Attributes
    ----------
    occupied
        True where a tenant pays rent.
    rent_factor
        Rent in the month relative to the starting rent (escalator within a lease, market reset at
        a new lease or renewal); 0 where vacant [unitless].
    reletting_factor
        Re-letting cost in the month, in starting-rent months [unitless].
    events
        Defaults and non-renewals per path [count], shape ``(paths,)``.
    lease_start
        Month the lease in force started (a renewal starts a new one), -1 where vacant
        [month index], ``int16``.
    """

    occupied: BoolArray
    rent_factor: FloatArray
    reletting_factor: FloatArray
    events: npt.NDArray[np.int64]
    lease_start: npt.NDArray[np.int16]

    def compact(self) -> LeaseStarts:
        """The 2-byte form kept for the strategies (:meth:`LeaseStarts.expand` gives this back)."""
        return LeaseStarts(self.lease_start, self.events)


@dataclass(frozen=True)
class LeaseStarts:
    """Simulated leases as the month each lease in force started (-1 where vacant), ``(paths, months)``
    ``int16``, and the events per path: everything else follows (:func:`expand_leases`)."""

    lease_start: npt.NDArray[np.int16]
    events: npt.NDArray[np.int64]

    def rows(self, start: int, stop: int) -> LeaseStarts:
        """Paths ``start .. stop - 1`` (views, no copy)."""
        return LeaseStarts(self.lease_start[start:stop], self.events[start:stop])

    def expand(self, terms: LeaseTerms, start_month: int = 0) -> LeasePaths:
        """The full :class:`LeasePaths` (:func:`expand_leases`)."""
        return expand_leases(terms, self, start_month)


@dataclass(frozen=True)
class LeaseStream:
    """Simulated leases kept as where their uniforms come from, not as arrays: the state of the
    chunk's random stream before its lease draws, and the rows ``first_row ..`` of it.

    A double of NumPy's ``Generator.random`` takes one 64-bit output of the PCG64 stream, so row
    ``r`` of the chunk's ``(paths, months)`` uniforms starts ``r x months`` outputs into the stream
    (``PCG64.advance``); :func:`lease_starts_of` values each row on its own. Regenerating a block's
    leases therefore gives the bits the chunk drew, for 200 bytes instead of ``2 x paths x months``.
    """

    terms: LeaseTerms
    state: PCG64State
    months: int
    first_row: int
    paths: int

    def rows(self, start: int, stop: int) -> LeaseStream:
        """Paths ``start .. stop - 1`` of these."""
        return LeaseStream(self.terms, self.state, self.months, self.first_row + start, stop - start)

    def uniforms(self) -> FloatArray:
        """The rows' uniforms, ``(paths, months)``: those the chunk's generator drew."""
        bits = np.random.PCG64()
        bits.state = self.state
        bits.advance(self.first_row * self.months)
        return np.random.Generator(bits).random((self.paths, self.months))

    def starts(self) -> LeaseStarts:
        """The rows' leases from month 0 (:func:`lease_starts_of`)."""
        return lease_starts_of(self.terms, self.uniforms())

    @property
    def lease_start(self) -> npt.NDArray[np.int16]:
        """:attr:`LeaseStarts.lease_start` of the rows."""
        return self.starts().lease_start

    def expand(self, terms: LeaseTerms, start_month: int = 0) -> LeasePaths:
        """The full :class:`LeasePaths` (:func:`expand_leases`; ``terms`` are those of the stream)."""
        return expand_leases(terms, self.starts(), start_month)


def lease_stream(terms: LeaseTerms, paths: int, months: int, rng: np.random.Generator) -> LeaseStream:
    """The leases :func:`simulate_leases` would draw from ``rng`` from month 0, as a :class:`LeaseStream`
    (``rng`` is left where it is: nothing is drawn)."""
    if not isinstance(rng.bit_generator, np.random.PCG64):
        raise TypeError(f"lease streams need a PCG64 generator, not {type(rng.bit_generator).__name__}")
    return LeaseStream(terms, rng.bit_generator.state, months, 0, paths)


def expand_leases(terms: LeaseTerms, starts: LeaseStarts, start_month: int = 0) -> LeasePaths:
    """Occupancy, rent and re-letting factors from the lease start months (module docstring).

    In month ``m`` of a lease that started in ``s``: rent factor ``g^(s - start) (1 + e)^((m - s) // 12)``
    (``g`` the monthly market growth); re-letting factor ``C g^(m - start)`` in the first month of a
    lease signed after a vacancy (not the first lease, not a renewal).
    """
    ls = starts.lease_start
    occupied = ls >= 0
    months = ls.shape[1]
    growth_m = (1.0 + terms.market_growth_annual) ** (1.0 / MONTHS_PER_YEAR)
    m = np.arange(months, dtype=np.int16)
    market = growth_m ** (np.arange(months, dtype=np.float64) - start_month)
    # Gathers from tables of the same powers: the market rent of the lease start (0 where vacant,
    # ``ls = -1``) times the escalation of the whole years since it started.
    market_or_vacant = np.concatenate(([0.0], market))
    escalation = (1.0 + terms.escalator_annual) ** np.arange(months // MONTHS_PER_YEAR + 1, dtype=np.float64)
    rent = np.take(market_or_vacant, ls + np.int16(1))  # np.take: a gather, twice as fast as [ ]
    rent *= np.take(escalation, (m - ls) // np.int16(MONTHS_PER_YEAR))
    # a lease signed after a vacancy (not the first, not a renewal) pays re-letting in its first month
    signing = ls == m
    signing[:, 1:] &= ~occupied[:, :-1]
    signing[:, : start_month + 1] = False
    relet = np.where(signing, terms.reletting_cost_months_of_rent * market, 0.0)
    return LeasePaths(occupied, rent, relet, starts.events, ls)


def simulate_leases(
    terms: LeaseTerms, paths: int, months: int, start_month: int, rng: np.random.Generator
) -> LeasePaths:
    """Month-by-month lease process from ``start_month`` (first rent month) to the horizon.

    Parameters
    ----------
    terms
        The lease terms.
    paths, months
        Output shape: paths and months of the horizon.
    start_month
        First month with a tenant (after the build) [month index]; earlier months are vacant.
    rng
        Random generator (one uniform per path and month is drawn, whatever happens).
    """
    uniforms = rng.random((paths, months))
    return expand_leases(terms, lease_starts_of(terms, uniforms, start_month), start_month)


def lease_starts_of(terms: LeaseTerms, uniforms: FloatArray, start_month: int = 0) -> LeaseStarts:
    """The lease process of :func:`simulate_leases` on given uniforms ``(paths, months)``, lease by lease.

    Month ``m`` of a lease ends it in a default when ``u_m < h``; the last month of the term,
    without a default, renews it when ``u_m >= 1 - p_r (1 - h)`` (the same uniform decides both:
    given ``u >= h`` this has probability ``p_r``, independent of the default draw). A lease that
    starts in ``c`` and ends in a default in ``d`` is followed by ``downtime`` vacant months and a
    new lease from ``d + 1 + downtime``; a renewal starts a new lease in ``c + term``, a non-renewal
    in ``c + term + downtime``. Every path is on its own row: the rows of a block are those of the
    same rows in a larger block (bit for bit), and each step is one array operation over the paths
    (the first default of every path's lease by a binary search in the list of default months),
    so the cost grows with the number of leases in a path, not with its months.
    """
    paths, months = uniforms.shape
    hazard = terms.monthly_hazard
    width = months + 1  # a key ``row x width + month`` per path-month; defaults are rare: listed
    default_flat = np.flatnonzero(uniforms < hazard)
    default_keys = np.append(default_flat // months * width + default_flat % months, paths * width)
    # marks (path, month, lease start or -1 for a vacancy), first the vacancy before any lease
    marks = [(np.arange(paths), np.zeros(paths, dtype=np.int64), np.full(paths, -1, dtype=np.int64))]
    current = np.full(paths, start_month, dtype=np.int64)  # start month of the lease in force
    events = np.zeros(paths, dtype=np.int64)
    rows = np.flatnonzero(current < months)
    while rows.size:
        start = current[rows]
        marks.append((rows, start, start))
        end = start + terms.term_months  # first month after the term
        base = rows * width
        first_default = default_keys[np.searchsorted(default_keys, base + start)] - base  # > months: none
        defaulted = first_default < np.minimum(end, months)
        last = np.minimum(end, months) - 1
        renewed = ~defaulted & (end <= months)
        renewed &= uniforms[rows, last] >= 1.0 - terms.renewal_probability * (1.0 - hazard)
        left_at = np.where(defaulted, first_default + 1, end)  # first month after a default or the term
        leaving = defaulted | ((end <= months) & ~renewed)
        events[rows] += leaving
        vacant = leaving & (left_at < months)
        marks.append((rows[vacant], left_at[vacant], np.full(int(vacant.sum()), -1, dtype=np.int64)))
        current[rows] = np.where(leaving, left_at + terms.downtime_months, np.where(renewed, end, months))
        rows = rows[current[rows] < months]
    return LeaseStarts(_fill_marks(marks, paths, months), events)


def _fill_marks(
    marks: list[tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64]]],
    paths: int,
    months: int,
) -> npt.NDArray[np.int16]:
    """``(paths, months)`` ``int16``: in each month, the value of the path's last mark at or before it.

    ``marks``: ``(path, month, value)`` arrays in the order they were made; every path has a mark in
    month 0, and of two marks in the same month the later one counts (a lease signed in the month a
    vacancy of zero months starts).
    """
    path = np.concatenate([m[0] for m in marks])
    month = np.concatenate([m[1] for m in marks])
    value = np.concatenate([m[2] for m in marks])
    order = np.lexsort((np.arange(path.size), month, path))  # by path, month, then order made
    flat = path[order] * months + month[order]
    lengths = np.diff(flat, append=paths * months)  # 0 for a mark replaced in its month
    return np.repeat(value[order].astype(np.int16), lengths).reshape(paths, months)


def stabilised_occupancy(terms: LeaseTerms) -> float:
    """Long-run expected occupied share of months of the lease process [fraction] ([1]_)."""
    survive = 1.0 - terms.monthly_hazard
    occupied_months = float(np.sum(survive ** np.arange(terms.term_months)))
    p_event = event_probability(terms)
    return occupied_months / (occupied_months + p_event * terms.downtime_months)


def event_probability(terms: LeaseTerms) -> float:
    """Probability that a lease ends in a default or a non-renewal [fraction]."""
    survive_term = (1.0 - terms.monthly_hazard) ** terms.term_months
    return float(1.0 - survive_term * terms.renewal_probability)


def stabilised_noi_usd_per_year(
    terms: LeaseTerms, rent_usd_per_month: float, opex_usd_per_month: float
) -> float:
    """Long-run expected NOI of one MW [USD/year] ([1]_).

    ``12 (rent * occupancy - opex) - re-letting per year``, with re-letting per year
    ``12 P(event) C rent / (cycle months)``. ``rent_usd_per_month`` is the market rent of the year
    being stabilised (escalation within leases averages out against market resets and is ignored).
    """
    survive = 1.0 - terms.monthly_hazard
    occupied_months = float(np.sum(survive ** np.arange(terms.term_months)))
    p_event = event_probability(terms)
    cycle_months = occupied_months + p_event * terms.downtime_months
    occupancy = occupied_months / cycle_months
    relet_per_year = (
        MONTHS_PER_YEAR * p_event * terms.reletting_cost_months_of_rent * rent_usd_per_month / cycle_months
    )
    return MONTHS_PER_YEAR * (rent_usd_per_month * occupancy - opex_usd_per_month) - relet_per_year
