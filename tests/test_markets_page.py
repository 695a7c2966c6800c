"""Markets on the API, the dashboard page and the report section (real data)."""

from __future__ import annotations

import dataclasses
import itertools
from pathlib import Path

import pytest

from wattshift.report.build import SECTION_MODULES
from wattshift.report.markets import build_section
from wattshift.services.markets import add_flex, compare_markets, price_duration
from wattshift.warehouse import Warehouse


def test_price_duration_is_sorted_and_spans_the_year(warehouse: Warehouse) -> None:
    curve = price_duration(warehouse, "NORDPOOL", "SE3", 2024)
    prices = curve.price_usd_per_mwh
    assert curve.product == "da" and all(a >= b for a, b in itertools.pairwise(prices))
    assert curve.hours[-1] == 8784.0 and curve.hours[0] == 1.0  # 2024 is a leap year, hourly prices
    assert len(prices) == 400


def test_api_compare_duration_and_page(warehouse_path: Path) -> None:
    from fastapi.testclient import TestClient

    from wattshift.api.app import create_app

    with TestClient(create_app(db_path=warehouse_path)) as client:
        res = client.get("/api/markets/compare", params={"year": 2024, "markets": "NORDPOOL", "flex": True})
        assert res.status_code == 200, res.text
        rows = res.json()["rows"]
        assert [r["node"] for r in rows][:1] and {r["market"] for r in rows} == {"NORDPOOL"}
        assert all(r["flex_value_usd_per_mw_year"] > 0 for r in rows)  # DA known a day ahead: never worse
        dur = client.get("/api/markets/duration", params={"market": "MISO", "node": "Texas", "year": 2024})
        assert dur.status_code == 400 and "Texas Hub" in dur.text  # an unknown node: bad input
        page = client.get("/markets")
        assert page.status_code == 200 and "/static/markets.js" in page.text and "Price duration" in page.text


#: Flexibility [USD/MW-year] of a 20 J/TH MW in 2024 as the report showed it when the engine ran one
#: operating day per window (commit 60cdf5b): one window per run of days must give the same figures.
DAY_BY_DAY_FLEX_2024 = {("ERCOT", "HB_PAN"): 25815.598789104937, ("NORDPOOL", "SE2"): 2418.4817035114393}


def test_report_section_markets(warehouse: Warehouse) -> None:
    assert "markets" in SECTION_MODULES
    section = build_section(warehouse, year=2024, efficiency_j_per_th=20.0)
    assert section.title == "Markets" and section.html.count("wattshift-figure-") >= 2
    assert "NORDPOOL" in section.html and "flexibility [USD/MW-year]" in section.html
    # the best node of each market with its flexibility, as before: ERCOT HB_PAN 25,816, SE2 2,418
    assert "<td>ERCOT</td><td>HB_PAN</td><td>rt</td>" in section.html and "<td>25,816</td>" in section.html
    assert "<td>NORDPOOL</td><td>SE2</td><td>da</td>" in section.html and "<td>2,418</td>" in section.html


def test_flex_added_to_chosen_rows_only_and_unchanged(warehouse: Warehouse) -> None:
    table = compare_markets(
        warehouse, 2024, efficiency_j_per_th=20.0, markets=["ERCOT", "NORDPOOL"], with_flex=False
    )
    assert all(r.flex_value_usd_per_mw_year is None for r in table.rows)
    done = add_flex(warehouse, table, list(DAY_BY_DAY_FLEX_2024))
    got = {(r.market, r.node): r.flex_value_usd_per_mw_year for r in done.rows}
    for key, usd in DAY_BY_DAY_FLEX_2024.items():
        assert got.pop(key) == pytest.approx(usd, rel=1e-12)
    assert got and all(v is None for v in got.values())  # the other nodes: not computed
    assert [
        dataclasses.replace(r, flex_value_usd_per_mw_year=None, flex_days=0) for r in done.rows
    ] == table.rows
