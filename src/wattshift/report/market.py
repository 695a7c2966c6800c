"""The report's market section: hashprice vs the cost of hashing, BTC price vs cost per BTC, and the
latest day's economics of the most efficient and the most widely deployed ASICs."""

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

from wattshift.chain import HALVING_TIMES
from wattshift.errors import NotInWarehouseError
from wattshift.mining import MiningAssumptions, economics_frame, network_btc_per_th_day
from wattshift.report.base import Section, figure_html, table_html
from wattshift.services.mining import (
    WORKHORSE_MODELS,
    WORKHORSE_WHY,
    MiningSource,
    find_asic,
    resolve_assumptions,
)

#: Stated power price of the charts [USD/kWh]: a round assumption, not a market quote; pass
#: ``power_usd_per_kwh`` (or use ``wattshift mining`` with real ERCOT prices) for a given site.
DEFAULT_POWER_USD_PER_KWH = 0.05

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
    "sourced in wattshift.mining.MiningAssumptions.",
)

_COLOURS = ("#8c564b", "#1f77b4", "#2ca02c", "#d62728", "#9467bd")


def _values(values: pd.Series) -> npt.NDArray[np.float64]:
    return values.to_numpy(dtype="float64")


def _reference_machines(catalogue: pd.DataFrame, models: Sequence[str]) -> list[tuple[str, float]]:
    """(label, J/TH) of the reference models present, then the catalogue's most efficient model."""
    picked: list[tuple[str, float]] = []
    for name in models:
        try:
            row = find_asic(catalogue, name)
        except NotInWarehouseError:
            continue
        picked.append((str(row["model"]), float(row["efficiency_j_per_th"])))
    best = catalogue.sort_values("efficiency_j_per_th", kind="stable").iloc[0]
    if str(best["model"]) not in {m for m, _ in picked}:
        picked.append((str(best["model"]), float(best["efficiency_j_per_th"])))
    return picked


def market_figure(
    btc: pd.DataFrame,
    machines: Sequence[tuple[str, float]],
    power_usd_per_kwh: float,
    assumptions: MiningAssumptions,
) -> go.Figure:
    """Two panels sharing the date axis, halvings marked.

    Top: hashprice [USD/PH/day] against each machine's breakeven hashprice (energy only, and all-in)
    at the stated power price. Bottom: BTC price [USD] against each machine's energy-only and
    all-in cost per BTC (sampled weekly).

    Parameters
    ----------
    btc
        BTC daily frame (priced days).
    machines
        (label, efficiency [J/TH]) of the machines to draw.
    power_usd_per_kwh
        Power price [USD/kWh].
    assumptions
        Pool fee, PUE, uptime, opex, capex, life.
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
    dates = pd.DatetimeIndex(btc["date"])
    day_text = dates.strftime("%Y-%m-%d").to_numpy()
    weekly = slice(None, None, 7)  # cost-per-BTC lines weekly: the page stays small
    ends = day_text[[0, -1]]
    econ: pd.DataFrame | None = None
    for i, (label, eff) in enumerate(machines):
        econ = economics_frame(
            btc, efficiency_j_per_th=eff, power_usd_per_kwh=power_usd_per_kwh, assumptions=assumptions
        )
        colour = _COLOURS[i % len(_COLOURS)]
        name = f"{label}, {eff:g} J/TH"
        # Breakeven hashprice: the hashprice at which revenue after pool fee pays the costs. At a fixed
        # power price both are constant in time (every cost is per TH/s per day), so two points suffice.
        energy_even = float(
            np.nanmedian(
                econ["hashprice_usd_per_ph_day"] * power_usd_per_kwh / econ["breakeven_power_usd_per_kwh"]
            )
        )
        all_in_even = float(np.nanmedian(econ["all_in_cost_usd_per_btc"] * econ["btc_per_ph_day"]))
        for level, dash, suffix in ((energy_even, "dash", "energy"), (all_in_even, "dot", "all-in")):
            fig.add_trace(
                go.Scatter(
                    x=ends,
                    y=[level, level],
                    mode="lines",
                    name=f"{name} ({suffix})",
                    legendgroup=label,
                    line={"color": colour, "dash": dash, "width": 1.2},
                ),
                row=1,
                col=1,
            )
        for column, dash in (("energy_cost_usd_per_btc", "dash"), ("all_in_cost_usd_per_btc", "dot")):
            fig.add_trace(
                go.Scatter(
                    x=day_text[weekly],
                    y=_values(econ[column])[weekly],
                    name=f"{name} ({'energy' if dash == 'dash' else 'all-in'}) [USD/BTC]",
                    legendgroup=label,
                    showlegend=False,
                    line={"color": colour, "dash": dash, "width": 1.2},
                ),
                row=2,
                col=1,
            )
    if econ is not None:
        fig.add_trace(
            go.Scatter(
                x=day_text,
                y=_values(econ["hashprice_usd_per_ph_day"]),
                name="hashprice",
                line={"color": "#111"},
            ),
            row=1,
            col=1,
        )
        fig.add_trace(
            go.Scatter(x=day_text, y=_values(econ["price_usd"]), name="BTC price", line={"color": "#f7931a"}),
            row=2,
            col=1,
        )
    for height, when in HALVING_TIMES.items():
        if dates.min() <= when <= dates.max() + pd.Timedelta(days=1):
            day = when.strftime("%Y-%m-%d")
            fig.add_vline(x=day, line={"color": "#999", "dash": "dot", "width": 1})
            fig.add_annotation(
                x=day, y=1.0, yref="paper", text=f"halving {height:,}", showarrow=False, font={"size": 10}
            )
    fig.update_yaxes(type="log", title_text="USD/PH/day", row=1, col=1)
    fig.update_yaxes(type="log", title_text="USD", row=2, col=1)
    fig.update_layout(legend={"orientation": "h", "y": -0.08}, hovermode="x unified")
    return fig


def latest_table(
    latest: pd.DataFrame,
    catalogue: pd.DataFrame,
    power_usd_per_kwh: float,
    assumptions: MiningAssumptions,
    *,
    n_efficient: int = 5,
    workhorses: Sequence[str] = WORKHORSE_MODELS,
) -> list[dict[str, object]]:
    """One row per model for the latest day: the ``n_efficient`` most efficient, then the workhorses.

    Parameters
    ----------
    latest
        BTC daily frame of one day.
    catalogue
        ASIC frame.
    power_usd_per_kwh
        Power price [USD/kWh].
    assumptions
        Cost assumptions.
    n_efficient
        How many of the most efficient models to list.
    workhorses
        Models to list after them (skipped when absent from the catalogue).
    """
    ranked = catalogue.sort_values("efficiency_j_per_th", kind="stable")
    rows: list[tuple[str, pd.Series]] = [
        ("most efficient", r) for _, r in ranked.head(n_efficient).iterrows()
    ]
    shown = {str(r["model"]) for _, r in rows}
    for name in workhorses:
        try:
            row = find_asic(catalogue, name)
        except NotInWarehouseError:
            continue
        if str(row["model"]) not in shown:
            rows.append(("workhorse", row))
            shown.add(str(row["model"]))
    out: list[dict[str, object]] = []
    for group, row in rows:
        eff = float(row["efficiency_j_per_th"])
        day = economics_frame(
            latest, efficiency_j_per_th=eff, power_usd_per_kwh=power_usd_per_kwh, assumptions=assumptions
        ).iloc[0]
        hashrate = float(row["hashrate_ths"])
        value = float(day["mining_value_usd_per_mwh"])
        site_mwh_per_day = hashrate * eff * 24e-6 * assumptions.pue
        out.append(
            {
                "model": str(row["model"]),
                "group": group,
                "efficiency [J/TH]": eff,
                "breakeven power [USD/kWh]": float(day["breakeven_power_usd_per_kwh"]),
                "mining value [USD/MWh]": value,
                "margin [USD/MWh]": value - power_usd_per_kwh * 1000.0,
                "margin per machine [USD/day]": (value - power_usd_per_kwh * 1000.0) * site_mwh_per_day,
                "energy cost [USD/BTC]": float(day["energy_cost_usd_per_btc"]),
                "all-in cost [USD/BTC]": float(day["all_in_cost_usd_per_btc"]),
            }
        )
    return out


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
    a = resolve_assumptions(assumptions, pue)
    btc = wh.btc_daily()
    catalogue = wh.asic_models()
    if btc.empty or catalogue.empty:
        raise NotInWarehouseError(
            "the market section needs BTC daily data and the ASIC catalogue in the warehouse"
        )
    _btc_per_th_day, form = network_btc_per_th_day(btc)
    usable = btc[btc["price_usd"].notna().to_numpy() & (form != "missing")].reset_index(drop=True)
    if start is not None:
        usable = usable[usable["date"] >= pd.Timestamp(start)]
    if end is not None:
        usable = usable[usable["date"] <= pd.Timestamp(end)]
    if usable.empty:
        raise NotInWarehouseError("no priced day with a hashprice in the requested span")
    usable = usable.reset_index(drop=True)
    machines = _reference_machines(catalogue, reference_models)
    figure = market_figure(usable, machines, power_usd_per_kwh, a)
    latest = usable.iloc[[-1]]
    latest_day = pd.Timestamp(latest["date"].iloc[0]).date().isoformat()
    rows = latest_table(latest, catalogue, power_usd_per_kwh, a)
    hashprice = float(
        economics_frame(latest, efficiency_j_per_th=20.0, power_usd_per_kwh=power_usd_per_kwh, assumptions=a)[
            "hashprice_usd_per_ph_day"
        ].iloc[0]
    )
    assumption_rows: list[dict[str, object]] = [
        {"assumption": "power price [USD/kWh]", "value": power_usd_per_kwh},
        *({"assumption": k, "value": v} for k, v in a.as_dict().items()),
    ]
    intro = (
        f"<p>What a TH/s earns (hashprice, before pool fee) against what it costs to run at "
        f"<strong>{power_usd_per_kwh:g} USD/kWh</strong>, for reference machines from the catalogue. "
        "Energy-only cost is the power bill at the meter (× PUE); all-in adds opex, SG&amp;A and "
        "straight-line ASIC depreciation and grosses up for the pool fee. Hashprice uses the expected "
        "form (difficulty, consensus subsidy, mean fees per block). Halvings are marked. "
        f"On the latest day, <strong>{html.escape(latest_day)}</strong>, hashprice was "
        f"<strong>{hashprice:,.2f} USD/PH/day</strong>.</p>"
    )
    body = (
        intro
        + figure_html(figure, height_px=820)
        + table_html(rows, caption=f"Mining economics on {latest_day} at {power_usd_per_kwh:g} USD/kWh")
        + f"<p class='sources'>{html.escape(WORKHORSE_WHY)}</p>"
        + table_html(assumption_rows, caption="Assumptions")
    )
    return Section(id="market", title="Mining economics", html=body, sources=SOURCES)
