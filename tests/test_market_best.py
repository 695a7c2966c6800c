"""The best node of each market: flexibility and duration curve from one read, same figures (real data)."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

from wattshift.errors import NotInWarehouseError
from wattshift.services.market_best import best_nodes, best_per_market
from wattshift.services.market_duration import duration_curve, price_duration, year_utc
from wattshift.services.markets import CompareRow, add_flex, compare_markets
from wattshift.warehouse import Warehouse


class _CountingPrices:
    """The warehouse, recording each single-series price read ``(iso, node, product)``."""

    def __init__(self, wh: Warehouse) -> None:
        self.wh = wh
        self.reads: list[tuple[str, str, str]] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self.wh, name)

    def iso_prices(self, node: str, market: str, start: Any, end: Any, *, iso: str = "ERCOT") -> pd.DataFrame:
        self.reads.append((iso, node, market))
        return self.wh.iso_prices(node, market, start, end, iso=iso)


def _row(market: str, node: str, margin: float) -> CompareRow:
    return CompareRow(market, node, 2024, "rt", 1.0, 0.0, 0.0, 0.0, 0.0, margin)


def test_best_per_market_keeps_the_first_row_of_each_market() -> None:
    rows = [_row("SPP", "a", 9.0), _row("MISO", "b", 8.0), _row("SPP", "c", 8.0), _row("MISO", "d", 1.0)]
    assert [(r.market, r.node) for r in best_per_market(rows)] == [("SPP", "a"), ("MISO", "b")]
    assert best_per_market([]) == []


@pytest.mark.parametrize("year", [2023, 2024])
def test_same_flex_and_curves_as_read_separately_with_one_read_per_node(
    warehouse: Warehouse, year: int
) -> None:
    """Every best node: the flexibility of ``add_flex`` and the curve of ``price_duration``, exactly,
    while its settlement series is read once (plus the day-ahead series where the forecast uses it)."""
    table = compare_markets(warehouse, year, efficiency_j_per_th=20.0, with_flex=False)
    best = best_per_market(table.rows)
    counting = _CountingPrices(warehouse)
    found = best_nodes(counting, table)
    assert found.table == add_flex(warehouse, table, [(r.market, r.node) for r in best])
    assert found.best == best_per_market(found.table.rows) and len(found.best) == len(best) >= 7
    for row, curve in zip(found.best, found.curves, strict=True):
        assert curve == price_duration(warehouse, row.market, row.node, year)
    settle_reads = [r for r in counting.reads if r[2] != "da" or r[0] == "NORDPOOL"]
    assert sorted(settle_reads) == sorted({(r.market, r.node, r.product) for r in best})
    assert all(r[0] in ("ERCOT", "PJM") for r in counting.reads if r not in settle_reads)


def test_curve_from_a_longer_span_is_the_curve_of_the_year(warehouse: Warehouse) -> None:
    """A frame from December of the year before to the end of the year: the intervals outside the
    year are left out (SE3 2024: 8,784 hourly prices, 400 points kept, the first and last)."""
    frame = warehouse.iso_prices("SE3", "da", "2023-12-01", "2025-01-01", iso="NORDPOOL")
    curve = duration_curve(frame, "NORDPOOL", "SE3", 2024)
    assert curve == price_duration(warehouse, "NORDPOOL", "SE3", 2024)
    assert len(curve.hours) == 400 and curve.hours[-1] == 8784.0


def test_a_best_node_on_day_ahead_prices_gets_its_curve_from_them(warehouse: Warehouse) -> None:
    """2022: ERCOT HB_PAN is in the table on day-ahead prices (its real-time series starts later);
    its curve is drawn from those, the product of its row (the section failed on that year before)."""
    table = compare_markets(warehouse, 2022, efficiency_j_per_th=20.0, markets=["ERCOT"], with_flex=False)
    assert table.rows[0].node == "HB_PAN" and table.rows[0].product == "da"
    best = best_nodes(warehouse, table)
    curve = best.curves[0]
    assert (curve.node, curve.product) == ("HB_PAN", "da")
    assert curve == price_duration(warehouse, "ERCOT", "HB_PAN", 2022, product="da")
    start, end = year_utc("ERCOT", 2022)
    held = warehouse.iso_prices("HB_PAN", "da", start, end, iso="ERCOT")
    assert curve.hours[-1] == held["interval_minutes"].sum() / 60.0 > 8700  # every hour held that year
    assert curve.price_usd_per_mwh == sorted(curve.price_usd_per_mwh, reverse=True)
    with pytest.raises(NotInWarehouseError, match="HB_PAN"):  # the real-time curve is still not held
        price_duration(warehouse, "ERCOT", "HB_PAN", 2022)
