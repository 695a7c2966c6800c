"""Bad ERCOT inputs: each raises DataError naming the file, the 1-based line and the column.

CSV lines count the header as line 1; parquet "lines" are 1-based row numbers.
"""

from __future__ import annotations

import io
from collections.abc import Callable

import pandas as pd
import pytest

from wattshift.data.ercot import (
    parse_ercot_dam_as_mcpc,
    parse_ercot_dam_spp_wide,
    parse_ercot_lz_pairs,
    parse_ercot_rtm_spp_np6905,
    parse_ercot_rtm_spp_wide_utc,
    parse_ercot_sced_lmp_5min,
    parse_gridstatus_hubavg,
)
from wattshift.errors import DataError
from wattshift.testing import assert_data_error

Parser = Callable[..., pd.DataFrame]


def _raises(parser: Parser, data: bytes, name: str, line: int | None, column: str | None) -> DataError:
    with pytest.raises(DataError) as info:
        parser(data, name=name)
    assert_data_error(info.value, file=name, line=line, column=column)
    return info.value


def _csv(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").encode()


DAM_HEADER = "hour_ending_cpt,HB_WEST,LZ_WEST"
DAM_OK = (
    DAM_HEADER,
    "2023-07-01 01:00:00,25.10,26.00",
    "2023-07-01 02:00:00,-12.50,-11.00",
    "2023-07-01 03:00:00,5000.00,5236.81",
)


def test_dam_valid_extremes_pass_negative_and_capped_prices() -> None:
    frame = parse_ercot_dam_spp_wide(_csv(*DAM_OK), name="dam.csv")
    west = frame[frame["node"] == "HB_WEST"]["price_usd_per_mwh"].tolist()
    assert west == [25.10, -12.50, 5000.00]
    assert frame["price_usd_per_mwh"].max() == 5236.81


@pytest.mark.parametrize(
    ("lines", "line", "column", "words"),
    [
        (("time,HB_WEST", "2023-07-01 01:00:00,1"), 1, "hour_ending_cpt", "lacks"),
        (("hour_ending_cpt,Price", "2023-07-01 01:00:00,1"), 1, "Price", "unexpected column"),
        ((DAM_HEADER, "2023-07-01 01:00:00,1,2", "2023-07-01 02:00:00,abc,2"), 3, "HB_WEST", "not a number"),
        (
            (DAM_HEADER, "2023-07-01 01:00:00,1,2", "2023-07-01 01:00:00,1,2"),
            3,
            "hour_ending_cpt",
            "duplicate",
        ),
        (
            (DAM_HEADER, "2023-07-01 02:00:00,1,2", "2023-07-01 01:00:00,1,2"),
            3,
            "hour_ending_cpt",
            "out of order",
        ),
        (
            (DAM_HEADER, "2023-03-12 02:00:00,1,2", "2023-03-12 03:00:00,1,2"),
            3,
            "hour_ending_cpt",
            "not exist",
        ),
        ((DAM_HEADER, "2023-07-01 01:00:00,1,2", "2023-07-01 02:00:00,1,25000"), 3, "LZ_WEST", "outside"),
        ((DAM_HEADER, "2023-07-01 01:00:00,1,2", "2023-07-01 02:00:00,1,-1500"), 3, "LZ_WEST", "outside"),
        ((DAM_HEADER, "2023-07-01 01:30:00,1,2"), 2, "hour_ending_cpt", "not on the hour"),
        ((DAM_HEADER, "07/01/2023 01:00,1,2"), 2, "hour_ending_cpt", "not a timestamp"),
    ],
    ids=[
        "missing-header",
        "wrong-header",
        "non-numeric",
        "duplicate-hour",
        "unsorted",
        "spring-gap",
        "price-too-high",
        "price-too-low",
        "off-hour",
        "bad-timestamp",
    ],
)
def test_dam_wide_bad_input(lines: tuple[str, ...], line: int, column: str, words: str) -> None:
    err = _raises(parse_ercot_dam_spp_wide, _csv(*lines), "dam.csv", line, column)
    assert words in err.reason


def test_dam_empty_header_only_and_truncated_files() -> None:
    _raises(parse_ercot_dam_spp_wide, b"", "empty.csv", 1, None)
    _raises(parse_ercot_dam_spp_wide, _csv(DAM_HEADER), "header.csv", 2, None)
    truncated = _csv(*DAM_OK)[:-12]  # cut inside the last row: "...,5000.00,5236.81" -> "...,500"
    err = _raises(parse_ercot_dam_spp_wide, truncated, "cut.csv", 4, None)
    assert "truncated" in err.reason


def test_as_mcpc_third_reading_of_the_fall_label_is_a_duplicate() -> None:
    lines = ["hour_ending_cpt,REGUP", "2023-11-05 01:00:00,1", *["2023-11-05 02:00:00,2"] * 3]
    _raises(parse_ercot_dam_as_mcpc, _csv(*lines), "as.csv", 5, "hour_ending_cpt")


def test_as_mcpc_unknown_product_and_second_reading_of_a_plain_hour() -> None:
    _raises(
        parse_ercot_dam_as_mcpc,
        _csv("hour_ending_cpt,REGUP,FFR", "2023-07-01 01:00:00,1,2"),
        "a.csv",
        1,
        "FFR",
    )
    dup = _csv("hour_ending_cpt,REGUP", "2023-07-01 01:00:00,1", "2023-07-01 01:00:00,1")
    err = _raises(parse_ercot_dam_as_mcpc, dup, "a.csv", 3, "hour_ending_cpt")
    assert "duplicate" in err.reason


NP_HEADER = "delivery_date,delivery_hour,delivery_interval,repeated_hour_flag,settlement_point,spp_usd_mwh"


def _np(*rows: str) -> bytes:
    return _csv(NP_HEADER, *rows)


@pytest.mark.parametrize(
    ("rows", "line", "column"),
    [
        (("07/01/2024,1,1,X,HB_WEST,1",), 2, "repeated_hour_flag"),
        (("07/01/2024,1,1,Y,HB_WEST,1",), 2, "repeated_hour_flag"),
        (("07/01/2024,25,1,N,HB_WEST,1",), 2, "delivery_hour"),
        (("07/01/2024,1,5,N,HB_WEST,1",), 2, "delivery_interval"),
        (("07/01/2024,1.5,1,N,HB_WEST,1",), 2, "delivery_hour"),
        (("2024-07-01,1,1,N,HB_WEST,1",), 2, "delivery_date"),
        (("03/10/2024,2,4,N,HB_WEST,1", "03/10/2024,3,1,N,HB_WEST,1"), 3, "delivery_hour"),
        (("07/01/2024,1,1,N,HB_WEST,1", "07/01/2024,1,1,N,HB_WEST,2"), 3, "delivery_interval"),
        (
            ("07/01/2024,1,2,N,HB_WEST,1", "07/01/2024,1,1,N,HB_NORTH,1", "07/01/2024,1,1,N,HB_WEST,1"),
            4,
            "delivery_interval",
        ),
        (("07/01/2024,1,1,N,HB_WEST,",), 2, "spp_usd_mwh"),
        (("07/01/2024,1,1,N,HB_WEST,n/a",), 2, "spp_usd_mwh"),
        (("07/01/2024,1,1,N,,1",), 2, "settlement_point"),
        (("07/01/2024,1,1,N,HB_WEST,12000",), 2, "spp_usd_mwh"),
    ],
    ids=[
        "bad-flag",
        "flag-on-plain-hour",
        "hour-25",
        "interval-5",
        "fractional-hour",
        "bad-date",
        "spring-hour-3",
        "duplicate",
        "unsorted-in-node",
        "empty-price",
        "non-numeric-price",
        "empty-node",
        "price-too-high",
    ],
)
def test_np6905_bad_input(rows: tuple[str, ...], line: int, column: str) -> None:
    _raises(parse_ercot_rtm_spp_np6905, _np(*rows), "np.csv", line, column)


def test_np6905_missing_column_and_interval_ending_mismatch() -> None:
    no_flag = _csv(
        "delivery_date,delivery_hour,delivery_interval,settlement_point,spp_usd_mwh",
        "07/01/2024,1,1,HB_WEST,1",
    )
    _raises(parse_ercot_rtm_spp_np6905, no_flag, "np.csv", 1, "repeated_hour_flag")
    header = "interval_ending_cpt," + NP_HEADER
    ok = "2024-07-01 00:15:00,07/01/2024,1,1,N,HB_WEST,1"
    off = "2024-07-01 00:15:00,07/01/2024,1,2,N,HB_WEST,1"
    assert len(parse_ercot_rtm_spp_np6905(_csv(header, ok), name="np.csv")) == 1
    _raises(parse_ercot_rtm_spp_np6905, _csv(header, ok, off), "np.csv", 3, "interval_ending_cpt")


WIDE_HEADER = "interval_start_utc,interval_start_cpt,HB_WEST"


@pytest.mark.parametrize(
    ("rows", "line", "column"),
    [
        (("2023-07-01T05:00:00Z,2023-07-01T00:00:00-06:00,1",), 2, "interval_start_cpt"),
        (("2023-07-01T05:00:00Z,2023-07-01T01:00:00-04:00,1",), 2, "interval_start_cpt"),
        (("2023-07-01T05:00:00Z,2023-07-01T00:00:00,1",), 2, "interval_start_cpt"),
        (("2023-07-01T05:07:00Z,2023-07-01T00:07:00-05:00,1",), 2, "interval_start_utc"),
        (
            (
                "2023-07-01T05:00:00Z,2023-07-01T00:00:00-05:00,1",
                "2023-07-01T05:00:00Z,2023-07-01T00:00:00-05:00,2",
            ),
            3,
            "interval_start_utc",
        ),
        (("2023-07-01T05:00:00Z,2023-07-01T00:00:00-05:00,x",), 2, "HB_WEST"),
    ],
    ids=[
        "wrong-offset-same-wall",
        "same-instant-wrong-zone",
        "no-offset",
        "off-grid",
        "duplicate",
        "non-numeric",
    ],
)
def test_wide_utc_bad_input(rows: tuple[str, ...], line: int, column: str) -> None:
    _raises(parse_ercot_rtm_spp_wide_utc, _csv(WIDE_HEADER, *rows), "hubs.csv", line, column)


def _parquet(frame: pd.DataFrame) -> bytes:
    buf = io.BytesIO()
    frame.to_parquet(buf)
    return buf.getvalue()


def _lz(lo: list[float], hi: list[float], utc: list[str] | None = None) -> pd.DataFrame:
    stamps = utc or [f"2023-07-01 {5 + i:02d}:00" for i in range(len(lo))]
    return pd.DataFrame(
        {
            "interval_start_utc": pd.to_datetime(stamps, utc=True),
            "settlement_point": "LZ_WEST",
            "spp_lo_usd_mwh": lo,
            "spp_hi_usd_mwh": hi,
        }
    )


def test_lz_pairs_keep_both_values_as_lo_and_hi_nodes() -> None:
    frame = parse_ercot_lz_pairs(_parquet(_lz([20.0, -3.5], [20.0, 1.25])), name="lz.parquet")
    assert frame["node"].tolist() == ["LZ_WEST:hi", "LZ_WEST:hi", "LZ_WEST:lo", "LZ_WEST:lo"]
    assert frame["price_usd_per_mwh"].tolist() == [20.0, 1.25, 20.0, -3.5]


def test_lz_pairs_bad_input() -> None:
    _raises(parse_ercot_lz_pairs, _parquet(_lz([1.0, 9.0], [2.0, 3.0])), "lz.parquet", 2, "spp_hi_usd_mwh")
    naive = _lz([1.0], [2.0]).assign(interval_start_utc=pd.Timestamp("2023-07-01 05:00"))
    _raises(parse_ercot_lz_pairs, _parquet(naive), "lz.parquet", 1, "interval_start_utc")
    missing = _lz([1.0], [2.0]).drop(columns="spp_hi_usd_mwh")
    _raises(parse_ercot_lz_pairs, _parquet(missing), "lz.parquet", 1, "spp_hi_usd_mwh")
    nan = _lz([1.0, float("nan")], [2.0, 3.0])
    _raises(parse_ercot_lz_pairs, _parquet(nan), "lz.parquet", 2, "spp_lo_usd_mwh")
    backwards = _lz([1.0, 1.0], [2.0, 2.0], ["2023-07-01 06:00", "2023-07-01 05:45"])
    err = _raises(parse_ercot_lz_pairs, _parquet(backwards), "lz.parquet", 2, "interval_start_utc")
    assert "LZ_WEST" in err.reason


def test_parquet_empty_truncated_and_zero_row_files() -> None:
    good = _parquet(_lz([1.0, 2.0], [2.0, 3.0]))
    err = _raises(parse_ercot_lz_pairs, good[: len(good) // 2], "cut.parquet", None, None)
    assert "parquet" in err.reason
    _raises(parse_ercot_lz_pairs, b"", "empty.parquet", None, None)
    _raises(parse_ercot_lz_pairs, _parquet(_lz([], [])), "rows0.parquet", 1, None)


def _sced(rows: list[tuple[str, bool, float]]) -> bytes:
    return _parquet(
        pd.DataFrame(
            {
                "sced_timestamp_cpt": pd.to_datetime([r[0] for r in rows]),
                "repeat_hour_flag": [r[1] for r in rows],
                "settlement_point": "HB_WEST",
                "lmp_usd_mwh": [r[2] for r in rows],
            }
        )
    )


def test_sced_verbatim_repeat_counts_once_but_a_conflicting_repeat_fails() -> None:
    same = [("2024-08-23 00:04:31", False, 20.22), ("2024-08-23 00:04:31", False, 20.22)]
    frame = parse_ercot_sced_lmp_5min(_sced(same), name="sced.parquet")
    assert frame["price_usd_per_mwh"].tolist() == [20.22]
    conflict = [("2024-08-23 00:04:31", False, 20.22), ("2024-08-23 00:04:31", False, 21.00)]
    err = _raises(parse_ercot_sced_lmp_5min, _sced(conflict), "sced.parquet", 2, "sced_timestamp_cpt")
    assert "duplicate" in err.reason


@pytest.mark.parametrize(
    ("rows", "line", "column"),
    [
        ([("2024-03-10 01:55:20", False, 1.0), ("2024-03-10 02:30:11", False, 1.0)], 2, "sced_timestamp_cpt"),
        ([("2024-07-01 01:00:13", True, 1.0)], 1, "repeat_hour_flag"),
        ([("2024-07-01 01:10:13", False, 1.0), ("2024-07-01 01:05:13", False, 1.0)], 2, "sced_timestamp_cpt"),
        ([("2024-07-01 01:10:13", False, 1.0), ("2024-07-01 01:15:13", False, 10_001.0)], 2, "lmp_usd_mwh"),
    ],
    ids=["spring-gap", "flag-on-plain-hour", "unsorted", "price-too-high"],
)
def test_sced_bad_input(rows: list[tuple[str, bool, float]], line: int, column: str) -> None:
    _raises(parse_ercot_sced_lmp_5min, _sced(rows), "sced.parquet", line, column)


def _hubavg(stamps: list[str]) -> bytes:
    return _parquet(
        pd.DataFrame(
            {
                "interval_start_utc": pd.to_datetime(stamps, utc=True),
                "settlement_point": "HB_HUBAVG",
                "price_usd_per_mwh": 1.0,
                "regime": "swcap5000",
            }
        )
    )


def test_hubavg_market_from_name_and_grid_check() -> None:
    stamps = ["2024-01-01 00:00", "2024-01-01 01:00"]
    da = parse_gridstatus_hubavg(_hubavg(stamps), name="ercot_da_spp_hourly_hb_hubavg_x.parquet")
    assert (da["market"].tolist(), da["interval_minutes"].tolist()) == (["da", "da"], [60, 60])
    _raises(parse_gridstatus_hubavg, _hubavg(stamps), "prices.parquet", None, None)
    off = _hubavg(["2024-01-01 00:00", "2024-01-01 00:15"])
    _raises(parse_gridstatus_hubavg, off, "ercot_da_spp_hourly_hb_hubavg_x.parquet", 2, "interval_start_utc")
    dup = _hubavg(["2024-01-01 00:00", "2024-01-01 00:00"])
    _raises(parse_gridstatus_hubavg, dup, "ercot_rt_spp_15min_hb_hubavg_x.parquet", 2, "interval_start_utc")
