"""Finance building blocks of a valuation a CFO can sign: terminal value, IRR/MIRR, deals, leases.

Known answers by hand (a Gordon terminal value, MIRR, a geometric de-escalation), round trips and
invariants of the lease process against its renewal-theory expectation.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wattshift.errors import ConfigError
from wattshift.valuation.deals import (
    average_rent_usd_per_kw_month,
    noi_yield_on_cost,
    starting_rent_usd_per_kw_month,
    term_average_rent_usd_per_kw_month,
)
from wattshift.valuation.leases import (
    LeaseTerms,
    simulate_leases,
    stabilised_noi_usd_per_year,
    stabilised_occupancy,
)
from wattshift.valuation.returns import irr_defined, mirr, sign_changes
from wattshift.valuation.terminal import terminal_value_usd


def test_gordon_terminal_value_by_hand() -> None:
    # NOI 1.2 M/yr growing 2 %, r = 10 %: TV = 1.2e6 * 1.02 / 0.08 = 15.3 M
    tv = terminal_value_usd(
        1.2e6, "gordon", discount_rate_annual=0.10, growth_annual=0.02, exit_cap_rate=0.07
    )
    assert tv == pytest.approx(15.3e6, rel=1e-12)
    exit_cap = terminal_value_usd(
        1.2e6, "exit_cap", discount_rate_annual=0.10, growth_annual=0.02, exit_cap_rate=0.06
    )
    assert exit_cap == pytest.approx(1.2e6 * 1.02 / 0.06, rel=1e-12)
    none = terminal_value_usd(1.2e6, "none", discount_rate_annual=0.1, growth_annual=0.5, exit_cap_rate=0)
    assert none == 0.0


@pytest.mark.parametrize(
    ("method", "rate", "growth", "cap", "field"),
    [
        ("gordon", 0.05, 0.05, 0.07, "growth_annual"),
        ("gordon", 0.04, 0.05, 0.07, "growth_annual"),
        ("exit_cap", 0.10, 0.03, 0.03, "exit_cap_rate"),
        ("exit_cap", 0.10, -0.01, 0.0, "exit_cap_rate"),
    ],
)
def test_cap_rate_not_above_growth_is_an_error(
    method: str, rate: float, growth: float, cap: float, field: str
) -> None:
    with pytest.raises(ConfigError, match=f"valuation.terminal.{field}"):
        terminal_value_usd(
            1.0,
            method,  # type: ignore[arg-type]
            discount_rate_annual=rate,
            growth_annual=growth,
            exit_cap_rate=cap,
        )


def test_sign_changes_skip_zeros() -> None:
    cash = np.array(
        [
            [-100.0, 0.0, 0.0, 60.0, 60.0],  # one change across zeros
            [-100.0, 50.0, -10.0, 80.0, 0.0],  # three
            [0.0, 0.0, 10.0, 10.0, 10.0],  # none
            [100.0, -50.0, -60.0, 0.0, 0.0],  # one (a loan)
        ]
    )
    assert sign_changes(cash).tolist() == [1, 3, 0, 1]
    assert irr_defined(cash).tolist() == [True, False, False, True]


def test_mirr_by_hand() -> None:
    # -1000 now, +600 and +700 at the end of years 1 and 2; finance 10 %, reinvest 12 %:
    # FV+ = 600 * 1.12 + 700 = 1372; PV- = 1000; MIRR = sqrt(1.372) - 1
    cash = np.array([[-1000.0, 600.0, 700.0]])
    assert mirr(cash, 0.10, 0.12)[0] == pytest.approx(math.sqrt(1.372) - 1.0, rel=1e-12)
    # a negative flow later is discounted at the finance rate: -1000, +1500, -200
    later = np.array([[-1000.0, 1500.0, -200.0]])
    expected = (1500.0 * 1.12 / (1000.0 + 200.0 / 1.1**2)) ** 0.5 - 1.0
    assert mirr(later, 0.10, 0.12)[0] == pytest.approx(expected, rel=1e-12)
    assert np.isnan(mirr(np.array([[10.0, 20.0]]), 0.1, 0.1)[0])


@settings(max_examples=60, deadline=None)
@given(
    st.floats(40.0, 250.0),
    st.floats(0.0, 0.06),
    st.integers(1, 20),
)
def test_deescalation_round_trip(average: float, escalator: float, years: int) -> None:
    start = starting_rent_usd_per_kw_month(average, escalator, years)
    assert average_rent_usd_per_kw_month(start, escalator, years) == pytest.approx(average, rel=1e-12)
    assert start <= average + 1e-9
    if escalator > 1e-6:
        # (1 + e)^n - 1 by expm1(n log1p(e)): without cancellation for tiny escalators
        closed_form = average * escalator * years / math.expm1(years * math.log1p(escalator))
        assert start == pytest.approx(closed_form, rel=1e-12)


def test_published_deal_starting_rent() -> None:
    # Cipher-Fluidstack: 3.0 B USD, 168 MW, 10 years -> 148.8 USD/kW-month on average
    average = term_average_rent_usd_per_kw_month(3.0e9, 168.0, 10.0)
    assert average == pytest.approx(148.81, abs=0.01)
    start = starting_rent_usd_per_kw_month(average, 0.03, 10.0)
    assert start == pytest.approx(average * 0.3 / (1.03**10 - 1.0), rel=1e-12)  # 129.8
    assert noi_yield_on_cost(100.0, 10.0, 7_200.0) == pytest.approx(0.15)


def _terms(**kw: float) -> LeaseTerms:
    base: dict[str, float] = {
        "term_months": 120,
        "escalator_annual": 0.0,
        "market_growth_annual": 0.0,
        "default_probability_annual": 0.0,
        "renewal_probability": 1.0,
        "downtime_months": 12,
        "reletting_cost_months_of_rent": 0.0,
    }
    base.update(kw)
    return LeaseTerms(**base)  # type: ignore[arg-type]


def test_level_lease_without_vacancy() -> None:
    leases = simulate_leases(_terms(), paths=3, months=300, start_month=12, rng=np.random.default_rng(1))
    assert not leases.occupied[:, :12].any() and leases.occupied[:, 12:].all()
    assert np.all(leases.rent_factor[:, 12:] == 1.0) and leases.events.sum() == 0
    assert stabilised_occupancy(_terms()) == 1.0
    assert stabilised_noi_usd_per_year(_terms(), 100_000.0, 10_000.0) == pytest.approx(1.08e6)


def test_certain_non_renewal_by_hand() -> None:
    # 10-year leases never renewed, 12 months vacant after each: occupancy 120 / 132
    terms = _terms(renewal_probability=0.0, reletting_cost_months_of_rent=6.0)
    leases = simulate_leases(terms, paths=2, months=300, start_month=0, rng=np.random.default_rng(0))
    row = leases.occupied[0]
    assert row[:120].all() and not row[120:132].any() and row[132:252].all() and not row[252:264].any()
    assert leases.events.tolist() == [2, 2]
    assert leases.reletting_factor[0, 132] == 6.0 and leases.reletting_factor[0].sum() == 12.0
    assert stabilised_occupancy(terms) == pytest.approx(120 / 132)
    # NOI = 12 (100k * 120/132 - 10k) - 12 * 1 * 6 * 100k / 132
    expected = 12 * (100_000 * 120 / 132 - 10_000) - 12 * 6 * 100_000 / 132
    assert stabilised_noi_usd_per_year(terms, 100_000.0, 10_000.0) == pytest.approx(expected)


def test_escalator_within_a_lease_and_market_reset() -> None:
    terms = _terms(term_months=24, escalator_annual=0.03, market_growth_annual=0.02, renewal_probability=1.0)
    leases = simulate_leases(terms, paths=1, months=60, start_month=0, rng=np.random.default_rng(0))
    rent = leases.rent_factor[0]
    assert rent[0] == 1.0 and rent[12] == pytest.approx(1.03) and rent[23] == pytest.approx(1.03)
    assert rent[24] == pytest.approx(1.02**2)  # renewed at the market rent of month 24
    assert rent[36] == pytest.approx(1.02**2 * 1.03)


def test_several_events_per_path_and_long_run_occupancy() -> None:
    terms = _terms(default_probability_annual=0.08, renewal_probability=0.6, term_months=60)
    leases = simulate_leases(terms, paths=4_000, months=600, start_month=0, rng=np.random.default_rng(3))
    assert leases.events.max() >= 3
    simulated = leases.occupied[:, 240:].mean()
    assert simulated == pytest.approx(stabilised_occupancy(terms), abs=0.01)
