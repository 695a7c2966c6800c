"""Consensus facts: subsidy by height and date, halvings, block height, difficulty ↔ hashrate."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wattshift.chain import (
    HALVINGS,
    HALVINGS_ESTIMATED,
    NEXT_HALVING_HEIGHT,
    block_height_estimate,
    difficulty_to_hashrate_ths,
    hashrate_ths_to_difficulty,
    subsidy_btc,
    subsidy_btc_on,
    subsidy_sat,
)


def test_halving_heights_and_dates() -> None:
    assert dict(HALVINGS) == {
        210_000: dt.date(2012, 11, 28),
        420_000: dt.date(2016, 7, 9),
        630_000: dt.date(2020, 5, 11),
        840_000: dt.date(2024, 4, 20),
    }
    # Next one estimated at 600 s/block from block 840,000: 2028-04-17.
    assert NEXT_HALVING_HEIGHT == 1_050_000
    assert HALVINGS_ESTIMATED[1_050_000] == dt.date(2028, 4, 17)


@pytest.mark.parametrize(
    ("height", "btc"),
    [
        (0, 50.0),
        (209_999, 50.0),
        (210_000, 25.0),
        (419_999, 25.0),
        (420_000, 12.5),
        (630_000, 6.25),
        (839_999, 6.25),
        (840_000, 3.125),
        (1_049_999, 3.125),
        (1_050_000, 1.5625),
        (6_929_999, 1e-8),  # 32nd halving: 5e9 >> 32 = 1 sat
        (6_930_000, 0.0),  # 33rd halving: 5e9 >> 33 = 0
        (13_440_000, 0.0),  # 64th halving: Core's explicit cutoff
        (10**9, 0.0),
    ],
)
def test_subsidy_by_height(height: int, btc: float) -> None:
    assert subsidy_btc(height) == btc


def test_subsidy_is_integer_satoshi_shift() -> None:
    # GetBlockSubsidy: (50 * COIN) >> halvings, integer arithmetic.
    heights = np.arange(0, 40) * 210_000
    expected = [(50 * 100_000_000) >> int(k) if k < 64 else 0 for k in range(40)]
    assert subsidy_sat(heights).tolist() == expected
    assert isinstance(subsidy_sat(840_000), int)


def test_subsidy_vector_equals_scalar_loop() -> None:
    heights = np.array([0, 1, 209_999, 210_000, 630_000, 839_999, 840_000, 6_930_000])
    assert subsidy_btc(heights).tolist() == [subsidy_btc(int(h)) for h in heights]


def test_subsidy_rejects_negative_height() -> None:
    with pytest.raises(ValueError, match=">= 0"):
        subsidy_btc(-1)


def test_total_supply_cap() -> None:
    # Sum of all subsidies = 20,999,999.9769 BTC (the famous 21 M cap, with rounding down).
    halvings = np.arange(0, 34)
    total_sat = int(np.sum(subsidy_sat(halvings * 210_000)) * 210_000)
    assert total_sat == 2_099_999_997_690_000


def test_subsidy_on_dates_and_halving_day_convention() -> None:
    days = pd.DatetimeIndex(["2020-05-10", "2020-05-12", "2024-04-19", "2024-04-20", "2024-04-21"])
    got = subsidy_btc_on(days)
    # Halving day = time-weighted mean split at the halving block's timestamp:
    # block 840,000 at 00:09:27 UTC -> 567 s of 86,400 at 6.25, the rest at 3.125.
    halving_day = 567 / 86_400 * 6.25 + (1 - 567 / 86_400) * 3.125
    np.testing.assert_allclose(got, [12.5, 6.25, 6.25, halving_day, 3.125], rtol=0, atol=1e-12)
    # 2012-11-28, block 210,000 at 15:24:38 UTC: 55,478 s at 50 BTC.
    assert subsidy_btc_on("2012-11-28") == pytest.approx(55_478 / 86_400 * 50 + (1 - 55_478 / 86_400) * 25)
    assert np.isnan(subsidy_btc_on("2008-12-31"))
    assert subsidy_btc_on(dt.date(2009, 1, 3)) == 50.0
    # After the estimated 2028 halving: 1.5625.
    assert subsidy_btc_on("2028-05-01") == 1.5625


def test_subsidy_on_accepts_series_and_time_of_day() -> None:
    series = pd.Series(pd.to_datetime(["2016-07-08 23:00", "2016-07-10 01:00"]))
    np.testing.assert_array_equal(subsidy_btc_on(series), [25.0, 12.5])
    tz_aware = pd.Timestamp("2024-04-21 03:00", tz="America/Chicago")  # 08:00 UTC
    assert subsidy_btc_on(tz_aware) == 3.125


def test_subsidy_on_matches_coin_metrics_realised(shared_data_dir: object) -> None:
    """On every non-halving day, IssTotNtv / BlkCnt is exactly the scheduled subsidy."""
    from pathlib import Path

    path = Path(str(shared_data_dir)) / "onchain" / "coinmetrics_btc_daily_2009-01-03_2026-03-23.csv"
    raw = pd.read_csv(path, usecols=["time", "BlkCnt", "IssTotNtv"], parse_dates=["time"])
    raw = raw[raw["BlkCnt"] > 0]
    realised = (raw["IssTotNtv"] / raw["BlkCnt"]).to_numpy()
    scheduled = subsidy_btc_on(raw["time"].to_numpy())
    differs = raw.loc[~np.isclose(realised, scheduled, rtol=1e-9), "time"].dt.date.tolist()
    # Only the days around halvings differ (mixed-subsidy days; CM's 2024 halving straddles 04-19/20).
    assert set(differs) <= {
        dt.date(2012, 11, 28),
        dt.date(2016, 7, 9),
        dt.date(2020, 5, 11),
        dt.date(2024, 4, 19),
        dt.date(2024, 4, 20),
    }
    # The time-weighted halving-day subsidy is close to CM's realised mean (blocks do not come evenly)...
    for day in (dt.date(2012, 11, 28), dt.date(2016, 7, 9), dt.date(2020, 5, 11)):
        mask = (raw["time"].dt.date == day).to_numpy()
        assert subsidy_btc_on(day) == pytest.approx(realised[mask][0], rel=0.05)


def test_block_height_estimate_anchors() -> None:
    assert block_height_estimate("2024-04-20 00:09:27") == pytest.approx(840_000)
    assert block_height_estimate("2009-01-03 18:15:05") == pytest.approx(0)
    # After the last halving: 144 blocks per day (600 s).
    h0 = block_height_estimate("2025-01-01")
    assert block_height_estimate("2025-01-02") - h0 == pytest.approx(144.0)
    # Between anchors, monotone and close to real heights (block 800,000 was mined 2023-07-24).
    assert block_height_estimate("2023-07-24 12:00") == pytest.approx(800_000, rel=0.01)
    assert np.isnan(block_height_estimate("2008-01-01"))
    heights = block_height_estimate(pd.date_range("2010-01-01", "2030-01-01", freq="90D"))
    assert np.all(np.diff(heights) > 0)


def test_difficulty_hashrate_known_value() -> None:
    # Difficulty 86.39 T (around 2024-04-19, BTC.com) <-> 618.4 EH/s at 600 s per block.
    hashrate_ths = difficulty_to_hashrate_ths(86.39e12)
    assert hashrate_ths == pytest.approx(86.39e12 * 2**32 / 600 / 1e12)
    assert hashrate_ths / 1e6 == pytest.approx(618.4, abs=0.05)


@settings(max_examples=50, deadline=None)
@given(st.floats(min_value=1.0, max_value=1e16, allow_nan=False))
def test_difficulty_hashrate_round_trip(difficulty: float) -> None:
    assert hashrate_ths_to_difficulty(difficulty_to_hashrate_ths(difficulty)) == pytest.approx(
        difficulty, rel=1e-12
    )


def test_difficulty_hashrate_vectorised() -> None:
    d = np.array([1.0, 1e12, 86.39e12])
    vec = difficulty_to_hashrate_ths(d)
    np.testing.assert_array_equal(vec, [difficulty_to_hashrate_ths(float(x)) for x in d])
    series = pd.Series(d, index=[3, 4, 5])
    out = hashrate_ths_to_difficulty(difficulty_to_hashrate_ths(series))
    assert isinstance(out, pd.Series)
    np.testing.assert_allclose(out.to_numpy(), d, rtol=1e-12)
