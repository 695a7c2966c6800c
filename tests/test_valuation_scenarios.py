"""Scenario engines: GBM moments, bootstrap fidelity, seeds, halvings, hashrate response."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from wattshift.chain import subsidy_btc
from wattshift.errors import ConfigError
from wattshift.valuation.network import (
    BLOCKS_PER_MONTH,
    HashrateModel,
    efficiency_band,
    installed_hashrate0_ths,
    network_hashrate_ths,
    online_fraction,
    subsidy_by_month,
)
from wattshift.valuation.scenarios import (
    bootstrap_block_starts,
    bootstrap_daily_log_returns,
    bootstrap_log_price,
    calibrate_price,
    gbm_log_price,
    month_end_days,
)

CM_FILE = "onchain/coinmetrics_btc_daily_2009-01-03_2026-03-23.csv"


@pytest.fixture(scope="module")
def history(shared_data_dir: Path) -> pd.DataFrame:
    """Small local read of Coin Metrics price and hashrate (test fixture, no warehouse)."""
    raw = pd.read_csv(shared_data_dir / CM_FILE, usecols=["time", "PriceUSD", "HashRate"])
    return pd.DataFrame(
        {
            "date": pd.to_datetime(raw["time"]),
            "price_usd": raw["PriceUSD"].astype(float),
            "hashrate_ehs": raw["HashRate"].astype(float) / 1e6,
        }
    )


def test_gbm_log_price_moments_match_closed_form() -> None:
    # E[ln P_T] = ln P0 + m T, Var = s^2 T (Hull ch. 15), within 4 standard errors.
    paths, years, m, s = 40_000, 10, 0.15, 0.6
    lp = gbm_log_price(np.log(50_000.0), m, s, np.random.default_rng(7).standard_normal((paths, 12 * years)))
    end = lp[:, -1]
    var = s**2 * years
    assert abs(end.mean() - (np.log(50_000.0) + m * years)) < 4 * np.sqrt(var / paths)
    assert abs(end.var(ddof=1) - var) < 4 * var * np.sqrt(2 / (paths - 1))


def test_gbm_same_seed_same_paths() -> None:
    def make(seed: int) -> np.ndarray:
        return gbm_log_price(0.0, 0.1, 0.5, np.random.default_rng(seed).standard_normal((5, 12)))

    assert np.array_equal(make(1), make(1))
    assert not np.array_equal(make(1), make(2))


def test_calibration_recovers_known_drift_and_vol() -> None:
    rng = np.random.default_rng(11)
    r = 0.2 / 365.25 + 0.5 / np.sqrt(365.25) * rng.standard_normal(4 * 365)
    frame = pd.DataFrame(
        {
            "date": pd.date_range("2020-01-01", periods=r.size + 1),
            "price_usd": 100 * np.exp(np.r_[0, np.cumsum(r)]),
        }
    )
    model = calibrate_price(frame, years=5)
    assert model.vol_annual == pytest.approx(0.5, rel=0.05)
    assert model.drift_annual == pytest.approx(r.mean() * 365.25, rel=1e-9)
    assert model.price0_usd == pytest.approx(frame["price_usd"].iloc[-1])


def test_calibration_window_too_short_is_config_error() -> None:
    frame = pd.DataFrame(
        {"date": pd.date_range("2020-01-01", periods=30), "price_usd": np.linspace(1, 2, 30)}
    )
    with pytest.raises(ConfigError, match="calibration_years"):
        calibrate_price(frame, years=1)


def test_bootstrap_keeps_historical_distribution(history: pd.DataFrame) -> None:
    model = calibrate_price(history, years=4)
    r = model.daily_log_returns
    starts = bootstrap_block_starts(r.size, 200, 720, 30, np.random.default_rng(5))
    sim = bootstrap_daily_log_returns(r, starts, 720, 30)
    assert np.isin(sim, r).all()  # every simulated day is a historical day
    assert stats.ks_2samp(sim.ravel(), r).pvalue > 0.01
    assert sim.std() == pytest.approx(r.std(), rel=0.05)


def test_bootstrap_monthly_equals_cumulated_daily(history: pd.DataFrame) -> None:
    r = calibrate_price(history, years=4).daily_log_returns
    months = 30
    days = int(month_end_days(months)[-1])
    starts = bootstrap_block_starts(r.size, 50, days, 30, np.random.default_rng(9))
    daily = np.cumsum(bootstrap_daily_log_returns(r, starts, days, 30), axis=1)
    monthly = bootstrap_log_price(0.0, r, starts, months, 30)
    assert monthly == pytest.approx(daily[:, month_end_days(months) - 1], abs=1e-9)


def test_halvings_on_schedule() -> None:
    # From height 840,000 at 144 blocks/day: 1,050,000 after 210,000/4383 = 47.9 months (≈ 2028),
    # 1,260,000 after 95.8 months (≈ 2032).
    sub = subsidy_by_month(840_000, 120, subsidy_btc)
    assert sub[0] == 3.125 and sub[46] == 3.125
    assert 1.5625 < sub[47] < 3.125  # the halving month is pro-rated
    assert sub[48] == 1.5625 and sub[94] == 1.5625 and sub[96] == 0.78125
    assert pytest.approx(47.91, abs=0.01) == 210_000 / BLOCKS_PER_MONTH


def test_online_fraction_solves_fixed_point() -> None:
    a, b = 15.0, 34.0
    x = np.linspace(0.5, 60, 200)
    f = online_fraction(x, np.full_like(x, a), np.full_like(x, b))
    inside = f < 1
    # f = (x/f - a)/(b - a) on the interior; f = 1 once x >= b
    assert f[inside] == pytest.approx((x[inside] / f[inside] - a) / (b - a), rel=1e-9)
    assert (f[x >= b] == 1).all()
    assert (np.diff(f) >= 0).all()


def test_installed_hashrate_is_consistent() -> None:
    h0, r0, p = 1e9, 3.5e7, 0.045
    k0 = installed_hashrate0_ths(h0, r0, p, 15.0, 34.0)
    f = online_fraction(np.array([r0 / (0.024 * p * k0)]), np.array([15.0]), np.array([34.0]))[0]
    assert f * k0 == pytest.approx(h0, rel=1e-9)
    with pytest.raises(ConfigError, match="network_power_usd_per_kwh"):
        installed_hashrate0_ths(h0, r0, 1.0, 15.0, 34.0)


def test_hashrate_response_is_monotone_in_price() -> None:
    months, paths = 60, 64
    model = HashrateModel(hashrate0_ths=1e9, growth_annual=0.3, vol_annual=0.15, fee_share=0.03)
    best, worst = efficiency_band(15.0, 34.0, 0.1, months)
    sub = subsidy_by_month(940_000, months, subsidy_btc)
    rng = np.random.default_rng(2)
    shocks = rng.standard_normal((paths, months))
    base = np.log(68_000.0) + np.cumsum(0.1 * rng.standard_normal((paths, months)), axis=1)
    kw = dict(
        shocks=shocks,
        power_usd_per_kwh=0.045,
        best_j_per_th=best,
        worst_j_per_th=worst,
        log_price0=np.log(68_000.0),
    )
    low = network_hashrate_ths(base, sub, model, **kw)
    high = network_hashrate_ths(base + 0.2, sub, model, **kw)
    assert (high >= low).all() and (high > low).any()
    # a price crash switches the least efficient machines off: online hashrate falls
    crash = network_hashrate_ths(base - 1.0, sub, model, **kw)
    assert (crash[:, 0] < low[:, 0]).all()
