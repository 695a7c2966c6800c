"""Mining services against a fake warehouse holding the real Coin Metrics and ASIC files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from wattshift.config.mining import MiningAssumptions
from wattshift.data.asics import read_asics
from wattshift.data.coinmetrics import read_coinmetrics
from wattshift.errors import ConfigError, NotInWarehouseError
from wattshift.services.asics import asic_table
from wattshift.services.catalogue import find_asic
from wattshift.services.mining import MINING_DAY_KEYS, mining_day, mining_history
from wattshift.testing import FakeWarehouse

MAIN = "coinmetrics_btc_daily_2009-01-03_2026-03-23.csv"


@pytest.fixture(scope="module")
def frames(shared_data_dir: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    btc = read_coinmetrics(shared_data_dir / "onchain" / MAIN)
    asics = read_asics(shared_data_dir / "asics" / "asic_models.csv")
    return btc, asics


@pytest.fixture
def wh(frames: tuple[pd.DataFrame, pd.DataFrame]) -> FakeWarehouse:
    btc, asics = frames
    return FakeWarehouse(btc_daily=btc, asic_models=asics)


def test_mining_day_keys_values_and_assumptions(wh: FakeWarehouse) -> None:
    day = mining_day(wh, "2024-04-01", asic="Antminer S21 (200T)", power_usd_per_kwh=0.05)
    assert tuple(day) == MINING_DAY_KEYS
    assert day["date"] == "2024-04-01"
    assert day["hashprice_usd_per_ph_day"] == pytest.approx(108.6, rel=0.01)
    info = day["assumptions"]
    assert info["asic"] == "Antminer S21 (200T)"
    assert info["efficiency_j_per_th"] == 17.5
    assert info["power_usd_per_kwh"] == 0.05
    assert set(MiningAssumptions.model_fields) <= set(info)
    assert info["hashprice_form"] == "expected" and info["note"] is None
    # Breakeven: hashprice × (1 - 2 %) / (0.024 × 17.5 × 1.05).
    hp_th = day["hashprice_usd_per_ph_day"] / 1000
    assert day["breakeven_power_usd_per_kwh"] == pytest.approx(hp_th * 0.98 / (0.024 * 17.5 * 1.05))
    assert all(isinstance(day[k], float) for k in MINING_DAY_KEYS[1:-1])


def test_mining_day_efficiency_and_overrides(wh: FakeWarehouse) -> None:
    base = mining_day(wh, "2024-04-01", efficiency_j_per_th=17.5, power_usd_per_kwh=0.05)
    assert base["assumptions"]["asic"] is None
    high_pue = mining_day(wh, "2024-04-01", efficiency_j_per_th=17.5, power_usd_per_kwh=0.05, pue=1.2)
    assert high_pue["assumptions"]["pue"] == 1.2
    assert high_pue["energy_kwh_per_btc"] == pytest.approx(base["energy_kwh_per_btc"] / 1.05 * 1.2)
    fee = mining_day(
        wh,
        "2024-04-01",
        efficiency_j_per_th=17.5,
        power_usd_per_kwh=0.05,
        assumptions=MiningAssumptions(pool_fee=0.0),
    )
    assert fee["mining_value_usd_per_mwh"] == pytest.approx(base["mining_value_usd_per_mwh"] / 0.98)


def test_latest_day_by_default(wh: FakeWarehouse) -> None:
    # The main file's last row (2026-03-23) is partial (no price): the latest usable day is 03-22.
    assert mining_day(wh, None, efficiency_j_per_th=20.0, power_usd_per_kwh=0.05)["date"] == "2026-03-22"


def test_unknown_and_unpriced_days(wh: FakeWarehouse) -> None:
    with pytest.raises(
        NotInWarehouseError, match=r"2030-01-01 is not in the warehouse.*2009-01-03 to 2026-03-23"
    ):
        mining_day(wh, "2030-01-01", efficiency_j_per_th=20.0, power_usd_per_kwh=0.05)
    with pytest.raises(NotInWarehouseError, match=r"no BTC price.*2010-07-18"):
        mining_day(wh, "2009-06-01", efficiency_j_per_th=20.0, power_usd_per_kwh=0.05)
    with pytest.raises(ConfigError, match="not a date"):
        mining_day(wh, "yesterday-ish", efficiency_j_per_th=20.0, power_usd_per_kwh=0.05)


def test_day_without_difficulty_says_so(frames: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    btc, asics = frames
    btc = btc.copy()
    last = btc["date"] == pd.Timestamp("2026-03-22")
    btc.loc[last, ["difficulty", "blocks", "issuance_btc"]] = np.nan
    day = mining_day(
        FakeWarehouse(btc_daily=btc, asic_models=asics),
        "2026-03-22",
        efficiency_j_per_th=17.5,
        power_usd_per_kwh=0.05,
    )
    assert day["difficulty"] is None and day["fees_btc_per_block"] is None
    assert day["assumptions"]["hashprice_form"] == "realised"
    assert "no difficulty" in day["assumptions"]["note"]
    assert day["hashprice_usd_per_ph_day"] is not None and day["hashprice_usd_per_ph_day"] > 0


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"efficiency_j_per_th": 17.5, "asic": "Antminer S21 (200T)"}, "exactly one"),
        ({}, "exactly one"),
        ({"efficiency_j_per_th": -1.0}, "positive"),
        ({"efficiency_j_per_th": 17.5, "pue": 0.9}, "pue"),
    ],
)
def test_bad_configuration(wh: FakeWarehouse, kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        mining_day(wh, "2024-04-01", power_usd_per_kwh=0.05, **kwargs)


def test_power_price_in_wrong_unit(wh: FakeWarehouse) -> None:
    with pytest.raises(ConfigError, match="USD/MWh"):
        mining_day(wh, "2024-04-01", efficiency_j_per_th=17.5, power_usd_per_kwh=45.0)


def test_find_asic_matching(frames: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    asics = frames[1]
    assert find_asic(asics, "s19j pro")["model"] == "Antminer S19j Pro (104T)"
    assert find_asic(asics, "Antminer S21")["model"] == "Antminer S21 (200T)"
    assert find_asic(asics, "M30S++")["model"] == "Whatsminer M30S++ (112T)"
    with pytest.raises(NotInWarehouseError, match=r"ambiguous; close matches: .*Antminer S21 XP \(270T\)"):
        find_asic(asics, "S21 XP")
    with pytest.raises(
        NotInWarehouseError, match=r"not in the ASIC catalogue; close matches: .*Antminer S19"
    ):
        find_asic(asics, "Antminer S19z")
    with pytest.raises(NotInWarehouseError, match="wattshift asics"):
        find_asic(asics, "qqqqqq")


def test_history_rows_match_single_days(wh: FakeWarehouse) -> None:
    frame = mining_history(wh, "2024-03-30", "2024-04-02", asic="S19j Pro", power_usd_per_kwh=0.04)
    assert list(frame.columns) == ["date", *MINING_DAY_KEYS[1:-1], "hashprice_form"]
    assert frame["date"].dt.strftime("%Y-%m-%d").tolist() == [
        "2024-03-30",
        "2024-03-31",
        "2024-04-01",
        "2024-04-02",
    ]
    assert frame.attrs["assumptions"]["efficiency_j_per_th"] == 29.5
    one = mining_day(wh, "2024-04-01", asic="S19j Pro", power_usd_per_kwh=0.04)
    row = frame.iloc[2]
    for key in MINING_DAY_KEYS[1:-1]:
        assert row[key] == pytest.approx(one[key], rel=1e-12), key


def test_history_span_errors(wh: FakeWarehouse) -> None:
    with pytest.raises(NotInWarehouseError, match=r"2009-01-03 to 2026-03-23"):
        mining_history(wh, "2027-01-01", "2027-02-01", efficiency_j_per_th=20.0, power_usd_per_kwh=0.05)
    with pytest.raises(ConfigError, match="after"):
        mining_history(wh, "2024-02-01", "2024-01-01", efficiency_j_per_th=20.0, power_usd_per_kwh=0.05)


def test_asic_table(wh: FakeWarehouse) -> None:
    table = asic_table(wh, "2024-04-01", 0.05)
    assert table["efficiency_j_per_th"].is_monotonic_increasing
    assert len(table) == 50
    # breakeven × efficiency is one constant (same hashprice, PUE and pool fee for every model).
    product = table["breakeven_power_usd_per_kwh"] * table["efficiency_j_per_th"]
    np.testing.assert_allclose(product, product.iloc[0], rtol=1e-12)
    # Margin per day = margin per MWh × site MWh per day (hashrate × efficiency × 24e-6 × PUE).
    site_mwh = table["hashrate_ths"] * table["efficiency_j_per_th"] * 24e-6 * 1.05
    np.testing.assert_allclose(table["margin_usd_per_day"], table["margin_usd_per_mwh"] * site_mwh, rtol=1e-9)
    s21 = table.set_index("model").loc["Antminer S21 (200T)"]
    day = mining_day(wh, "2024-04-01", asic="Antminer S21 (200T)", power_usd_per_kwh=0.05)
    assert s21["breakeven_power_usd_per_kwh"] == pytest.approx(day["breakeven_power_usd_per_kwh"], rel=1e-12)
    # S9 (98 J/TH) on 2024-04-01: 0.10862 × 0.98 / (0.024 × 98 × 1.05) = 0.0431 USD/kWh breakeven,
    # so at 0.05 USD/kWh it loses money on every hour; the S21 does not.
    s9 = table.set_index("model").loc["Antminer S9 (13.5T)"]
    assert s9["breakeven_power_usd_per_kwh"] == pytest.approx(0.10862 * 0.98 / (0.024 * 98 * 1.05), rel=1e-3)
    assert s9["margin_usd_per_day"] < 0 < s21["margin_usd_per_day"]
    bare = asic_table(wh, "2024-04-01")
    assert "margin_usd_per_day" not in bare.columns
