"""``wattshift plan``: tomorrow's operating plan of a site (ERCOT operating day, data before it only)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from wattshift.cli._common import (
    DbOption,
    TableJsonCsv,
    emit_csv,
    emit_json,
    err,
    friendly_errors,
    open_warehouse,
    out,
)


def _table(doc: dict[str, Any]) -> Table:
    """Hourly summary of the plan (first interval of each hour) and the strike prices."""
    table = Table(title=f"Plan of {doc['site']} for operating day {doc['date']} ({doc['timezone']})")
    fleets = list(doc["strike_prices_usd_per_mwh"])
    for col in (
        "start",
        *(f"{f} MW" for f in fleets),
        "GPU MW",
        "reserves MW",
        "curtailed MW",
        "price USD/MWh",
    ):
        table.add_column(col, justify="left" if col == "start" else "right")
    for row in doc["intervals"]:
        if row["start"][14:16] != "00":
            continue
        table.add_row(
            row["start"][11:16] + row["start"][19:],
            *(f"{row['mining_mw'][f]:,.1f}" for f in fleets),
            f"{row['gpu_mw']:,.1f}",
            f"{sum(row['reserves_mw'].values()):,.1f}",
            f"{row['curtailed_mw']:,.1f}",
            f"{row['price_usd_per_mwh']:,.2f}",
        )
    return table


def _cp4_line(cp4: dict[str, Any]) -> str:
    """One line on the day's peak charge: alert or not, and why, in numbers."""
    if not cp4["in_season"]:
        return f"4CP ({cp4['rule']}): not a charged month, no peak charge in the plan"
    avoided = f"expected charge avoided [USD]: {cp4['charge_avoided_usd']:,.0f}"
    if cp4["rule"] != "ercot_4cp":
        return f"4CP ({cp4['rule']}): {cp4['charged_intervals']} charged intervals; {avoided}"
    why = (
        f"yesterday's ERCOT peak {cp4['yesterday_peak_mw']:,.0f} MW vs month-to-date peak "
        f"{cp4['month_to_date_peak_mw']:,.0f} MW, threshold {cp4['threshold_pct']:g} %"
    )
    if not cp4["alert"]:
        return f"4CP: no alert day ({why})"
    return f"4CP alert day ({why}): curtail {cp4['window_local']} local; {avoided}"


def plan(
    site: Annotated[Path, typer.Option("--site", help="Site TOML file.", exists=False)],
    date: Annotated[
        dt.datetime,
        typer.Option(
            "--date", formats=["%Y-%m-%d"], help="ERCOT operating day to plan (Central Prevailing Time)."
        ),
    ],
    node: Annotated[str | None, typer.Option("--node", help="Price node [default: the contract's].")] = None,
    fmt: Annotated[TableJsonCsv, typer.Option("--format", help="Output format.")] = TableJsonCsv.table,
    db: DbOption = None,
) -> None:
    """Operating plan for one day: MW per fleet, GPU, reserve offers, curtailment, strike prices."""
    _run(site, date.date(), node, fmt, db)


@friendly_errors
def _run(site_path: Path, day: dt.date, node: str | None, fmt: TableJsonCsv, db: Path | None) -> None:
    from wattshift.services import plan as service
    from wattshift.services.sites import load_site

    site = load_site(site_path)
    with open_warehouse(db) as wh:
        result = service.make_plan(wh, site, day, node=node)
    if fmt is TableJsonCsv.json:
        emit_json(service.plan_dict(result))
    elif fmt is TableJsonCsv.csv:
        emit_csv(service.plan_frame(result))
    else:
        doc = service.plan_dict(result)
        out.print(_table(doc))
        strikes = ", ".join(f"{k} {v:,.2f}" for k, v in doc["strike_prices_usd_per_mwh"].items())
        out.print(f"strike prices [USD/MWh]: {strikes}", highlight=False)
        out.print(f"expected net [USD]: {doc['expected_net_usd']:,.0f}", highlight=False)
        if "cp4" in doc:
            out.print(_cp4_line(doc["cp4"]), highlight=False)
        err.print(f"{len(doc['intervals'])} intervals of {site.name}", highlight=False)


def register(app: typer.Typer) -> None:
    """Add ``wattshift plan`` to the CLI."""
    app.command("plan")(friendly_errors(plan))
