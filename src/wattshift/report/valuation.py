"""The report's valuation page: NPV fan chart over time, value per MW, conversion schedule, tornado."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import plotly.graph_objects as go

from wattshift.report.base import Section, figure_html, table_html
from wattshift.units import MONTHS_PER_YEAR, usd_to_musd

if TYPE_CHECKING:
    from wattshift.services.store import Warehouse

SOURCES: tuple[str, ...] = (
    "BTC price, hash rate, issuance and fees (calibration window): Coin Metrics community data, "
    "CC BY-NC 4.0.",
    "Halving schedule: Bitcoin consensus rules (50 BTC halved every 210,000 blocks).",
    "AI-hosting terms: published deals and CBRE 2024 colocation asking rate, see the deals example "
    "(wattshift examples).",
)

#: Example site valued when no site is given (``wattshift examples``).
_DEFAULT_SITE = "converting_to_ai"
_COLOURS = {"mining": "#f7931a", "ai": "#3b6fb6", "hybrid": "#2e9e5b"}


def fan_figure(fan: dict[str, Any], start_year: int) -> go.Figure:
    """Cumulative discounted cash flow per MW [USD M]: p5-p95 and p25-p75 bands and the median."""
    fig = go.Figure()
    labels: list[dict[str, Any]] = []  # set once: add_annotation one by one is quadratic in plotly
    for name, q in fan.items():
        months = np.asarray(q).shape[1]
        x = start_year + np.arange(1, months + 1) / MONTHS_PER_YEAR
        colour = _COLOURS.get(name, "#555")
        for lo, hi, alpha in ((0, 4, 0.12), (1, 3, 0.25)):
            fig.add_trace(
                go.Scatter(x=x, y=usd_to_musd(q[hi]), line={"width": 0}, showlegend=False, hoverinfo="skip")
            )
            fig.add_trace(
                go.Scatter(
                    x=x,
                    y=usd_to_musd(q[lo]),
                    fill="tonexty",
                    line={"width": 0},
                    showlegend=False,
                    hoverinfo="skip",
                    fillcolor=_rgba(colour, alpha),
                )
            )
        fig.add_trace(
            go.Scatter(x=x, y=usd_to_musd(q[2]), name=f"{name} (median)", line={"color": colour, "width": 2})
        )
        for i, text in fan_steps(np.asarray(q[2], dtype="float64")):
            label = {"x": x[i], "y": usd_to_musd(q[2][i]), "text": f"{name}: {text}", "arrowhead": 2}
            labels.append(label | {"ax": -60, "font": {"size": 10}})
    fig.update_layout(
        annotations=labels,
        title="Cumulative discounted cash flow per MW (median, 25-75 % and 5-95 % of paths)",
        xaxis_title="year",
        yaxis_title="USD M per MW",
    )
    return fig


def fan_steps(median: Any, factor: float = 5.0) -> list[tuple[int, str]]:
    """Months whose step in the median line needs a label: ``(index, text)``.

    A month-to-month change larger than ``factor`` times the median absolute change and 2 % of the
    line's range is a step: in the last month it is the terminal value added at the horizon, before
    it an equipment refresh (capex) paid that month.
    """
    y = np.asarray(median, dtype="float64")
    if y.size < 3:
        return []
    steps = np.diff(y)
    typical = float(np.median(np.abs(steps)))
    span = float(np.ptp(y)) or 1.0
    big = np.flatnonzero((np.abs(steps) > factor * typical) & (np.abs(steps) > 0.02 * span))
    return [(int(j) + 1, "terminal value" if j + 1 == y.size - 1 else "refresh capex") for j in big]


def _rgba(hex_colour: str, alpha: float) -> str:
    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def value_bars(result: dict[str, Any]) -> go.Figure:
    """NPV per MW (mean, with p5-p95 error bars) and EV per MW at each business's multiple [USD M]."""
    names = ["mining", "ai", "hybrid"]
    npv = result["npv_usd"]
    fig = go.Figure()
    fig.add_trace(
        go.Bar(
            x=names,
            y=[usd_to_musd(npv[n]["mean"]) for n in names],
            name="NPV mean",
            marker_color=[_COLOURS[n] for n in names],
            error_y={
                "type": "data",
                "symmetric": False,
                "array": [usd_to_musd(npv[n]["p95"] - npv[n]["mean"]) for n in names],
                "arrayminus": [usd_to_musd(npv[n]["mean"] - npv[n]["p5"]) for n in names],
            },
        )
    )
    ev = result["ev_per_mw_usd"]
    fig.add_trace(
        go.Bar(x=list(ev), y=[usd_to_musd(v) for v in ev.values()], name="EV at EBITDA multiple", opacity=0.5)
    )
    fig.update_layout(title="Value per MW [USD M]", barmode="group", yaxis_title="USD M per MW")
    return fig


def schedule_figure(result: dict[str, Any]) -> go.Figure:
    """MW converted per year and the expected NPV gain per MW of converting in that year."""
    sched = result["conversion_schedule"]
    gains = result["conversion_gain_usd_per_mw"]
    fig = go.Figure()
    fig.add_trace(go.Bar(x=[r["year"] for r in sched], y=[r["mw"] for r in sched], name="MW converted"))
    fig.add_trace(
        go.Scatter(
            x=[g["year"] for g in gains],
            y=[usd_to_musd(g["usd"]) for g in gains],
            name="gain per MW [USD M]",
            yaxis="y2",
        )
    )
    fig.update_layout(
        title="Conversion schedule (maximises expected NPV under the capex budget)",
        yaxis={"title": "MW"},
        yaxis2={"title": "USD M per MW", "overlaying": "y", "side": "right"},
    )
    return fig


def tornado_figure(bars: Sequence[dict[str, Any]]) -> go.Figure:
    """Tornado of the p50 NPV per MW [USD M]: each input's low and high value against the base."""
    fig = go.Figure()
    for business in ("ai", "mining"):
        mine = [b for b in bars if b["business"] == business]
        mine.sort(key=lambda b: abs(b["npv_high_usd"] - b["npv_low_usd"]))
        if not mine:
            continue
        base = usd_to_musd(mine[0]["npv_base_usd"])
        labels = [f"{business}: {b['input']}" for b in mine]
        for key, name, colour in (("npv_low_usd", "low", "#c44e52"), ("npv_high_usd", "high", "#55a868")):
            fig.add_trace(
                go.Bar(
                    y=labels,
                    x=[usd_to_musd(b[key]) - base for b in mine],
                    base=base,
                    orientation="h",
                    name=f"{business} input {name}",
                    marker_color=colour,
                    customdata=[b[name] for b in mine],
                    hovertemplate="%{y} = %{customdata:.4g}: %{x:.2f} M USD/MW<extra></extra>",
                )
            )
    fig.update_layout(
        title="Sensitivity of the p50 NPV per MW (common random numbers)",
        barmode="overlay",
        xaxis_title="p50 NPV, USD M per site MW",
    )
    return fig


def build_section(
    wh: Warehouse,
    *,
    sites: Sequence[str | Path] | None = None,
    paths: int = 1000,
    years: int | None = None,
    seed: int | None = None,
) -> Section:
    """Valuation page for ``sites`` (default: the example site converting to AI)."""
    from wattshift.jsonable import to_jsonable
    from wattshift.services.sites import load_site
    from wattshift.services.valuation import ValuationRequest, value_site

    parts = []
    for path in sites or [_DEFAULT_SITE]:
        site = load_site(path)
        valuation = value_site(
            wh, ValuationRequest(site, paths=paths, years=years, seed=seed, fan=True, sensitivity=True)
        )
        fan = valuation.fan or {}
        start_year = valuation.calibration.valuation_date.year
        result: dict[str, Any] = to_jsonable(valuation)
        cal = result["calibration"]
        rows: list[dict[str, object]] = [
            {
                "business": b,
                "NPV p5 [USD M/MW]": usd_to_musd(result["npv_usd"][b]["p5"]),
                "NPV p50": usd_to_musd(result["npv_usd"][b]["p50"]),
                "NPV p95": usd_to_musd(result["npv_usd"][b]["p95"]),
                "IRR p50": result["irr"][b]["p50"],
                "payback p50 [y]": result["payback_years"][b]["p50"],
            }
            for b in ("mining", "ai", "hybrid")
        ]
        ratio = result["value_ratio_ai_to_mining"]
        btc = result["btc_to_sell"]
        parts.append(
            f"<h3>{site.name}</h3>"
            f"<p>{result['paths']} paths x {result['years']} years, calibrated on {cal['window'][0]} .. "
            f"{cal['window'][1]} (BTC drift {cal['drift']} {cal['price_drift_annual']:.1%}/y, "
            f"vol {cal['price_vol_annual']:.0%}); "
            f"power {cal['power_usd_per_mwh']:.1f} USD/MWh ({cal['power_source']}); fleet "
            f"{cal['efficiency_j_per_th']:.1f} J/TH. AI/mining EV ratio per MW: "
            f"{'n/a' if ratio is None else f'{ratio:.2f}x'}; P(AI beats mining) = "
            f"{result['prob_ai_beats_mining']:.0%}. BTC to sell for the plan: "
            f"p50 {btc['total']['p50']:,.1f} BTC "
            f"(of {btc['treasury_btc']:,.0f}).</p>"
            + table_html(rows, caption="NPV and IRR per MW")
            + figure_html(fan_figure(fan, start_year))
            + figure_html(value_bars(result), height_px=360)
            + figure_html(schedule_figure(result), height_px=360)
            + figure_html(tornado_figure(result.get("sensitivity") or []), height_px=720)
        )
    return Section(
        id="valuation", title="Valuation: mining vs AI hosting", html="".join(parts), sources=SOURCES
    )
