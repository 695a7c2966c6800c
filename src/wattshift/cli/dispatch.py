"""``wattshift dispatch``: backtest a site's hybrid dispatch (mining, AI, reserves, sell-back)."""

from __future__ import annotations

import datetime as dt
import enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

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
from wattshift.errors import ConfigError

if TYPE_CHECKING:
    from rich.progress import Progress


class MarketChoice(enum.StrEnum):
    """``--market``: real-time or day-ahead energy prices."""

    rt = "rt"
    da = "da"


class SolverChoice(enum.StrEnum):
    """``--solver``: merit order, LP/MILP, or automatic (merit when it is exact)."""

    auto = "auto"
    merit = "merit"
    lp = "lp"


class ForesightChoice(enum.StrEnum):
    """``--foresight``: forecast (information available at the time), day-ahead, or perfect (upper bound)."""

    forecast = "forecast"
    day_ahead = "day-ahead"
    perfect = "perfect"


_FORESIGHT: dict[ForesightChoice, Literal["perfect", "day_ahead", "forecast"]] = {
    ForesightChoice.forecast: "forecast",
    ForesightChoice.day_ahead: "day_ahead",
    ForesightChoice.perfect: "perfect",
}


def _fmt_usd(value: float) -> str:
    return f"{value:,.0f}"


def _table(doc: dict[str, Any]) -> Table:
    # the result's ``to`` is the exclusive end; the title names the last day, as --to does
    last = (dt.date.fromisoformat(str(doc["to"])[:10]) - dt.timedelta(days=1)).isoformat()
    table = Table(
        title=f"Dispatch of {doc['site']} at {doc['node']} ({doc['market']}, {doc['foresight']}), "
        f"operating days {doc['from']} to {last} ({doc['timezone']})",
        show_header=True,
    )
    table.add_column("item")
    table.add_column("value", justify="right")
    rev = doc["revenue_usd"]
    for key, label in (
        ("mining", "mining"),
        ("ai", "AI compute"),
        ("reserves", "reserves"),
        ("sellback", "sell-back"),
    ):
        table.add_row(f"revenue: {label} [USD]", _fmt_usd(rev[key]))
    table.add_row("energy cost [USD]", _fmt_usd(doc["energy_cost_usd"]))
    table.add_row("peak charges [USD]", _fmt_usd(doc["charges_usd"]))
    table.add_row("GPU capital cost [USD]", _fmt_usd(doc["gpu_capital_cost_usd"]))
    table.add_row("[bold]net [USD][/]", f"[bold]{_fmt_usd(doc['net_usd'])}[/]")
    table.add_row("upper bound: perfect foresight net [USD]", _fmt_usd(doc["upper_bound_net_usd"]))
    table.add_row("regret (upper bound − net) [USD]", _fmt_usd(doc["regret_usd"]))
    table.add_row("always-on mining net [USD]", _fmt_usd(doc["always_on_net_usd"]))
    table.add_row("value of flexibility [USD]", _fmt_usd(doc["value_of_flexibility_usd"]))
    mwh = doc["mwh"]
    table.add_row(
        "MWh mining / AI / curtailed", f"{mwh['mining']:,.0f} / {mwh['ai']:,.0f} / {mwh['curtailed']:,.0f}"
    )
    table.add_row("hours curtailed [h]", f"{doc['hours_curtailed']:,.2f}")
    table.add_row(
        "solver / windows / seconds", f"{doc['solver']} / {doc['windows']} / {doc['solve_seconds']:.2f}"
    )
    return table


def _window_progress() -> Progress:
    """Progress bar on stderr: windows solved / total, elapsed and remaining time (gone when done)."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("windows"),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        console=err,
        transient=True,
    )


def dispatch(
    ctx: typer.Context,
    site: Annotated[
        Path | None,
        typer.Option("--site", help="Site TOML file or example name (wattshift examples).", exists=False),
    ] = None,
    date_from: Annotated[
        dt.datetime | None,
        typer.Option(
            "--from",
            formats=["%Y-%m-%d"],
            help="First operating day (the contract market's zone) [default: site's [backtest]].",
        ),
    ] = None,
    date_to: Annotated[
        dt.datetime | None,
        typer.Option(
            "--to",
            formats=["%Y-%m-%d"],
            help="Last operating day (inclusive, as every --to of wattshift) [default: site's [backtest]].",
        ),
    ] = None,
    date_until: Annotated[
        dt.datetime | None,
        typer.Option(
            "--until",
            formats=["%Y-%m-%d"],
            help="Operating day after the last (exclusive; what --to meant before): instead of --to.",
        ),
    ] = None,
    node: Annotated[
        str | None, typer.Option("--node", help="Price node [default: the contract's node].")
    ] = None,
    market: Annotated[MarketChoice | None, typer.Option("--market", help="Energy market.")] = None,
    foresight: Annotated[
        ForesightChoice | None,
        typer.Option("--foresight", help="Information the decisions use [default: site's, else forecast]."),
    ] = None,
    solver: Annotated[SolverChoice, typer.Option("--solver", help="Solver.")] = SolverChoice.auto,
    window_days: Annotated[
        int, typer.Option("--window-days", min=1, help="Rolling-horizon window [days].")
    ] = 1,
    fmt: Annotated[TableJsonCsv, typer.Option("--format", help="Output format.")] = TableJsonCsv.table,
    db: DbOption = None,
) -> None:
    """Backtest a site's dispatch: revenue by stream, MWh by use, value of flexibility.

    ``wattshift dispatch portfolio --grid FILE`` runs many sites x markets x years (on Dask).
    """
    if ctx.invoked_subcommand is not None:
        return
    if site is None:
        raise typer.BadParameter("required (or run a subcommand: portfolio)", param_hint="'--site'")
    end = _end_exclusive(date_to, date_until)
    _run(site, date_from, end, node, market, foresight, solver, window_days, fmt, db)


def _end_exclusive(date_to: dt.datetime | None, date_until: dt.datetime | None) -> dt.datetime | None:
    """The exclusive end the services take: the day after ``--to`` (inclusive), or ``--until``."""
    if date_to is not None and date_until is not None:
        raise ConfigError("give --to (last day, inclusive) or --until (day after the last), not both")
    return date_to + dt.timedelta(days=1) if date_to is not None else date_until


@friendly_errors
def _run(
    site_path: Path,
    date_from: dt.datetime | None,
    date_to: dt.datetime | None,
    node: str | None,
    market: MarketChoice | None,
    foresight: ForesightChoice | None,
    solver: SolverChoice,
    window_days: int,
    fmt: TableJsonCsv,
    db: Path | None,
) -> None:
    from wattshift.services import dispatch as service
    from wattshift.services.sites import load_site

    site = load_site(site_path)
    with open_warehouse(db) as wh, _window_progress() as bar:
        task = bar.add_task("loading prices", total=None)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total, description=f"dispatch {site.name}")

        run = service.run_dispatch(
            wh,
            site,
            start=date_from.date() if date_from else None,
            end=date_to.date() if date_to else None,
            node=node,
            market=market.value if market else None,
            foresight=_FORESIGHT[foresight] if foresight else None,
            solver=solver.value,
            window_days=window_days,
            progress=progress,
        )
    doc = service.result_dict(run)
    if fmt is TableJsonCsv.json:
        emit_json(doc)
    elif fmt is TableJsonCsv.csv:
        emit_csv(run.result.schedule)
    else:
        out.print(_table(doc))
        err.print(f"{doc['intervals']} intervals of {run.site.name}", highlight=False)


def register(app: typer.Typer) -> None:
    """Add ``wattshift dispatch`` to the CLI."""
    from wattshift.cli.portfolio import portfolio_command

    group = typer.Typer(invoke_without_command=True, rich_markup_mode="rich")
    group.callback()(friendly_errors(dispatch))
    group.command("portfolio")(portfolio_command)
    app.add_typer(group, name="dispatch")
