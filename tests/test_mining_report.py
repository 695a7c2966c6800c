"""The report's market section on real data (a fake warehouse holding three months and the catalogue)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from wattshift.data.asics import read_asics
from wattshift.data.coinmetrics import read_coinmetrics
from wattshift.report.market import build_section
from wattshift.services.catalogue import WORKHORSE_MODELS
from wattshift.testing import FakeWarehouse


@pytest.fixture(scope="module")
def source(shared_data_dir: Path) -> FakeWarehouse:
    btc = read_coinmetrics(shared_data_dir / "onchain" / "coinmetrics_btc_daily_2009-01-03_2026-03-23.csv")
    window = btc[btc["date"].between("2024-03-01", "2024-05-31")].reset_index(drop=True)
    return FakeWarehouse(
        btc_daily=window, asic_models=read_asics(shared_data_dir / "asics" / "asic_models.csv")
    )


def test_market_section(source: FakeWarehouse) -> None:
    section = build_section(source, power_usd_per_kwh=0.05)
    assert section.id == "market"
    assert any("CC BY-NC 4.0" in line for line in section.sources)
    assert "halving 840,000" in section.html
    assert "2024-05-31" in section.html  # latest day named
    table = re.search(r"<caption>Mining economics on 2024-05-31.*?</table>", section.html, re.S)
    assert table is not None
    rows = re.findall(r"<tr><td>(.*?)</td><td>(most efficient|workhorse)</td>", table.group(0))
    groups = [g for _, g in rows]
    assert groups.count("most efficient") == 5
    assert {m for m, g in rows if g == "workhorse"} == set(WORKHORSE_MODELS)
    # The most efficient machine in the catalogue is listed first.
    assert (
        rows[0][0] == source.asic_models().sort_values("efficiency_j_per_th", kind="stable").iloc[0]["model"]
    )
    assert "power price [USD/kWh]" in section.html and "pool_fee" in section.html


def test_market_section_empty_span(source: FakeWarehouse) -> None:
    from wattshift.errors import NotInWarehouseError

    with pytest.raises(NotInWarehouseError, match="span"):
        build_section(source, start="2030-01-01")
