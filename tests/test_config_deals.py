"""Published deal terms: the deals example loads, its arithmetic holds, and the AI defaults sit on it."""

from __future__ import annotations

from pathlib import Path

import pytest

from wattshift.config.deals import load_deals as load_deals_file
from wattshift.config.valuation import AiTerms
from wattshift.errors import ConfigError
from wattshift.services.sites import examples_dir, load_deals


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


def test_ai_defaults_sit_on_the_published_figures() -> None:
    deals = load_deals("deals")
    ai = AiTerms()
    terms = [d.term_years for d in deals.deal]
    low, high = deals.benchmarks.ai_grade_build_usd_m_per_mw
    assert min(terms) <= ai.term_years <= max(terms)
    assert low <= ai.capex_usd_m_per_mw <= high
    assert ai.rate_usd_per_kw_month == deals.benchmarks.colocation_asking_usd_per_kw_month
    assert ai.pue <= deals.benchmarks.new_build_pue_max


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
