"""BTC drift choices: risk-neutral by hand, long-run between halvings, the default and its name."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from wattshift.config.valuation import ScenarioConfig, ValuationConfig
from wattshift.errors import ConfigError
from wattshift.services.valuation_inputs import choose_drift
from wattshift.valuation.drift import long_run_drift, risk_neutral_drift


def _history(start: str, end: str, growth_per_year: float) -> pd.DataFrame:
    dates = pd.date_range(start, end, freq="D")
    years = (dates - dates[0]).days / 365.25
    return pd.DataFrame({"date": dates, "price_usd": 1000.0 * np.exp(growth_per_year * years)})


def test_risk_neutral_drift_by_hand() -> None:
    # mean price grows at 4 %: ln(1.04) - 0.5^2 / 2 = 0.03922 - 0.125
    assert risk_neutral_drift(0.04, 0.5) == pytest.approx(math.log(1.04) - 0.125, rel=1e-12)
    # E[P_T] = P_0 exp((m + sigma^2/2) T) = P_0 1.04^T
    m = risk_neutral_drift(0.04, 0.5)
    assert math.exp((m + 0.125) * 10) == pytest.approx(1.04**10, rel=1e-12)


def test_long_run_drift_is_the_growth_between_the_two_latest_halvings() -> None:
    frame = _history("2019-01-01", "2026-06-01", 0.3)
    m, window = long_run_drift(frame)
    assert window == (pd.Timestamp("2020-05-11").date(), pd.Timestamp("2024-04-20").date())
    assert m == pytest.approx(0.3, rel=1e-9)
    with pytest.raises(ConfigError, match=r"valuation\.scenario\.drift"):
        long_run_drift(_history("2023-01-01", "2026-06-01", 0.3))


def test_default_is_risk_neutral_and_the_choice_is_named() -> None:
    assert ScenarioConfig().drift == "risk-neutral"
    frame = _history("2019-01-01", "2026-06-01", 0.3)
    start, end = pd.Timestamp("2022-06-01"), pd.Timestamp("2026-06-01")
    default = choose_drift(frame, ValuationConfig(), 0.3, 0.5, start, end)
    assert default.kind == "risk-neutral" and default.window == (start.date(), end.date())
    assert default.drift_annual == pytest.approx(math.log(1.042) - 0.125)
    calibrated = ValuationConfig(scenario=ScenarioConfig(drift="calibrated"))
    assert choose_drift(frame, calibrated, 0.3, 0.5, start, end).drift_annual == 0.3
    override = ValuationConfig(scenario=ScenarioConfig(price_drift_annual=0.05))
    assert choose_drift(frame, override, 0.3, 0.5, start, end).kind == "override"
