"""The fleet in service's age comes from the site's fleets (no new fleet bought now unless due)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from wattshift.config.site import parse_site
from wattshift.config.valuation import MiningTerms, ValuationConfig
from wattshift.services.valuation_inputs import site_fleet_age_years

MODELS = pd.DataFrame(
    {
        "model": ["Old (100T)", "New (200T)"],
        "hashrate_ths": [100.0, 200.0],
        "power_w": [3000.0, 3000.0],
        "release": ["2021", "2024-07"],
    }
)


class _Warehouse:
    def asic_models(self) -> pd.DataFrame:
        return MODELS


def _site(fleets: list[dict[str, object]]) -> object:
    gpu = {} if fleets else {"gpu": {"capacity_mw": 10.0, "value_usd_per_mwh": 100.0}}
    return parse_site({"name": "x", "interconnect_mw": 100.0, "fleets": fleets, **gpu})


def test_power_weighted_age_since_release() -> None:
    site = _site(
        [
            {"name": "a", "model": "Old (100T)", "count": 10000},
            {"name": "b", "model": "New (200T)", "count": 5000},
        ]
    )
    day = dt.date(2026, 7, 1)
    age, source = site_fleet_age_years(_Warehouse(), site, ValuationConfig(), day)  # type: ignore[arg-type]
    # 30 MW released mid-2021 (5.0 y) and 15 MW released 2024-07 (2.0 y), by power
    old, new = (day - dt.date(2021, 7, 1)).days / 365.25, (day - dt.date(2024, 7, 1)).days / 365.25
    assert age == pytest.approx((30 * old + 15 * new) / 45)
    assert "release" in source


def test_explicit_age_no_fleets_and_unknown_release() -> None:
    day = dt.date(2026, 7, 1)
    cfg = ValuationConfig(mining=MiningTerms(fleet_age_years=1.5))
    assert site_fleet_age_years(_Warehouse(), _site([]), cfg, day)[0] == 1.5  # type: ignore[arg-type]
    life = ValuationConfig().mining.asic_life_years
    assert site_fleet_age_years(_Warehouse(), _site([]), ValuationConfig(), day)[0] == life  # type: ignore[arg-type]
    custom = _site([{"name": "c", "power_mw": 10.0, "efficiency_j_per_th": 20.0}])
    assert site_fleet_age_years(_Warehouse(), custom, ValuationConfig(), day)[0] == 0.5 * life  # type: ignore[arg-type]
