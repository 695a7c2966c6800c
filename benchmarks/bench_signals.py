"""Speed target: all four signals and their confluence over the full history, plus the backtest,
in at most 0.5 s (issue "Cycle signals"). Run with ``make bench``."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from wattshift.data.coinmetrics import read_coinmetrics
from wattshift.data.feargreed import read_fear_greed
from wattshift.signals import cycle_backtest, hash_ribbons, ribbon_episodes, signals_frame

TARGET_SECONDS = 0.5


def _data_dir() -> Path:
    raw = os.environ.get("WATTSHIFT_DATA_DIR")
    path = Path(raw) if raw else Path(__file__).resolve().parents[2] / "shared" / "data"
    if not (path / "onchain").is_dir():
        pytest.skip("shared data not available (set WATTSHIFT_DATA_DIR)")
    return path


@pytest.fixture(scope="module")
def frames() -> tuple[pd.DataFrame, pd.DataFrame]:
    onchain = _data_dir() / "onchain"
    main = read_coinmetrics(onchain / "coinmetrics_btc_daily_2009-01-03_2026-03-23.csv")
    ext = read_coinmetrics(onchain / "coinmetrics_btc_daily_ext_2026-03-23_2026-06-01.csv")
    btc = pd.concat([main[~main["date"].isin(ext["date"])], ext], ignore_index=True).sort_values("date")
    fg = read_fear_greed(onchain / "alternative_me_fear_greed_daily_2018-02-01_2026-08-22.csv")
    return btc.reset_index(drop=True), fg


def _all_signals(btc: pd.DataFrame, fg: pd.DataFrame) -> pd.DataFrame:
    daily = signals_frame(btc, fg)
    ribbon_episodes(hash_ribbons(btc))
    return cycle_backtest(btc, daily)


def test_bench_signals_full_history_and_backtest(
    benchmark: Any, frames: tuple[pd.DataFrame, pd.DataFrame]
) -> None:
    btc, fg = frames
    table = benchmark(_all_signals, btc, fg)
    assert not table.empty
    median = benchmark.stats.stats.median
    benchmark.extra_info["target_seconds"] = TARGET_SECONDS
    benchmark.extra_info["meets_target"] = median <= TARGET_SECONDS
