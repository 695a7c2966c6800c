"""economics_frame on the real Coin Metrics history: published hashprice, forms, columns, invariants."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from wattshift.config.mining import MiningAssumptions
from wattshift.data.coinmetrics import read_coinmetrics
from wattshift.mining import (
    ECONOMICS_COLUMNS,
    economics_frame,
    hashprice_realised_usd_per_ph_day,
    hashprice_source,
    hashprice_usd_per_th_day,
)
from wattshift.services.mining import cost_assumptions

MAIN = "coinmetrics_btc_daily_2009-01-03_2026-03-23.csv"
EXT = "coinmetrics_btc_daily_ext_2026-03-23_2026-06-01.csv"
#: The default assumptions as the engine takes them (a frozen spec built by the services).
A = cost_assumptions(MiningAssumptions())


@pytest.fixture(scope="module")
def btc_daily(shared_data_dir: Path) -> pd.DataFrame:
    return read_coinmetrics(shared_data_dir / "onchain" / MAIN)


def _on(frame: pd.DataFrame, day: str) -> pd.Series:
    return frame.loc[frame["date"] == pd.Timestamp(day)].iloc[0]


def test_columns_exactly(btc_daily: pd.DataFrame) -> None:
    econ = economics_frame(btc_daily, efficiency_j_per_th=17.5, power_usd_per_kwh=0.05, assumptions=A)
    assert tuple(econ.columns) == ECONOMICS_COLUMNS
    assert len(econ) == len(btc_daily)
    assert (econ.index == btc_daily.index).all()


def test_hashprice_2024_04_01_matches_luxor(btc_daily: pd.DataFrame) -> None:
    """Luxor Hashrate Index published 108.6 USD/PH/day for 2024-04-01 (signals.md reference)."""
    econ = economics_frame(btc_daily, efficiency_j_per_th=17.5, power_usd_per_kwh=0.05, assumptions=A)
    day = _on(econ, "2024-04-01")
    assert day["hashprice_usd_per_ph_day"] == pytest.approx(108.6, rel=0.01)
    # Difficulty 86.39 T around 2024-04-19 (BTC.com).
    assert _on(econ, "2024-04-19")["difficulty"] == pytest.approx(86.39e12, rel=0.001)


def test_expected_form_is_used_and_agrees_with_realised(btc_daily: pd.DataFrame) -> None:
    """Decision: hashprice is the expected form (difficulty, consensus subsidy, mean fees per block).

    It agrees with the realised revenue / hashrate to 1e-4 on every priced day but the halving days
    (to 1e-9 except 2022-09-09..12, where Coin Metrics' IssTotUSD differs from IssTotNtv × PriceUSD
    by ~2e-5).
    """
    form = hashprice_source(btc_daily)
    priced = btc_daily["price_usd"].notna() & (btc_daily["blocks"] > 0)
    assert (form[priced] == "expected").all()
    expected = hashprice_usd_per_th_day(btc_daily) * 1000
    realised = hashprice_realised_usd_per_ph_day(btc_daily)
    rel = (expected / realised - 1).abs()[priced]
    off = set(btc_daily.loc[rel[rel > 1e-4].index, "date"].dt.strftime("%Y-%m-%d"))
    assert off <= {"2012-11-28", "2016-07-09", "2020-05-11", "2024-04-19", "2024-04-20"}
    assert rel.max() < 0.05  # a few % on the mixed halving days


def test_fallback_to_realised_when_difficulty_missing(btc_daily: pd.DataFrame) -> None:
    window = btc_daily[btc_daily["date"].between("2024-03-25", "2024-04-05")].copy()
    window.loc[window["date"] == pd.Timestamp("2024-04-01"), ["difficulty", "blocks"]] = np.nan
    econ = economics_frame(window, efficiency_j_per_th=17.5, power_usd_per_kwh=0.05, assumptions=A)
    form = hashprice_source(window)
    mask = (window["date"] == pd.Timestamp("2024-04-01")).to_numpy()
    assert form[mask].tolist() == ["realised"]
    day = econ[mask].iloc[0]
    assert np.isnan(day["difficulty"]) and np.isnan(day["fees_btc_per_block"])
    assert day["hashprice_usd_per_ph_day"] == pytest.approx(108.615, rel=1e-4)
    strict = economics_frame(
        window, efficiency_j_per_th=17.5, power_usd_per_kwh=0.05, assumptions=A, fallback_to_realised=False
    )
    assert np.isnan(strict[mask].iloc[0]["hashprice_usd_per_ph_day"])


def test_extension_file_days(shared_data_dir: Path) -> None:
    ext = read_coinmetrics(shared_data_dir / "onchain" / EXT)
    econ = economics_frame(ext, efficiency_j_per_th=17.5, power_usd_per_kwh=0.05, assumptions=A)
    assert econ["hashprice_usd_per_ph_day"].notna().all()
    # Every day priced, by one form or the other.
    assert set(hashprice_source(ext)) <= {"expected", "realised"}


def test_frame_rows_match_independent_formulas(btc_daily: pd.DataFrame) -> None:
    """2024-04-01 for an S21 (17.5 J/TH) at 0.05 USD/kWh, PUE 1.05, pool fee 2 %, recomputed by hand."""
    a = A
    econ = economics_frame(btc_daily, efficiency_j_per_th=17.5, power_usd_per_kwh=0.05, assumptions=a)
    day = _on(econ, "2024-04-01")
    raw = _on(btc_daily, "2024-04-01")
    s_plus_f = 6.25 + raw["fees_btc"] / raw["blocks"]
    kwh = 17.5 * 1e-12 * raw["difficulty"] * 2**32 / s_plus_f / 3.6e6 * 1.05
    assert day["energy_kwh_per_btc"] == pytest.approx(kwh, rel=1e-12)
    assert day["energy_cost_usd_per_btc"] == pytest.approx(kwh * 0.05, rel=1e-12)
    hp_th = day["hashprice_usd_per_ph_day"] / 1000
    assert day["breakeven_power_usd_per_kwh"] == pytest.approx(hp_th * 0.98 / (0.024 * 17.5 * 1.05))
    assert day["mining_value_usd_per_mwh"] == pytest.approx(day["breakeven_power_usd_per_kwh"] * 1000)
    assert day["btc_per_ph_day"] * day["price_usd"] == pytest.approx(day["hashprice_usd_per_ph_day"])


def test_frame_invariants_over_history(btc_daily: pd.DataFrame) -> None:
    econ = economics_frame(btc_daily, efficiency_j_per_th=21.5, power_usd_per_kwh=0.06, assumptions=A)
    ok = econ["all_in_cost_usd_per_btc"].notna()
    assert ok.sum() > 5_000
    assert (econ.loc[ok, "all_in_cost_usd_per_btc"] >= econ.loc[ok, "breakeven_price_usd"]).all()
    assert (econ.loc[ok, "breakeven_price_usd"] >= econ.loc[ok, "energy_cost_usd_per_btc"]).all()
    # Doubling the power price doubles energy cost per BTC on every day.
    double = economics_frame(btc_daily, efficiency_j_per_th=21.5, power_usd_per_kwh=0.12, assumptions=A)
    np.testing.assert_allclose(
        double.loc[ok, "energy_cost_usd_per_btc"], 2 * econ.loc[ok, "energy_cost_usd_per_btc"], rtol=1e-12
    )


def test_per_day_power_price_equals_scalar_runs(btc_daily: pd.DataFrame) -> None:
    window = btc_daily.iloc[-30:].reset_index(drop=True)
    prices = np.linspace(0.02, 0.09, len(window))
    vector = economics_frame(window, efficiency_j_per_th=17.5, power_usd_per_kwh=prices, assumptions=A)
    for i in (0, 11, 29):
        one = economics_frame(
            window.iloc[[i]], efficiency_j_per_th=17.5, power_usd_per_kwh=float(prices[i]), assumptions=A
        )
        pd.testing.assert_series_equal(vector.iloc[i], one.iloc[0], check_names=False)


def test_bad_inputs(btc_daily: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match="difficulty"):
        economics_frame(
            btc_daily.drop(columns=["difficulty"]),
            efficiency_j_per_th=17.5,
            power_usd_per_kwh=0.05,
            assumptions=A,
        )
    with pytest.raises(ValueError, match="power_usd_per_kwh"):
        economics_frame(
            btc_daily, efficiency_j_per_th=17.5, power_usd_per_kwh=np.array([0.05, 0.06]), assumptions=A
        )
