"""Published deal terms: the deals example loads, its arithmetic holds, and the AI defaults sit on it."""

from __future__ import annotations

from pathlib import Path

import pytest

from wattshift.config.deals import load_deals as load_deals_file
from wattshift.config.site import parse_site
from wattshift.config.valuation import AiTerms, ValuationConfig
from wattshift.errors import ConfigError
from wattshift.services.deals import resolve_ai_terms, value_deals
from wattshift.services.sites import examples_dir, load_deals
from wattshift.services.valuation_inputs import resolve_config
from wattshift.valuation.deals import average_rent_usd_per_kw_month


def test_deals_example_loads_with_its_arithmetic() -> None:
    deals = load_deals()
    names = [d.name for d in deals.deal]
    assert names == [
        "Core Scientific - CoreWeave",
        "Cipher - AWS",
        "Hut 8 - Fluidstack",
        "Cipher - Fluidstack",
        "Riot - AMD",
    ]
    # Hut 8 - Fluidstack: 7.0e9 USD / (245 MW x 1000 kW/MW) / (15 y x 12) = 158.73 USD/kW-month.
    hut8 = deals.deal[2]
    assert hut8.rate_usd_per_kw_month == pytest.approx(7.0e9 / 245_000 / 180)
    assert hut8.rate_usd_per_kw_month == pytest.approx(158.73, abs=0.005)
    for deal in deals.deal:
        assert abs(deal.rate_usd_per_kw_month - deal.implied_usd_per_kw_month) <= 0.05, deal.name


def test_ai_defaults_are_the_median_of_the_deals_not_a_retail_rate() -> None:
    deals = load_deals("deals")
    ai = resolve_config(ValuationConfig(ai=AiTerms())).ai
    assert ai.term_years == 12.0  # median of 12, 15, 15, 10, 10
    assert ai.capex_usd_m_per_mw == 9.5
    assert ai.pue is not None and ai.pue <= deals.benchmarks.new_build_pue_max
    # Core Scientific's 120.8 USD/kW-month average de-escalated at 2.5 % over 12 years:
    # 120.8 x 0.025 x 12 / (1.025^12 - 1) = 105.1, the middle of the five starting rents
    assert ai.rate_usd_per_kw_month == pytest.approx(8.7e9 / 500_000 / 144 * 0.3 / (1.025**12 - 1))
    assert ai.rate_usd_per_kw_month != deals.benchmarks.colocation_asking_usd_per_kw_month


def test_wrong_implied_rate_names_the_deal(tmp_path: Path) -> None:
    text = (examples_dir() / "deals.toml").read_text(encoding="utf-8")
    bad = tmp_path / "deals.toml"
    bad.write_text(
        text.replace("implied_usd_per_kw_month = 101.9", "implied_usd_per_kw_month = 110.9"), "utf-8"
    )
    with pytest.raises(ConfigError) as info:
        load_deals_file(bad)
    assert str(info.value) == (
        f"{bad}: deal[1].implied_usd_per_kw_month: 110.9 but contract_value_usd / (mw x 1000) / "
        "(term_years x 12) = 101.85"
    )


def test_deals_nan_and_missing_file(tmp_path: Path) -> None:
    text = (examples_dir() / "deals.toml").read_text(encoding="utf-8")
    bad = tmp_path / "deals.toml"
    bad.write_text(text.replace("mw = 300.0", "mw = nan"), "utf-8")
    with pytest.raises(ConfigError, match=r"deal\[1\]\.mw: must be a finite number"):
        load_deals_file(bad)
    with pytest.raises(ConfigError, match="deals file not found"):
        load_deals_file(tmp_path / "none.toml")


def test_a_deal_sets_its_terms_together_with_the_de_escalated_rent() -> None:
    ai = resolve_config(ValuationConfig(ai=AiTerms(deal="Riot - AMD"))).ai
    assert (ai.capex_usd_m_per_mw, ai.term_years, ai.pue) == (3.6, 10.0, 1.3)
    assert ai.rate_usd_per_kw_month is not None and ai.escalator_annual is not None
    # escalating the starting rent over the term gives back the contract's average, 3.11e8 / 25 MW / 120
    average = average_rent_usd_per_kw_month(ai.rate_usd_per_kw_month, ai.escalator_annual, 10.0)
    assert average == pytest.approx(3.11e8 / 25_000 / 120, rel=1e-12)
    assert ai.rate_usd_per_kw_month < average


def test_deal_errors_name_the_field() -> None:
    deals = load_deals()
    with pytest.raises(
        ConfigError, match=r"valuation\.ai\.deal: unknown deal 'Riot AMD'; close matches: Riot - AMD"
    ):
        resolve_ai_terms(ValuationConfig(ai=AiTerms(deal="Riot AMD")), deals)
    with pytest.raises(
        ConfigError, match=r"valuation\.ai\.term_years: 12.0 conflicts with deal 'Riot - AMD'"
    ):
        resolve_ai_terms(ValuationConfig(ai=AiTerms(deal="Riot - AMD", term_years=12.0)), deals)
    for bad, field in (
        ({"rate_usd_per_kw_month": -5.0}, "rate_usd_per_kw_month"),
        ({"term_years": 0}, "term_years"),
    ):
        site = {"name": "x", "interconnect_mw": 10.0, "valuation": {"ai": bad}}
        with pytest.raises(ConfigError, match=rf"site\.toml: valuation\.ai\.{field}: "):
            parse_site(site, source="site.toml")


def test_deal_table_by_hand() -> None:
    table = value_deals(load_deals(), ValuationConfig(), paths=200, seed=1)
    riot = table.deals[-1]
    assert riot.name == "Riot - AMD" and riot.mw == 25.0
    # (starting rent - 25 USD/kW-month opex) x 12 / 3,600 USD/kW
    assert riot.noi_yield_on_cost == pytest.approx(12 * (riot.starting_usd_per_kw_month - 25.0) / 3600.0)
    assert riot.irr_p50 is not None and riot.irr_p50 > table.discount_rate and riot.npv_usd_per_mw > 0
    # a richer rent on the same capex and term is worth more
    cipher_fluidstack = table.deals[3]
    assert cipher_fluidstack.npv_usd_per_mw > table.deals[1].npv_usd_per_mw


def test_example_grid_sweeps_whole_deals() -> None:
    from wattshift.config.valuation import apply_overrides, load_grid
    from wattshift.services.sites import load_site, resolve_file

    grid = load_grid(resolve_file("portfolio", "grid"))
    for path in grid.sites:
        site = load_site(path)
        for deal in grid.parameters["ai.deal"]:
            cfg = resolve_config(apply_overrides(site.valuation or ValuationConfig(), {"ai.deal": deal}))
            assert cfg.ai.deal == deal and cfg.ai.rate_usd_per_kw_month is not None
