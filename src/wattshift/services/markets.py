"""Markets compared for siting: price, volatility, hours above the fleet's strike and mining margin.

``compare_markets`` reads every price series held (``wh.price_nodes()``), keeps the markets' real-time
product (day-ahead where a market has no real-time prices in wattshift, e.g. Nord Pool), cuts the
market's local calendar year, converts to USD (EUR at the ECB rate of the day, in the warehouse) and
runs :func:`wattshift.mining.siting.siting_metrics` against the mining value of a MWh of each UTC day
(:func:`wattshift.mining.economics_frame`, with the fleet's efficiency, pool fee and PUE). The series
of one market are read in one query (``wh.iso_prices_batch``: one market's year at a time, never the
whole warehouse at once).

The value of flexibility per MW-year (``flex_value_usd_per_mw_year``) comes from the dispatch engine
in forecast foresight, no hindsight (:mod:`wattshift.services.market_flex`): a 1 MW fleet of the
given efficiency (times PUE) vs always-on, merit order per interval, on the complete operating days
of the year (``flex_days``), scaled to the year.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Protocol

import numpy as np
import pandas as pd

from wattshift.config.bounds import MAX_EFFICIENCY_J_PER_TH
from wattshift.config.mining import MiningAssumptions
from wattshift.dispatch.spec import SiteSpec
from wattshift.dispatch.values import daily_hashprice_usd_per_th_day
from wattshift.errors import ConfigError, NotInWarehouseError
from wattshift.markets import MARKETS, check_node_in, market
from wattshift.mining import economics_frame
from wattshift.mining.siting import siting_metrics
from wattshift.services.catalogue import find_asic
from wattshift.services.market_duration import PriceDuration as PriceDuration
from wattshift.services.market_duration import price_duration as price_duration
from wattshift.services.market_duration import year_utc
from wattshift.services.market_flex import flex_value, one_mw_spec
from wattshift.services.mining import cost_assumptions, resolve_assumptions
from wattshift.warehouse.queries import PriceArrays, SeriesWindow

#: Keys of each JSON row, in order.
COMPARE_KEYS: tuple[str, ...] = (
    "market",
    "node",
    "year",
    "product",
    "coverage",
    "mean_price_usd_per_mwh",
    "std_price_usd_per_mwh",
    "hours_above_strike",
    "mean_mining_value_usd_per_mwh",
    "mining_margin_usd_per_mwh",
    "flex_value_usd_per_mw_year",
    "flex_days",
)


class CompareSource(Protocol):
    """What :func:`compare_markets` reads from the warehouse."""

    def btc_daily(self, start: Any = None, end: Any = None) -> pd.DataFrame:
        """BTC daily frame."""
        ...

    def asic_models(self) -> pd.DataFrame:
        """ASIC catalogue."""
        ...

    def price_nodes(self) -> pd.DataFrame:
        """Series held: ``iso, node, market, interval_minutes, first, last, rows``."""
        ...

    def iso_prices(self, node: str, market: str, start: Any, end: Any, *, iso: str = "ERCOT") -> pd.DataFrame:
        """Prices of one series in USD/MWh."""
        ...

    def iso_prices_batch(self, wanted: Sequence[SeriesWindow]) -> list[PriceArrays | NotInWarehouseError]:
        """Several series in one read: per window its prices in USD/MWh, or the error of that read."""
        ...


@dataclass(frozen=True)
class CompareRow:
    """One market node in one year (fields :data:`COMPARE_KEYS`; units in the names)."""

    market: str
    node: str
    year: int
    product: str
    coverage: float
    mean_price_usd_per_mwh: float
    std_price_usd_per_mwh: float
    hours_above_strike: float
    mean_mining_value_usd_per_mwh: float
    mining_margin_usd_per_mwh: float
    flex_value_usd_per_mw_year: float | None = None
    flex_days: int = 0


@dataclass(frozen=True)
class CompareResult:
    """The siting table: rows best mining margin first, the series skipped and why, the fleet used."""

    year: int
    efficiency_j_per_th: float
    asic: str | None
    rows: list[CompareRow]
    skipped: list[dict[str, str]] = field(default_factory=list)
    note: str = (
        "flex_value_usd_per_mw_year: dispatch engine in forecast foresight (no hindsight), 1 MW fleet vs "
        "always-on, on the flex_days complete operating days held, scaled to the year (empty where the "
        "market's settlement product is not held for the node that year); "
        "coverage < 1 means missing intervals in the source (never filled)"
    )

    def records(self) -> list[dict[str, Any]]:
        """Rows as JSON-ready dicts (keys :data:`COMPARE_KEYS`)."""
        return [asdict(r) for r in self.rows]


def _efficiency(
    wh: CompareSource, efficiency_j_per_th: float | None, asic: str | None
) -> tuple[float, str | None]:
    if (efficiency_j_per_th is None) == (asic is None):
        raise ConfigError("give exactly one of --efficiency-j-per-th or --asic")
    if asic is not None:
        row = find_asic(wh.asic_models(), asic)
        return float(row["efficiency_j_per_th"]), str(row["model"])
    assert efficiency_j_per_th is not None
    if not math.isfinite(efficiency_j_per_th) or efficiency_j_per_th <= 0:
        raise ConfigError(f"efficiency must be a positive number of J/TH, got {efficiency_j_per_th}")
    return float(efficiency_j_per_th), None


def _selected(held: pd.DataFrame, markets: Sequence[str] | None, nodes: Sequence[str] | None) -> pd.DataFrame:
    """Series of the known markets' products and nodes, filtered by ``markets``/``nodes`` (validated)."""
    names = [market(m).name for m in markets] if markets else list(MARKETS)
    for node in nodes or ():
        check_node_in(node, names)
    keep = [
        iso in names
        and node in MARKETS[iso].nodes
        and product in MARKETS[iso].products
        and (not nodes or node in nodes)
        for iso, node, product in zip(
            held["iso"].astype(str), held["node"].astype(str), held["market"].astype(str), strict=True
        )
    ]
    return held[np.asarray(keep, dtype=bool)] if len(held) else held


def _in_year(series: pd.DataFrame, year: int) -> pd.DataFrame:
    """Series with an interval in the market's ``year`` (``price_nodes``' first/last): reading the
    others would only raise :class:`NotInWarehouseError`, which ``_first_product`` passes over."""
    keep = np.zeros(len(series), dtype=bool)
    for i, (iso, first, last) in enumerate(
        zip(series["iso"].astype(str), series["first"], series["last"], strict=True)
    ):
        start, end = year_utc(iso, year)
        keep[i] = first < end and last >= start
    return series[keep]


def _nodes_by_market(series: pd.DataFrame) -> list[tuple[str, list[tuple[str, list[str]]]]]:
    """``(market, [(node, products), ...])`` of ``series``, sorted by market and node; products
    real-time first, then day-ahead."""
    out: dict[str, list[tuple[str, list[str]]]] = {}
    for key, group in series.groupby(["iso", "node"], sort=True):
        products = [p for p in ("rt", "da") if p in set(group["market"])]
        out.setdefault(str(key[0]), []).append((str(key[1]), products))
    return list(out.items())


@dataclass(frozen=True)
class _DailyValue:
    """Mining value of a MWh per UTC day: ``day`` (D,) sorted ``datetime64[D]``, ``usd_per_mwh`` (D,)."""

    day: np.ndarray
    usd_per_mwh: np.ndarray

    def at(self, day: np.ndarray) -> np.ndarray:
        """The value on each of ``day`` (``datetime64[D]``), NaN on a day without one [USD/MWh]."""
        if self.day.size == 0:
            return np.full(day.shape, np.nan)
        i = np.minimum(np.searchsorted(self.day, day), self.day.size - 1)
        return np.where(self.day[i] == day, self.usd_per_mwh[i], np.nan)


def _mining_value_by_day(wh: CompareSource, eff: float, a: MiningAssumptions) -> _DailyValue:
    btc = wh.btc_daily()
    if btc.empty:
        raise NotInWarehouseError(
            "no BTC daily data in the warehouse: run `wattshift data ingest --all` first"
        )
    econ = economics_frame(
        btc, efficiency_j_per_th=eff, power_usd_per_kwh=0.0, assumptions=cost_assumptions(a)
    )
    day = econ["date"].to_numpy().astype("datetime64[D]")
    order = np.argsort(day, kind="stable")
    return _DailyValue(day[order], econ["mining_value_usd_per_mwh"].to_numpy(dtype=np.float64)[order])


@dataclass(frozen=True)
class FlexInputs:
    """What the flexibility value needs: the 1 MW spec and the daily hashprice [USD/TH/day]."""

    spec: SiteSpec
    hashprice: pd.Series


def flex_inputs(
    wh: CompareSource,
    table: CompareResult,
    *,
    pue: float | None = None,
    assumptions: MiningAssumptions | None = None,
) -> FlexInputs:
    """The 1 MW fleet of ``table``'s efficiency (times PUE) and the hashprice, for :func:`add_flex`."""
    a = resolve_assumptions(assumptions, pue)
    hashprice = daily_hashprice_usd_per_th_day(wh.btc_daily())
    eff = min(table.efficiency_j_per_th * a.pue, MAX_EFFICIENCY_J_PER_TH)
    return FlexInputs(one_mw_spec(eff, a.pool_fee), hashprice)


def _flex(wh: CompareSource, iso: str, node: str, year: int, flex: FlexInputs) -> tuple[float | None, int]:
    try:
        found = flex_value(wh, iso, node, year, flex.spec, flex.hashprice)
    except NotInWarehouseError:
        return None, 0
    return found.usd_per_mw_year, found.days_used


def _row(
    series: PriceArrays, iso: str, node: str, product: str, year: int, value_by_day: _DailyValue
) -> CompareRow | None:
    start, end = year_utc(iso, year)
    value = value_by_day.at(series.interval_start_utc.astype("datetime64[D]"))  # of the UTC day
    has_value = ~np.isnan(value)
    if not has_value.any():
        return None
    m = siting_metrics(
        series.price_usd_per_mwh[has_value],
        series.interval_minutes.astype(np.float64)[has_value] / 60.0,
        value[has_value],
        (end - start).total_seconds() / 3600.0,
    )
    return CompareRow(
        iso,
        node,
        year,
        product,
        m.coverage,
        m.mean_price_usd_per_mwh,
        m.std_price_usd_per_mwh,
        m.hours_above_strike,
        m.mean_mining_value_usd_per_mwh,
        m.mining_margin_usd_per_mwh,
    )


def _market_rows(
    wh: CompareSource,
    iso: str,
    nodes: list[tuple[str, list[str]]],
    year: int,
    value_by_day: _DailyValue,
    skipped: list[dict[str, str]],
) -> list[CompareRow]:
    """Rows of the ``(node, products)`` of one market: per node the real-time product if it has
    prices in ``year``, else the day-ahead one (:func:`read_first_products`); a series held without
    an ECB rate to convert it is listed in ``skipped``."""
    rows: list[CompareRow] = []
    for (node, _), found in zip(nodes, read_first_products(wh, iso, nodes, year), strict=True):
        if isinstance(found, PriceArrays):
            row = _row(found, iso, node, found.market, year, value_by_day)
            if row is not None:
                rows.append(row)
        elif found is not None and "ECB" in str(found):  # prices held, but no rate to convert them
            skipped.append({"market": iso, "node": node, "reason": str(found)})
    return rows


def read_first_products(
    wh: CompareSource, iso: str, nodes: list[tuple[str, list[str]]], year: int
) -> list[PriceArrays | NotInWarehouseError | None]:
    """Per ``(node, products)`` of market ``iso`` (products in order of preference), the prices in
    the market's ``year`` of the first product that has some (one batch read per rank of
    preference); else the last product's error (``None``: no product)."""
    start, end = year_utc(iso, year)
    found: list[PriceArrays | NotInWarehouseError | None] = [None] * len(nodes)
    for rank in range(max((len(p) for _, p in nodes), default=0)):
        todo = [
            i
            for i, (_, products) in enumerate(nodes)
            if rank < len(products) and (rank == 0 or _try_next(found[i]))
        ]
        if not todo:
            break
        wanted = [SeriesWindow(iso, nodes[i][0], nodes[i][1][rank], start, end) for i in todo]
        for i, got in zip(todo, wh.iso_prices_batch(wanted), strict=True):
            found[i] = got
    return found


def _try_next(found: PriceArrays | NotInWarehouseError | None) -> bool:
    """A product not held in the year (not one held without an exchange rate): try the next one."""
    return isinstance(found, NotInWarehouseError) and "ECB" not in str(found)


def compare_markets(
    wh: CompareSource,
    year: int,
    *,
    efficiency_j_per_th: float | None = None,
    asic: str | None = None,
    markets: Sequence[str] | None = None,
    nodes: Sequence[str] | None = None,
    pue: float | None = None,
    assumptions: MiningAssumptions | None = None,
    with_flex: bool = True,
) -> CompareResult:
    """Siting table for ``year``: every market node with prices that year, best mining margin first.

    ``with_flex=False`` leaves ``flex_value_usd_per_mw_year`` out (``None``; the dispatch runs are the
    slow part: :func:`add_flex` adds them to the rows a caller shows).

    Raises
    ------
    ConfigError
        Both or neither of efficiency / ASIC, or a bad efficiency.
    UnknownMarketError
        An unknown market or node (close matches in the message).
    NotInWarehouseError
        No BTC data, an unknown ASIC, or no series with prices in ``year``.
    """
    eff, model = _efficiency(wh, efficiency_j_per_th, asic)
    a = resolve_assumptions(assumptions, pue)
    value_by_day = _mining_value_by_day(wh, eff, a)
    series = _in_year(_selected(wh.price_nodes(), markets, nodes), year)
    rows: list[CompareRow] = []
    skipped: list[dict[str, str]] = []
    for iso, of_market in _nodes_by_market(series):
        rows.extend(_market_rows(wh, iso, of_market, year, value_by_day, skipped))
    if not rows and not skipped:
        raise NotInWarehouseError(f"no market node has prices in {year} (see `wattshift data status`)")
    rows.sort(key=lambda r: r.mining_margin_usd_per_mwh, reverse=True)
    table = CompareResult(year, eff, model, rows, skipped)
    if with_flex:
        table = add_flex(wh, table, [(r.market, r.node) for r in rows], pue=pue, assumptions=assumptions)
    return table


def add_flex(
    wh: CompareSource,
    table: CompareResult,
    keys: Sequence[tuple[str, str]],
    *,
    pue: float | None = None,
    assumptions: MiningAssumptions | None = None,
) -> CompareResult:
    """``table`` with the value of flexibility filled in for the rows of ``keys`` (``(market, node)``).

    The dispatch runs are the slow part of the siting table (a year of one node is a backtest on a
    forecast refitted every day), so a caller that shows the flexibility of a few rows (the report:
    the best node of each market) computes it for those only. ``pue`` and ``assumptions`` must be
    those ``table`` was built with; a row's value is the one :func:`compare_markets` with
    ``with_flex=True`` gives it.
    """
    flex = flex_inputs(wh, table, pue=pue, assumptions=assumptions)
    wanted = set(keys)
    rows = [_with_flex(wh, r, flex) if (r.market, r.node) in wanted else r for r in table.rows]
    return replace(table, rows=rows)


def _with_flex(wh: CompareSource, row: CompareRow, flex: FlexInputs) -> CompareRow:
    usd, days = _flex(wh, row.market, row.node, row.year, flex)
    return replace(row, flex_value_usd_per_mw_year=usd, flex_days=days)
