"""Tests of the Coin Metrics adapter on the real files and on small bad inputs."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from wattshift.data.coinmetrics import (
    SCHEMA_COLUMNS,
    SCHEMA_VINTAGE,
    coinmetrics_vintage,
    detect_schema,
    difficulty_from_hashrate,
    parse_coinmetrics,
    read_coinmetrics,
    subsidy_btc_by_day,
)
from wattshift.data.schema import BTC_DAILY_COLUMNS
from wattshift.errors import DataError

CURRENT = "coinmetrics_btc_daily_2009-01-03_2026-03-23.csv"
EXTENSION = "coinmetrics_btc_daily_ext_2026-03-23_2026-06-01.csv"
LEGACY = "coinmetrics_btc_daily_legacy_2009-01-03_2020-07-27.csv"


@pytest.fixture(scope="module")
def frames(shared_data_dir: Path) -> dict[str, pd.DataFrame]:
    onchain = shared_data_dir / "onchain"
    return {
        "current": read_coinmetrics(onchain / CURRENT),
        "extension": read_coinmetrics(onchain / EXTENSION),
        "legacy": read_coinmetrics(onchain / LEGACY),
    }


def _overlap(a: pd.DataFrame, b: pd.DataFrame, column: str) -> tuple[np.ndarray, np.ndarray]:
    joined = a.merge(b, on="date", suffixes=("_a", "_b"))[[f"{column}_a", f"{column}_b"]].dropna()
    joined = joined[(joined[f"{column}_b"] != 0)]
    return joined[f"{column}_a"].to_numpy(), joined[f"{column}_b"].to_numpy()


@pytest.mark.parametrize(
    ("kind", "rows", "first", "last"),
    [
        ("current", 6289, "2009-01-03", "2026-03-23"),
        ("extension", 71, "2026-03-23", "2026-06-01"),
        ("legacy", 4224, "2009-01-03", "2020-07-27"),
    ],
)
def test_real_files_shape_and_span(
    frames: dict[str, pd.DataFrame], kind: str, rows: int, first: str, last: str
) -> None:
    frame = frames[kind]
    assert list(frame.columns) == list(BTC_DAILY_COLUMNS)
    assert len(frame) == rows
    assert frame["date"].iloc[0] == pd.Timestamp(first)
    assert frame["date"].iloc[-1] == pd.Timestamp(last)
    assert frame["date"].dtype == "datetime64[ns]"
    assert all(frame[c].dtype == np.float64 for c in BTC_DAILY_COLUMNS[1:])
    assert frame["date"].is_monotonic_increasing and frame["date"].is_unique
    assert frame.attrs["schema"] == kind
    assert coinmetrics_vintage(frame) == dt.date.fromisoformat(last) == coinmetrics_vintage(kind)


def test_partial_last_row_kept_as_nan(frames: dict[str, pd.DataFrame]) -> None:
    last = frames["current"].iloc[-1]
    assert last["date"] == pd.Timestamp("2026-03-23")
    assert np.isnan(last["price_usd"]) and np.isnan(last["difficulty"]) and np.isnan(last["supply_btc"])
    # the day before is complete: 162 blocks, 506.25 BTC of subsidy (3.125 x 162)
    prev = frames["current"].iloc[-2]
    assert prev["blocks"] == 162 and prev["issuance_btc"] == pytest.approx(3.125 * 162)


def test_realized_cap_derived_matches_legacy(frames: dict[str, pd.DataFrame]) -> None:
    derived, legacy = _overlap(frames["current"], frames["legacy"], "realized_cap_usd")
    assert len(derived) > 3600
    # signals.md quotes "1e-8"; the measured maximum is 1.05e-8 (MVRV is published rounded)
    assert np.max(np.abs(derived / legacy - 1)) < 1.1e-8


def test_difficulty_derived_matches_legacy_diffmean(frames: dict[str, pd.DataFrame]) -> None:
    derived, legacy = _overlap(frames["current"], frames["legacy"], "difficulty")
    assert len(derived) > 4000
    assert np.max(np.abs(derived / legacy - 1)) < 1e-12


def test_fees_usd_derived_matches_legacy(frames: dict[str, pd.DataFrame]) -> None:
    derived, legacy = _overlap(frames["current"], frames["legacy"], "fees_usd")
    assert np.max(np.abs(derived / legacy - 1)) < 1e-9


def test_difficulty_around_2024_halving(frames: dict[str, pd.DataFrame]) -> None:
    cur = frames["current"].set_index("date")
    # BTC.com: 86.39 T at the April 2024 halving
    assert cur.loc["2024-04-19", "difficulty"] == pytest.approx(86.39e12, rel=0.005)


def test_revenue_is_subsidy_plus_fees(frames: dict[str, pd.DataFrame]) -> None:
    cur = frames["current"].dropna(subset=["revenue_usd"])
    np.testing.assert_allclose(cur["revenue_usd"], cur["issuance_usd"] + cur["fees_btc"] * cur["price_usd"])
    np.testing.assert_allclose(cur["hashrate_ehs"].iloc[-1] * 1e6, 1077444735.2152626, rtol=1e-15)


def test_extension_blocks_and_difficulty(frames: dict[str, pd.DataFrame]) -> None:
    ext = frames["extension"]
    blocks = ext["blocks"].to_numpy()
    # IssTotUSD / PriceUSD / 3.125 is a whole block count every day
    np.testing.assert_allclose(blocks, np.round(blocks), atol=1e-9)
    assert ext["supply_btc"].isna().all()
    # difficulty is constant within a retarget epoch: the extension's first days (derived from
    # blocks = issuance / subsidy) continue the epoch the current file ends in (133.79 T)
    epoch = frames["current"]["difficulty"].iloc[-2]
    assert epoch == pytest.approx(133.793e12, rel=1e-4)
    np.testing.assert_allclose(ext["difficulty"].iloc[:11], epoch, rtol=1e-8)


def test_subsidy_schedule() -> None:
    days = pd.Series(
        pd.to_datetime(["2012-11-27", "2012-11-28", "2016-07-10", "2024-04-19", "2024-04-20", "2024-04-21"])
    )
    np.testing.assert_array_equal(subsidy_btc_by_day(days), [50.0, np.nan, 12.5, 6.25, np.nan, 3.125])
    assert np.isnan(subsidy_btc_by_day(pd.Series(pd.to_datetime(["2028-06-01"]))))[0]


def test_difficulty_formula_by_hand() -> None:
    # 144 blocks at difficulty 1e12 take 144 * 1e12 * 2**32 hashes in 86400 s
    hashrate_ths = 144 * 1e12 * 2**32 / 86400 / 1e12
    got = difficulty_from_hashrate(np.array([hashrate_ths, 1.0]), np.array([144.0, 0.0]))
    assert got[0] == pytest.approx(1e12, rel=1e-15)
    assert np.isnan(got[1])


HEADER = ",".join(SCHEMA_COLUMNS["current"])
ROW = "2024-01-0{d},800000,140,1.5,1.5e12,20.5,5.0e8,431.25,1.8e7,42000,19600000,400000"


def _csv(*rows: str, header: str = HEADER) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode()


def test_small_current_file_values() -> None:
    frame = parse_coinmetrics(_csv(ROW.format(d=1), ROW.format(d=2)), name="x.csv")
    row = frame.iloc[0]
    assert row["realized_cap_usd"] == pytest.approx(1e12)
    assert row["fees_usd"] == pytest.approx(20.5 * 42000)
    assert row["revenue_usd"] == pytest.approx(1.8e7 + 20.5 * 42000)
    assert row["difficulty"] == pytest.approx(5.0e8 * 1e12 * 86400 / (140 * 2**32))
    assert row["hashrate_ehs"] == pytest.approx(500.0)


def test_unknown_header_names_first_missing_column() -> None:
    header = HEADER.replace("HashRate", "Hashrate")
    with pytest.raises(DataError) as info:
        parse_coinmetrics(_csv(ROW.format(d=1), header=header), name="bad.csv")
    err = info.value
    assert (err.file, err.line, err.column) == ("bad.csv", 1, "HashRate")
    assert detect_schema(list(SCHEMA_COLUMNS["extension"])) == "extension"


@pytest.mark.parametrize(
    ("rows", "line", "column", "words"),
    [
        ((ROW.format(d=1), ROW.format(d=2).replace("42000", "abc")), 3, "PriceUSD", "not a number"),
        ((ROW.format(d=1), ROW.format(d=1)), 3, "time", "duplicate"),
        ((ROW.format(d=2), ROW.format(d=1)), 3, "time", "out of order"),
        ((ROW.format(d=1), "2024-01-02,800000,140"), 3, None, "truncated"),
        ((ROW.format(d=1).replace("2024-01-01", "2024-13-01"),), 2, "time", "not a timestamp"),
        ((ROW.format(d=1).replace("2024-01-01", "2024-01-01T06:00:00Z"),), 2, "time", "time of day"),
        ((ROW.format(d=1).replace(",140,", ",-140,"),), 2, "BlkCnt", "negative"),
    ],
)
def test_bad_inputs(rows: tuple[str, ...], line: int, column: str | None, words: str) -> None:
    with pytest.raises(DataError, match=words) as info:
        parse_coinmetrics(_csv(*rows), name="bad.csv")
    assert (info.value.file, info.value.line, info.value.column) == ("bad.csv", line, column)


def test_empty_and_header_only() -> None:
    with pytest.raises(DataError, match="empty"):
        parse_coinmetrics(b"", name="e.csv")
    with pytest.raises(DataError, match="no data rows"):
        parse_coinmetrics(_csv(), name="e.csv")


def test_api_v4_timestamps_accepted() -> None:
    header = ",".join(SCHEMA_COLUMNS["extension"])
    row = "2026-03-24T00:00:00.000000000Z,70000,1.4e12,1.3,8.0e8,2.8e7,2.5,384088,587472"
    frame = parse_coinmetrics(_csv(row, header=header), name="api.csv")
    assert frame["date"].iloc[0] == pd.Timestamp("2026-03-24")
    assert frame["blocks"].iloc[0] == pytest.approx(2.8e7 / 70000 / 3.125)
    assert frame.attrs["vintage"] == dt.date(2026, 3, 24)
    assert SCHEMA_VINTAGE["extension"] == dt.date(2026, 6, 1)
    with pytest.raises(ValueError, match="unknown Coin Metrics schema"):
        coinmetrics_vintage("v5")
