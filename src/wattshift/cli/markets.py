"""``wattshift markets list`` (the markets table) and ``wattshift markets compare`` (the siting table)."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from wattshift.cli._common import (
    DbOption,
    TableJsonCsv,
    TableOrJson,
    emit_csv,
    emit_json,
    friendly_errors,
    open_warehouse,
    out,
)

markets_app = typer.Typer(
    help="Electricity markets beyond ERCOT: the markets table and where the next MW mines best.",
    rich_markup_mode="rich",
    no_args_is_help=True,
)


def _split(text: str | None) -> list[str] | None:
    return [p.strip() for p in text.split(",") if p.strip()] if text else None


@markets_app.command("list")
@friendly_errors
def list_command(fmt: Annotated[TableOrJson, typer.Option("--format")] = TableOrJson.table) -> None:
    """Each market's time zone, products and interval, floor and cap, currency and nodes."""
    from wattshift.markets import MARKETS

    rows: list[dict[str, Any]] = [
        {
            "market": m.name,
            "timezone": m.timezone,
            "products": dict(m.products),
            "price_floor": m.price_floor,
            "price_cap": m.price_cap,
            "currency": m.currency,
            "nodes": list(m.nodes),
        }
        for m in MARKETS.values()
    ]
    if fmt is TableOrJson.json:
        emit_json(rows)
        return
    table = Table(title="Markets (prices per MWh in the market's currency)", title_justify="left")
    for col in ("market", "timezone", "products [min]", "floor", "cap", "currency", "nodes"):
        table.add_column(col, overflow="fold")
    for r in rows:
        table.add_row(
            str(r["market"]),
            str(r["timezone"]),
            ", ".join(f"{k} {v}" for k, v in r["products"].items()),
            "" if r["price_floor"] is None else f"{r['price_floor']:,.0f}",
            f"{r['price_cap']:,.0f}",
            str(r["currency"]),
            escape(", ".join(r["nodes"])),
        )
    out.print(table)


@markets_app.command("compare")
@friendly_errors
def compare_command(
    year: Annotated[int, typer.Option("--year", help="Calendar year (each market's local time).")],
    asic: Annotated[str | None, typer.Option("--asic", help="ASIC model from the catalogue.")] = None,
    efficiency: Annotated[
        float | None,
        typer.Option("--efficiency-j-per-th", help="Fleet efficiency [J/TH] (instead of --asic)."),
    ] = None,
    markets: Annotated[
        str | None, typer.Option("--markets", help="Comma-separated markets, e.g. PJM,MISO.")
    ] = None,
    nodes: Annotated[str | None, typer.Option("--nodes", help="Comma-separated nodes.")] = None,
    pue: Annotated[float | None, typer.Option("--pue", help="Site PUE [default: 1.05].")] = None,
    flex: Annotated[
        bool, typer.Option("--flex/--no-flex", help="Compute the flexibility value (about 1 s per node).")
    ] = True,
    db: DbOption = None,
    fmt: Annotated[TableJsonCsv, typer.Option("--format")] = TableJsonCsv.table,
) -> None:
    """Per market node: coverage, mean and volatility of price, hours above the fleet's strike, margin.

    The strike is the fleet's mining value of a MWh on each day (hashprice after pool fee and PUE);
    the margin is mining value minus price for an always-on MW; the flexibility value per MW-year is
    the dispatch engine's gain over always-on in forecast foresight (no hindsight), a 1 MW fleet.
    """
    import pandas as pd

    from wattshift.services.markets import COMPARE_KEYS, compare_markets

    with open_warehouse(db) as wh:
        result = compare_markets(
            wh,
            year,
            efficiency_j_per_th=efficiency,
            asic=asic,
            markets=_split(markets),
            nodes=_split(nodes),
            pue=pue,
            with_flex=flex,
        )
    if fmt is TableJsonCsv.json:
        emit_json(
            {
                "year": result.year,
                "efficiency_j_per_th": result.efficiency_j_per_th,
                "asic": result.asic,
                "rows": result.records(),
                "skipped": result.skipped,
                "note": result.note,
            }
        )
        return
    if fmt is TableJsonCsv.csv:
        emit_csv(pd.DataFrame(result.records(), columns=list(COMPARE_KEYS)))
        return
    _print_compare(result, year)


def _print_compare(result: Any, year: int) -> None:
    """The siting table as a Rich table, best margin first, then skipped nodes and the note."""
    fleet = result.asic or f"{result.efficiency_j_per_th:g} J/TH"
    table = Table(
        title=f"Where a {fleet} fleet mines best in {year} (best margin first)", title_justify="left"
    )
    heads = (
        "market",
        "node",
        "product",
        "coverage",
        "mean [USD/MWh]",
        "std",
        "h above strike",
        "value",
        "margin",
        "flex [USD/MW-yr]",
    )
    for col in heads:
        table.add_column(col, justify="left" if col in ("market", "node", "product") else "right")
    for r in result.rows:
        table.add_row(
            r.market,
            escape(r.node),
            r.product,
            f"{r.coverage:.1%}",
            f"{r.mean_price_usd_per_mwh:,.2f}",
            f"{r.std_price_usd_per_mwh:,.2f}",
            f"{r.hours_above_strike:,.1f}",
            f"{r.mean_mining_value_usd_per_mwh:,.2f}",
            f"{r.mining_margin_usd_per_mwh:,.2f}",
            "" if r.flex_value_usd_per_mw_year is None else f"{r.flex_value_usd_per_mw_year:,.0f}",
        )
    out.print(table)
    for s in result.skipped:
        out.print(f"skipped {s['market']} {escape(s['node'])}: {escape(s['reason'])}")
    out.print(result.note)


def register(app: typer.Typer) -> None:
    """Add the ``markets`` group to the root command."""
    app.add_typer(markets_app, name="markets")
