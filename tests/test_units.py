"""Unit conversions: known answers and round trips (every module converts through units.py)."""

from __future__ import annotations

import numpy as np
import pytest

from wattshift import units as u


def test_known_answers() -> None:
    assert u.mwh_per_day(1e6) == 24.0  # 1 MW for a day
    # An S21 (3,500 W) hashing all day uses 84 kWh = 0.084 MWh.
    assert u.mwh_per_day(3_500.0) == pytest.approx(0.084)
    assert u.usd_to_musd(2.5e6) == 2.5
    assert u.usd_per_kwh_to_usd_per_mwh(0.05) == pytest.approx(50.0)
    assert u.usd_per_mwh_to_usd_per_kwh(5_000.0) == 5.0  # ERCOT's offer cap
    assert u.kw_year_to_usd_per_mw(50.0) == 50_000.0
    # CBRE 2024 asking rate 184 USD/kW-month over a 730 h month: 252.05 USD/MWh.
    assert u.usd_per_kw_month_to_usd_per_mwh(184.0) == pytest.approx(184_000 / 730)
    assert u.usd_per_mw_month_to_usd_per_mwh(7_300.0) == pytest.approx(10.0)
    assert u.efficiency_j_per_th(3_500.0, 200.0) == 17.5
    assert u.mw_to_ths(1.0, 17.5) == pytest.approx(1e6 / 17.5)
    assert u.HOURS_PER_MONTH == 730.0 and u.DAYS_PER_YEAR == 365.25


def test_round_trips_on_arrays() -> None:
    x = np.array([0.0, 1.5, 650.0, 1e9])
    np.testing.assert_allclose(u.ths_to_ehs(u.ehs_to_ths(x)), x, rtol=1e-15)
    np.testing.assert_allclose(u.usd_per_mwh_to_usd_per_kwh(u.usd_per_kwh_to_usd_per_mwh(x)), x, rtol=1e-15)
