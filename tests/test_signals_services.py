"""Signal services over a warehouse built from the real files, and the report's signals section."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from wattshift.errors import NotInWarehouseError
from wattshift.report.base import Section
from wattshift.report.signals import build_section
from wattshift.services import signals as service
from wattshift.signals import signals_frame
from wattshift.testing import FakeWarehouse
from wattshift.warehouse import Warehouse


@pytest.fixture(scope="module")
def wh(onchain_warehouse_path: Path) -> Iterator[Warehouse]:
    with Warehouse(onchain_warehouse_path, read_only=True) as warehouse:
        yield warehouse


def test_warehouse_frames_equal_the_files(
    wh: Warehouse, btc_daily_history: pd.DataFrame, fear_greed_history: pd.DataFrame
) -> None:
    pd.testing.assert_frame_equal(wh.btc_daily(), btc_daily_history, rtol=1e-12)
    assert len(wh.fear_greed()) == len(fear_greed_history)


def test_btc_history_has_one_row_per_day(btc_daily_history: pd.DataFrame) -> None:
    dates = btc_daily_history["date"]
    assert dates.is_monotonic_increasing and dates.is_unique
    assert (dates.diff().dropna() == pd.Timedelta(days=1)).all()
    # the extension's 2026-03-23 replaces the main file's partial row
    assert btc_daily_history.loc[dates == "2026-03-23", "price_usd"].notna().all()


def test_signals_day_keys_and_values(wh: Warehouse) -> None:
    day = service.signals_day(wh, "2022-06-17")
    assert list(day) == ["date", "price_usd", "mvrv_z", "puell", "hash_ribbons", "fear_greed", "confluence"]
    assert list(day["hash_ribbons"]) == ["state", "since", "last_buy"]
    assert list(day["fear_greed"]) == ["value", "classification"]
    assert {"count", "indicators"} <= set(day["confluence"])
    assert day["date"] == "2022-06-17"
    assert day["puell"] == pytest.approx(0.35, abs=0.02)
    assert day["mvrv_z"] < 0
    assert day["hash_ribbons"] == {"state": "capitulation", "since": "2022-06-09", "last_buy": "2021-08-07"}
    assert day["fear_greed"] == {"value": 9.0, "classification": "Extreme Fear"}
    assert day["confluence"]["count"] == 4
    assert day["confluence"]["indicators"] == ["hash_ribbons", "puell", "mvrv_z", "fear_greed"]


def test_signals_day_defaults_to_the_latest_priced_day(wh: Warehouse) -> None:
    assert service.signals_day(wh)["date"] == "2026-06-01"


def test_a_day_before_prices_has_nulls_not_zeros(wh: Warehouse) -> None:
    day = service.signals_day(wh, "2009-06-01")
    assert day["price_usd"] is None and day["puell"] is None and day["mvrv_z"] is None
    assert day["fear_greed"] == {"value": None, "classification": None}


@pytest.mark.parametrize("date", ["2030-01-01", "2008-12-31"])
def test_unknown_date_names_the_span(wh: Warehouse, date: str) -> None:
    with pytest.raises(NotInWarehouseError, match="2009-01-03 to 2026-06-01"):
        service.signals_day(wh, date)


def test_history_is_the_full_run_cut(wh: Warehouse) -> None:
    part = service.signals_history(wh, "2022-06-01", "2022-06-30")
    assert len(part) == 30
    full = signals_frame(wh.btc_daily(), wh.fear_greed())
    expected = full[(full["date"] >= "2022-06-01") & (full["date"] <= "2022-06-30")].reset_index(drop=True)
    pd.testing.assert_frame_equal(part, expected)
    with pytest.raises(NotInWarehouseError, match="covers 2009-01-03 to 2026-06-01"):
        service.signals_history(wh, "2027-01-01", "2027-02-01")


def test_ribbons_list(wh: Warehouse) -> None:
    rows = service.ribbons(wh)
    assert {"capitulation_start", "recovery", "buy", "price_at_buy_usd", "duration_days"} <= set(rows[0])
    jan_2023 = next(r for r in rows if r["buy"] == "2023-01-14")
    assert jan_2023["capitulation_start"] == "2022-11-27"
    assert jan_2023["duration_days"] == 48
    assert isinstance(jan_2023["price_at_buy_usd"], float)
    lagged = service.ribbons(wh, use_previous_day_hashrate=True)
    assert any(r["buy"] == "2023-01-15" for r in lagged)


def test_backtest_frame(wh: Warehouse) -> None:
    table = service.backtest(wh, [30, 365])
    assert set(table["horizon_days"]) == {30, 365}
    assert "confluence = 4" in set(table["signal"])


def test_empty_warehouse_is_a_clear_error() -> None:
    empty = FakeWarehouse()
    with pytest.raises(NotInWarehouseError, match="ingest"):
        service.signals_day(empty)


def test_report_section(wh: Warehouse) -> None:
    section = build_section(wh)
    assert isinstance(section, Section)
    assert section.id == "signals"
    body = section.html
    assert body.count('class="plotly-graph-div"') == 1
    for title in ("Hash Ribbon buys", "Puell Multiple", "MVRV Z", "Fear &amp; Greed", "Confluence"):
        assert title in body or title.replace("&amp;", "&") in body
    assert "Hash Ribbons episodes" in body and "What followed" in body
    assert "2023-01-14" in body
    assert "cdn." not in body and "<script src" not in body  # offline: the page embeds plotly.js
    assert any("Coin Metrics" in s for s in section.sources)
    assert any("alternative.me" in s for s in section.sources)
