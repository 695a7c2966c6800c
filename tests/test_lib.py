"""wattshift.lib, the Python facade on one's own data: same numbers as the commands and services.

Known answers: the golden JSON of ``wattshift mining`` and ``wattshift signals`` (real Coin Metrics
and alternative.me data) reproduced from plain numbers and frames; a dispatch computed by hand; the
facade's dispatch equal to the service's perfect-foresight run on the same prices; vector == scalar.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import wattshift.lib as ws
from wattshift.config import SiteConfig
from wattshift.errors import ConfigError
from wattshift.services.dispatch import run_dispatch
from wattshift.testing import tiny_dispatch_warehouse

GOLDEN = Path(__file__).resolve().parent / "golden"
ONE_FLEET = SiteConfig(
    name="one fleet",
    interconnect_mw=10.0,
    fleets=[{"name": "s21", "power_mw": 10.0, "efficiency_j_per_th": 17.5}],
)


def _golden(name: str) -> dict[str, object]:
    data = json.loads((GOLDEN / f"{name}.json").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def test_mining_from_plain_numbers_equals_wattshift_mining() -> None:
    g = _golden("mining")
    difficulty, price = float(g["difficulty"]), float(g["price_usd"])  # type: ignore[arg-type]
    fees = float(g["fees_btc_per_block"])  # type: ignore[arg-type]
    hp = ws.hashprice_usd_per_ph_day(difficulty, price, fees_btc_per_block=fees, date="2026-03-01")
    assert hp == pytest.approx(g["hashprice_usd_per_ph_day"], rel=1e-12)
    cost = ws.cost_per_btc(
        difficulty,
        price,
        fees_btc_per_block=fees,
        date="2026-03-01",
        efficiency_j_per_th=20.0,
        power_usd_per_kwh=0.05,
    )
    assert cost.energy_kwh == pytest.approx(g["energy_kwh_per_btc"], rel=1e-12)
    assert cost.energy_usd == pytest.approx(g["energy_cost_usd_per_btc"], rel=1e-12)
    assert cost.all_in_usd == pytest.approx(g["all_in_cost_usd_per_btc"], rel=1e-12)
    assert cost.breakeven_power_usd_per_kwh == pytest.approx(g["breakeven_power_usd_per_kwh"], rel=1e-12)
    assert cost.mining_value_usd_per_mwh == pytest.approx(g["mining_value_usd_per_mwh"], rel=1e-12)
    assert cost.energy_usd < cost.cash_usd < cost.all_in_usd


def test_subsidy_given_equals_subsidy_of_the_date() -> None:
    by_date = ws.btc_per_ph_day(80e12, fees_btc_per_block=0.1, date="2024-05-01")
    assert ws.btc_per_ph_day(80e12, fees_btc_per_block=0.1, subsidy_btc=3.125) == pytest.approx(
        by_date, rel=1e-15
    )
    # 86400 s * 1e15 H/PH * 3.225 BTC / (80e12 * 2**32 H per block), by hand.
    assert by_date == pytest.approx(86400 * 1e15 * 3.225 / (80e12 * 2**32), rel=1e-12)


def test_no_subsidy_source_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="subsidy_btc"):
        ws.hashprice_usd_per_ph_day(80e12, 60_000.0)


@settings(max_examples=30, deadline=None)
@given(
    st.lists(st.floats(1e12, 2e14), min_size=1, max_size=6),
    st.floats(1_000.0, 200_000.0),
    st.floats(0.0, 5.0),
)
def test_series_equals_scalar_loop(difficulties: list[float], price: float, fees: float) -> None:
    days = pd.date_range("2024-04-18", periods=len(difficulties), freq="D")
    series = ws.hashprice_usd_per_ph_day(pd.Series(difficulties, index=days), price, fees_btc_per_block=fees)
    assert isinstance(series, pd.Series)
    for day, d in zip(days, difficulties, strict=True):
        assert series[day] == pytest.approx(
            ws.hashprice_usd_per_ph_day(d, price, fees_btc_per_block=fees, date=day)
        )


@pytest.mark.shared_data
def test_signals_from_own_frames_equal_wattshift_signals(
    btc_daily_history: pd.DataFrame, fear_greed_history: pd.DataFrame
) -> None:
    g = _golden("signals")
    frame = ws.signals(btc_daily_history.set_index("date"), fear_greed_history.set_index("date")["value"])
    row = frame.set_index("date").loc[pd.Timestamp("2026-03-01")]
    assert row["puell"] == pytest.approx(g["puell"], rel=1e-9)
    assert row["mvrv_z"] == pytest.approx(g["mvrv_z"], rel=1e-9)
    assert row["hash_ribbons_state"] == "recovered"
    assert row["hash_ribbons_last_buy"] == pd.Timestamp("2026-01-04")
    assert row["fear_greed"] == 14.0
    assert row["confluence_count"] == 1 and row["confluence_indicators"] == "fear_greed"


def test_signals_missing_column_names_it() -> None:
    days = pd.date_range("2024-01-01", periods=3, freq="D")
    with pytest.raises(ValueError, match="hashrate_ehs"):
        ws.signals(pd.DataFrame({"price_usd": [1.0, 2.0, 3.0]}, index=days))


def test_dispatch_by_hand() -> None:
    """Mining value 0.05 / (17.5 * 24e-6) * 0.98 = 116.67 USD/MWh: off in the 16 hours at 150, on at 30."""
    hours = pd.date_range("2024-07-01", periods=48, freq="h", tz="America/Chicago")
    prices = pd.Series(np.where(hours.hour >= 16, 150.0, 30.0), index=hours)
    run = ws.dispatch(ONE_FLEET, prices, hashprice_usd_per_ph_day=50.0)
    value = 50.0 / 1000 / (17.5 * 24e-6) * 0.98
    assert run.foresight == "perfect"
    assert run.totals["mwh_mining"] == pytest.approx(320.0)
    assert run.totals["hours_curtailed"] == pytest.approx(16.0)
    assert run.totals["net_usd"] == pytest.approx(320.0 * (value - 30.0), rel=1e-12)
    always_on = 480.0 * value - 320.0 * 30.0 - 160.0 * 150.0
    assert run.result.value_of_flexibility_usd == pytest.approx(run.totals["net_usd"] - always_on, rel=1e-12)
    assert run.schedule["mw_mining"].to_numpy() == pytest.approx(np.where(hours.hour >= 16, 0.0, 10.0))


def test_dispatch_on_decision_prices_settles_on_real_prices() -> None:
    hours = pd.date_range("2024-07-01", periods=24, freq="h", tz="UTC")
    real = pd.Series(30.0, index=hours)
    wrong = pd.Series(200.0, index=hours)  # a forecast that says "stop" all day
    run = ws.dispatch(ONE_FLEET, real, hashprice_usd_per_ph_day=50.0, decision_prices_usd_per_mwh=wrong)
    assert run.foresight == "given"
    assert run.totals["mwh_mining"] == 0.0
    assert run.result.value_of_flexibility_usd < 0


def test_dispatch_equals_service_with_perfect_foresight() -> None:
    """The facade on the tiny warehouse's prices and hashprice gives the service's perfect-foresight run."""
    wh = tiny_dispatch_warehouse()
    site = SiteConfig(
        name="tiny", interconnect_mw=12.0, aux_mw=0.5,
        fleets=[{"name": "a", "power_mw": 8.0, "efficiency_j_per_th": 17.5},
                {"name": "b", "power_mw": 4.0, "efficiency_j_per_th": 30.0}],
    )  # fmt: skip
    start, end = dt.date(2023, 8, 1), dt.date(2023, 8, 3)
    service = run_dispatch(wh, site, start=start, end=end, foresight="perfect", market="rt")
    rt = wh.iso_prices("HB_WEST", "rt", "2023-08-01", "2023-08-04")
    prices = pd.Series(rt["price_usd_per_mwh"].to_numpy(), index=pd.DatetimeIndex(rt["interval_start_utc"]))
    prices = prices.tz_convert("America/Chicago").loc["2023-08-01":"2023-08-02"]
    btc = wh.btc_daily().set_index("date")
    hashprice = ws.hashprice_usd_per_ph_day(
        btc["difficulty"], btc["price_usd"], fees_btc_per_block=btc["fees_btc"] / btc["blocks"]
    )
    run = ws.dispatch(site, prices, hashprice_usd_per_ph_day=hashprice)
    for key, value in service.result.totals.items():
        assert run.totals[key] == pytest.approx(value, rel=1e-9, abs=1e-9), key


def test_dispatch_needs_reserve_prices_when_offering_reserves() -> None:
    reserves = {"products": ["RRS"], "max_mw": 5.0}
    site = SiteConfig.model_validate({**ONE_FLEET.model_dump(), "reserves": reserves})
    hours = pd.date_range("2024-07-01", periods=4, freq="h", tz="UTC")
    with pytest.raises(ConfigError, match="RRS"):
        ws.dispatch(site, pd.Series(30.0, index=hours), hashprice_usd_per_ph_day=50.0)


@pytest.mark.parametrize(
    ("index", "message"),
    [
        (pd.date_range("2024-07-01", periods=4, freq="h"), "tz-aware"),
        (pd.DatetimeIndex(["2024-07-01 00:00", "2024-07-01 01:00", "2024-07-01 03:00"], tz="UTC"), "evenly"),
    ],
)
def test_dispatch_rejects_unusable_price_index(index: pd.DatetimeIndex, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ws.dispatch(ONE_FLEET, pd.Series(30.0, index=index), hashprice_usd_per_ph_day=50.0)


def _history(days: int = 4 * 365 + 1) -> pd.DataFrame:
    rng = np.random.default_rng(1)
    index = pd.date_range("2022-01-01", periods=days, freq="D")
    price = 30_000.0 * np.exp(np.cumsum(rng.normal(0.001, 0.025, days)))
    return pd.DataFrame(
        {"price_usd": price, "hashrate_ehs": 200.0 * np.exp(0.0007 * np.arange(days)),
         "fees_usd": 27.0 * price, "revenue_usd": 927.0 * price},
        index=index,
    )  # fmt: skip


def test_value_calibrates_on_the_history_given() -> None:
    history = _history()
    site = SiteConfig.model_validate(
        {**ONE_FLEET.model_dump(), "valuation": {"mining": {"power_usd_per_mwh": 40.0}}}
    )
    v = ws.value(site, history, paths=100, years=5, seed=3, threads=1)
    assert v.calibration.price0_usd == pytest.approx(history["price_usd"].iloc[-1])
    assert v.calibration.valuation_date == dt.date(2025, 12, 31)
    assert v.calibration.fee_share == pytest.approx(27.0 / 927.0)
    assert v.calibration.power_usd_per_mwh == 40.0
    assert v.calibration.efficiency_j_per_th == 17.5
    assert v.paths == 100 and v.years == 5
    again = ws.value(site, history, paths=100, years=5, seed=3, threads=2)
    assert again.npv_usd == v.npv_usd
    assert math.isfinite(v.npv_usd.mining.p50) and v.npv_usd.mining.p5 <= v.npv_usd.mining.p95


def test_dispatch_hourly_decision_prices_on_a_quarter_hour_grid() -> None:
    """An hourly series applies to the four quarter hours of its hour; a short one is an error, not filled."""
    quarters = pd.date_range("2024-07-01", periods=8, freq="15min", tz="UTC")
    real = pd.Series(30.0, index=quarters)
    hourly = pd.Series([30.0, 200.0], index=pd.date_range("2024-07-01", periods=2, freq="h", tz="UTC"))
    run = ws.dispatch(ONE_FLEET, real, hashprice_usd_per_ph_day=50.0, decision_prices_usd_per_mwh=hourly)
    assert run.schedule["mw_mining"].to_numpy() == pytest.approx([10.0] * 4 + [0.0] * 4)
    longer = pd.Series(30.0, index=pd.date_range("2024-07-01", periods=12, freq="15min", tz="UTC"))
    with pytest.raises(ValueError, match="02:00"):  # the third hour has no decision price
        ws.dispatch(ONE_FLEET, longer, hashprice_usd_per_ph_day=50.0, decision_prices_usd_per_mwh=hourly)


@settings(max_examples=25, deadline=None)
@given(
    st.lists(st.floats(-50.0, 500.0), min_size=2, max_size=48),
    st.floats(10.0, 150.0),
)
def test_dispatch_perfect_foresight_invariants(prices: list[float], hashprice: float) -> None:
    """Energy balance (mined + curtailed = fleet x hours) and, with perfect foresight, flexibility >= 0."""
    hours = pd.date_range("2024-07-01", periods=len(prices), freq="h", tz="UTC")
    run = ws.dispatch(ONE_FLEET, pd.Series(prices, index=hours), hashprice_usd_per_ph_day=hashprice)
    assert run.totals["mwh_mining"] + run.totals["mwh_curtailed"] == pytest.approx(10.0 * len(prices))
    assert run.result.value_of_flexibility_usd >= -1e-6


def test_cost_per_btc_takes_series() -> None:
    days = pd.date_range("2024-04-19", periods=3, freq="D")
    difficulty = pd.Series([86.39e12, 86.39e12, 86.39e12], index=days)
    price = pd.Series([63_762.63, 64_907.99, 64_968.19], index=days)
    cost = ws.cost_per_btc(difficulty, price, efficiency_j_per_th=20.0, power_usd_per_kwh=0.05)
    assert isinstance(cost.all_in_usd, pd.Series)
    # The halving on 2024-04-20 halves BTC per TH from the 19th to the 21st: energy per BTC doubles.
    assert cost.energy_kwh[days[2]] == pytest.approx(2 * cost.energy_kwh[days[0]], rel=1e-12)
    for day in days:
        one = ws.cost_per_btc(
            float(difficulty[day]),
            float(price[day]),
            date=day,
            efficiency_j_per_th=20.0,
            power_usd_per_kwh=0.05,
        )
        assert cost.all_in_usd[day] == pytest.approx(one.all_in_usd, rel=1e-12)
        assert cost.breakeven_power_usd_per_kwh[day] == pytest.approx(
            one.breakeven_power_usd_per_kwh, rel=1e-12
        )
