"""Decisions from information available at the time: forecast, no look-ahead, upper bound, DST days."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wattshift.dispatch.backtest import BacktestInputs, run_backtest
from wattshift.dispatch.calendar import day_numbers
from wattshift.dispatch.forecast import fit_spread, spread_forecast
from wattshift.dispatch.spec import FleetSpec, SiteSpec

HOURS = 24 * 6  # six days of hourly intervals


def _spec(ramp_mw_per_min: float = np.inf) -> SiteSpec:
    fleets = FleetSpec(
        names=("a", "b"),
        power_mw=np.array([10.0, 5.0]),
        efficiency_j_per_th=np.array([20.0, 30.0]),
        ramp_mw_per_min=np.array([ramp_mw_per_min, np.inf]),
        min_on_minutes=np.zeros(2),
        min_off_minutes=np.zeros(2),
        min_load_fraction=np.zeros(2),
    )
    return SiteSpec(name="t", interconnect_mw=100.0, fleets=fleets)


def _decisions(rt: np.ndarray, da: np.ndarray, spec: SiteSpec) -> np.ndarray:
    """Fleet MW (K, T) decided by the forecast mode on hourly prices, days 2.. decided (0, 1 history)."""
    grid = pd.date_range("2024-03-01", periods=rt.size, freq="h", tz="UTC")
    day = day_numbers(grid, "UTC")
    slot = np.arange(rt.size) % 24
    fc = spread_forecast(rt, da, day, slot, first_decision_day=2, train_days=2)
    keep = day >= 2
    T = int(keep.sum())
    inputs = BacktestInputs(
        interval_start_utc=grid[keep],
        interval_minutes=60.0,
        decision_price_usd_per_mwh=fc.day_start_usd_per_mwh,
        settle_price_usd_per_mwh=rt[keep],
        fleet_value_usd_per_mwh=np.array([[60.0] * T, [40.0] * T]),
        ai_value_usd_per_mwh=np.zeros(T),
        reserve_price_usd_per_mw_h=np.zeros((0, T)),
        intraday_price_usd_per_mwh=fc.one_step_usd_per_mwh,
    )
    return run_backtest(spec, inputs).schedule[["mw_a", "mw_b"]].to_numpy().T


prices = st.lists(st.floats(-50.0, 300.0, allow_nan=False), min_size=HOURS, max_size=HOURS)


@settings(max_examples=25, deadline=None)
@given(
    rt=prices, da=prices, cut=st.integers(48, HOURS - 1), noise=prices, ramp=st.sampled_from([np.inf, 0.05])
)
def test_no_look_ahead(rt: list[float], da: list[float], cut: int, noise: list[float], ramp: float) -> None:
    """Changing RT prices from ``cut`` on (and DA prices of later days) changes no decision up to ``cut``.

    The decision for interval ``cut`` is made before its real-time price is known, so it too must stay.
    """
    rt_a, da_a = np.array(rt), np.array(da)
    rt_b, da_b = rt_a.copy(), da_a.copy()
    rt_b[cut:] = np.array(noise)[cut:]
    next_day = (cut // 24 + 1) * 24
    da_b[next_day:] = np.array(noise)[next_day:] + 7.0
    spec = _spec(ramp)
    a, b = _decisions(rt_a, da_a, spec), _decisions(rt_b, da_b, spec)
    first = cut - 48  # decided intervals start at day 2
    np.testing.assert_array_equal(a[:, : first + 1], b[:, : first + 1])


def test_forecast_uses_the_hour_profile_and_persistence() -> None:
    # Spread +10 at even hours, −10 at odd: the median profile learns it and φ is 0 (no persistence).
    slot = np.arange(96) % 24
    spread = np.where(slot % 2 == 0, 10.0, -10.0)
    mu, phi = fit_spread(spread, slot, 24)
    np.testing.assert_allclose(mu, np.where(np.arange(24) % 2 == 0, 10.0, -10.0))
    assert phi == 0.0
    # Two decaying shocks, median 0: φ = Σ e[t−1] e[t] / Σ e[t−1]² = 76 / 169 by hand.
    _, phi = fit_spread(
        np.array([8.0, 4.0, 2.0, 1.0, -8.0, -4.0, -2.0, -1.0]), np.zeros(8, dtype=np.int64), 1
    )
    assert phi == pytest.approx(76.0 / 169.0, rel=1e-12)


def test_forecast_without_history_is_the_day_ahead_price() -> None:
    da = np.linspace(10, 40, 72)
    day, slot = np.repeat([0, 1, 2], 24), np.arange(72) % 24
    fc = spread_forecast(da + 100.0, da, day, slot, first_decision_day=0, train_days=1)
    # days 0 and 1 have no complete day before the day-ahead market that sets them
    np.testing.assert_array_equal(fc.day_start_usd_per_mwh[:48], da[:48])
    # day 2's market clears on day 1 and learns the +100 spread from day 0
    np.testing.assert_allclose(fc.day_start_usd_per_mwh[48:], da[48:] + 100.0)


def test_perfect_foresight_bounds_forecast() -> None:
    rng = np.random.default_rng(5)
    rt = 40 + 80 * rng.standard_normal(HOURS).clip(-1, 3)
    da = rt + rng.normal(0, 30, HOURS)
    spec = _spec()
    grid = pd.date_range("2024-03-01", periods=HOURS, freq="h", tz="UTC")
    base = {
        "interval_start_utc": grid,
        "interval_minutes": 60.0,
        "settle_price_usd_per_mwh": rt,
        "fleet_value_usd_per_mwh": np.vstack([np.full(HOURS, 60.0), np.full(HOURS, 40.0)]),
        "ai_value_usd_per_mwh": np.zeros(HOURS),
        "reserve_price_usd_per_mw_h": np.zeros((0, HOURS)),
    }
    perfect = run_backtest(spec, BacktestInputs(decision_price_usd_per_mwh=rt, **base))  # type: ignore[arg-type]
    blind = run_backtest(spec, BacktestInputs(decision_price_usd_per_mwh=da, **base))  # type: ignore[arg-type]
    assert blind.totals["net_usd"] < perfect.totals["net_usd"]


def test_operating_days_follow_central_time_across_fall_back() -> None:
    grid = pd.date_range(
        pd.Timestamp("2024-11-02", tz="America/Chicago").tz_convert("UTC"),
        pd.Timestamp("2024-11-05", tz="America/Chicago").tz_convert("UTC"),
        freq="15min",
        inclusive="left",
    )
    day = day_numbers(grid, "America/Chicago")
    assert np.bincount(day).tolist() == [96, 100, 96]  # November 3 has 25 hours
    assert dt.date(2024, 11, 3) == grid[96].tz_convert("America/Chicago").date()


@settings(max_examples=30, deadline=None)
@given(
    values=st.lists(st.floats(-1e4, 1e4, allow_nan=False), min_size=1, max_size=60), n_slots=st.integers(1, 5)
)
def test_slot_medians_equal_numpy_median_per_slot(values: list[float], n_slots: int) -> None:
    spread = np.array(values)
    slot = np.arange(spread.size) % n_slots
    mu, _ = fit_spread(spread, slot, n_slots)
    for h in range(n_slots):
        expected = float(np.median(spread[slot == h])) if (slot == h).any() else 0.0
        assert mu[h] == expected
