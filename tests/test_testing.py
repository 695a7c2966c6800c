"""wattshift.testing: the fake answers like the real warehouse; the assert helpers catch broken frames."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from wattshift.data.coinmetrics import read_coinmetrics
from wattshift.data.ercot import read_gridstatus_hubavg
from wattshift.data.feargreed import read_fear_greed
from wattshift.errors import DataError
from wattshift.services.dispatch import DispatchSource
from wattshift.services.mining import MiningSource
from wattshift.services.signals import DailySource
from wattshift.testing import (
    ISO_PRICE_DTYPES,
    FakeWarehouse,
    assert_columns_and_dtypes,
    assert_data_error,
    assert_day_keys,
    assert_sorted,
    assert_unique,
    assert_utc_starts,
    iso_price_frame,
    synthetic_btc,
    tiny_dispatch_warehouse,
)
from wattshift.warehouse import Warehouse

EXTENSION = "onchain/coinmetrics_btc_daily_ext_2026-03-23_2026-06-01.csv"
FEAR_GREED = "onchain/alternative_me_fear_greed_daily_2018-02-01_2026-08-22.csv"
HUBAVG_DA = "power/ercot_da_spp_hourly_hb_hubavg_2024_2025.parquet"


@pytest.fixture(scope="module")
def pair(
    shared_data_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Warehouse, FakeWarehouse]]:
    """A real warehouse and a fake one holding the same three small files."""
    files = [shared_data_dir / name for name in (EXTENSION, FEAR_GREED, HUBAVG_DA)]
    path = tmp_path_factory.mktemp("pair") / "w.duckdb"
    with Warehouse(path) as wh:
        for file in files:
            assert wh.ingest_file(file).status == "ok"
    fake = FakeWarehouse(
        btc_daily=read_coinmetrics(files[0]),
        fear_greed=read_fear_greed(files[1]),
        iso_prices=read_gridstatus_hubavg(files[2]),
    )
    with Warehouse(path, read_only=True) as real:
        yield real, fake


@pytest.mark.parametrize(
    ("start", "end"),
    [("2026-04-01", "2026-04-10"), (None, "2026-03-25"), ("2026-05-30", None), (None, None)],
)
def test_daily_spans_are_inclusive_like_the_warehouse(
    pair: tuple[Warehouse, FakeWarehouse], start: str | None, end: str | None
) -> None:
    real, fake = pair
    pd.testing.assert_frame_equal(fake.btc_daily(start, end), real.btc_daily(start, end), rtol=1e-12)
    pd.testing.assert_frame_equal(fake.fear_greed(start, end), real.fear_greed(start, end))
    if start is not None and end is not None:
        assert len(fake.btc_daily(start, end)) == 10  # 1..10 April, both ends kept


def test_iso_spans_are_half_open_like_the_warehouse(pair: tuple[Warehouse, FakeWarehouse]) -> None:
    real, fake = pair
    for start, end in (("2024-03-10", "2024-03-12"), ("2024-11-03 05:00", "2024-11-03 09:00")):
        got = fake.iso_prices("HB_HUBAVG", "da", start, end)
        pd.testing.assert_frame_equal(got, real.iso_prices("HB_HUBAVG", "da", start, end))
    # 2024-03-10 is the spring-forward day: still 24 UTC hours a day, 48 in two days.
    assert len(fake.iso_prices("HB_HUBAVG", "da", "2024-03-10", "2024-03-12")) == 48


def test_unknown_series_is_empty_where_the_warehouse_raises(pair: tuple[Warehouse, FakeWarehouse]) -> None:
    real, fake = pair
    empty = fake.iso_prices("HB_WEST", "da", "2024-03-10", "2024-03-12")
    assert empty.empty and list(empty.columns) == list(ISO_PRICE_DTYPES)
    with pytest.raises(Exception, match="not in the warehouse"):
        real.iso_prices("HB_WEST", "da", "2024-03-10", "2024-03-12")


def test_fake_satisfies_every_service_protocol_and_returns_copies() -> None:
    wh = tiny_dispatch_warehouse()
    sources: tuple[DispatchSource, MiningSource, DailySource] = (wh, wh, wh)
    assert all(s is wh for s in sources)
    first = wh.btc_daily()
    first.loc[0, "price_usd"] = -1.0
    assert wh.btc_daily().loc[0, "price_usd"] == 29_000.0
    assert FakeWarehouse().fear_greed().empty


def test_tiny_dispatch_warehouse_holds_two_days() -> None:
    wh = tiny_dispatch_warehouse(drop_rt=slice(10, 12))
    rt = wh.iso_prices("HB_WEST", "rt", "2023-08-01", "2023-08-03")
    assert len(rt) == 2 * 96 - 2
    assert rt["price_usd_per_mwh"].iloc[68:72].tolist() == [900.0] * 4  # the spike, shifted by the gap
    assert len(wh.iso_prices("REGUP", "da_as", "2023-08-01", "2023-08-02")) == 24
    assert len(wh.btc_daily("2023-08-01", "2023-08-02")) == 2


def test_assert_helpers_fail_on_broken_frames() -> None:
    good = iso_price_frame("HB_WEST", "rt", "2024-01-01", 15, [1.0, 2.0, 3.0])
    assert_columns_and_dtypes(good, ISO_PRICE_DTYPES)
    assert_utc_starts(good["interval_start_utc"])
    key = ("iso", "node", "market", "interval_start_utc")
    assert_unique(good, key)
    assert_sorted(good, key)
    with pytest.raises(AssertionError, match="dtypes"):
        assert_columns_and_dtypes(good.astype({"interval_minutes": "float64"}), ISO_PRICE_DTYPES)
    with pytest.raises(AssertionError, match="columns"):
        assert_columns_and_dtypes(good[list(ISO_PRICE_DTYPES)[::-1]], ISO_PRICE_DTYPES)
    with pytest.raises(AssertionError, match="not datetime64"):
        assert_utc_starts(good["interval_start_utc"].dt.tz_localize(None))
    with pytest.raises(AssertionError, match="duplicate"):
        assert_unique(pd.concat([good, good.iloc[:1]]), key)
    with pytest.raises(AssertionError, match="not sorted"):
        assert_sorted(good.iloc[::-1], key)
    days = synthetic_btc("2024-01-01", price_usd=[1.0, 2.0])["date"]
    assert_day_keys(days)
    with pytest.raises(AssertionError, match="not at midnight"):
        assert_day_keys(days + pd.Timedelta(hours=6))
    with pytest.raises(AssertionError, match="not datetime64"):
        assert_day_keys(days.dt.tz_localize("UTC"))


def test_assert_data_error_checks_fields_and_message() -> None:
    err = DataError("not a number", file="x.csv", line=7, column="price")
    assert_data_error(err, file="x.csv", line=7, column="price")
    with pytest.raises(AssertionError):
        assert_data_error(err, file="x.csv", line=8, column="price")
    with pytest.raises(AssertionError):
        assert_data_error(ValueError("x.csv, line 7"), file="x.csv", line=7, column=None)
    assert_data_error(DataError("cut", file="y.parquet"), file="y.parquet", line=None, column=None)
    assert np.isnan(synthetic_btc(price_usd=[1.0])["hashrate_ehs"].iloc[0])
