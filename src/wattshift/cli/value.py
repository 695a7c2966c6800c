"""``wattshift value`` (per-MW valuation, conversion plan), ``value sweep`` (Dask), ``wattshift treasury``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from wattshift.cli._common import DbOption, TableOrJson, emit_json, err, friendly_errors, open_warehouse, out
from wattshift.cli.dispatch import MarketChoice
from wattshift.cli.value_tables import musd as _musd
from wattshift.cli.value_tables import pct as _pct
from wattshift.cli.value_tables import print_plan as _print_plan
from wattshift.cli.value_tables import print_value as _print_value
from wattshift.errors import ConfigError

if TYPE_CHECKING:
    from wattshift.services.valuation import FlexSpan
    from wattshift.services.valuation_sweep import Backend

value_app = typer.Typer(
    help="What a MW is worth in mining, AI hosting or hybrid: Monte Carlo DCF, conversion plan, BTC to sell.",
    rich_markup_mode="rich",
)

SiteOption = Annotated[
    Path, typer.Option("--site", help="Site TOML file or example name (its [valuation] table is optional).")
]
PathsOption = Annotated[
    int | None, typer.Option("--paths", min=10, help="Monte Carlo paths [default: site's].")
]
YearsOption = Annotated[int | None, typer.Option("--years", min=1, max=30, help="Horizon [years].")]
SeedOption = Annotated[int | None, typer.Option("--seed", min=0, help="Random seed.")]
FormatOption = Annotated[TableOrJson, typer.Option("--format", help="Output format.")]
FlexFromOption = Annotated[
    dt.datetime | None,
    typer.Option(
        "--flex-from",
        formats=["%Y-%m-%d"],
        help="First day (UTC) of a dispatch backtest whose value of flexibility becomes the mining "
        "flex revenue [USD/MW-month] (with --flex-to).",
    ),
]
FlexToOption = Annotated[
    dt.datetime | None,
    typer.Option("--flex-to", formats=["%Y-%m-%d"], help="Day after the last of that backtest (exclusive)."),
]
FlexNodeOption = Annotated[
    str | None, typer.Option("--flex-node", help="Price node of that backtest [default: the contract's].")
]
FlexMarketOption = Annotated[
    MarketChoice, typer.Option("--flex-market", help="Energy market of that backtest.")
]


class DriftOption(StrEnum):
    """BTC drift choices (:mod:`wattshift.valuation.drift`)."""

    risk_neutral = "risk-neutral"
    long_run = "long-run"
    calibrated = "calibrated"


DriftArg = Annotated[
    DriftOption | None,
    typer.Option(
        "--drift",
        help="BTC log-price drift: risk-neutral (mean grows at the risk-free rate), long-run (between "
        "the two latest halvings) or calibrated (the window's mean) [default: site's, else risk-neutral].",
    ),
]


def flex_span(flex_from: dt.datetime | None, flex_to: dt.datetime | None) -> tuple[dt.date, dt.date] | None:
    """``(first day, day after the last)`` of the flex backtest, or None when neither date is given.

    Raises
    ------
    ConfigError
        Only one of ``--flex-from`` / ``--flex-to``, or a span that does not move forward.
    """
    if flex_from is None and flex_to is None:
        return None
    if flex_from is None or flex_to is None:
        missing = "--flex-from" if flex_from is None else "--flex-to"
        raise ConfigError(f"{missing} is missing: give both --flex-from and --flex-to, or neither")
    if flex_to <= flex_from:
        raise ConfigError(f"--flex-to {flex_to.date()} must be after --flex-from {flex_from.date()}")
    return flex_from.date(), flex_to.date()


@contextmanager
def _chunk_progress(description: str) -> Iterator[Callable[[int, int], None]]:
    """A Rich bar on stderr (chunks valued / total, elapsed, ETA; gone when done) and its callback.

    Yields the ``progress(done, total)`` callback the valuation services take.
    """
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    bar = Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("chunks"),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        console=err,
        transient=True,
    )
    with bar:
        task = bar.add_task("calibrating", total=None)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total, description=description)

        yield progress


class BackendChoice(StrEnum):
    """Where ``value sweep`` runs (:func:`wattshift.valuation.cluster.choose_backend`)."""

    auto = "auto"
    serial = "serial"
    threads = "threads"
    dask = "dask"


_BACKENDS: dict[BackendChoice, Backend | None] = {
    BackendChoice.auto: None,
    BackendChoice.serial: "serial",
    BackendChoice.threads: "threads",
    BackendChoice.dask: "dask",
}


def _flex(span: tuple[dt.date, dt.date] | None, node: str | None, market: MarketChoice) -> FlexSpan | None:
    """The request's flex backtest (None without ``--flex-from`` / ``--flex-to``)."""
    from wattshift.services.valuation import FlexSpan

    if span is None:
        return None
    return FlexSpan(span[0], span[1], node=node, market="da" if market == MarketChoice.da else "rt")


def _document(result: Any) -> dict[str, Any]:
    """A service result as the JSON document ``--format json`` prints (the tables read it)."""
    from wattshift.jsonable import to_jsonable

    doc: dict[str, Any] = to_jsonable(result)
    return doc


@value_app.callback(invoke_without_command=True)
@friendly_errors
def value(
    ctx: typer.Context,
    site: Annotated[Path | None, typer.Option("--site", help="Site TOML file or example name.")] = None,
    paths: PathsOption = None,
    years: YearsOption = None,
    seed: SeedOption = None,
    flex_from: FlexFromOption = None,
    flex_to: FlexToOption = None,
    flex_node: FlexNodeOption = None,
    flex_market: FlexMarketOption = MarketChoice.rt,
    drift: DriftArg = None,
    sensitivity: Annotated[
        bool,
        typer.Option(
            "--sensitivity",
            help="Also a tornado of the p50 NPV per MW (11 inputs low/high, same random numbers).",
        ),
    ] = False,
    finance_rate: Annotated[
        float | None,
        typer.Option("--finance-rate", min=-0.99, help="MIRR finance rate [1/year; default: discount rate]."),
    ] = None,
    reinvest_rate: Annotated[
        float | None,
        typer.Option(
            "--reinvest-rate", min=-0.99, help="MIRR reinvestment rate [1/year; default: discount rate]."
        ),
    ] = None,
    fmt: FormatOption = TableOrJson.table,
    db: DbOption = None,
) -> None:
    """Value each MW of a site as mining, AI hosting and hybrid; plan the conversion."""
    if ctx.invoked_subcommand is not None:
        return
    if site is None:
        err.print("[bold red]error:[/] --site is required")
        raise typer.Exit(code=2)
    span = flex_span(flex_from, flex_to)
    from wattshift.services.sites import load_site
    from wattshift.services.valuation import ValuationRequest, prepare_valuation, value_prepared

    cfg = load_site(site)
    request = ValuationRequest(
        cfg, paths=paths, years=years, seed=seed, flex=_flex(span, flex_node, flex_market),
        finance_rate=finance_rate, reinvest_rate=reinvest_rate, drift=None if drift is None else drift.value,
        sensitivity=sensitivity,
    )  # fmt: skip
    with open_warehouse(db) as wh:
        prepared = prepare_valuation(wh, request)
    with _chunk_progress(f"value {cfg.name}") as progress:  # the warehouse closed: its memory is free
        result = value_prepared(prepared, progress)
    if fmt == TableOrJson.json:
        emit_json(result)
    else:
        _print_value(_document(result))


@value_app.command("deals")
@friendly_errors
def deals_cmd(
    paths: Annotated[int, typer.Option("--paths", min=10, help="Lease paths per deal.")] = 2000,
    seed: Annotated[int, typer.Option("--seed", min=0, help="Random seed.")] = 7,
    fmt: FormatOption = TableOrJson.table,
) -> None:
    """Value each published AI deal per critical-IT MW at the default terms and discount rate."""
    from wattshift.config.valuation import ValuationConfig
    from wattshift.services.deals import value_deals
    from wattshift.services.sites import load_deals

    result = value_deals(load_deals("deals"), ValuationConfig(), paths=paths, seed=seed)
    if fmt == TableOrJson.json:
        emit_json(result)
        return
    table = Table(
        title=f"Published AI deals valued per critical-IT MW ({result.years} y, discount rate "
        f"{_pct(result.discount_rate)}, {result.paths} lease paths)"
    )
    for col in ("deal", "MW", "term [y]", "avg rent", "start rent [$/kW-mo]", "capex [M$/MW]",
                "NOI yield on cost", "NPV/MW [M$]", "IRR p50"):  # fmt: skip
        table.add_column(col, justify="right")
    for r in result.deals:
        table.add_row(
            r.name, f"{r.mw:,.0f}", f"{r.term_years:g}", f"{r.average_usd_per_kw_month:,.1f}",
            f"{r.starting_usd_per_kw_month:,.1f}", f"{r.capex_usd_m_per_mw:,.2f}", _pct(r.noi_yield_on_cost),
            _musd(r.npv_usd_per_mw), _pct(r.irr_p50),
        )  # fmt: skip
    out.print(table)


@value_app.command("sweep")
@friendly_errors
def sweep_cmd(
    grid: Annotated[
        Path, typer.Option("--grid", help="Sweep grid TOML or example name (sites x scenarios x parameters).")
    ],
    scheduler: Annotated[
        str | None, typer.Option("--scheduler", help="Dask scheduler address [default: a LocalCluster].")
    ] = None,
    workers: Annotated[int, typer.Option("--workers", min=1, help="Workers of the local cluster.")] = 2,
    serial: Annotated[
        bool, typer.Option("--serial", help="Run in this process, one thread (same numbers).")
    ] = False,
    backend: Annotated[
        BackendChoice,
        typer.Option(
            "--backend",
            help="serial, threads of this process, or a Dask cluster; auto = by the grid's size "
            "(same numbers on every backend).",
        ),
    ] = BackendChoice.auto,
    fmt: FormatOption = TableOrJson.table,
    db: DbOption = None,
) -> None:
    """Value a grid of sites x scenarios x parameters (serially, on threads or on Dask)."""
    from wattshift.config.valuation import load_grid
    from wattshift.services.sites import resolve_file
    from wattshift.services.valuation_sweep import sweep

    parsed = load_grid(resolve_file(grid, "grid"))
    chosen: Backend | None = _BACKENDS[BackendChoice.serial if serial else backend]
    with open_warehouse(db) as wh, _chunk_progress(f"sweep {grid.name}") as progress:
        rows = sweep(wh, parsed, backend=chosen, scheduler=scheduler, n_workers=workers, progress=progress)
    if fmt == TableOrJson.json:
        emit_json(rows)
        return
    table = Table(title=f"Sweep {grid.name}: NPV per MW [M$] (mean)")
    labels = [k for k in rows[0] if not k.startswith("npv_") and k != "prob_ai_beats_mining"] if rows else []
    for col in [*labels, "mining", "ai", "hybrid", "P(AI>mining)"]:
        table.add_column(col, justify="right")
    for r in rows:
        table.add_row(
            *[str(r[k]) for k in labels],
            _musd(r["npv_mining_mean"]), _musd(r["npv_ai_mean"]), _musd(r["npv_hybrid_mean"]),
            _pct(r["prob_ai_beats_mining"]),
        )  # fmt: skip
    out.print(table)


@friendly_errors
def treasury(
    site: SiteOption,
    treasury_btc: Annotated[float | None, typer.Option("--btc", min=0, help="BTC held [BTC].")] = None,
    cash_usd: Annotated[float | None, typer.Option("--cash", min=0, help="Cash available [USD].")] = None,
    budget_usd: Annotated[float | None, typer.Option("--budget", min=0, help="Capex budget [USD].")] = None,
    paths: PathsOption = None,
    years: YearsOption = None,
    seed: SeedOption = None,
    flex_from: FlexFromOption = None,
    flex_to: FlexToOption = None,
    flex_node: FlexNodeOption = None,
    flex_market: FlexMarketOption = MarketChoice.rt,
    drift: DriftArg = None,
    fmt: FormatOption = TableOrJson.table,
    db: DbOption = None,
) -> None:
    """Conversion plan and the BTC to sell (how many, when) to fund it; hold vs sell vs hybrid."""
    span = flex_span(flex_from, flex_to)
    from wattshift.services.sites import load_site
    from wattshift.services.valuation import ValuationRequest, prepare_valuation, treasury_of, value_prepared

    cfg = load_site(site)
    request = ValuationRequest(
        cfg, paths=paths, years=years, seed=seed, flex=_flex(span, flex_node, flex_market),
        treasury_btc=treasury_btc, cash_usd=cash_usd, capex_budget_usd=budget_usd,
        drift=None if drift is None else drift.value,
    )  # fmt: skip
    with open_warehouse(db) as wh:
        prepared = prepare_valuation(wh, request)
    with _chunk_progress(f"treasury {cfg.name}") as progress:  # the warehouse closed: its memory is free
        result = treasury_of(value_prepared(prepared, progress))
    if fmt == TableOrJson.json:
        emit_json(result)
        return
    doc = _document(result)
    _print_plan(doc)
    table = Table(title="BTC sold by year (sell-and-convert)")
    for col in ("year", "p50 [BTC]", "mean [BTC]"):
        table.add_column(col, justify="right")
    for r in doc["btc_to_sell"]["by_year"]:
        table.add_row(str(r["year"]), f"{r['btc_p50']:,.2f}", f"{r['btc_mean']:,.2f}")
    out.print(table)


def register(app: typer.Typer) -> None:
    """Add ``value`` (with ``sweep``) and ``treasury`` to the ``wattshift`` app."""
    app.add_typer(value_app, name="value")
    app.command("treasury")(treasury)
