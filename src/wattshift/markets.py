"""The electricity markets wattshift knows, as data: one :class:`Market` row per market.

Each market states its time zone, operating day, products (day-ahead / real-time) with the interval
length of the prices wattshift holds for them, its price floor and cap, its currency and its node list.
Adapters check files against this table (a file of one market read as another's fails on its nodes
or its local-time column), the warehouse converts non-USD prices with it, and the services look
markets and nodes up here (:func:`market`, :func:`check_node`), so adding a market is a new row, not a
new code path.

Why a Python module and not a TOML file in package data: the table sits at the bottom layer (the
adapters in ``data/`` and the warehouse both read it), it is typed and checked by mypy strict like
the code that uses it, and it needs no file I/O at import. It is plain data all the same: frozen
dataclasses, no logic besides lookups.

Sources for floors and caps (offer/bid limits, *not* bounds on settled prices: shortage pricing and
adders can settle above the offer cap, e.g. ERCOT HB_WEST 5,236.81 USD/MWh on 2023-08-17):

- ERCOT: system-wide offer cap (HCAP) 5,000 USD/MWh, PUCT Substantive Rule 25.505(g); offer floor
  -250 USD/MWh, ERCOT Nodal Protocols 4.4.9.
- U.S. RTOs/ISOs (PJM, MISO, NYISO, ISO-NE, SPP, CAISO): energy offer cap 1,000 USD/MWh, verified
  cost-based offers up to 2,000 USD/MWh, FERC Order No. 831 (2016). Floors, from each market's
  tariff as commonly quoted: MISO -500, NYISO -1,000, ISO-NE -150, CAISO -150, SPP -500 USD/MWh;
  PJM has no market-wide offer floor recorded here (``None``). These floors were not re-checked
  against the current tariffs for this table.
- Nord Pool day-ahead (SDAC): harmonised maximum and minimum clearing price +4,000 / -500 EUR/MWh
  (ACER decision 01/2023 on HMMCP, in force for 2023-2024).
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

from wattshift.errors import WattshiftError


class UnknownMarketError(WattshiftError):
    """A market or node name that is not in :data:`MARKETS` (the message lists close matches)."""


@dataclass(frozen=True)
class Market:
    """One electricity market.

    Attributes
    ----------
    name
        Key used in the warehouse's ``iso`` column (``ERCOT``, ``PJM``, ``NORDPOOL`` …).
    title
        Human name.
    timezone
        IANA time zone of the operating day (MISO uses Eastern Standard Time all year: ``EST``).
    operating_day
        How the market's day is delimited (all of them: local midnight to midnight).
    products
        Product → interval length of the prices held [min] (``da`` day-ahead, ``rt`` real-time).
    price_floor
        Offer floor [currency/MWh] (``None``: not recorded).
    price_cap
        Offer cap [currency/MWh].
    currency
        ISO 4217 code of the prices (``USD``, ``EUR``).
    nodes
        Price nodes held for this market (hubs, zones, bidding zones).
    data_source
        Where the prices come from.
    """

    name: str
    title: str
    timezone: str
    operating_day: str
    products: Mapping[str, int]
    price_floor: float | None
    price_cap: float
    currency: str
    nodes: tuple[str, ...]
    data_source: str

    def interval_minutes(self, product: str) -> int:
        """Interval length [min] of ``product`` (raises :class:`UnknownMarketError` if not offered)."""
        if product not in self.products:
            raise UnknownMarketError(
                f"{self.name} has no {product!r} prices in wattshift; products: {', '.join(self.products)}"
            )
        return self.products[product]


_LOCAL_DAY: Final[str] = "local midnight to midnight"
_EIA: Final[str] = "U.S. EIA wholesale electricity market files (real-time LMP)"

_MARKET_LIST: Final[tuple[Market, ...]] = (
    Market(
        "ERCOT",
        "Electric Reliability Council of Texas",
        "America/Chicago",
        _LOCAL_DAY,
        MappingProxyType({"da": 60, "rt": 15}),
        -250.0,
        5_000.0,
        "USD",
        (
            "HB_BUSAVG",
            "HB_HOUSTON",
            "HB_HUBAVG",
            "HB_NORTH",
            "HB_PAN",
            "HB_SOUTH",
            "HB_WEST",
            "LZ_AEN",
            "LZ_CPS",
            "LZ_HOUSTON",
            "LZ_LCRA",
            "LZ_NORTH",
            "LZ_RAYBN",
            "LZ_SOUTH",
            "LZ_WEST",
        ),
        "ERCOT NP4-180/NP6-785/NP6-905 reports",
    ),
    Market(
        "PJM",
        "PJM Interconnection",
        "America/New_York",
        _LOCAL_DAY,
        MappingProxyType({"da": 60, "rt": 60}),
        None,
        1_000.0,
        "USD",
        (
            "PJM-RTO",
            "AEP GEN HUB",
            "AEP-DAYTON HUB",
            "ATSI GEN HUB",
            "CHICAGO GEN HUB",
            "CHICAGO HUB",
            "DOMINION HUB",
            "EASTERN HUB",
            "N ILLINOIS HUB",
            "NEW JERSEY HUB",
            "OHIO HUB",
            "WEST INT HUB",
            "WESTERN HUB",
            "ALDENE",
            "DOM",
        ),
        "PJM Data Miner 2 da_hrl_lmps / rt_hrl_lmps",
    ),
    Market(
        "MISO",
        "Midcontinent ISO",
        "EST",
        _LOCAL_DAY,
        MappingProxyType({"rt": 60}),
        -500.0,
        1_000.0,
        "USD",
        (
            "Arkansas Hub",
            "Illinois Hub",
            "Indiana Hub",
            "Louisiana Hub",
            "Michigan Hub",
            "Minnesota Hub",
            "Mississippi Hub",
            "Texas Hub",
        ),
        _EIA,
    ),
    Market(
        "NYISO",
        "New York ISO",
        "America/New_York",
        _LOCAL_DAY,
        MappingProxyType({"rt": 60}),
        -1_000.0,
        1_000.0,
        "USD",
        (
            "A - West",
            "B - Genessee",
            "C - Central",
            "D - North",
            "E - Mohawk Valley",
            "F - Capital",
            "G - Hudson Valley",
            "H - Millwood",
            "I - Dunwoodie",
            "J - New York City",
            "K - Long Island",
        ),
        _EIA,
    ),
    Market(
        "ISONE",
        "ISO New England",
        "America/New_York",
        _LOCAL_DAY,
        MappingProxyType({"rt": 60}),
        -150.0,
        1_000.0,
        "USD",
        ("Internal Hub",),
        _EIA,
    ),
    Market(
        "SPP",
        "Southwest Power Pool",
        "America/Chicago",
        _LOCAL_DAY,
        MappingProxyType({"rt": 5}),
        -500.0,
        1_000.0,
        "USD",
        ("North Hub", "South Hub"),
        _EIA,
    ),
    Market(
        "CAISO",
        "California ISO",
        "America/Los_Angeles",
        _LOCAL_DAY,
        MappingProxyType({"rt": 15}),
        -150.0,
        1_000.0,
        "USD",
        ("NP-15", "SP-15", "ZP-26"),
        _EIA + ", fifteen-minute market",
    ),
    Market(
        "NORDPOOL",
        "Nord Pool day-ahead, Swedish bidding zones",
        "Europe/Stockholm",
        _LOCAL_DAY,
        MappingProxyType({"da": 60}),
        -500.0,
        4_000.0,
        "EUR",
        ("SE1", "SE2", "SE3", "SE4"),
        "Nord Pool day-ahead via elprisetjustnu.se; Energinet Elspotprices (SE3, SE4); "
        "60-minute steps until 2025-09-30, 15-minute from 2025-10-01",
    ),
)

#: Every market, by name.
MARKETS: Final[Mapping[str, Market]] = MappingProxyType({m.name: m for m in _MARKET_LIST})


def _suggest(wanted: str, choices: tuple[str, ...] | list[str]) -> str:
    close = difflib.get_close_matches(wanted, list(choices), n=3, cutoff=0.4)
    lowered = [c for c in choices if c.lower() == wanted.lower() and c not in close]
    hits = lowered + close
    return f"; did you mean {', '.join(repr(h) for h in hits)}?" if hits else ""


def market(name: str) -> Market:
    """The :class:`Market` called ``name`` (case-insensitive).

    Raises
    ------
    UnknownMarketError
        For an unknown name; the message lists the known markets and close matches.
    """
    found = MARKETS.get(name) or MARKETS.get(name.upper())
    if found is None:
        raise UnknownMarketError(
            f"unknown market {name!r}; known: {', '.join(MARKETS)}{_suggest(name.upper(), list(MARKETS))}"
        )
    return found


def check_node(market_name: str, node: str) -> str:
    """Return ``node`` if ``market_name`` has it.

    Raises
    ------
    UnknownMarketError
        For an unknown market or node; the message names the close matches among the market's nodes.
    """
    spec = market(market_name)
    if node in spec.nodes:
        return node
    raise UnknownMarketError(
        f"unknown node {node!r} for {spec.name}; its nodes: {', '.join(spec.nodes)}"
        f"{_suggest(node, spec.nodes)}"
    )


def market_of_nodes(nodes: list[str] | tuple[str, ...]) -> str | None:
    """The market whose node list holds all of ``nodes`` (``None`` if none does); used by adapters."""
    for spec in _MARKET_LIST:
        if nodes and set(nodes) <= set(spec.nodes):
            return spec.name
    return None


def check_node_in(node: str, market_names: list[str] | tuple[str, ...]) -> str:
    """The market (of ``market_names``) that has ``node``.

    Raises
    ------
    UnknownMarketError
        If none has it; the message names close matches among all their nodes, with their market.
    """
    for name in market_names:
        if node in market(name).nodes:
            return market(name).name
    owners = {n: market(m).name for m in market_names for n in market(m).nodes}
    close = difflib.get_close_matches(node, list(owners), n=4, cutoff=0.4)
    close = [n for n in owners if n.lower() == node.lower() and n not in close] + close
    hint = "; did you mean " + ", ".join(f"{owners[c]} {c!r}" for c in close) + "?" if close else ""
    raise UnknownMarketError(f"unknown node {node!r} in {', '.join(market_names)}{hint}")
