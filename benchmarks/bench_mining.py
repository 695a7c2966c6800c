"""Speed target: ``wattshift mining history`` over the whole history (6,300+ days) in at most 0.2 s.

Two measurements (``make bench``): the pure engine (:func:`economics_frame` on the full BTC daily
frame) and the service (:func:`mining_history`: ASIC lookup, span selection, engine, form per day)
over a stand-in warehouse holding the same frames, so DuckDB's read time is not counted here (the
warehouse benchmark measures it).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from wattshift.config.mining import MiningAssumptions
from wattshift.data.asics import read_asics
from wattshift.data.coinmetrics import read_coinmetrics
from wattshift.mining import economics_frame
from wattshift.services.mining import cost_assumptions, mining_history

TARGET_SECONDS = 0.2


def _data_dir() -> Path:
    raw = os.environ.get("WATTSHIFT_DATA_DIR")
    path = Path(raw) if raw else Path(__file__).resolve().parents[2] / "shared" / "data"
    if not (path / "onchain").is_dir():
        pytest.skip("shared data not available (set WATTSHIFT_DATA_DIR)")
    return path


class _Frames:
    """Stand-in warehouse: the two reads the mining service makes."""

    def __init__(self, btc: pd.DataFrame, asics: pd.DataFrame) -> None:
        self._btc, self._asics = btc, asics

    def btc_daily(self, start: Any = None, end: Any = None) -> pd.DataFrame:
        return self._btc

    def asic_models(self) -> pd.DataFrame:
        return self._asics


@pytest.fixture(scope="module")
def source() -> _Frames:
    data = _data_dir()
    main = read_coinmetrics(data / "onchain" / "coinmetrics_btc_daily_2009-01-03_2026-03-23.csv")
    ext = read_coinmetrics(data / "onchain" / "coinmetrics_btc_daily_ext_2026-03-23_2026-06-01.csv")
    btc = pd.concat([main[~main["date"].isin(ext["date"])], ext], ignore_index=True)
    btc = btc.sort_values("date").reset_index(drop=True)
    return _Frames(btc, read_asics(data / "asics" / "asic_models.csv"))


def _record(benchmark: Any) -> None:
    median = benchmark.stats.stats.median
    benchmark.extra_info["target_seconds"] = TARGET_SECONDS
    benchmark.extra_info["meets_target"] = median <= TARGET_SECONDS


def test_bench_economics_frame_full_history(benchmark: Any, source: _Frames) -> None:
    btc = source.btc_daily()
    frame = benchmark(
        economics_frame,
        btc,
        efficiency_j_per_th=17.5,
        power_usd_per_kwh=0.05,
        assumptions=cost_assumptions(MiningAssumptions()),
    )
    assert len(frame) == len(btc) > 6_000
    _record(benchmark)


def test_bench_mining_history_service_full_history(benchmark: Any, source: _Frames) -> None:
    frame = benchmark(mining_history, source, asic="Antminer S21 (200T)", power_usd_per_kwh=0.05)
    assert len(frame) > 6_000
    _record(benchmark)
