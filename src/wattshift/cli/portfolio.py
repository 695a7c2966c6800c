"""``wattshift dispatch portfolio --grid FILE``: many sites x market nodes x years, on Dask."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from wattshift.cli._common import (
    DbOption,
    TableJsonCsv,
    emit_csv,
    emit_json,
    friendly_errors,
    open_warehouse,
    out,
)


@friendly_errors
def portfolio_command(
    grid: Annotated[Path, typer.Option("--grid", help="Portfolio grid TOML (sites, [[nodes]], years).")],
    scheduler: Annotated[
        str | None, typer.Option("--scheduler", help="Dask scheduler address [default: a LocalCluster].")
    ] = None,
    workers: Annotated[int, typer.Option("--workers", min=1, help="LocalCluster worker processes.")] = 2,
    serial: Annotated[bool, typer.Option("--serial", help="Run here, without Dask.")] = False,
    fmt: Annotated[TableJsonCsv, typer.Option("--format", help="Output format.")] = TableJsonCsv.table,
    db: DbOption = None,
) -> None:
    """Backtest every site x market node x year of a grid: net, always-on and value of flexibility.

    Inputs are read from the warehouse here; each case runs on the dispatch engine as one Dask
    task (a LocalCluster of --workers processes, or --scheduler ADDRESS); the numbers are the same
    as --serial.
    """
    import pandas as pd

    from wattshift.config.portfolio import load_grid
    from wattshift.services.portfolio import PORTFOLIO_KEYS, dask_client, load_cases, run_portfolio

    spec = load_grid(grid)
    with open_warehouse(db) as wh:
        cases = load_cases(wh, spec, grid_dir=grid.parent)
    if serial:
        rows = run_portfolio(cases, foresight=spec.foresight, solver=spec.solver)
    else:
        with dask_client(scheduler, n_workers=workers) as client:
            rows = run_portfolio(cases, foresight=spec.foresight, solver=spec.solver, client=client)
    records = [{k: getattr(r, k) for k in PORTFOLIO_KEYS} for r in rows]
    if fmt is TableJsonCsv.json:
        emit_json({"grid": str(grid), "foresight": spec.foresight, "rows": records})
        return
    if fmt is TableJsonCsv.csv:
        emit_csv(pd.DataFrame(records, columns=list(PORTFOLIO_KEYS)))
        return
    table = Table(title=f"Dispatch portfolio ({spec.foresight} foresight)", title_justify="left")
    for col in ("site", "market", "node", "year", "net [USD]", "always-on [USD]", "flexibility [USD]"):
        table.add_column(col, justify="left" if col in ("site", "market", "node") else "right")
    for r in rows:
        table.add_row(
            escape(r.site),
            r.market,
            escape(r.node),
            str(r.year),
            f"{r.net_usd:,.0f}",
            f"{r.always_on_net_usd:,.0f}",
            f"{r.value_of_flexibility_usd:,.0f}",
        )
    out.print(table)
