"""The report's market section: hashprice vs the cost of hashing, BTC price vs cost per BTC, and the
latest day's economics of the most efficient and the most widely deployed ASICs.

The numbers come from :func:`wattshift.services.market.market_view`; this module only draws them.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from wattshift.config.mining import REFERENCE_POWER_USD_PER_KWH, MiningAssumptions
from wattshift.report.axes import log_axis
from wattshift.report.base import Section, figure_html, table_html
from wattshift.services.catalogue import WORKHORSE_MODELS, WORKHORSE_WHY
from wattshift.services.market import MachineHistory, MarketView, market_view
from wattshift.services.mining import MiningSource

__all__ = ["DEFAULT_POWER_USD_PER_KWH", "REFERENCE_MODELS", "SOURCES", "WORKHORSE_MODELS", "build_section"]

#: Stated power price of the charts [USD/kWh] (the default and its reason live in config).
DEFAULT_POWER_USD_PER_KWH = REFERENCE_POWER_USD_PER_KWH

#: Reference machines of the charts: three generations, plus the catalogue's most efficient.
REFERENCE_MODELS: tuple[str, ...] = ("Antminer S9 (13.5T)", "Antminer S19j Pro (104T)", "Antminer S21 (200T)")


SOURCES: tuple[str, ...] = (
    "BTC price, hash rate, block count, issuance and fees: Coin Metrics community data, CC BY-NC 4.0 "
    "(difficulty = HashRate × 1e12 × 86400 / (BlkCnt × 2^32)).",
    "ASIC efficiencies: wattshift ASIC catalogue (asics/asic_models.csv), compiled from vendor, review "
    "and news pages named row by row.",
    "Hashprice reference: Luxor Hashrate Index (108.6 USD/PH/day on 2024-04-01, reproduced within 0.1 %).",
    "Halvings: Bitcoin consensus (blocks 210,000 / 420,000 / 630,000 / 840,000).",
    "Cost assumptions (pool fee, PUE, opex, ASIC price and life): see the table above; each default is "
    "sourced in wattshift.config.mining.MiningAssumptions.",
)

_COLOURS = ("#8c564b", "#1f77b4", "#2ca02c", "#d62728", "#9467bd")


def _values(values: pd.Series) -> npt.NDArray[np.float64]:
    return values.to_numpy(dtype="float64")


def _machine_traces(fig: go.Figure, i: int, m: MachineHistory, ends: Any, weekly_days: Any) -> None:
    """Breakeven hashprice levels (top) and cost per BTC lines (bottom) of one machine."""
    colour = _COLOURS[i % len(_COLOURS)]
    name = f"{m.label}, {m.efficiency_j_per_th:g} J/TH"
    levels = (
        (m.energy_breakeven_usd_per_ph_day, "dash", "energy"),
        (m.all_in_breakeven_usd_per_ph_day, "dot", "all-in"),
    )
    for level, dash, suffix in levels:
        fig.add_trace(
            go.Scatter(
                x=ends,
                y=[level, level],
                mode="lines",
                name=f"{name} ({suffix})",
                legendgroup=m.label,
                line={"color": colour, "dash": dash, "width": 1.2},
            ),
            row=1,
            col=1,
        )
    weekly = slice(None, None, 7)  # cost-per-BTC lines weekly: the page stays small
    for column, dash in (("energy_cost_usd_per_btc", "dash"), ("all_in_cost_usd_per_btc", "dot")):
        fig.add_trace(
            go.Scatter(
                x=weekly_days,
                y=_values(m.economics[column])[weekly],
                name=f"{name} ({'energy' if dash == 'dash' else 'all-in'}) [USD/BTC]",
                legendgroup=m.label,
                showlegend=False,
                line={"color": colour, "dash": dash, "width": 1.2},
            ),
            row=2,
            col=1,
        )


def market_figure(view: MarketView) -> go.Figure:
    """Two panels sharing the date axis, halvings marked.

    Top: hashprice [USD/PH/day] against each machine's breakeven hashprice (energy only, and all-in)
    at the stated power price. Bottom: BTC price [USD] against each machine's energy-only and
    all-in cost per BTC (sampled weekly).
    """
    fig = make_subplots(
        rows=2,
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.06,
        subplot_titles=(
            "Hashprice vs breakeven hashprice [USD/PH/day] (dashed: energy only; dotted: all-in)",
            "BTC price vs cost per BTC [USD] (dashed: energy only; dotted: all-in)",
        ),
    )
    # traces over naive datetime64 days (written as "YYYY-MM-DD" by figure_json; an object array of
    # strings would be copied element by element by plotly's validators); the axis range as text
    days = pd.DatetimeIndex(view.days["date"]).to_numpy()
    day_text = pd.DatetimeIndex(view.days["date"]).strftime("%Y-%m-%d").to_numpy()
    for i, machine in enumerate(view.machines):
        _machine_traces(fig, i, machine, days[[0, -1]], days[::7])
    if view.machines:
        econ = view.machines[-1].economics
        hashprice = go.Scatter(
            x=days, y=_values(econ["hashprice_usd_per_ph_day"]), name="hashprice", line={"color": "#111"}
        )
        fig.add_trace(hashprice, row=1, col=1)
        price = go.Scatter(x=days, y=_values(econ["price_usd"]), name="BTC price", line={"color": "#f7931a"})
        fig.add_trace(price, row=2, col=1)
    _mark_halvings(fig, view)
    _frame_to_market(fig, view, day_text)
    fig.update_layout(legend={"orientation": "h", "y": -0.08}, hovermode="x unified")
    return fig


def _mark_halvings(fig: go.Figure, view: MarketView) -> None:
    """A dotted line down both panels and a label at the top for each halving.

    The shapes and labels ``add_vline`` and ``add_annotation`` would add, in the same order, set
    in one layout update (plotly re-validates the whole list on each ``add_*``: 4x slower).
    """
    days = [when.strftime("%Y-%m-%d") for when in view.halvings.values()]
    line = {"color": "#999", "dash": "dot", "width": 1}
    shapes = [
        go.layout.Shape(type="line", x0=day, x1=day, xref=x, y0=0, y1=1, yref=f"{y} domain", line=line)
        for day in days
        for x, y in (("x", "y"), ("x2", "y2"))
    ]
    labels = [
        go.layout.Annotation(
            x=day, y=1.0, yref="paper", text=f"halving {height:,}", showarrow=False, font={"size": 10}
        )
        for day, height in zip(days, view.halvings, strict=True)
    ]
    fig.update_layout(shapes=[*fig.layout.shapes, *shapes], annotations=[*fig.layout.annotations, *labels])


def _frame_to_market(fig: go.Figure, view: MarketView, day_text: npt.NDArray[Any]) -> None:
    """Start the date axis at the first day BTC had a market price (no 2009 stretch of zero-price
    days) and fit both log axes to the market series, so cost lines of modern ASICs in the
    CPU-mining years (fractions of a cent per BTC) run off the bottom instead of squashing the chart.
    """
    if not view.machines:
        return
    econ = view.machines[-1].economics
    price = _values(econ["price_usd"])
    hashprice = _values(econ["hashprice_usd_per_ph_day"])
    priced = np.flatnonzero(np.isfinite(price) & (price > 0))
    if priced.size:
        fig.update_xaxes(range=[day_text[priced[0]], day_text[-1]])
    breakevens = [
        level
        for m in view.machines
        for level in (m.energy_breakeven_usd_per_ph_day, m.all_in_breakeven_usd_per_ph_day)
    ]
    top = np.concatenate([hashprice[priced], np.asarray(breakevens, dtype="float64")])
    fig.update_yaxes(type="log", title_text="USD/PH/day", row=1, col=1, **log_axis(top))
    fig.update_yaxes(type="log", title_text="USD", row=2, col=1, **log_axis(price[priced]))


def build_section(
    wh: MiningSource,
    *,
    power_usd_per_kwh: float = DEFAULT_POWER_USD_PER_KWH,
    start: dt.date | str | None = None,
    end: dt.date | str | None = None,
    reference_models: Sequence[str] = REFERENCE_MODELS,
    assumptions: MiningAssumptions | None = None,
    pue: float | None = None,
    **_: Any,
) -> Section:
    """The market section of the report.

    Parameters
    ----------
    wh
        Warehouse with BTC daily data and the ASIC catalogue.
    power_usd_per_kwh
        Stated power price of the charts and the table [USD/kWh].
    start, end
        Span of the charts [UTC days]; default: every priced day.
    reference_models
        Catalogue models drawn in the charts (the most efficient model is always added).
    assumptions, pue
        Cost assumptions (default :class:`MiningAssumptions`) and a PUE override.

    Returns
    -------
    Section
        Hashprice vs breakeven and price vs cost-per-BTC charts with halvings, and the latest day's
        table of the five most efficient and five workhorse models.
    """
    view = market_view(
        wh,
        power_usd_per_kwh=power_usd_per_kwh,
        reference_models=reference_models,
        start=start,
        end=end,
        assumptions=assumptions,
        pue=pue,
    )
    return Section(id="market", title="Mining economics", html=_body(view), sources=SOURCES)


def _body(view: MarketView) -> str:
    """The section's HTML: intro with the latest hashprice, charts, latest-day table, assumptions."""
    power = view.power_usd_per_kwh
    assumption_rows: list[dict[str, object]] = [
        {"assumption": "power price [USD/kWh]", "value": power},
        *({"assumption": k, "value": v} for k, v in view.assumptions.as_dict().items()),
    ]
    intro = (
        f"<p>What a TH/s earns (hashprice, before pool fee) against what it costs to run at "
        f"<strong>{power:g} USD/kWh</strong>, for reference machines from the catalogue. "
        "Energy-only cost is the power bill at the meter (× PUE); all-in adds opex, SG&amp;A and "
        "straight-line ASIC depreciation and grosses up for the pool fee. Hashprice uses the expected "
        "form (difficulty, consensus subsidy, mean fees per block). Halvings are marked. "
        f"On the latest day, <strong>{html.escape(view.latest_day)}</strong>, hashprice was "
        f"<strong>{view.hashprice_usd_per_ph_day:,.2f} USD/PH/day</strong>.</p>"
    )
    caption = f"Mining economics on {view.latest_day} at {power:g} USD/kWh"
    return (
        intro
        + figure_html(market_figure(view), height_px=820)
        + table_html(view.latest_rows, caption=caption)
        + f"<p class='sources'>{html.escape(WORKHORSE_WHY)}</p>"
        + table_html(assumption_rows, caption="Assumptions")
    )
