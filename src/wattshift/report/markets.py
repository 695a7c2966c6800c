"""Report section "Markets": where the next MW mines best (the siting table, ranked, and price duration).

From :func:`wattshift.services.markets.compare_markets` for one year and one fleet efficiency: a
ranked bar chart of the mining margin of an always-on MW per node, the value of flexibility per
MW-year (dispatch engine, forecast foresight, no hindsight) of the best node of each market, and
the price-duration curves of those nodes (:func:`wattshift.services.market_best.best_nodes`: the
curve and the flexibility value from one read of each node).
"""

from __future__ import annotations

import html
from typing import Any

import plotly.graph_objects as go

from wattshift.report.base import Section, figure_html, table_html
from wattshift.services.market_best import best_nodes
from wattshift.services.market_duration import PriceDuration
from wattshift.services.markets import CompareRow, CompareSource, compare_markets

#: Defaults: the last full year of the EIA files and the fleet efficiency of issue 15's question.
DEFAULT_YEAR = 2024
DEFAULT_EFFICIENCY_J_PER_TH = 20.0


def _ranked_figure(rows: list[CompareRow], flex: dict[tuple[str, str], float | None]) -> go.Figure:
    labels = [f"{r.market} {r.node}" for r in rows]
    fig = go.Figure()
    fig.add_trace(
        go.Bar(
            x=[r.mining_margin_usd_per_mwh for r in rows], y=labels, orientation="h", name="margin [USD/MWh]"
        )
    )
    fig.add_trace(
        go.Bar(
            x=[(flex.get((r.market, r.node)) or 0.0) / 1000.0 for r in rows],
            y=labels,
            orientation="h",
            name="flexibility [kUSD/MW-year]",
        )
    )
    fig.update_layout(
        title="Mining margin of an always-on MW and value of flexibility, best first",
        barmode="group",
        yaxis={"autorange": "reversed"},
    )
    return fig


def _duration_figure(curves: list[PriceDuration], year: int) -> go.Figure:
    fig = go.Figure()
    for curve in curves:
        fig.add_trace(
            go.Scatter(
                x=curve.hours, y=curve.price_usd_per_mwh, mode="lines", name=f"{curve.market} {curve.node}"
            )
        )
    fig.update_layout(
        title=f"Price duration {year}: hours at or above each price (best node of each market)",
        xaxis={"title": {"text": "hours"}},
        yaxis={"title": {"text": "USD/MWh"}, "range": [-50, 300]},
    )
    return fig


def build_section(
    wh: CompareSource,
    *,
    year: int = DEFAULT_YEAR,
    efficiency_j_per_th: float = DEFAULT_EFFICIENCY_J_PER_TH,
    **_: Any,
) -> Section:
    """The Markets section for ``year`` and a fleet of ``efficiency_j_per_th`` [J/TH]."""
    table = compare_markets(wh, year, efficiency_j_per_th=efficiency_j_per_th, with_flex=False)
    # the dispatch runs only for the best node of each market (the rows whose flexibility is shown),
    # whose duration curves come from the same read of its prices
    found = best_nodes(wh, table)
    table, best = found.table, found.best
    flex = {(r.market, r.node): r.flex_value_usd_per_mw_year for r in best}
    rows: list[dict[str, object]] = [
        {
            "market": r.market,
            "node": r.node,
            "product": r.product,
            "coverage": r.coverage,
            "mean price [USD/MWh]": r.mean_price_usd_per_mwh,
            "h above strike": r.hours_above_strike,
            "margin [USD/MWh]": r.mining_margin_usd_per_mwh,
            "flexibility [USD/MW-year]": flex.get((r.market, r.node)),
        }
        for r in best
    ]
    intro = (
        f"<p>Where a {efficiency_j_per_th:g} J/TH fleet mines best in {year}: for every market node with "
        "prices that year, the mining margin of an always-on MW (the day's mining value after pool fee "
        "and PUE, minus the price) and, for the best node of each market, the value of flexibility per "
        "MW-year: the dispatch engine deciding without hindsight (forecast foresight) against always-on "
        "mining. Coverage below 100% means intervals missing in the source (never filled; the EIA files "
        "miss much of 2023 Q3). EUR prices are converted at the ECB rate of the day.</p>"
    )
    body = (
        intro
        + figure_html(_ranked_figure(table.rows[:25], flex), height_px=640)
        + table_html(rows, caption=html.escape(f"Best node of each market, {year}"))
        + figure_html(_duration_figure(found.curves, year), height_px=420)
    )
    return Section(
        id="markets",
        title="Markets",
        html=body,
        sources=(
            "U.S. EIA wholesale electricity market files (MISO, NYISO, ISO-NE, SPP, CAISO real-time LMP); "
            "PJM Data Miner 2 LMPs; ERCOT settlement point prices; Nord Pool day-ahead (SE1-SE4) and "
            "Energinet Elspotprices; ECB euro reference rates.",
            "Hashprice from Coin Metrics community data (CC BY-NC 4.0).",
        ),
    )
