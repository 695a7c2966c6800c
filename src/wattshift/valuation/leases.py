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

import numpy as np
import numpy.typing as npt

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
    m = np.arange(months)
    since = np.where(occupied, ls, start_month).astype(np.int64)
    market = growth_m ** (np.arange(months, dtype=np.float64) - start_month)
    rent = market[np.clip(since, 0, months - 1)] * (1.0 + terms.escalator_annual) ** (
        (m[None, :] - since) // MONTHS_PER_YEAR
    )
    rent = np.where(occupied, rent, 0.0)
    was_occupied = np.zeros_like(occupied)
    was_occupied[:, 1:] = occupied[:, :-1]
    signing = occupied & (ls == m[None, :]) & ~was_occupied & (m[None, :] > start_month)
    relet = np.where(signing, terms.reletting_cost_months_of_rent * market[None, :], 0.0)
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
    hazard = terms.monthly_hazard
    uniforms = rng.random((paths, months))
    lease_start = np.full((paths, months), -1, dtype=np.int16)
    current = np.zeros(paths, dtype=np.int16)  # start month of the lease in force
    events = np.zeros(paths, dtype=np.int64)
    age = np.zeros(paths, dtype=np.int64)  # months into the current lease (occupied paths)
    vacant_left = np.zeros(paths, dtype=np.int64)  # downtime months still to run
    tenanted = np.zeros(paths, dtype=bool)
    for m in range(start_month, months):
        if m == start_month:
            tenanted[:], current[:] = True, m
        # vacant halls whose downtime is over sign a new tenant (at market, after re-letting costs)
        signing = ~tenanted & (vacant_left == 0)
        if m > start_month and signing.any():
            tenanted[signing], age[signing], current[signing] = True, 0, m
        vacant_left[~tenanted] -= 1
        lease_start[:, m] = np.where(tenanted, current, -1)
        # end of this month: default, or term end with renewal or not
        default = tenanted & (uniforms[:, m] < hazard)
        age[tenanted] += 1
        term_end = tenanted & ~default & (age >= terms.term_months)
        # the same uniform decides both: given no default (u >= h), u >= 1 - p_r (1 - h) has
        # probability p_r, so the renewal draw is independent of the default draw
        renew = term_end & (uniforms[:, m] >= 1.0 - terms.renewal_probability * (1.0 - hazard))
        age[renew], current[renew] = 0, m + 1  # a renewal: a new lease at market from next month
        leaving = default | (term_end & ~renew)
        events += leaving
        tenanted[leaving] = False
        vacant_left[leaving] = terms.downtime_months
    return expand_leases(terms, LeaseStarts(lease_start, events), start_month)


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
