"""Value of flexibility from the dispatch backtest fed into the valuation (real ERCOT and BTC data)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import pytest

from wattshift.config import SiteConfig, load_site
from wattshift.errors import ConfigError
from wattshift.jsonable import to_jsonable
from wattshift.services.dispatch import result_dict, run_dispatch
from wattshift.services.sites import examples_dir
from wattshift.services.valuation import ValuationRequest, value_site
from wattshift.services.valuation_inputs import FlexSpan, flex_usd_per_mw_month_from_dispatch

if TYPE_CHECKING:
    from wattshift.warehouse import Warehouse

EXAMPLES = examples_dir()
START, END = dt.date(2024, 8, 1), dt.date(2024, 8, 8)
SMALL: dict[str, Any] = {"paths": 64, "years": 3, "seed": 11}

#: Keys of ``calibration`` before flexibility could come from a backtest (the default output).
DEFAULT_CALIBRATION_KEYS = {
    "valuation_date",
    "window",
    "price0_usd",
    "price_drift_annual",
    "drift",
    "drift_window",
    "price_vol_annual",
    "price_model",
    "hashrate0_ehs",
    "hashrate_growth_hist_annual",
    "hashrate_vol_annual",
    "fee_share",
    "block_height0",
    "efficiency_j_per_th",
    "fleet_age_years",
    "fleet_age_source",
    "power_usd_per_mwh",
    "power_source",
}


@pytest.fixture(scope="module")
def site() -> SiteConfig:
    return load_site(EXAMPLES / "sites" / "west_texas_hybrid.toml")


def test_flex_figure_is_value_of_flexibility_per_mining_mw_month(
    warehouse: Warehouse, site: SiteConfig
) -> None:
    flex, source = flex_usd_per_mw_month_from_dispatch(warehouse, site, FlexSpan(START, END))
    src = to_jsonable(source)  # the JSON object of calibration.flex_source
    doc = result_dict(run_dispatch(warehouse, site, start=START, end=END, market="rt"))  # the default
    assert src["foresight"] == "forecast"  # no hindsight in a valuation input
    # Mining MW by hand from the site file's counts and the catalogue's watts per machine:
    # 8,230 x 3,645 W + 8,305 x 3,010 W + 7,496 x 3,068 W = 77.994128 MW.
    mining_mw = (8230 * 3645 + 8305 * 3010 + 7496 * 3068) / 1e6
    months = 7 * 24 / 730  # 7 days of 24 h, months of 8,760 h / 12
    assert src["mining_mw"] == pytest.approx(mining_mw, rel=1e-9)
    assert src["months"] == pytest.approx(months, rel=1e-12)
    assert src["value_of_flexibility_usd"] == doc["value_of_flexibility_usd"]
    assert doc["value_of_flexibility_usd"] == pytest.approx(doc["net_usd"] - doc["always_on_net_usd"])
    assert flex == pytest.approx(doc["value_of_flexibility_usd"] / mining_mw / months, rel=1e-9)
    assert (source.start, source.end, source.node, source.market) == (START, END, "HB_WEST", "rt")
    assert (src["from"], src["to"]) == (START.isoformat(), END.isoformat())
    assert src["reserves_usd"] == doc["revenue_usd"]["reserves"]
    # Decided without hindsight, flexibility can lose money; here it earns, below the upper bound.
    upper = result_dict(run_dispatch(warehouse, site, start=START, end=END, market="rt", foresight="perfect"))
    assert 0.0 < doc["value_of_flexibility_usd"] <= upper["value_of_flexibility_usd"] + 1e-6


def test_positive_flex_raises_mining_npv_only(warehouse: Warehouse, site: SiteConfig) -> None:
    base = to_jsonable(value_site(warehouse, ValuationRequest(site, **SMALL)))
    flexed = to_jsonable(value_site(warehouse, ValuationRequest(site, **SMALL, flex=FlexSpan(START, END))))
    flex = flexed["calibration"]["flex_revenue_usd_per_mw_month"]
    assert flex > 0.0
    assert flexed["npv_usd"]["mining"]["p50"] > base["npv_usd"]["mining"]["p50"]
    assert flexed["npv_usd"]["mining"]["mean"] > base["npv_usd"]["mining"]["mean"]
    assert flexed["npv_usd"]["ai"] == base["npv_usd"]["ai"]  # same seed, AI hosting has no flex revenue
    assert flexed["assumptions"]["mining"]["flex_revenue_usd_per_mw_month"] == flex
    assert flexed["calibration"]["flex_source"]["value_of_flexibility_usd"] > 0.0
    # Without the option the output is what it always was: no flex keys, the table's flex value.
    assert set(base["calibration"]) == DEFAULT_CALIBRATION_KEYS
    assert base["assumptions"]["mining"]["flex_revenue_usd_per_mw_month"] == 0.0
    assert set(flexed["calibration"]) == DEFAULT_CALIBRATION_KEYS | {
        "flex_revenue_usd_per_mw_month",
        "flex_source",
    }


def test_flex_needs_fleets_and_a_forward_span(warehouse: Warehouse, site: SiteConfig) -> None:
    with pytest.raises(ConfigError, match="must be after"):
        flex_usd_per_mw_month_from_dispatch(warehouse, site, FlexSpan(END, START))
    no_fleets = site.model_copy(update={"fleets": []})
    with pytest.raises(ConfigError, match="no \\[\\[fleets\\]\\]"):
        flex_usd_per_mw_month_from_dispatch(warehouse, no_fleets, FlexSpan(START, END))
