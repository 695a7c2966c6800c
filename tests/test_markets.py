"""The markets table: one row per market, consistent with the data held; lookups with close matches."""

from __future__ import annotations

import zoneinfo

import pytest

from wattshift.markets import MARKETS, UnknownMarketError, check_node, market, market_of_nodes
from wattshift.warehouse import Warehouse


@pytest.mark.parametrize("name", list(MARKETS))
def test_every_market_row_is_complete(name: str) -> None:
    spec = MARKETS[name]
    zoneinfo.ZoneInfo(spec.timezone)  # a real IANA zone
    assert spec.products and set(spec.products) <= {"da", "rt"}
    assert all(m in (5, 15, 60) for m in spec.products.values())
    assert spec.currency in {"USD", "EUR"} and spec.nodes and len(set(spec.nodes)) == len(spec.nodes)
    assert spec.price_cap > 0 and (spec.price_floor is None or spec.price_floor < 0)


def test_currencies_and_zones() -> None:
    assert MARKETS["NORDPOOL"].currency == "EUR" and MARKETS["NORDPOOL"].timezone == "Europe/Stockholm"
    assert MARKETS["MISO"].timezone == "EST"  # MISO's market clock is Eastern Standard Time all year
    assert MARKETS["ERCOT"].price_cap == 5_000.0
    assert MARKETS["SPP"].interval_minutes("rt") == 5


def test_every_series_held_is_in_the_table(warehouse: Warehouse) -> None:
    nodes = warehouse.price_nodes()
    nodes = nodes[nodes["market"].isin(["da", "rt"])]
    for row in nodes.itertuples(index=False):
        spec = MARKETS[str(row.iso)]
        # ERCOT's load-zone pairs are stored as LZ_X:lo / LZ_X:hi (LZ and LZEW, labels lost upstream)
        assert str(row.node).split(":")[0] in spec.nodes, (row.iso, row.node)
        assert row.market in spec.products, (row.iso, row.market)
    assert set(nodes["iso"]) == set(MARKETS)


def test_unknown_node_is_an_error_with_close_matches() -> None:
    with pytest.raises(
        UnknownMarketError, match=r"unknown node 'WESTERN' for PJM.*did you mean 'WESTERN HUB'"
    ):
        check_node("PJM", "WESTERN")
    with pytest.raises(UnknownMarketError, match=r"did you mean 'SE3'"):
        check_node("NORDPOOL", "se3")
    assert check_node("miso", "Texas Hub") == "Texas Hub"


def test_unknown_market_and_product() -> None:
    with pytest.raises(UnknownMarketError, match=r"unknown market 'ERCOTT'.*did you mean 'ERCOT'"):
        market("ERCOTT")
    with pytest.raises(UnknownMarketError, match=r"MISO has no 'da' prices.*products: rt"):
        MARKETS["MISO"].interval_minutes("da")


def test_market_of_nodes() -> None:
    assert market_of_nodes(["North Hub", "South Hub"]) == "SPP"
    assert market_of_nodes(["NP-15"]) == "CAISO"
    assert market_of_nodes(["Nowhere"]) is None
