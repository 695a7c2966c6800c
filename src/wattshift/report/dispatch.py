"""Dispatch page of the report: for each site, MW by use over time under the price, and revenue by stream.

Each site is backtested through :func:`wattshift.services.dispatch.run_dispatch` over the period of
its ``[backtest]`` table (the example sites by default). Periods longer than
:data:`HOURLY_ABOVE_DAYS` days are drawn as hourly means of the schedule to keep the page light; the
totals are always those of the full-resolution backtest.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from wattshift.report.axes import synced_axes
from wattshift.report.base import Section, figure_html, table_html
from wattshift.services.dispatch import DispatchRun, DispatchSource, result_dict, run_dispatch
from wattshift.services.sites import examples, load_site, resolve_file

#: Longer periods are charted as hourly means [days].
HOURLY_ABOVE_DAYS = 45

_USE_COLOURS = ("#f2a900", "#d98c00", "#b36b00", "#8c5200", "#664000")


def _chart_frame(run: DispatchRun) -> pd.DataFrame:
    frame = run.result.schedule.set_index("interval_start_utc")
    cols = [c for c in frame.columns if c.startswith("mw_")] + ["price_usd_per_mwh"]
    frame = frame[cols]
    if (run.end - run.start).days > HOURLY_ABOVE_DAYS:
        frame = frame.resample("1h").mean()
    return frame


def _stacked(x: pd.Index, y: pd.Series, name: str, colour: str) -> go.Scatter:
    """One stacked area of the MW-by-use chart."""
    return go.Scatter(x=x, y=y, name=name, stackgroup="mw", line={"width": 0, "color": colour})


def _schedule_figure(run: DispatchRun) -> go.Figure:
    frame = _chart_frame(run)
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    # Central Prevailing Time, as ERCOT operators read it; naive datetime64 (a tz-aware index would
    # reach plotly as an object array of Timestamps, which it deep-copies element by element)
    x = pd.DatetimeIndex(frame.index).tz_convert("America/Chicago").tz_localize(None)
    for i, fleet in enumerate(run.fleets):
        colour = _USE_COLOURS[i % len(_USE_COLOURS)]
        fig.add_trace(
            _stacked(x, frame[f"mw_{fleet.name}"], f"mining: {fleet.name}", colour), secondary_y=False
        )
    if run.site.gpu is not None:
        fig.add_trace(_stacked(x, frame["mw_ai"], "AI compute", "#2a7ab0"), secondary_y=False)
    curtailed = _stacked(x, frame["mw_curtailed"], "curtailed (idle)", "#8a94a3")
    # hatched and outlined above the stack: idle capacity, not a part of the AI band below it
    curtailed.update(
        fillcolor="rgba(0,0,0,0)",
        fillpattern={"shape": "/", "fgcolor": "#8a94a3", "bgcolor": "#f3f4f6", "size": 6, "solidity": 0.25},
        line={"width": 0.5, "color": "#8a94a3"},
    )
    fig.add_trace(curtailed, secondary_y=False)
    reserve_cols = [c for c in frame.columns if c.startswith("mw_reserve_")]
    if reserve_cols:
        fig.add_trace(
            go.Scatter(
                x=x,
                y=frame[reserve_cols].sum(axis=1),
                name="reserves offered",
                line={"width": 1, "color": "#3c9d5d", "dash": "dot"},
            ),
            secondary_y=False,
        )
    fig.add_trace(
        go.Scatter(
            x=x,
            y=frame["price_usd_per_mwh"],
            name=f"price {run.node} [USD/MWh]",
            line={"width": 1, "color": "#c0392b"},
        ),
        secondary_y=True,
    )
    step = "hourly means" if (run.end - run.start).days > HOURLY_ABOVE_DAYS else "per interval"
    stacked = [f"mw_{f.name}" for f in run.fleets] + ["mw_curtailed"]
    stacked += ["mw_ai"] if run.site.gpu is not None else []
    left, right = synced_axes(
        [frame[stacked].sum(axis=1), frame[reserve_cols].sum(axis=1) if reserve_cols else []],
        [frame["price_usd_per_mwh"]],
    )
    fig.update_layout(
        title=f"{run.site.name}: MW by use ({step}) and settlement price",
        # one column beside the chart, top entry = top of the stack (traces are added bottom up)
        legend={"orientation": "v", "traceorder": "reversed", "x": 1.08, "xanchor": "left", "y": 1},
    )
    fig.update_xaxes(title_text="Central Prevailing Time", automargin=True)
    fig.update_yaxes(title_text="MW", secondary_y=False, automargin=True, **left)
    fig.update_yaxes(title_text="price [USD/MWh]", secondary_y=True, showgrid=False, automargin=True, **right)
    return fig


def _revenue_figure(doc: dict[str, Any]) -> go.Figure:
    rev = doc["revenue_usd"]
    labels = ["mining", "AI compute", "reserves", "sell-back", "energy cost", "peak charges", "net"]
    values = [
        rev["mining"],
        rev["ai"],
        rev["reserves"],
        rev["sellback"],
        -doc["energy_cost_usd"],
        -doc["charges_usd"],
        doc["net_usd"],
    ]
    colours = ["#f2a900", "#2a7ab0", "#3c9d5d", "#8e44ad", "#c0392b", "#7f8c8d", "#11324d"]
    fig = go.Figure(go.Bar(x=labels, y=values, marker_color=colours))
    fig.update_layout(
        title=f"Revenue by stream and costs [USD], {doc['from']} to {doc['to']}", yaxis_title="USD"
    )
    return fig


def _summary_row(doc: dict[str, Any]) -> dict[str, object]:
    return {
        "site": doc["site"],
        "period": f"{doc['from']} to {doc['to']} ({doc['timezone']})",
        "market": f"{doc['node']} {doc['market']} ({doc['foresight']})",
        "net [USD]": doc["net_usd"],
        "upper bound [USD]": doc["upper_bound_net_usd"],
        "regret [USD]": doc["regret_usd"],
        "GPU capital cost [USD]": doc["gpu_capital_cost_usd"],
        "always-on net [USD]": doc["always_on_net_usd"],
        "value of flexibility [USD]": doc["value_of_flexibility_usd"],
        "MWh mining": doc["mwh"]["mining"],
        "MWh AI": doc["mwh"]["ai"],
        "hours curtailed": doc["hours_curtailed"],
        "solver": doc["solver"],
        "solve [s]": doc["solve_seconds"],
    }


@dataclass(frozen=True)
class SitePart:
    """One site's share of the dispatch section: its summary row and its two charts (HTML)."""

    row: dict[str, object]
    html: str


def section_parts(*, sites: Sequence[str | Path] | None = None, **_: Any) -> list[Path]:
    """The site files the section backtests, one part each (every example site by default)."""
    wanted = [e.path for e in examples("site")] if sites is None else sites
    return [resolve_file(s, "site") for s in wanted]


def build_part(wh: DispatchSource, part: Path, **_: Any) -> SitePart:
    """Backtest the site file ``part`` and draw its MW-by-use and revenue charts."""
    run = run_dispatch(wh, load_site(part))
    doc = result_dict(run)
    head = f"<h3>{html.escape(run.site.name)}</h3><p class='sources'>{html.escape(part.name)}</p>"
    charts = figure_html(_schedule_figure(run), height_px=460) + figure_html(
        _revenue_figure(doc), height_px=340
    )
    return SitePart(row=_summary_row(doc), html=head + charts)


def build_section(wh: DispatchSource, *, sites: Sequence[str | Path] | None = None, **_: Any) -> Section:
    """The dispatch section: per site, stacked MW by use under the price, and revenue by stream.

    Parameters
    ----------
    wh
        Warehouse with ERCOT prices, ancillary prices, BTC daily data and the ASIC catalogue.
    sites
        Site TOML files or example names, each with a ``[backtest]`` table; default: every example
        site (``wattshift examples``).
    """
    return join_parts([build_part(wh, path) for path in section_parts(sites=sites)])


def join_parts(parts: Sequence[SitePart]) -> Section:
    """The dispatch section from its sites' parts, in the order given."""
    intro = (
        "<p>Each interval the site's megawatts go to the use that pays most: ASIC fleets (valued at "
        "the day's hashprice and their efficiency), GPU compute, reserves, or the grid (curtailment and "
        "sell-back). Decisions use only what was known at the time (day-ahead prices, real-time prices "
        "up to the previous interval, a spread forecast fitted on earlier days) unless the site says "
        "otherwise; the perfect-foresight result is shown as the upper bound, and regret is the "
        "difference. Value of flexibility = net of the dispatch minus net of running every machine all "
        "the time on the same prices.</p>"
    )
    return Section(
        id="dispatch",
        title="Hybrid dispatch",
        html=intro
        + table_html([part.row for part in parts], caption="Backtests of the example sites")
        + "".join(part.html for part in parts),
        sources=(
            "ERCOT real-time settlement point prices (NP6-785/NP6-905), day-ahead prices (NP4-180) and "
            "ancillary clearing prices (NP4-181).",
            "Hashprice from Coin Metrics community data (CC BY-NC 4.0).",
            "GPU rental prices as cited in each site file (SemiAnalysis H100 1-year index; "
            "tugot17/gpu-price-tracker); power per GPU from the NVIDIA DGX H100 datasheet.",
        ),
    )
