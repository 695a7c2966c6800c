"""Mining formulas: known answers, vector == scalar loop, and invariants (hypothesis)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from wattshift.chain import subsidy_btc_on
from wattshift.config.mining import MiningAssumptions
from wattshift.mining import (
    CostAssumptions,
    all_in_cost_usd_per_btc,
    breakeven_power_usd_per_kwh,
    btc_per_th_day,
    btc_per_th_day_realised,
    cash_breakeven_price_usd,
    cost_components_usd_per_btc,
    energy_cost_usd_per_btc,
    energy_kwh_per_btc,
    energy_kwh_per_btc_from_difficulty,
    fleet_efficiency_j_per_th,
    fleet_totals,
    hashprice_usd_per_th_day_from,
    mining_value_usd_per_mwh,
)
from wattshift.services.mining import cost_assumptions


def spec(**given: float) -> CostAssumptions:
    """The engine's frozen assumptions from config defaults with ``given`` overrides."""
    return cost_assumptions(MiningAssumptions(**given))


positive = st.floats(min_value=1e-3, max_value=1e3, allow_nan=False, allow_infinity=False)
efficiencies = st.floats(min_value=5.0, max_value=120.0)
prices_kwh = st.floats(min_value=0.001, max_value=0.5)
difficulties = st.floats(min_value=1e9, max_value=1e15)
fees = st.floats(min_value=0.0, max_value=5.0)


def test_energy_per_btc_hand_computed() -> None:
    # D = 80 T, S + F = 6.4 BTC per block, e = 20 J/TH, PUE 1:
    #   hashes per block   = 80e12 * 2**32          = 3.4359738368e23 H
    #   energy per block   = 3.4359738368e23 H * 20e-12 J/H = 6.8719476736e12 J
    #                      = 6.8719476736e12 / 3.6e6 = 1,908,874.354 kWh
    #   energy per BTC     = 1,908,874.354 / 6.4     = 298,261.618 kWh/BTC
    #   at 0.05 USD/kWh    = 14,913.081 USD/BTC;  with PUE 1.1: 328,087.780 kWh/BTC
    direct = energy_kwh_per_btc_from_difficulty(80e12, 6.4, 20.0)
    assert direct == pytest.approx(298_261.6178, rel=1e-9)
    via_btc_per_th = energy_kwh_per_btc(btc_per_th_day(80e12, 6.25, 0.15), 20.0)
    assert via_btc_per_th == pytest.approx(direct, rel=1e-12)
    assert energy_cost_usd_per_btc(direct, 0.05) == pytest.approx(14_913.0809, rel=1e-9)
    assert energy_kwh_per_btc_from_difficulty(80e12, 6.4, 20.0, pue=1.1) == pytest.approx(
        328_087.7796, rel=1e-9
    )


def test_btc_per_th_day_hand_computed() -> None:
    # 1 TH/s finds 86400e12 / (D * 2**32) blocks a day: D = 80 T -> 2.5146e-7 blocks; × 6.4 BTC.
    assert btc_per_th_day(80e12, 6.25, 0.15) == pytest.approx(86_400e12 * 6.4 / (80e12 * 2**32), rel=1e-15)
    assert btc_per_th_day(80e12, 6.25, 0.15) == pytest.approx(1.609325e-6, rel=1e-6)


def test_hashprice_2024_04_01_from_published_inputs() -> None:
    # 2024-04-01: difficulty 83.13 T, subsidy 6.25, fees 0.1810 BTC/block, price 69,791.63 USD
    # -> 108.6 USD/PH/day (Luxor Hashrate Index). Inputs from Coin Metrics; the real-data test is in
    # test_mining_frame.py.
    hp_th = hashprice_usd_per_th_day_from(btc_per_th_day(83.12699760603097e12, 6.25, 0.18095316), 69_791.63)
    assert hp_th * 1000 == pytest.approx(108.6, rel=0.01)


def test_realised_form_equals_expected_when_hashrate_is_implied() -> None:
    # Coin Metrics' HashRate = blocks * D * 2**32 / 86400: the two forms coincide.
    d, blocks, s, f = 83e12, 150.0, 6.25, 0.2
    hashrate_ths = blocks * d * 2**32 / 86_400 / 1e12
    assert btc_per_th_day_realised(blocks * (s + f), hashrate_ths) == pytest.approx(btc_per_th_day(d, s, f))


def test_mining_value_and_breakeven_known_values() -> None:
    # hashprice 0.05 USD/TH/day, 20 J/TH: 20 W per TH/s = 0.48 kWh/day -> 0.104167 USD/kWh, 104.17 USD/MWh.
    assert breakeven_power_usd_per_kwh(0.05, 20.0) == pytest.approx(0.05 / 0.48)
    assert mining_value_usd_per_mwh(0.05, 20.0) == pytest.approx(0.05 / 0.48 * 1000)
    # With PUE 1.05 and a 2 % pool fee.
    assert breakeven_power_usd_per_kwh(0.05, 20.0, pue=1.05, pool_fee=0.02) == pytest.approx(
        0.05 * 0.98 / (0.48 * 1.05)
    )


def test_all_in_cost_hand_computed() -> None:
    # b = 5e-7 BTC/TH/day, e = 20 J/TH, p = 0.05 USD/kWh, PUE 1, uptime 1, pool fee 2 %,
    # opex 7,300 USD/MW-month, capex 20 USD/TH over 5 years:
    #   energy       0.024 * 20 * 0.05 / 5e-7                   = 48,000.00 USD/BTC
    #   opex         7300 * 24/730 = 240 USD/MW-day; × 20e-6 MW = 0.0048 USD/TH-day / 5e-7 = 9,600.00
    #   depreciation 20 / (5 * 365.25) = 0.0109514 USD/TH-day / 5e-7                     = 21,902.81
    #   before fee   79,502.81; all-in = / 0.98                                          = 81,125.32
    #   cash (no depreciation) = 57,600 / 0.98                                           = 58,775.51
    a = spec(
        pool_fee=0.02,
        uptime=1.0,
        pue=1.0,
        opex_usd_per_mw_month=7300.0,
        capex_usd_per_th=20.0,
        asic_life_years=5.0,
    )
    parts = cost_components_usd_per_btc(5e-7, 20.0, 0.05, a)
    assert parts["energy"] == pytest.approx(48_000.0)
    assert parts["opex"] == pytest.approx(9_600.0)
    assert parts["depreciation"] == pytest.approx(21_902.806, rel=1e-6)
    assert parts["sga"] == 0.0
    assert parts["all_in"] == pytest.approx(81_125.312, rel=1e-6)
    assert parts["cash"] == pytest.approx(58_775.510, rel=1e-6)
    assert parts["pool_fee"] == pytest.approx(81_125.312 - 79_502.806, rel=1e-5)
    assert all_in_cost_usd_per_btc(5e-7, 20.0, 0.05, a) == parts["all_in"]
    assert cash_breakeven_price_usd(5e-7, 20.0, 0.05, a) == parts["cash"]
    # Uptime 80 %: fixed costs per BTC grow by 1/0.8, energy does not.
    slow = cost_components_usd_per_btc(5e-7, 20.0, 0.05, dataclasses.replace(a, uptime=0.8))
    assert slow["energy"] == pytest.approx(48_000.0)
    assert slow["depreciation"] == pytest.approx(21_902.806 / 0.8, rel=1e-6)


def test_vector_equals_scalar_loop() -> None:
    d = np.array([1e12, 20e12, 83.1e12, 133.8e12])
    s = np.array([25.0, 12.5, 6.25, 3.125])
    f = np.array([0.01, 0.5, 0.18, 0.02])
    e = np.array([98.0, 29.5, 17.5, 13.5])
    p = np.array([0.03, 0.05, 0.07, 0.02])
    a = spec()
    b = btc_per_th_day(d, s, f)
    hp = hashprice_usd_per_th_day_from(b, np.array([10_000.0, 20_000.0, 70_000.0, 90_000.0]))
    checks = [
        (b, [btc_per_th_day(float(d[i]), float(s[i]), float(f[i])) for i in range(4)]),
        (
            energy_kwh_per_btc(b, e, pue=1.1),
            [energy_kwh_per_btc(float(b[i]), float(e[i]), pue=1.1) for i in range(4)],
        ),
        (
            all_in_cost_usd_per_btc(b, e, p, a),
            [all_in_cost_usd_per_btc(float(b[i]), float(e[i]), float(p[i]), a) for i in range(4)],
        ),
        (
            breakeven_power_usd_per_kwh(hp, e, pue=1.05, pool_fee=0.02),
            [
                breakeven_power_usd_per_kwh(float(hp[i]), float(e[i]), pue=1.05, pool_fee=0.02)
                for i in range(4)
            ],
        ),
        (
            mining_value_usd_per_mwh(hp, e),
            [mining_value_usd_per_mwh(float(hp[i]), float(e[i])) for i in range(4)],
        ),
    ]
    for vector, loop in checks:
        np.testing.assert_allclose(vector, loop, rtol=1e-15)
    # Series in -> Series out, index kept.
    series = btc_per_th_day(pd.Series(d, index=list("abcd")), pd.Series(s, index=list("abcd")), 0.1)
    assert isinstance(series, pd.Series)
    assert list(series.index) == list("abcd")


@settings(max_examples=50, deadline=None)
@given(difficulties, fees, efficiencies, prices_kwh, st.floats(min_value=0.5, max_value=10.0))
def test_energy_cost_proportional_to_efficiency_and_power_price(
    d: float, f: float, e: float, p: float, k: float
) -> None:
    b = btc_per_th_day(d, 3.125, f)
    base = energy_cost_usd_per_btc(energy_kwh_per_btc(b, e), p)
    assert energy_cost_usd_per_btc(energy_kwh_per_btc(b, k * e), p) == pytest.approx(k * base, rel=1e-12)
    assert energy_cost_usd_per_btc(energy_kwh_per_btc(b, e), k * p) == pytest.approx(k * base, rel=1e-12)


@settings(max_examples=50, deadline=None)
@given(difficulties, st.floats(min_value=1_000.0, max_value=200_000.0))
def test_hashprice_halves_across_a_halving(d: float, price: float) -> None:
    # Same difficulty, price and no fees, the day before and the day after block 840,000.
    s_before, s_after = subsidy_btc_on(pd.DatetimeIndex(["2024-04-19", "2024-04-21"]))
    before = hashprice_usd_per_th_day_from(btc_per_th_day(d, s_before, 0.0), price)
    after = hashprice_usd_per_th_day_from(btc_per_th_day(d, s_after, 0.0), price)
    assert after == pytest.approx(before / 2, rel=1e-12)


@settings(max_examples=50, deadline=None)
@given(positive, st.lists(efficiencies, min_size=2, max_size=5), st.floats(min_value=1.0, max_value=1.5))
def test_breakeven_power_times_efficiency_is_constant(hp: float, effs: list[float], pue: float) -> None:
    products = [breakeven_power_usd_per_kwh(hp, e, pue=pue, pool_fee=0.02) * e for e in effs]
    np.testing.assert_allclose(products, products[0], rtol=1e-12)


@settings(max_examples=50, deadline=None)
@given(difficulties, fees, efficiencies, st.floats(min_value=1_000.0, max_value=200_000.0))
def test_energy_cost_at_breakeven_power_is_price_after_pool_fee(
    d: float, f: float, e: float, price: float
) -> None:
    a = MiningAssumptions(pue=1.07, pool_fee=0.025)
    b = btc_per_th_day(d, 6.25, f)
    p_even = breakeven_power_usd_per_kwh(b * price, e, pue=a.pue, pool_fee=a.pool_fee)
    cost = energy_cost_usd_per_btc(energy_kwh_per_btc(b, e, pue=a.pue), p_even)
    assert cost == pytest.approx(price * (1 - a.pool_fee), rel=1e-12)


@settings(max_examples=50, deadline=None)
@given(
    difficulties,
    fees,
    efficiencies,
    prices_kwh,
    st.floats(min_value=0.0, max_value=0.1),
    st.floats(min_value=0.5, max_value=1.0),
    st.floats(min_value=0.0, max_value=50_000.0),
    st.floats(min_value=0.0, max_value=60.0),
)
def test_all_in_at_least_cash_at_least_energy(
    d: float, f: float, e: float, p: float, fee: float, uptime: float, opex: float, capex: float
) -> None:
    a = spec(pool_fee=fee, uptime=uptime, opex_usd_per_mw_month=opex, capex_usd_per_th=capex)
    b = btc_per_th_day(d, 3.125, f)
    parts = cost_components_usd_per_btc(b, e, p, a)
    assert parts["all_in"] >= parts["cash"] * (1 - 1e-12)
    assert parts["cash"] >= parts["energy"] * (1 - 1e-12)
    assert parts["all_in"] == pytest.approx(
        parts["energy"] + parts["opex"] + parts["sga"] + parts["depreciation"] + parts["pool_fee"], rel=1e-12
    )


def test_fleet_efficiency_is_total_power_over_total_hashrate() -> None:
    # S9 13.5 TH/s @ 1,323 W and S21 200 TH/s @ 3,500 W: 4,823 W / 213.5 TH/s = 22.590 J/TH,
    # not the 57.75 J/TH mean of 98 and 17.5.
    assert fleet_efficiency_j_per_th([1323.0, 3500.0], [13.5, 200.0]) == pytest.approx(4823 / 213.5)
    totals = fleet_totals([1323.0, 3500.0], [13.5, 200.0], count=[100, 10])
    assert totals.power_w == pytest.approx(167_300.0)
    assert totals.hashrate_ths == pytest.approx(3_350.0)
    assert totals.efficiency_j_per_th == pytest.approx(167_300 / 3_350)


@pytest.mark.parametrize(
    ("power", "hashrate", "count", "message"),
    [
        ([1.0, 2.0], [1.0], None, "shape"),
        ([1.0], [0.0], None, "no hashrate"),
        ([-1.0], [1.0], None, "power_w"),
        ([1.0], [float("nan")], None, "hashrate_ths"),
    ],
)
def test_fleet_rejects_bad_input(
    power: list[float], hashrate: list[float], count: None, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        fleet_totals(power, hashrate, count)


def test_assumptions_defaults_sources_and_validation() -> None:
    a = MiningAssumptions()
    assert a.as_dict() == {
        "pool_fee": 0.02,
        "uptime": 0.95,
        "pue": 1.05,
        "opex_usd_per_mw_month": 5000.0,
        "capex_usd_per_th": 20.0,
        "asic_life_years": 5.0,
        "sga_usd_per_mw_month": 0.0,
    }
    for name, field in MiningAssumptions.model_fields.items():
        assert field.description and len(field.description) > 40, name
    with pytest.raises(ValidationError):
        a.pool_fee = 0.03  # type: ignore[misc]  # frozen
    with pytest.raises(ValidationError, match="pue"):
        MiningAssumptions(pue=0.9)
    with pytest.raises(ValidationError, match="pool_fee"):
        MiningAssumptions(pool_fee=1.0)
    with pytest.raises(ValidationError, match="extra"):
        MiningAssumptions(pool_fees=0.02)  # type: ignore[call-arg]
