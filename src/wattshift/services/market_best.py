"""The best node of each market in a siting table, with its flexibility value and price-duration curve.

The report's Markets section shows, for the best-margin node of each market, the value of
flexibility (as :func:`wattshift.services.markets.add_flex` computes it) and the price-duration
curve (as :func:`wattshift.services.market_duration.price_duration` computes it). Both come from
the same prices: the curve is the year of the node's settlement product, and the flexibility value
reads that product over the year and the days before it (:func:`read_flex_prices`). Here each node
is read once for both, one node at a time (the price series are never all held at once: memory),
instead of once for each; the figures are the same, value for value.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from wattshift.config.mining import MiningAssumptions
from wattshift.errors import NotInWarehouseError
from wattshift.services.market_duration import (
    PriceDuration,
    duration_curve,
    price_duration,
    year_utc,
)
from wattshift.services.market_flex import FlexPrices, flex_value_of, read_flex_prices
from wattshift.services.markets import CompareResult, CompareRow, CompareSource, FlexInputs, flex_inputs


@dataclass(frozen=True)
class BestNodes:
    """``table`` with the flexibility value of the best node of each market filled in; ``best``
    those rows (best margin first) and ``curves`` their price-duration curves, in the same order."""

    table: CompareResult
    best: list[CompareRow]
    curves: list[PriceDuration]


def best_per_market(rows: list[CompareRow]) -> list[CompareRow]:
    """The best-margin node of each market (rows arrive best margin first)."""
    seen: dict[str, CompareRow] = {}
    for r in rows:
        seen.setdefault(r.market, r)
    return list(seen.values())


def best_nodes(
    wh: CompareSource,
    table: CompareResult,
    *,
    pue: float | None = None,
    assumptions: MiningAssumptions | None = None,
) -> BestNodes:
    """The best node of each market of ``table`` with its flexibility value and duration curve.

    ``pue`` and ``assumptions`` must be those ``table`` was built with (as for
    :func:`~wattshift.services.markets.add_flex`, whose values these are).

    Raises
    ------
    NotInWarehouseError
        A best node without prices of its curve's product in the year (as
        :func:`~wattshift.services.market_duration.price_duration`).
    """
    flex = flex_inputs(wh, table, pue=pue, assumptions=assumptions)
    done: dict[tuple[str, str], tuple[CompareRow, PriceDuration]] = {}
    for row in best_per_market(table.rows):
        done[(row.market, row.node)] = _flex_and_curve(wh, row, flex)
    rows = [done[(r.market, r.node)][0] if (r.market, r.node) in done else r for r in table.rows]
    return BestNodes(
        replace(table, rows=rows),
        [row for row, _ in done.values()],
        [curve for _, curve in done.values()],
    )


def _flex_and_curve(wh: CompareSource, row: CompareRow, flex: FlexInputs) -> tuple[CompareRow, PriceDuration]:
    """``row`` with its flexibility value (``None`` where it has none) and its duration curve."""
    try:
        held = read_flex_prices(wh, row.market, row.node, row.year)
    except NotInWarehouseError:
        held = None
    usd: float | None = None
    days = 0
    if held is not None:
        try:
            found = flex_value_of(held, flex.spec, flex.hashprice)
            usd, days = found.usd_per_mw_year, found.days_used
        except NotInWarehouseError:
            pass
    with_flex = replace(row, flex_value_usd_per_mw_year=usd, flex_days=days)
    if held is not None and _covers_year(held, row.product):
        return with_flex, duration_curve(held.settle, row.market, row.node, row.year, product=row.product)
    # the row's own product: day-ahead where the node had no real-time prices that year
    return with_flex, price_duration(wh, row.market, row.node, row.year, product=row.product)


def _covers_year(held: FlexPrices, product: str) -> bool:
    """Whether ``held.settle`` is the curve's product with an interval in the year (then the curve
    is cut from it: the year's intervals of a read over a longer span are the year's read)."""
    if held.product != product:
        return False
    start, end = year_utc(held.iso, held.year)
    starts = held.settle["interval_start_utc"]
    return bool(((starts >= start) & (starts < end)).any())
