"""Operating days and clock hours of an interval grid: integer floors on the index's ticks against
the pandas arithmetic they replace (normalize + TimedeltaIndex days, floor("h")), on DST days of 23 and
25 hours, 5-minute, 15-minute and hourly grids over several years, every storage unit, and empty grids."""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wattshift.dispatch.calendar import day_numbers, hour_numbers, windows
from wattshift.dispatch.problem import IntArray

ZONES = (
    "UTC",
    "America/Chicago",  # ERCOT; DST at 02:00 local
    "America/New_York",
    "America/Los_Angeles",
    "Europe/Stockholm",  # Nord Pool; DST at 01:00 UTC
    "Australia/Lord_Howe",  # half-hour DST shift
    "Asia/Kolkata",  # +05:30, no DST
    "Pacific/Chatham",  # +12:45 / +13:45
)

UNITS: tuple[Literal["s", "ms", "us", "ns"], ...] = ("s", "ms", "us", "ns")


def pandas_day_numbers(interval_start_utc: pd.DatetimeIndex, timezone: str) -> IntArray:
    """The code :func:`day_numbers` replaced: local midnights by ``normalize``, days of the differences."""
    local = interval_start_utc.tz_convert(timezone).tz_localize(None).normalize()
    return np.asarray((local - local[0]).days, dtype=np.int64) if len(local) else np.zeros(0, np.int64)


def pandas_hour_numbers(interval_start_utc: pd.DatetimeIndex) -> IntArray:
    """The code :func:`hour_numbers` replaced: UTC ``floor("h")`` and whole hours of the differences."""
    hours = interval_start_utc.tz_convert("UTC").floor("h")
    if not len(hours):
        return np.zeros(0, np.int64)
    return np.asarray((hours - hours[0]) // pd.Timedelta(hours=1), dtype=np.int64)


@pytest.mark.parametrize(("day", "hours"), [("2024-03-10", 23), ("2024-11-03", 25), ("2024-07-04", 24)])
def test_ercot_dst_days_have_their_hours(day: str, hours: int) -> None:
    # ERCOT's operating days in Central Prevailing Time: spring forward 23 h, fall back 25 h
    lo = pd.Timestamp(day, tz="America/Chicago").tz_convert("UTC")
    grid = pd.date_range(lo - pd.Timedelta(hours=24), periods=(48 + hours) * 4, freq="15min")
    day_no = day_numbers(grid, "America/Chicago")
    np.testing.assert_array_equal(np.bincount(day_no), [24 * 4, hours * 4, 24 * 4])
    assert day_no.dtype == np.int64


def test_nord_pool_fall_back_day_and_utc_hours() -> None:
    # Stockholm's 2023-10-29 has 25 hours; hour numbers count UTC hours straight through it
    lo = pd.Timestamp("2023-10-29", tz="Europe/Stockholm").tz_convert("UTC")
    grid = pd.date_range(lo, periods=25 * 12, freq="5min")
    assert set(day_numbers(grid, "Europe/Stockholm")) == {0}
    np.testing.assert_array_equal(hour_numbers(grid), np.repeat(np.arange(25), 12))


def test_empty_grid() -> None:
    empty = pd.DatetimeIndex([], tz="UTC")
    for got in (day_numbers(empty, "America/Chicago"), hour_numbers(empty)):
        assert got.shape == (0,) and got.dtype == np.int64
    assert windows(day_numbers(empty), 1) == [slice(0, 0)]


@pytest.mark.parametrize("step", ["5min", "15min", "h"])
@pytest.mark.parametrize(
    ("zone", "last_day"),
    # local first and last days: 2019-12-31 to 2025-01-01 (Chicago, UTC-6), 2019-12-31 to 2025-01-02
    # (Stockholm, UTC+1), 2020-01-01 to 2025-01-02 (Lord Howe, UTC+11); 2020 and 2024 are leap years
    [("America/Chicago", 1828), ("Europe/Stockholm", 1829), ("Australia/Lord_Howe", 1828)],
)
def test_years_long_grids_equal_pandas(step: str, zone: str, last_day: int) -> None:
    grid = pd.date_range("2019-12-31 17:00", "2025-01-02", freq=step, tz="UTC", inclusive="left")
    np.testing.assert_array_equal(day_numbers(grid, zone), pandas_day_numbers(grid, zone))
    np.testing.assert_array_equal(hour_numbers(grid), pandas_hour_numbers(grid))
    assert int(day_numbers(grid, zone)[-1]) == last_day


@st.composite
def grids(draw: st.DrawFn) -> pd.DatetimeIndex:
    """Evenly spaced UTC grids from 1960 to 2060, any start minute, 0 to 3000 intervals, any unit."""
    start_min = draw(st.integers(-10 * 525_960, 90 * 525_960))
    step_min = draw(st.sampled_from([1, 5, 15, 30, 60, 90, 1440]))
    n = draw(st.integers(0, 3000))
    unit = draw(st.sampled_from(UNITS))
    start = pd.Timestamp("1970-01-01", tz="UTC") + pd.Timedelta(minutes=start_min)
    return pd.date_range(start, periods=n, freq=pd.Timedelta(minutes=step_min), unit=unit)


@settings(max_examples=200, deadline=None)
@given(grid=grids(), zone=st.sampled_from(ZONES))
def test_day_and_hour_numbers_equal_pandas(grid: pd.DatetimeIndex, zone: str) -> None:
    days = day_numbers(grid, zone)
    np.testing.assert_array_equal(days, pandas_day_numbers(grid, zone))
    np.testing.assert_array_equal(hour_numbers(grid), pandas_hour_numbers(grid))
    assert days.dtype == np.int64 and days.shape == (len(grid),)
    if len(grid):
        assert days[0] == 0 and np.all(np.diff(days) >= 0)  # counted from the first, never back
