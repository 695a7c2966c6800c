"""Terminal values on stabilised NOI (valuation.horizon), wired into the path values.

Known answers by hand (a level lease with and without vacancy, capitalised at an exit cap rate
and by Gordon growth), the NPV split into horizon cash and terminal value, and one clear error
naming the field when the cap rate does not exceed growth.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from test_valuation_model import _inputs
from wattshift.config.site import parse_site
from wattshift.errors import ConfigError
from wattshift.valuation.cashflows import draw_ai_events
from wattshift.valuation.dcf import discount_factors, monthly_rate
from wattshift.valuation.horizon import ai_stabilised_noi_usd, ai_terminal_usd, mining_terminal_usd
from wattshift.valuation.montecarlo import chunk_rng, draw_scenario, scenario_from_draws
from wattshift.valuation.pathvalue import business_flows, business_terminal_usd, value_block

#: A level lease: 100 USD/kW-month, no escalator or market growth, PUE 1, opex 20 USD/kW-month.
LEVEL: dict[str, Any] = {
    "ai.rate_usd_per_kw_month": 100.0,
    "ai.escalator_annual": 0.0,
    "ai.market_growth_annual": 0.0,
    "ai.pue": 1.0,
    "ai.opex_usd_per_mw_month": 20_000.0,
    "ai.default_probability_annual": 0.0,
    "ai.renewal_probability": 1.0,
    "ai.reletting_cost_months_of_rent": 0.0,
    "terminal.method": "exit_cap",
    "terminal.exit_cap_rate": 0.08,
    "terminal.growth_annual": 0.0,
}


def test_level_lease_without_vacancy_capitalises_its_noi_by_hand() -> None:
    inputs = _inputs(LEVEL, months=60)
    # NOI = 12 x (100 - 20) USD/kW-month x 1,000 kW = 960,000 USD/year; TV = 960k / 8 % = 12 M
    assert ai_stabilised_noi_usd(inputs.spec, inputs.months, 12) == pytest.approx(960_000.0, rel=1e-12)
    assert ai_terminal_usd(inputs, 12) == pytest.approx(12e6, rel=1e-12)
    gordon = _inputs({**LEVEL, "terminal.method": "gordon", "terminal.growth_annual": 0.02}, months=60)
    # Gordon: 960k x 1.02 / (12 % - 2 %) = 9.792 M
    assert ai_terminal_usd(gordon, 12) == pytest.approx(960_000 * 1.02 / 0.10, rel=1e-12)


def test_level_lease_with_vacancy_by_renewal_theory() -> None:
    # 10-year term, never renews, 12 months down: occupied 120 of every 132 months; each new lease
    # costs 6 months of rent to sign, once per 132-month cycle.
    terms = {
        **LEVEL,
        "ai.renewal_probability": 0.0,
        "ai.term_years": 10.0,
        "ai.re_lease_months": 12,
        "ai.reletting_cost_months_of_rent": 6.0,
    }
    inputs = _inputs(terms, months=60)
    noi = 12 * (100_000.0 * 120 / 132 - 20_000.0) - 12 * 6 * 100_000.0 / 132
    assert ai_stabilised_noi_usd(inputs.spec, inputs.months, 12) == pytest.approx(noi, rel=1e-12)
    assert ai_terminal_usd(inputs, 12) == pytest.approx(noi / 0.08, rel=1e-12)


def test_terminal_value_is_not_one_vacant_year_and_splits_the_npv() -> None:
    # Non-renewal at the end of a 3-year term: the last year of a 4-year horizon is vacant on
    # every path, yet the AI terminal value is the stabilised one, the same on every path.
    terms = {**LEVEL, "ai.renewal_probability": 0.0, "ai.term_years": 3.0, "ai.build_months": 0}
    inputs = _inputs(terms, months=48)
    rng = chunk_rng(3, 0)
    draws = draw_scenario(inputs, 64, rng)
    ai_draws = draw_ai_events(inputs.spec.ai, 64, rng, 48)
    scenario = scenario_from_draws(inputs, draws)
    flows = business_flows(inputs, scenario, ai_draws)
    assert np.all(flows.ai.ebitda_usd[:, -12:] < 0)  # the vacant year: opex only
    tv = business_terminal_usd(inputs, flows)
    assert tv["ai"] == pytest.approx(np.full(64, ai_terminal_usd(inputs, 0)))
    assert tv["ai"][0] > 0
    disc = discount_factors(monthly_rate(inputs.spec.dcf.discount_rate_annual), 48)
    values = value_block(inputs, scenario, ai_draws, disc, with_irr=False, start_years=0)
    for b in ("mining", "ai", "hybrid"):
        gap = values.npv_usd[b] - values.npv_ex_terminal_usd[b]
        assert gap == pytest.approx(tv[b] * disc[-1], rel=1e-9, abs=1e-6)


def test_mining_terminal_value_is_floored_at_zero_and_net_of_sustaining_capex() -> None:
    inputs = _inputs({"terminal.mining_exit_cap_rate": 0.125}, months=48)
    ebitda = np.zeros((2, 48))
    ebitda[0, -12:] = 1e5  # 1.2 M USD/year of EBITDA
    ebitda[1, -12:] = -1e5
    tv = mining_terminal_usd(inputs, ebitda)
    assert tv[1] == 0.0
    assert 0.0 < tv[0] < 1.2e6 / 0.125  # less than EBITDA / cap: sustaining capex comes off


@pytest.mark.parametrize(
    ("terminal", "field"),
    [
        (
            {"method": "exit_cap", "exit_cap_rate": 0.02, "growth_annual": 0.02},
            "valuation.terminal.exit_cap_rate",
        ),
        ({"method": "gordon", "growth_annual": 0.12}, "valuation.terminal.growth_annual"),
        ({"method": "exit_cap", "mining_exit_cap_rate": 0.0}, "valuation.terminal.mining_exit_cap_rate"),
    ],
)
def test_cap_rate_not_above_growth_is_one_error_naming_the_field(
    terminal: dict[str, Any], field: str
) -> None:
    site = {"name": "x", "interconnect_mw": 10.0, "valuation": {"terminal": terminal}}
    with pytest.raises(ConfigError, match=field.replace(".", r"\.")) as info:
        parse_site(site, source="site.toml")
    assert str(info.value).startswith("site.toml: ") and str(info.value).count(";") == 0
