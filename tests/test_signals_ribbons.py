"""Hash Ribbons: published dates, the episode table, options, warm-up and no look-ahead."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wattshift.errors import DataError
from wattshift.signals import hash_ribbons, ribbon_episodes
from wattshift.testing import synthetic_btc

ONE_DAY = pd.Timedelta(days=1)


@pytest.fixture(scope="module")
def btc(btc_daily_history: pd.DataFrame) -> pd.DataFrame:
    return btc_daily_history


@pytest.fixture(scope="module")
def episodes(btc: pd.DataFrame) -> pd.DataFrame:
    return ribbon_episodes(hash_ribbons(btc))


def _episode_with_buy_near(episodes: pd.DataFrame, day: str) -> pd.Series:
    near = episodes[(episodes["buy"] - pd.Timestamp(day)).abs() <= ONE_DAY]
    assert len(near) == 1, f"no single buy within a day of {day}: {episodes['buy'].tolist()}"
    return near.iloc[0]


@pytest.mark.parametrize("previous_day", [False, True])
def test_buy_january_2019(btc: pd.DataFrame, previous_day: bool) -> None:
    # Interdax: "crossover in January 2019 gave a buy signal" - dated 2019-01-10
    table = ribbon_episodes(hash_ribbons(btc, use_previous_day_hashrate=previous_day))
    episode = _episode_with_buy_near(table, "2019-01-10")
    assert abs(episode["capitulation_start"] - pd.Timestamp("2018-10-30")) <= ONE_DAY


@pytest.mark.parametrize("previous_day", [False, True])
def test_buy_january_2023_after_november_2022_capitulation(btc: pd.DataFrame, previous_day: bool) -> None:
    # NewsBTC / Will Clemente: capitulation from late November 2022, cross in January 2023
    table = ribbon_episodes(hash_ribbons(btc, use_previous_day_hashrate=previous_day))
    episode = _episode_with_buy_near(table, "2023-01-14")
    assert abs(episode["capitulation_start"] - pd.Timestamp("2022-11-27")) <= ONE_DAY
    assert abs(episode["recovery"] - pd.Timestamp("2023-01-14")) <= ONE_DAY


@pytest.mark.parametrize("previous_day", [False, True])
def test_2022_episode_merges_the_one_day_break_and_lasts_71_days(
    btc: pd.DataFrame, previous_day: bool
) -> None:
    # Charles Edwards, 2022-08-20: capitulation over after 71 days (the 2022-07-04 break merged)
    table = ribbon_episodes(hash_ribbons(btc, use_previous_day_hashrate=previous_day))
    ended = table[(table["recovery"] >= "2022-08-19") & (table["recovery"] <= "2022-08-20")]
    assert len(ended) == 1
    episode = ended.iloc[0]
    assert abs(episode["duration_days"] - 71) <= 1
    assert episode["whipsaws"] == 1
    assert episode["capitulation_start"] < pd.Timestamp("2022-07-04")


def test_without_merging_2022_splits_at_the_break(btc: pd.DataFrame) -> None:
    table = ribbon_episodes(hash_ribbons(btc, merge_gap_days=0))
    in_2022 = table[
        (table["capitulation_start"] >= "2022-06-01") & (table["capitulation_start"] < "2022-09-01")
    ]
    assert len(in_2022) == 2
    assert in_2022["recovery"].iloc[0] == pd.Timestamp("2022-07-04")
    assert in_2022["capitulation_start"].iloc[1] == pd.Timestamp("2022-07-05")
    assert (table["whipsaws"] == 0).all()


def test_episode_columns_are_consistent(btc: pd.DataFrame, episodes: pd.DataFrame) -> None:
    done = episodes[episodes["recovery"].notna()]
    assert ((done["recovery"] - done["capitulation_start"]).dt.days == done["duration_days"]).all()
    bought = episodes[episodes["buy"].notna()]
    assert (bought["buy"] > bought["capitulation_start"]).all()
    prices = btc.set_index("date")["price_usd"]
    assert np.allclose(bought["price_at_buy_usd"], prices.loc[bought["buy"]].to_numpy())
    # forward return after the 2023-01-14 buy, by hand from the prices
    row = bought[bought["buy"] == "2023-01-14"].iloc[0]
    expected = prices.loc["2024-01-14"] / prices.loc["2023-01-14"] - 1
    assert row["return_365d"] == pytest.approx(expected, rel=1e-12)
    # episodes are ordered and do not overlap
    assert episodes["capitulation_start"].is_monotonic_increasing


def test_daily_state_and_since_on_known_days(btc: pd.DataFrame) -> None:
    daily = hash_ribbons(btc).set_index("date")
    assert daily.loc["2022-06-17", "state"] in {"capitulation", "recovering"}
    assert daily.loc["2022-06-17", "since"] == pd.Timestamp("2022-06-09")
    # the one-day break is "recovered" on the day (nobody knew yet) ...
    assert daily.loc["2022-07-04", "state"] == "recovered"
    # ... and once capitulation resumes, the episode keeps its June start
    assert daily.loc["2022-07-10", "since"] == pd.Timestamp("2022-06-09")
    assert daily.loc["2023-03-01", "state"] == "recovered"
    assert daily.loc["2023-03-01", "since"] == pd.Timestamp("2023-01-14")
    assert daily.loc["2023-03-01", "last_buy"] == pd.Timestamp("2023-01-14")


def test_moving_averages_equal_a_scalar_loop(btc: pd.DataFrame) -> None:
    daily = hash_ribbons(btc).set_index("date")
    hashrate = btc.set_index("date")["hashrate_ehs"]
    for day in ("2019-01-10", "2022-08-19", "2025-06-01"):
        end = pd.Timestamp(day)
        fast = sum(hashrate.loc[end - pd.Timedelta(days=k)] for k in range(30)) / 30
        slow = sum(hashrate.loc[end - pd.Timedelta(days=k)] for k in range(60)) / 60
        assert daily.loc[end, "hashrate_sma_fast_ehs"] == pytest.approx(fast, rel=1e-12)
        assert daily.loc[end, "hashrate_sma_slow_ehs"] == pytest.approx(slow, rel=1e-12)


def _dip(n_before: int, dip_days: int, n_after: int) -> list[float]:
    """Flat hash rate, a drop to 80 % for ``dip_days``, then back: one capitulation."""
    return [100.0] * n_before + [80.0] * dip_days + [100.0] * n_after


def test_synthetic_dip_hand_computed() -> None:
    # 100 EH/s for 70 days, 80 on days 70..90 (21 days), then 100 again.
    # hr30 < hr60 from day 70. hr30 stays flat while all 21 low days are in its window (to day 99)
    # and rises from day 100 (low days in the window: 120 - d). hr60 keeps all 21 until day 129, so
    # hr30 >= hr60  <=>  low30 / 30 <= 21 / 60  <=>  120 - d <= 10.5  <=>  d >= 110 (strict, no tie).
    hashrate = _dip(70, 21, 89)
    price = np.linspace(100.0, 200.0, len(hashrate))  # rising: SMA10 > SMA20 every day
    daily = hash_ribbons(synthetic_btc(hashrate_ehs=hashrate, price_usd=price))
    state = daily["state"]
    assert state.iloc[:59].isna().all()  # warm-up: hr60 needs 60 days
    assert daily["capitulation"].iloc[:59].isna().all()
    assert state.iloc[59:70].eq("recovered").all()
    assert state.iloc[70:100].eq("capitulation").all()
    assert state.iloc[100:110].eq("recovering").all()
    assert state.iloc[110:].eq("recovered").all()
    assert daily["since"].iloc[105] == daily["date"].iloc[70]
    assert daily["since"].iloc[120] == daily["date"].iloc[110]
    assert daily["buy"].to_numpy().nonzero()[0].tolist() == [110]
    episodes = ribbon_episodes(daily)
    assert len(episodes) == 1
    assert episodes["capitulation_start"].iloc[0] == daily["date"].iloc[70]
    assert episodes["buy"].iloc[0] == daily["date"].iloc[110]
    assert episodes["duration_days"].iloc[0] == 40


def test_whipsaw_merge_is_causal() -> None:
    # The dip above recovers on day 110; a hash-rate crash to 10 EH/s on day 111 pulls hr30
    # (94.0 - 3.0 = 91.0) under hr60 (93.0 - 1.5 = 91.5) for that day only; day 112: 91.67 > 91.5.
    hashrate = _dip(70, 21, 89)
    hashrate[111] = 10.0
    frame = synthetic_btc(hashrate_ehs=hashrate, price_usd=np.linspace(2.0, 1.0, len(hashrate)))
    daily = hash_ribbons(frame)
    state = daily["state"]
    assert state.iloc[110] == "recovered" and state.iloc[111] == "capitulation"
    assert state.iloc[112] == "recovered"
    assert daily["since"].iloc[111] == daily["date"].iloc[70]  # a 1-day recovery: the start is kept
    merged = ribbon_episodes(daily)
    assert len(merged) == 1
    assert merged["whipsaws"].iloc[0] == 1
    assert merged["recovery"].iloc[0] == daily["date"].iloc[112]
    assert merged["duration_days"].iloc[0] == 42
    split = ribbon_episodes(hash_ribbons(frame, merge_gap_days=0))
    assert split["capitulation_start"].tolist() == [daily["date"].iloc[70], daily["date"].iloc[111]]


def test_buy_waits_for_price_momentum() -> None:
    hashrate = _dip(70, 21, 89)
    price = np.r_[np.linspace(200.0, 100.0, 120), np.linspace(100.0, 160.0, 60)]  # falls until day 119
    daily = hash_ribbons(synthetic_btc(hashrate_ehs=hashrate, price_usd=price))
    buys = daily["buy"].to_numpy().nonzero()[0]
    assert len(buys) == 1 and buys[0] > 119
    fast = pd.Series(price).rolling(10).mean()
    slow = pd.Series(price).rolling(20).mean()
    first_momentum = int(np.flatnonzero((fast > slow).to_numpy()[110:])[0]) + 110
    assert buys[0] == first_momentum


def test_missing_hashrate_day_blanks_the_windows() -> None:
    hashrate = [100.0] * 150
    hashrate[100] = np.nan
    daily = hash_ribbons(synthetic_btc(hashrate_ehs=hashrate, price_usd=[1.0] * 150))
    assert daily["state"].iloc[100:160].isna().all()
    assert daily["state"].iloc[99] == "recovered"
    assert daily["hashrate_sma_slow_ehs"].iloc[100:].isna().all()


def test_gap_in_dates_is_a_missing_day_not_a_shorter_window() -> None:
    frame = synthetic_btc(hashrate_ehs=[100.0] * 150, price_usd=[1.0] * 150)
    daily = hash_ribbons(frame.drop(index=100))
    assert len(daily) == 150  # back on a complete calendar
    assert daily["state"].iloc[100:160].isna().all()


def test_duplicate_dates_are_a_data_error() -> None:
    frame = synthetic_btc(hashrate_ehs=[1.0] * 5, price_usd=[1.0] * 5)
    with pytest.raises(DataError, match="duplicate date"):
        hash_ribbons(pd.concat([frame, frame.iloc[[2]]]))


@settings(max_examples=20, deadline=None)
@given(
    hashrate=st.lists(st.floats(50.0, 150.0), min_size=70, max_size=160),
    price=st.lists(st.floats(1.0, 10.0), min_size=160, max_size=160),
    cut=st.integers(60, 159),
    merge=st.integers(0, 3),
)
def test_no_look_ahead_synthetic(hashrate: list[float], price: list[float], cut: int, merge: int) -> None:
    frame = synthetic_btc(hashrate_ehs=hashrate, price_usd=price[: len(hashrate)])
    cut = min(cut, len(hashrate) - 1)
    full = hash_ribbons(frame, merge_gap_days=merge)
    part = hash_ribbons(frame.iloc[: cut + 1], merge_gap_days=merge)
    pd.testing.assert_frame_equal(part, full.iloc[: cut + 1])


def _episode_starting(table: pd.DataFrame, day: str) -> pd.Series:
    rows = table[table["capitulation_start"] == pd.Timestamp(day)]
    assert len(rows) == 1, table["capitulation_start"].tolist()
    return rows.iloc[0]


def test_whipsaw_buy_is_early_and_the_final_recovery_gets_its_own_buy(btc: pd.DataFrame) -> None:
    # The rule (ribbons module docstring): a buy inside a merged whipsaw stands as the early buy;
    # the buy test is re-armed when capitulation resumes, so the final recovery gets its own buy.
    daily = hash_ribbons(btc)
    table = ribbon_episodes(daily)
    late_2025 = _episode_starting(table, "2025-11-25")
    assert late_2025["whipsaws"] == 2
    assert late_2025["early_buy"] == pd.Timestamp("2026-01-04")
    assert late_2025["recovery"] == pd.Timestamp("2026-02-26")
    assert late_2025["buy"] == pd.Timestamp("2026-03-05")  # the buy merge_gap_days=0 also finds
    unmerged = ribbon_episodes(hash_ribbons(btc, merge_gap_days=0))
    assert pd.Timestamp("2026-03-05") in set(unmerged["buy"])
    buys = set(pd.DatetimeIndex(daily.loc[daily["buy"], "date"]))
    assert {pd.Timestamp("2026-01-04"), pd.Timestamp("2026-03-05")} <= buys
    on = daily.set_index("date")
    assert on.loc["2026-03-04", "last_buy"] == pd.Timestamp("2026-01-04")
    assert on.loc["2026-03-06", "last_buy"] == pd.Timestamp("2026-03-05")

    early_2025 = _episode_starting(table, "2025-01-31")
    assert early_2025["early_buy"] == pd.Timestamp("2025-02-02")
    assert early_2025["recovery"] == pd.Timestamp("2025-02-07")
    # after 2025-02-07 the price test failed until the next capitulation (2025-03-17): no buy
    assert pd.isna(early_2025["buy"]) and np.isnan(early_2025["price_at_buy_usd"])
    assert _episode_starting(table, "2025-03-17")["buy"] == pd.Timestamp("2025-03-24")
