"""Tests of the Fear & Greed adapter (CSV and alternative.me JSON)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wattshift.data.feargreed import (
    BANDS,
    classify,
    fear_greed_to_csv,
    parse_fear_greed_csv,
    parse_fear_greed_json,
    read_fear_greed,
)
from wattshift.data.schema import FEAR_GREED_COLUMNS
from wattshift.errors import DataError

FILE = "alternative_me_fear_greed_daily_2018-02-01_2026-08-22.csv"


@pytest.fixture(scope="module")
def real(shared_data_dir: Path) -> pd.DataFrame:
    return read_fear_greed(shared_data_dir / "onchain" / FILE)


def _api_json(frame: pd.DataFrame) -> bytes:
    """The alternative.me API shape (newest first, values as strings)."""
    data = [
        {
            "value": str(int(v)),
            "value_classification": c,
            "timestamp": str(int(pd.Timestamp(d).timestamp())),
        }
        for d, v, c in zip(frame["date"], frame["value"], frame["classification"], strict=True)
    ][::-1]
    data[0]["time_until_update"] = "3600"
    return json.dumps({"name": "Fear and Greed Index", "data": data, "metadata": {"error": None}}).encode()


def test_real_file_span(real: pd.DataFrame) -> None:
    assert list(real.columns) == list(FEAR_GREED_COLUMNS)
    assert len(real) == 3121
    assert real["date"].iloc[0] == pd.Timestamp("2018-02-01")
    assert real["date"].iloc[-1] == pd.Timestamp("2026-08-22")
    assert real["date"].dtype == "datetime64[ns]" and real["value"].dtype == np.float64


def test_record_low_2019_08_22(real: pd.DataFrame) -> None:
    day = real.set_index("date").loc["2019-08-22"]
    assert day["value"] == 5.0 and day["classification"] == "Extreme Fear"
    assert real["value"].min() == 5.0


def test_missing_days_stay_missing(real: pd.DataFrame) -> None:
    dates = set(real["date"])
    for missing in ["2018-04-14", "2018-04-15", "2018-04-16", "2024-10-26"]:
        assert pd.Timestamp(missing) not in dates
    full = pd.date_range("2018-02-01", "2026-08-22", freq="D")
    assert len(full) - len(real) == 4


def test_json_and_csv_give_equal_frames(real: pd.DataFrame) -> None:
    rows = real.iloc[60:90]  # includes the 2018-04-14..16 gap
    from_json = parse_fear_greed_json(_api_json(rows), name="fng.json")
    from_csv = parse_fear_greed_csv(fear_greed_to_csv(rows), name="fng.csv")
    pd.testing.assert_frame_equal(from_json, from_csv)
    pd.testing.assert_frame_equal(from_json, rows.reset_index(drop=True), check_dtype=False)


def test_csv_round_trip_is_byte_identical(real: pd.DataFrame, shared_data_dir: Path) -> None:
    assert fear_greed_to_csv(real) == (shared_data_dir / "onchain" / FILE).read_bytes()


@pytest.mark.parametrize(
    ("value", "label"),
    [
        (0, "Extreme Fear"),
        (25, "Extreme Fear"),
        (26, "Fear"),
        (46, "Fear"),
        (47, "Neutral"),
        (54, "Neutral"),
        (55, "Greed"),
        (75, "Greed"),
        (76, "Extreme Greed"),
        (100, "Extreme Greed"),
    ],
)
def test_band_edges(value: int, label: str) -> None:
    assert classify(value) == label


@settings(max_examples=50, deadline=None)
@given(st.integers(min_value=0, max_value=100))
def test_every_value_has_exactly_one_band(value: int) -> None:
    assert sum(lo <= value <= hi for lo, hi, _ in BANDS) == 1


HEAD = "date,timestamp,value,classification"


def _csv(*rows: str) -> bytes:
    return ("\n".join([HEAD, *rows]) + "\n").encode()


@pytest.mark.parametrize(
    ("rows", "line", "column", "words"),
    [
        (("2018-02-01,1517443200,101.0,Extreme Greed",), 2, "value", "outside 0..100"),
        (("2018-02-01,1517443200,-1.0,Extreme Fear",), 2, "value", "outside 0..100"),
        (("2018-02-01,1517443200,30.0,Greed",), 2, "classification", "does not match"),
        (("2018-02-01,1517443200,30.0,Scared",), 2, "classification", "unknown classification"),
        (("2018-02-01,1517443200,x,Fear",), 2, "value", "not a number"),
        (("2018-02-01,1517443201,30.0,Fear",), 2, "timestamp", "not 00:00 UTC"),
        (
            ("2018-02-02,1517529600,15.0,Extreme Fear", "2018-02-01,1517443200,30.0,Fear"),
            3,
            "date",
            "out of order",
        ),
        (("2018-02-01,1517443200,30.0,Fear", "2018-02-01,1517443200,30.0,Fear"), 3, "date", "duplicate"),
        (("2018-02-01,1517443200,30.0,Fear", "2018-02-02,1517529600"), 3, None, "truncated"),
    ],
)
def test_bad_csv(rows: tuple[str, ...], line: int, column: str | None, words: str) -> None:
    with pytest.raises(DataError, match=words) as info:
        parse_fear_greed_csv(_csv(*rows), name="f.csv")
    assert (info.value.file, info.value.line, info.value.column) == ("f.csv", line, column)


def test_bad_csv_header_and_empty() -> None:
    with pytest.raises(DataError) as info:
        parse_fear_greed_csv(b"date,value,classification\n2018-02-01,30,Fear\n", name="f.csv")
    assert (info.value.line, info.value.column) == (1, "timestamp")
    with pytest.raises(DataError, match="empty"):
        parse_fear_greed_csv(b"", name="f.csv")


def _doc(*entries: dict[str, str], error: str | None = None) -> bytes:
    return json.dumps(
        {"name": "Fear and Greed Index", "data": list(entries), "metadata": {"error": error}}
    ).encode()


GOOD = {"value": "30", "value_classification": "Fear", "timestamp": "1517443200"}


@pytest.mark.parametrize(
    ("buf", "column", "words"),
    [
        (b"{not json", None, "not valid JSON"),
        (b"", None, "empty"),
        (_doc(error="Limit too high"), "metadata.error", "Limit too high"),
        (_doc(), "data", "no 'data'"),
        (_doc(GOOD, {**GOOD, "value": "200", "timestamp": "1517529600"}), "data[1].value", "outside"),
        (_doc({**GOOD, "value_classification": "Greed"}), "data[0].value_classification", "does not match"),
        (_doc({"value": "30", "timestamp": "1517443200"}), "data[0].value_classification", "missing"),
        (_doc({**GOOD, "timestamp": "soon"}), "data[0].timestamp", "not a Unix timestamp"),
        (_doc({**GOOD, "timestamp": "1517443201"}), "data[0].timestamp", "not a UTC midnight"),
        (_doc(GOOD, GOOD), "data[1].timestamp", "duplicate day"),
    ],
)
def test_bad_json(buf: bytes, column: str | None, words: str) -> None:
    with pytest.raises(DataError, match=words) as info:
        parse_fear_greed_json(buf, name="fng.json")
    assert info.value.file == "fng.json" and info.value.column == column


def test_json_newest_first_is_sorted() -> None:
    newer = {"value": "15", "value_classification": "Extreme Fear", "timestamp": "1517529600"}
    frame = parse_fear_greed_json(_doc(newer, GOOD), name="fng.json")
    assert frame["date"].tolist() == [pd.Timestamp("2018-02-01"), pd.Timestamp("2018-02-02")]
    assert frame["value"].tolist() == [30.0, 15.0]
