"""The valuation's power price from the warehouse: one series' span and one year of its prices, the
same figure (bit for bit) and source as reading the list of every series and the price frame."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import pandas as pd
import pytest

from wattshift.config import SiteConfig, load_site
from wattshift.config.valuation import FALLBACK_POWER_USD_PER_MWH, ValuationConfig
from wattshift.services.sites import examples_dir
from wattshift.services.valuation_inputs import POWER_LOOKBACK_DAYS, site_power_usd_per_mwh

if TYPE_CHECKING:
    from wattshift.warehouse import Warehouse


def _at(site: SiteConfig, iso: str, node: str) -> SiteConfig:
    """``site`` buying at the real-time price of ``node`` in ``iso``."""
    contract = site.contract.model_copy(update={"kind": "index", "market": iso, "node": node})
    return site.model_copy(update={"contract": contract})


def _from_every_series(wh: Warehouse, iso: str, node: str) -> tuple[float, str]:
    """The figure as first written: the node's row of the list of every series, then the price frame."""
    nodes = wh.price_nodes()
    row = nodes[(nodes["iso"] == iso) & (nodes["node"] == node) & (nodes["market"] == "rt")]
    last = pd.Timestamp(row["last"].max())
    start = (last - pd.Timedelta(days=POWER_LOOKBACK_DAYS)).date()
    prices = wh.iso_prices(node, "rt", start, last.date() + dt.timedelta(days=1), iso=iso)
    return float(prices["price_usd_per_mwh"].mean()), f"mean {iso} RT {node} {start}..{last.date()}"


@pytest.fixture(scope="module")
def site() -> SiteConfig:
    return load_site(examples_dir() / "sites" / "converting_to_ai.toml")


def test_series_span_is_the_series_row_of_the_list_of_every_series(warehouse: Warehouse) -> None:
    held = warehouse.price_nodes()
    for row in held.to_dict("records"):
        first, last, rows = warehouse.series_span(str(row["node"]), str(row["market"]), iso=str(row["iso"]))
        assert first is not None and last is not None
        span = (pd.Timestamp(first, tz="UTC"), pd.Timestamp(last, tz="UTC"), rows)
        assert span == (row["first"], row["last"], row["rows"]), row
    assert warehouse.series_span("NO_SUCH_NODE", "rt", iso="ERCOT") == (None, None, 0)


def test_power_price_equals_the_one_read_from_every_series(warehouse: Warehouse, site: SiteConfig) -> None:
    held = warehouse.price_nodes()
    real_time = held[held["market"] == "rt"].drop_duplicates("iso")  # the first node of each market
    assert len(real_time) >= 7
    for iso, node in zip(real_time["iso"], real_time["node"], strict=True):
        got = site_power_usd_per_mwh(warehouse, _at(site, iso, node), ValuationConfig())
        assert got == _from_every_series(warehouse, iso, node), (iso, node)
    # HB_WEST in 2025 (the README's `wattshift value` example): a year of ERCOT real-time prices
    value, source = site_power_usd_per_mwh(warehouse, _at(site, "ERCOT", "HB_WEST"), ValuationConfig())
    assert source == "mean ERCOT RT HB_WEST 2025-01-01..2026-01-01"
    assert 20.0 < value < 60.0


def test_power_price_of_a_series_not_held_is_the_documented_fallback(
    warehouse: Warehouse, site: SiteConfig
) -> None:
    value, source = site_power_usd_per_mwh(warehouse, _at(site, "ERCOT", "NO_SUCH_NODE"), ValuationConfig())
    assert (value, source) == (FALLBACK_POWER_USD_PER_MWH, f"default {FALLBACK_POWER_USD_PER_MWH:g} USD/MWh")
