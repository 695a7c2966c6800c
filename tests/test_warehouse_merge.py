"""Merge rules on small hand-made frames: vintage coalesce, per-row priority, order independence."""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wattshift.data.schema import BTC_DAILY_COLUMNS, ISO_PRICE_COLUMNS
from wattshift.errors import HistoryShrinkError, WattshiftError
from wattshift.warehouse import SCHEMA_VERSION, Warehouse
from wattshift.warehouse.ingest import IngestOptions


def btc_frame(days: list[str], vintage: str | None = None, **values: list[float]) -> pd.DataFrame:
    """A BTC daily frame with NaN everywhere except ``values`` (column → one value per day)."""
    frame = pd.DataFrame({"date": pd.to_datetime(days).astype("datetime64[ns]")})
    for col in BTC_DAILY_COLUMNS[1:]:
        frame[col] = np.asarray(values.get(col, [np.nan] * len(days)), dtype=np.float64)
    if vintage is not None:
        frame.attrs["vintage"] = dt.date.fromisoformat(vintage)
    return frame


def price_frame(node: str, starts: list[str], prices: list[float], market: str = "rt") -> pd.DataFrame:
    return pd.DataFrame(
        {
            "iso": "ERCOT",
            "node": node,
            "market": market,
            "interval_start_utc": pd.to_datetime(starts, utc=True),
            "interval_minutes": 15,
            "price_usd_per_mwh": prices,
        },
        columns=list(ISO_PRICE_COLUMNS),
    )


def test_newer_vintage_wins_column_by_column() -> None:
    old = btc_frame(["2020-01-01", "2020-01-02"], "2020-07-27", price_usd=[1.0, 2.0], supply_btc=[10.0, 11.0])
    new = btc_frame(["2020-01-02", "2020-01-03"], "2026-03-23", price_usd=[2.5, 3.0])
    with Warehouse(":memory:") as wh:
        wh.ingest_frame("coinmetrics", old, source_name="old.csv")
        wh.ingest_frame("coinmetrics", new, source_name="new.csv")
        got = wh.btc_daily().set_index("date")
    assert got["price_usd"].tolist() == [1.0, 2.5, 3.0]
    # the newer file has no supply: the older value stays, the day only the new file has stays empty
    np.testing.assert_array_equal(got["supply_btc"].to_numpy(), [10.0, 11.0, np.nan])


def test_reingesting_a_revised_file_replaces_its_values() -> None:
    first = btc_frame(["2026-01-01", "2026-01-02"], "2026-03-23", price_usd=[100.0, 200.0])
    revised = btc_frame(["2026-01-01"], "2026-03-23", price_usd=[101.0])
    with Warehouse(":memory:") as wh:
        wh.ingest_frame("coinmetrics", first, source_name="btc.csv")
        lost = r"1 row\(s\) of btc_daily .* 2026-01-02 \.\. 2026-01-02"
        with pytest.raises(HistoryShrinkError, match=lost):
            wh.ingest_frame("coinmetrics", revised, source_name="btc.csv")  # would drop 2026-01-02
        assert wh.btc_daily()["price_usd"].tolist() == [100.0, 200.0]
        wh.ingest_frame("coinmetrics", revised, source_name="btc.csv", options=IngestOptions(replace=True))
        got = wh.btc_daily()
    assert got["price_usd"].tolist() == [101.0]  # replaced: the revision dropped 2026-01-02, so did the table


def test_vintage_defaults_to_the_last_date() -> None:
    a = btc_frame(["2020-01-01", "2020-01-05"], price_usd=[1.0, 5.0])  # vintage 2020-01-05
    b = btc_frame(["2020-01-01", "2020-01-02"], price_usd=[9.0, 2.0])  # vintage 2020-01-02
    with Warehouse(":memory:") as wh:
        wh.ingest_frame("btc_daily", a, source_name="a.csv")
        wh.ingest_frame("btc_daily", b, source_name="b.csv")
        assert wh.btc_daily("2020-01-01", "2020-01-01")["price_usd"].item() == 1.0


def test_higher_priority_wins_per_row_in_any_order() -> None:
    archive = price_frame("HB_WEST", ["2024-01-15 00:00", "2024-01-15 00:15"], [30.0, 1596.0])
    api = price_frame("HB_WEST", ["2024-01-15 00:15", "2024-01-15 00:30"], [31.0, 40.0])
    results = []
    for order in itertools.permutations([(archive, 30, "archive.csv"), (api, 10, "api.parquet")]):
        with Warehouse(":memory:") as wh:
            for frame, priority, name in order:
                wh.ingest_frame("ercot", frame, source_name=name, priority=priority)
            got = wh.iso_prices("HB_WEST", "rt", "2024-01-15", "2024-01-16")
            results.append(got["price_usd_per_mwh"].tolist())
            # status attributes each row to the file that supplied it
            rows = wh.status().set_index("source")["rows"]
            assert (rows["archive.csv"], rows["api.parquet"]) == (2, 1)
    assert results == [[30.0, 1596.0, 40.0]] * 2


def test_rows_without_a_price_are_not_stored() -> None:
    frame = price_frame("ECRS", ["2023-06-09 05:00", "2023-06-10 05:00"], [np.nan, 4.5], market="da_as")
    with Warehouse(":memory:") as wh:
        result = wh.ingest_frame("ercot", frame, source_name="as.csv")
        got = wh.iso_prices("ECRS", "da_as", "2023-06-01", "2023-07-01")
    assert result.rows == 1
    assert got["price_usd_per_mwh"].tolist() == [4.5]


_DAYS = [f"2021-01-0{d}" for d in range(1, 6)]
_cell = st.one_of(st.just(np.nan), st.floats(0, 1e5, allow_nan=False))  # within the plausibility bounds


@st.composite
def layers(draw: st.DrawFn) -> list[tuple[pd.DataFrame, str]]:
    """2-4 files with random day subsets, random missing cells and distinct vintages."""
    count = draw(st.integers(2, 4))
    vintages = draw(st.lists(st.integers(0, 400), min_size=count, max_size=count, unique=True))
    out = []
    for i, offset in enumerate(vintages):
        days = sorted(draw(st.sets(st.sampled_from(_DAYS), min_size=1)))
        prices = [draw(_cell) for _ in days]
        hashrate = [draw(_cell) for _ in days]
        vintage = (dt.date(2021, 1, 5) + dt.timedelta(days=offset)).isoformat()
        out.append((btc_frame(days, vintage, price_usd=prices, hashrate_ehs=hashrate), f"f{i}.csv"))
    return out


@settings(max_examples=10, deadline=None)
@given(files=layers(), data=st.data())
def test_btc_merge_is_order_independent_and_coalesces(
    files: list[tuple[pd.DataFrame, str]], data: st.DataObject
) -> None:
    """Whatever the ingest order, each cell holds the value of the newest file that has one."""
    order = data.draw(st.permutations(files))
    with Warehouse(":memory:") as wh:
        for frame, name in order:
            wh.ingest_frame("coinmetrics", frame, source_name=name)
        got = wh.btc_daily().set_index("date")
    newest_first = sorted(files, key=lambda f: f[0].attrs["vintage"], reverse=True)
    days = sorted({day for frame, _ in files for day in frame["date"]})
    assert list(got.index) == days
    for day in days:
        for col in ("price_usd", "hashrate_ehs"):
            expected = np.nan
            for frame, _ in newest_first:
                cell = frame.set_index("date")[col].get(day, np.nan)
                if not np.isnan(cell):
                    expected = cell
                    break
            assert got.loc[day, col] == pytest.approx(expected, nan_ok=True)


def test_opening_rules(tmp_path: Path) -> None:
    with pytest.raises(WattshiftError, match="no warehouse at"):
        Warehouse(tmp_path / "missing.duckdb", read_only=True)
    other = tmp_path / "other.duckdb"
    duckdb.connect(str(other)).close()  # a DuckDB file without our tables
    with pytest.raises(WattshiftError, match="not a wattshift warehouse"):
        Warehouse(other, read_only=True)
    path = tmp_path / "w.duckdb"
    Warehouse(path).close()  # the first writable open creates the schema
    with Warehouse(path, read_only=True) as wh:
        assert wh.btc_daily().empty
        assert wh.status().empty
    con = duckdb.connect(str(path))
    con.execute("UPDATE schema_version SET version = version + 1")
    con.close()
    with pytest.raises(WattshiftError, match=rf"schema version {SCHEMA_VERSION + 1}, this wattshift needs"):
        Warehouse(path)
