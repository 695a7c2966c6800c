"""Plausibility bounds, future dates, known settlement points and text decoding (the shared checks)."""

from __future__ import annotations

import datetime as dt
import gzip

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from wattshift.data.nodes import check_known_nodes, unknown_nodes
from wattshift.data.plausible import (
    BTC_DAILY_BOUNDS,
    FEAR_GREED_BOUNDS,
    check_not_future,
    check_plausible,
    latest_allowed_day,
    price_bound,
)
from wattshift.data.validate import check_text, read_csv_text, to_float
from wattshift.errors import DataError


def test_supply_bound_is_the_protocol_cap() -> None:
    # sum of subsidies: 210,000 blocks x 50 BTC x (1 + 1/2 + 1/4 + ...) < 21e6
    subsidy_total = sum(210_000 * (50 * 10**8 >> era) for era in range(64)) / 1e8
    assert subsidy_total == pytest.approx(20_999_999.9769)
    assert BTC_DAILY_BOUNDS["supply_btc"].hi == 21e6 > subsidy_total
    assert (FEAR_GREED_BOUNDS["value"].lo, FEAR_GREED_BOUNDS["value"].hi) == (0.0, 100.0)


def test_ercot_price_bounds_are_floor_and_cap_plus_adders() -> None:
    energy = price_bound("ERCOT", "rt")
    assert (energy.lo, energy.hi) == (-1_000.0, 10_000.0)
    assert energy.lo < -250.0 and energy.hi > 5_236.81  # floor -250, HB_WEST's 2023-08-17 peak with adders
    assert price_bound("ERCOT", "da_as").lo == 0.0


def test_check_plausible_names_column_row_and_source() -> None:
    frame = pd.DataFrame(
        {"date": pd.to_datetime(["2024-01-01", "2024-01-02"]), "price_usd": [42_000.0, 1e308]}
    )
    with pytest.raises(DataError) as info:
        check_plausible(frame, BTC_DAILY_BOUNDS, file="btc.csv", first_data_line=2)
    assert (info.value.file, info.value.line, info.value.column) == ("btc.csv", 3, "price_usd")
    assert "2024-01-02" in str(info.value) and "all-time high" in str(info.value)
    frame.loc[1, "price_usd"] = np.nan  # missing passes
    check_plausible(frame, BTC_DAILY_BOUNDS, file="btc.csv")


@given(st.floats(min_value=0.0, max_value=100.0), st.floats(min_value=100.0001, max_value=1e300))
def test_fear_greed_inside_passes_outside_fails(inside: float, outside: float) -> None:
    check_plausible(pd.DataFrame({"value": [inside]}), FEAR_GREED_BOUNDS, file="f.csv")
    with pytest.raises(DataError):
        check_plausible(pd.DataFrame({"value": [inside, outside]}), FEAR_GREED_BOUNDS, file="f.csv")


def test_tomorrow_is_allowed_the_day_after_is_not() -> None:
    today = dt.date(2026, 11, 29)
    assert latest_allowed_day(today) == dt.date(2026, 11, 30)
    check_not_future(pd.Series(pd.to_datetime(["2026-11-30 23:55"])), file="x", column="t", today=today)
    utc = pd.Series(pd.to_datetime(["2026-11-30 23:00", "2026-12-01 00:00"], utc=True))
    with pytest.raises(DataError, match="2026-12-01 00:00:00 is in the future"):
        check_not_future(utc, file="x", column="t", today=today)


def test_known_nodes() -> None:
    assert unknown_nodes("ERCOT", ["HB_WEST", "LZ_WEST:lo", "REGUP", "HB_WESTX", "LZ_WEST:mid"]) == [
        "HB_WESTX",
        "LZ_WEST:mid",
    ]
    assert unknown_nodes("ERCOT", ["HB_NEW"], extra={"HB_NEW"}) == []
    check_known_nodes("ERCOT", ["HB_NEW"], file="f", allow_new=True)
    with pytest.raises(DataError, match="etc"):
        check_known_nodes("ERCOT", ["../../etc/passwd"], file="f", allow_new=True)
    assert unknown_nodes("PJM", ["WESTERN HUB", "../x", "AEP-DAYTON HUB"]) == ["../x"]


@pytest.mark.parametrize(
    ("raw", "line", "offset", "phrase"),
    [
        (gzip.compress(b"a,b\n1,2\n"), 1, 0, "gzip"),
        (b"PK\x03\x04rest", 1, 0, "zip"),
        (b"a,b\n1,2\n3,\x004\n", 3, 10, "NUL"),
        (b"a,b\n1,caf\xe9\n", 2, 9, "UTF-8"),
    ],
)
def test_decoding_errors_name_line_and_byte_offset(raw: bytes, line: int, offset: int, phrase: str) -> None:
    with pytest.raises(DataError) as info:
        check_text(raw, "f.csv")
    assert (info.value.line, info.value.offset) == (line, offset)
    assert phrase in str(info.value) and f"line {line}, byte offset {offset}" in str(info.value)


def test_bom_and_clean_utf8_pass() -> None:
    check_text("\ufeffa,b\n1,é\n".encode(), "f.csv")


def test_a_last_line_without_newline_is_truncation() -> None:
    with pytest.raises(DataError, match="does not end with a line break") as info:
        read_csv_text(b"a,b\n1,14.73\n2,1", "f.csv")
    assert info.value.line == 3
    assert read_csv_text(b"a,b\n1,14.73\n", "f.csv")["b"].tolist() == ["14.73"]


@pytest.mark.parametrize("text", ["NaN", "nan", "inf", "-inf", "Infinity"])
def test_nan_and_inf_text_are_errors_empty_is_missing(text: str) -> None:
    frame = pd.DataFrame({"x": ["1.5", None, text]})
    with pytest.raises(DataError) as info:
        to_float(frame, "x", "f.csv")
    assert (info.value.line, info.value.column) == (4, "x")
    assert np.isnan(to_float(frame.iloc[:2], "x", "f.csv")[1])
