"""``wattshift cp4 backtest``: the no-hindsight 4CP-day rule against ERCOT's published intervals."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.table import Table

from wattshift.cli._common import DbOption, TableOrJson, emit_json, friendly_errors, open_warehouse, out

cp4_app = typer.Typer(
    help="ERCOT 4CP: the 4CP-day alert rule against the published 4CP intervals.",
    rich_markup_mode="rich",
    no_args_is_help=True,
)


@cp4_app.command("backtest")
@friendly_errors
def backtest_command(
    year: Annotated[int, typer.Option("--year", help="Year with published 4CP intervals.")],
    rate: Annotated[
        float,
        typer.Option(
            "--rate-usd-per-kw-year",
            help="Transmission rate [USD/kW-year] (your TSP's tariff); charges are for a 1 MW load.",
        ),
    ],
    threshold: Annotated[
        float,
        typer.Option("--threshold", help="Alert when yesterday's peak is within this % of the month's peak."),
    ] = 3.0,
    window: Annotated[
        tuple[int, int],
        typer.Option("--window", help="Local hours [start end) curtailed on an alert day."),
    ] = (15, 18),
    db: DbOption = None,
    fmt: Annotated[TableOrJson, typer.Option("--format")] = TableOrJson.table,
) -> None:
    """Per 4CP month: alert days, hit or miss of the real interval, false alarms, hours curtailed and
    the transmission charge a 1 MW load avoids against always-on (rate / 4 per month hit)."""
    from wattshift.errors import ConfigError
    from wattshift.services.cp4 import AlertRule, backtest_rule

    if not 0 <= window[0] < window[1] <= 24:
        raise ConfigError(f"--window {window[0]} {window[1]}: need 0 <= start < end <= 24")
    if not 0 <= threshold < 100:
        raise ConfigError(f"--threshold {threshold}: need 0 <= threshold < 100 [%]")
    rule = AlertRule(threshold_pct=threshold, window_local_hours=(window[0], window[1]))
    with open_warehouse(db) as wh:
        result = backtest_rule(wh, year, rule, rate)
    doc = {
        "year": year,
        "threshold_pct": threshold,
        "window_local_hours": list(window),
        "rate_usd_per_kw_year": rate,
        "load_mw": 1.0,
        "months": result.rows(),
        "totals": result.totals(),
        "skipped_months": result.skipped,
    }
    if fmt is TableOrJson.json:
        emit_json(doc)
        return
    _print_table(year, threshold, window, rate, result)


def _print_table(year: int, threshold: float, window: tuple[int, int], rate: float, result: Any) -> None:
    """The backtest as a Rich table, a row per month and a total."""
    table = Table(
        title=f"4CP rule in {year}: alert when yesterday's peak is within {threshold:g} % of the "
        f"month's peak, curtail {window[0]:02d}:00-{window[1]:02d}:00 Central "
        f"(1 MW, {rate:g} USD/kW-year)",
        title_justify="left",
    )
    heads = (
        "month",
        "4CP interval (UTC)",
        "alert days",
        "hit",
        "false alarms",
        "hours",
        "charge avoided [USD]",
    )
    for col in heads:
        table.add_column(col, justify="left" if col.startswith(("month", "4CP")) else "right")
    for r in result.rows():
        table.add_row(
            f"{r['year']}-{r['month']:02d}",
            str(r["cp4_interval_start_utc"])[:16],
            str(r["alert_days"]),
            "yes" if r["hits"] else "MISS",
            str(r["false_alarms"]),
            f"{r['hours_curtailed']:g}",
            f"{r['charge_avoided_usd']:,.0f}",
        )
    t = result.totals()
    table.add_row(
        "total",
        "",
        f"{t['alert_days']:g}",
        f"{t['hits']:g}/{len(result.months)}",
        f"{t['false_alarms']:g}",
        f"{t['hours_curtailed']:g}",
        f"{t['charge_avoided_usd']:,.0f} of {t['charge_always_on_usd']:,.0f}",
    )
    out.print(table)
    for month in result.skipped:
        out.print(f"skipped {month}: no ERCOT native load in the warehouse for that month")


def register(app: typer.Typer) -> None:
    """Add the ``cp4`` group to the root command."""
    app.add_typer(cp4_app, name="cp4")
