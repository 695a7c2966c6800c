"""Confluence: counting, unknown indicators, configurable thresholds and no look-ahead on real data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wattshift.errors import ConfigError
from wattshift.signals import INDICATORS, SignalRules, hash_ribbons, signals_frame
from wattshift.testing import fear_greed_frame, synthetic_btc


@pytest.fixture(scope="module")
def btc(btc_daily_history: pd.DataFrame) -> pd.DataFrame:
    return btc_daily_history


@pytest.fixture(scope="module")
def fg(fear_greed_history: pd.DataFrame) -> pd.DataFrame:
    return fear_greed_history


@pytest.fixture(scope="module")
def full(btc: pd.DataFrame, fg: pd.DataFrame) -> pd.DataFrame:
    return signals_frame(btc, fg)


def test_june_2022_all_four_lights(full: pd.DataFrame) -> None:
    day = full.set_index("date").loc["2022-06-17"]
    assert day["confluence_count"] == 4
    assert day["confluence_available"] == 4
    assert day["confluence_indicators"] == "hash_ribbons,puell,mvrv_z,fear_greed"


def test_count_equals_sum_of_flags(full: pd.DataFrame) -> None:
    flags = full[[f"bottom_{n}" for n in INDICATORS]]
    known = flags.notna().sum(axis=1)
    on = flags.fillna(False).astype(bool).sum(axis=1)
    assert (full["confluence_available"] == known).all()
    counted = full["confluence_count"]
    assert counted[known > 0].astype(int).eq(on[known > 0]).all()
    assert counted[known == 0].isna().all()  # nothing known: no count, never 0
    names = full["confluence_indicators"].str.split(",")
    assert all(len([x for x in n if x]) == c for n, c in zip(names[known > 0], on[known > 0], strict=True))


def test_zones_match_the_rules(full: pd.DataFrame) -> None:
    assert (full.loc[full["bottom_puell"].fillna(False).astype(bool), "puell"] < 0.5).all()
    assert (full.loc[full["bottom_mvrv_z"].fillna(False).astype(bool), "mvrv_z"] < 0).all()
    assert (full.loc[full["bottom_fear_greed"].fillna(False).astype(bool), "fear_greed"] <= 25).all()
    rib = full["bottom_hash_ribbons"].fillna(False).astype(bool)
    in_cap = full["hash_ribbons_state"].isin(["capitulation", "recovering"]).fillna(False)
    after_buy = (full["date"] - full["hash_ribbons_last_buy"]).dt.days <= 30
    assert rib.eq(in_cap | after_buy.fillna(False)).all()


def test_fear_greed_gaps_are_unknown_not_out(full: pd.DataFrame) -> None:
    by_date = full.set_index("date")
    for day in ("2018-04-14", "2018-04-15", "2018-04-16", "2024-10-26"):
        assert pd.isna(by_date["bottom_fear_greed"].loc[day])
        assert by_date.loc[day, "confluence_available"] == 3
    assert by_date.loc["2018-04-13", "confluence_available"] == 4
    # before the index existed it is unknown too
    assert by_date.loc["2017-12-17", "confluence_available"] == 3


def test_thresholds_are_configurable(btc: pd.DataFrame, fg: pd.DataFrame, full: pd.DataFrame) -> None:
    loose = signals_frame(btc, fg, SignalRules(puell_bottom_below=0.8, fear_greed_bottom_max=40))
    more = loose["confluence_count"].fillna(0) >= full["confluence_count"].fillna(0)
    assert more.all()
    assert loose["bottom_puell"].fillna(False).sum() > full["bottom_puell"].fillna(False).sum()
    no_window = signals_frame(btc, fg, SignalRules(ribbons_buy_window_days=0))
    day = no_window.set_index("date").loc["2023-02-01"]  # 18 days after the 2023-01-14 buy
    assert not day["bottom_hash_ribbons"]
    assert full.set_index("date").loc["2023-02-01", "bottom_hash_ribbons"]


@pytest.mark.parametrize(
    "field",
    [
        {"puell_bottom_below": 5.0},
        {"mvrv_z_top_above": -1.0},
        {"fear_greed_bottom_max": 120.0},
        {"ribbons_buy_window_days": -1},
        {"ribbons_merge_gap_days": -2},
    ],
)
def test_invalid_rules_name_the_field(field: dict[str, float]) -> None:
    name = next(iter(field))
    with pytest.raises(ConfigError, match=name.split("_")[0]):
        SignalRules(**field)  # type: ignore[arg-type]


def test_synthetic_counts_by_hand() -> None:
    n = 400
    btc = synthetic_btc(
        hashrate_ehs=[100.0] * n,
        price_usd=np.linspace(1.0, 2.0, n),
        issuance_usd=[1.0] * 364 + [0.3] * 36,  # Puell < 0.5 from day 364
        market_cap_usd=[10.0] * n,
        realized_cap_usd=[12.0] * n,  # MVRV Z < 0 once defined (std > 0 needs variation)
    )
    btc.loc[:9, "market_cap_usd"] = 9.0
    values = [10.0] * n
    values[390] = np.nan
    fg = fear_greed_frame("2020-01-01", values)
    frame = signals_frame(btc, fg).set_index("date")
    day = frame.iloc[380]
    assert day["confluence_available"] == 4
    assert day["confluence_count"] == 3  # flat hash rate: never capitulates
    assert day["confluence_indicators"] == "puell,mvrv_z,fear_greed"
    assert frame.iloc[390]["confluence_available"] == 3
    assert frame.iloc[390]["confluence_count"] == 2
    early = frame.iloc[30]  # nothing but Fear & Greed is known on day 30
    assert early["confluence_available"] == 1 and early["confluence_count"] == 1


def test_empty_fear_greed_frame_is_unknown(btc: pd.DataFrame) -> None:
    empty = pd.DataFrame({"date": pd.to_datetime([]), "value": [], "classification": []})
    frame = signals_frame(btc.iloc[-800:], empty)
    assert frame["bottom_fear_greed"].isna().all()
    assert frame["confluence_available"].max() == 3


def test_daily_ribbon_columns_match_the_engine(btc: pd.DataFrame, full: pd.DataFrame) -> None:
    rib = hash_ribbons(btc)
    assert (full["hash_ribbons_buy"].to_numpy() == rib["buy"].to_numpy()).all()
    assert full["hash_ribbons_state"].equals(rib["state"].rename("hash_ribbons_state"))


@settings(max_examples=8, deadline=None)
@given(cut=st.dates(min_value=pd.Timestamp("2010-01-01").date(), max_value=pd.Timestamp("2026-05-31").date()))
def test_no_look_ahead(btc: pd.DataFrame, fg: pd.DataFrame, full: pd.DataFrame, cut: object) -> None:
    day = pd.Timestamp(str(cut))
    part = signals_frame(btc[btc["date"] <= day], fg[fg["date"] <= day])
    pd.testing.assert_frame_equal(part, full[full["date"] <= day].reset_index(drop=True))
