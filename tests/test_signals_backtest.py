"""Backtest: forward returns by hand, the statistics, zone entries, and the cycle table."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from wattshift.signals import (
    backtest_signals,
    cycle_backtest,
    forward_returns,
    signals_frame,
    zone_entries,
)
from wattshift.signals.backtest import BACKTEST_COLUMNS
from wattshift.testing import synthetic_btc


def test_forward_returns_by_hand() -> None:
    price = [100.0, 110.0, 121.0, np.nan, 80.0]
    returns = forward_returns(synthetic_btc(price_usd=price), horizons_days=[1, 2])
    assert returns["return_1d"].iloc[0] == pytest.approx(0.1)
    assert returns["return_2d"].iloc[0] == pytest.approx(0.21)
    assert np.isnan(returns["return_1d"].iloc[2])  # next price missing
    assert np.isnan(returns["return_2d"].iloc[3])  # own price missing
    assert returns["return_2d"].iloc[2] == pytest.approx(80.0 / 121.0 - 1)
    assert returns["return_1d"].iloc[4:].isna().all()  # past the data


@pytest.mark.parametrize("bad", [[0], [-30], [1.5]])
def test_bad_horizons_raise(bad: list[float]) -> None:
    with pytest.raises(ValueError, match="horizons"):
        forward_returns(synthetic_btc(price_usd=[1.0, 2.0]), horizons_days=bad)  # type: ignore[arg-type]


def test_statistics_by_hand() -> None:
    price = [100.0, 50.0, 100.0, 150.0, 120.0, 240.0]
    btc = synthetic_btc(price_usd=price)
    days = pd.Series([True, True, False, True, False, False], index=pd.DatetimeIndex(btc["date"]))
    table = backtest_signals(btc, {"picked": days}, horizons_days=[1])
    assert list(table.columns) == list(BACKTEST_COLUMNS)
    picked = table[table["signal"] == "picked"].iloc[0]
    returns = np.array([-0.5, 1.0, -0.2])  # days 0, 1, 3
    assert picked["n"] == 3
    assert picked["median_return"] == pytest.approx(np.median(returns))
    assert picked["mean_return"] == pytest.approx(returns.mean())
    assert picked["hit_rate"] == pytest.approx(1 / 3)
    assert picked["worst_return"] == pytest.approx(-0.5)
    everything = table[table["signal"] == "all days"].iloc[0]
    assert everything["n"] == 5
    assert everything["hit_rate"] == pytest.approx(3 / 5)


def test_no_signal_days_give_nan_statistics() -> None:
    btc = synthetic_btc(price_usd=[1.0, 2.0, 3.0])
    never = pd.Series(False, index=pd.DatetimeIndex(btc["date"]))
    row = backtest_signals(btc, {"never": never}, horizons_days=[1]).iloc[1]
    assert row["n"] == 0 and np.isnan(row["median_return"])


def test_zone_entries() -> None:
    flags = pd.Series([pd.NA, True, True, False, True, pd.NA, True], dtype="boolean")
    assert zone_entries(flags).tolist() == [False, True, False, False, True, False, True]


@pytest.fixture(scope="module")
def cycle(
    btc_daily_history: pd.DataFrame, fear_greed_history: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    btc = btc_daily_history
    daily = signals_frame(btc, fear_greed_history)
    return btc, daily, cycle_backtest(btc, daily)


def test_cycle_backtest_rows(cycle: tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]) -> None:
    btc, daily, table = cycle
    signals = list(dict.fromkeys(table["signal"]))
    assert signals[:2] == ["all days", "all days, 4 indicators known"]
    assert [f"confluence = {k}" for k in range(5)] == signals[2:7]
    assert "hash_ribbons buy" in signals and "mvrv_z bottom entry" in signals
    assert set(table["horizon_days"]) == {30, 90, 180, 365}
    assert table["hit_rate"].dropna().between(0, 1).all()
    assert (table["worst_return"] <= table["median_return"]).all()
    # level counts add up to the days with all four indicators known (30-day horizon)
    h30 = table[table["horizon_days"] == 30].set_index("signal")
    levels = sum(h30["n"].loc[f"confluence = {k}"] for k in range(5))
    assert levels == h30.loc["all days, 4 indicators known", "n"]
    # Hash Ribbon buys: one row per buy with a known 30-day return
    buys = daily.loc[daily["hash_ribbons_buy"], "date"]
    prices = btc.set_index("date")["price_usd"]
    known = [d for d in buys if d + pd.Timedelta(days=30) in prices.index and prices.notna()[d]]
    assert h30.loc["hash_ribbons buy", "n"] == len(known)


def test_all_days_median_365_by_hand(cycle: tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]) -> None:
    btc, _, table = cycle
    price = btc.set_index("date")["price_usd"]
    forward = price.shift(-365) / price - 1
    row = table[(table["signal"] == "all days") & (table["horizon_days"] == 365)].iloc[0]
    assert row["median_return"] == pytest.approx(forward.median(), rel=1e-12)
    assert row["n"] == forward.notna().sum()
