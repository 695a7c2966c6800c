"""MVRV Z-Score: Glassnode's first negative day, the expanding standard deviation, warm-up, zones."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from wattshift.signals import mvrv_z_score
from wattshift.testing import synthetic_btc


@pytest.fixture(scope="module")
def btc(btc_daily_history: pd.DataFrame) -> pd.DataFrame:
    return btc_daily_history


@pytest.fixture(scope="module")
def z(btc: pd.DataFrame) -> pd.DataFrame:
    return mvrv_z_score(btc).set_index("date")


def test_first_negative_day_of_the_2022_bear_market(z: pd.DataFrame) -> None:
    # Glassnode via BeInCrypto: MVRV Z turned negative on 2022-06-13 (first time since March 2020)
    since_2021 = z.loc["2021-01-01":, "mvrv_z"]
    first_negative = since_2021[since_2021 < 0].index[0]
    assert abs(first_negative - pd.Timestamp("2022-06-13")) <= pd.Timedelta(days=1)
    assert z.loc["2022-06-12", "zone"] == "neutral"
    assert z.loc["2022-06-13", "zone"] == "bottom"


def test_equals_formula_by_hand(btc: pd.DataFrame, z: pd.DataFrame) -> None:
    frame = btc.set_index("date")
    market = frame["market_cap_usd"]
    for day in ("2013-12-04", "2017-12-17", "2021-04-13", "2022-06-13"):
        history = market.loc[:day].dropna().to_numpy()
        expected = (market.loc[day] - frame.loc[day, "realized_cap_usd"]) / history.std(ddof=1)
        assert z.loc[day, "mvrv_z"] == pytest.approx(expected, rel=1e-9)


def test_cycle_tops_are_in_the_top_zone(z: pd.DataFrame) -> None:
    # 2013, 2017 and the April 2021 peaks: Glassnode shows Z > 7 (ours runs 5-10 % lower)
    assert z.loc["2013-11-25":"2013-12-10", "mvrv_z"].max() > 7
    assert z.loc["2017-12-10":"2017-12-20", "mvrv_z"].max() > 7
    assert (z["zone"] == "top").any()


def test_a_full_history_std_would_be_far_smaller(btc: pd.DataFrame, z: pd.DataFrame) -> None:
    frame = btc.set_index("date")
    full_std = frame["market_cap_usd"].std()
    static = (frame["market_cap_usd"] - frame["realized_cap_usd"]) / full_std
    ratio = z.loc["2017-12-17", "mvrv_z"] / static.loc["2017-12-17"]
    assert ratio > 5  # signals.md: "~10x too small"


def test_warm_up_is_nan(btc: pd.DataFrame, z: pd.DataFrame) -> None:
    first_price = btc.loc[btc["market_cap_usd"].notna(), "date"].iloc[0]
    first_value = z.index[z["mvrv_z"].notna()][0]
    assert first_value == first_price + pd.Timedelta(days=364)
    assert z.loc[:first_value, "zone"].iloc[:-1].isna().all()


def test_synthetic_hand_computed_and_min_history() -> None:
    market = [10.0, 12.0, 14.0, 16.0]
    realized = [10.0, 10.0, 10.0, 20.0]
    frame = synthetic_btc(market_cap_usd=market, realized_cap_usd=realized)
    z = mvrv_z_score(frame, min_history_days=3)
    assert np.isnan(z["mvrv_z"].iloc[:2]).all()
    assert z["mvrv_z"].iloc[2] == pytest.approx(4.0 / np.std([10, 12, 14], ddof=1))
    assert z["mvrv_z"].iloc[3] == pytest.approx(-4.0 / np.std([10, 12, 14, 16], ddof=1))
    assert z["zone"].iloc[3] == "bottom"
    assert z["mvrv"].iloc[3] == pytest.approx(0.8)


def test_missing_realized_cap_gives_nan_not_zero() -> None:
    frame = synthetic_btc(market_cap_usd=[10.0, 12.0, 14.0], realized_cap_usd=[10.0, np.nan, 10.0])
    z = mvrv_z_score(frame, min_history_days=2)
    assert np.isnan(z["mvrv_z"].iloc[1])
    assert pd.isna(z["zone"].iloc[1])
    assert z["mvrv_z"].iloc[2] == pytest.approx(4.0 / 2.0)
