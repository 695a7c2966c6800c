"""Leases computed lease by lease equal the month-by-month process; kept leases as their stream."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wattshift.valuation.leases import (
    LeaseStarts,
    LeaseTerms,
    expand_leases,
    lease_starts_of,
    lease_stream,
    simulate_leases,
)
from wattshift.valuation.returns import irr_defined, is_investment

TERMS = st.builds(
    LeaseTerms,
    term_months=st.integers(1, 40),
    escalator_annual=st.floats(0.0, 0.1),
    market_growth_annual=st.floats(-0.05, 0.1),
    default_probability_annual=st.sampled_from([0.0, 0.05, 0.4, 0.95]),
    renewal_probability=st.sampled_from([0.0, 0.3, 0.7, 1.0]),
    downtime_months=st.integers(0, 9),
    reletting_cost_months_of_rent=st.floats(0.0, 12.0),
)


def month_by_month(terms: LeaseTerms, uniforms: npt.NDArray[np.float64], start_month: int) -> LeaseStarts:
    """The lease process of the module docstring, one path and one month at a time (the reference)."""
    hazard = terms.monthly_hazard
    paths, months = uniforms.shape
    out = np.full((paths, months), -1, dtype=np.int16)
    events = np.zeros(paths, dtype=np.int64)
    for p in range(paths):
        tenanted, current, age, vacant_left = False, 0, 0, 0
        for m in range(start_month, months):
            if m == start_month or (not tenanted and vacant_left == 0):
                tenanted, current, age = True, m, 0
            if not tenanted:
                vacant_left -= 1
                continue
            out[p, m] = current
            u = uniforms[p, m]
            age += 1
            if u < hazard:  # default at the end of month m
                tenanted, vacant_left, events[p] = False, terms.downtime_months, events[p] + 1
            elif age >= terms.term_months:
                if u >= 1.0 - terms.renewal_probability * (1.0 - hazard):
                    current, age = m + 1, 0  # renewed: a new lease from next month
                else:
                    tenanted, vacant_left, events[p] = False, terms.downtime_months, events[p] + 1
    return LeaseStarts(out, events)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    terms=TERMS,
    months=st.integers(1, 80),
    start_month=st.integers(0, 85),
    paths=st.integers(1, 12),
    seed=st.integers(0, 2**32 - 1),
)
def test_lease_by_lease_equals_month_by_month(
    terms: LeaseTerms, months: int, start_month: int, paths: int, seed: int
) -> None:
    uniforms = np.random.default_rng(seed).random((paths, months))
    fast = lease_starts_of(terms, uniforms, start_month)
    slow = month_by_month(terms, uniforms, start_month)
    assert fast.lease_start.dtype == np.int16
    assert np.array_equal(fast.lease_start, slow.lease_start)
    assert np.array_equal(fast.events, slow.events)


def test_a_hand_worked_path() -> None:
    # term 3, no renewal, 2 months down; a default in month 5 (u < h), none elsewhere.
    terms = LeaseTerms(3, 0.0, 0.0, 0.5, 0.0, 2, 1.0)
    u = np.full((1, 14), 0.99)
    u[0, 5] = 0.0
    got = lease_starts_of(terms, u, 1)
    # month 0 vacant (before the start); lease 1-3 ends without renewal; 4-5 vacant (month 5's
    # uniform is not used: nobody can default); lease 6-8, vacant 9-10, lease 11-13.
    assert got.lease_start.tolist() == [[-1, 1, 1, 1, -1, -1, 6, 6, 6, -1, -1, 11, 11, 11]]
    assert got.events.tolist() == [3]  # the lease ending in month 13 is the third non-renewal


def test_a_default_and_a_renewal() -> None:
    terms = LeaseTerms(4, 0.0, 0.0, 0.5, 1.0, 1, 1.0)  # always renews at term end
    u = np.full((1, 12), 0.99)
    u[0, 2] = 0.0  # default at the end of month 2
    got = lease_starts_of(terms, u, 0)
    # lease 0-2 defaults; month 3 vacant; lease 4-7 renews; lease 8-11 renews at the horizon
    assert got.lease_start.tolist() == [[0, 0, 0, -1, 4, 4, 4, 4, 8, 8, 8, 8]]
    assert got.events.tolist() == [1]


def test_a_stream_regenerates_the_rows_a_chunk_drew() -> None:
    terms = LeaseTerms(30, 0.03, 0.02, 0.2, 0.6, 4, 3.0)
    rng = np.random.default_rng(11)
    rng.standard_normal(1001)  # whatever came before in the chunk's stream
    stream = lease_stream(terms, 300, 48, rng)
    drawn = simulate_leases(terms, 300, 48, 0, rng)  # what a chunk would draw there
    for start, stop in ((0, 64), (64, 65), (100, 300)):
        rows = stream.rows(start, stop)
        assert np.array_equal(rows.lease_start, drawn.lease_start[start:stop])
        again = rows.expand(terms)
        assert np.array_equal(again.rent_factor, drawn.rent_factor[start:stop])
        assert np.array_equal(again.reletting_factor, drawn.reletting_factor[start:stop])
        assert np.array_equal(again.events, drawn.events[start:stop])
    nested = stream.rows(100, 300).rows(10, 20)
    assert np.array_equal(nested.lease_start, drawn.lease_start[110:120])


def test_expanded_factors_by_hand() -> None:
    terms = LeaseTerms(24, 0.10, 0.12, 0.0, 1.0, 0, 2.0)
    ls = np.array([[-1, 1, 1, -1] + [4] * 13 + [17] * 2], dtype=np.int16)
    got = expand_leases(terms, LeaseStarts(ls, np.zeros(1, dtype=np.int64)), 1)
    g = 1.12 ** (1 / 12)
    assert got.rent_factor[0, 0] == 0.0 and got.rent_factor[0, 3] == 0.0
    assert np.isclose(got.rent_factor[0, 2], 1.0)  # the first lease at the start month's market
    assert np.isclose(got.rent_factor[0, 15], g**3)  # the lease signed in month 4, its first year
    assert np.isclose(got.rent_factor[0, 16], g**3 * 1.10)  # a year into it: one escalator step
    assert np.isclose(got.rent_factor[0, 17], g**16)  # a renewal resets to market, no re-letting
    assert got.reletting_factor[0].nonzero()[0].tolist() == [4]  # signed after a vacancy
    assert np.isclose(got.reletting_factor[0, 4], 2.0 * g**3)


@given(st.lists(st.sampled_from([-2.0, -1.0, 0.0, 1.0, 3.0]), min_size=1, max_size=12))
def test_investment_test_is_the_sign_rule(flows: list[float]) -> None:
    cash = np.array([flows])
    nonzero = [f for f in flows if f != 0]
    expected = bool(irr_defined(cash)[0]) and bool(nonzero) and nonzero[0] < 0
    assert bool(is_investment(cash)[0]) == expected
