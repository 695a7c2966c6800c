"""Price-duration curve of a market node over one year (the siting page and the report's Markets section).

The prices of the node's real-time product (day-ahead where the market has none) in the market's
local calendar year, in USD, sorted high to low against the hours during which the price was at
least that high. :func:`price_duration` reads them; :func:`duration_curve` takes a frame already
read over a span that covers the year (the report reuses the prices read for the flexibility value).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import pandas as pd

from wattshift.errors import NotInWarehouseError
from wattshift.markets import MARKETS, check_node_in, market


class DurationSource(Protocol):
    """What :func:`price_duration` reads from the warehouse."""

    def iso_prices(self, node: str, market: str, start: Any, end: Any, *, iso: str = "ERCOT") -> pd.DataFrame:
        """Prices of one series in USD/MWh."""
        ...


@dataclass(frozen=True)
class PriceDuration:
    """Price-duration curve of one node over one year: prices sorted high to low against the hours
    during which the price was at least that high (``hours`` (N,) [h], ``price_usd_per_mwh`` (N,))."""

    market: str
    node: str
    year: int
    product: str
    hours: list[float]
    price_usd_per_mwh: list[float]


@functools.cache
def year_utc(iso: str, year: int) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The market's local calendar ``year`` as a UTC span ``[start, end)`` (kept: a time-zone-aware
    timestamp takes 0.1 ms to build, and the siting table asks for a market's year per series)."""
    tz = MARKETS[iso].timezone
    start = pd.Timestamp(f"{year}-01-01", tz=tz).tz_convert("UTC")
    return start, pd.Timestamp(f"{year + 1}-01-01", tz=tz).tz_convert("UTC")


def duration_product(iso: str) -> str:
    """The product of the curve: real-time where the market has one, else day-ahead."""
    return "rt" if "rt" in MARKETS[iso].products else "da"


def price_duration(
    wh: DurationSource, iso: str, node: str, year: int, *, points: int = 400, product: str | None = None
) -> PriceDuration:
    """Price-duration curve of ``node`` in ``year`` (the market's local calendar year), in USD.

    ``product``: None = the real-time product where the market has one, else the day-ahead one
    (:func:`duration_product`); the siting table passes its row's product, which is day-ahead for a
    node without real-time prices that year (ERCOT HB_PAN in 2022). ``points`` evenly spaced
    positions of the sorted intervals are kept (the first and last always), each interval weighted by
    its length (hours) [Δt].

    Raises
    ------
    UnknownMarketError
        An unknown market or node.
    NotInWarehouseError
        No prices of the node in the year.
    """
    iso = market(iso).name
    check_node_in(node, [iso])
    product = duration_product(iso) if product is None else product
    start, end = year_utc(iso, year)
    frame = wh.iso_prices(node, product, start, end, iso=iso)
    if frame.empty:
        raise NotInWarehouseError(f"no {iso} {node} {product} prices in {year}")
    return duration_curve(frame, iso, node, year, points=points, product=product)


def duration_curve(
    frame: pd.DataFrame, iso: str, node: str, year: int, *, points: int = 400, product: str | None = None
) -> PriceDuration:
    """The curve of :func:`price_duration` from ``frame``, the node's prices in ``product`` (None =
    :func:`duration_product`) over a span that covers the year (sorted by interval start; the
    intervals outside the year are left out). ``frame`` must hold an interval in the year."""
    start, end = year_utc(iso, year)
    starts = frame["interval_start_utc"]
    in_year = ((starts >= start) & (starts < end)).to_numpy()
    price = frame["price_usd_per_mwh"].to_numpy(dtype=np.float64)[in_year]
    order = np.argsort(-price, kind="stable")
    hours = np.cumsum(frame["interval_minutes"].to_numpy(dtype=np.float64)[in_year][order] / 60.0)
    keep = np.unique(np.linspace(0, price.size - 1, min(points, price.size)).round().astype(np.int64))
    product = duration_product(iso) if product is None else product
    return PriceDuration(iso, node, year, product, hours[keep].tolist(), price[order][keep].tolist())
