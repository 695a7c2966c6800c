"""``wattshift report``: write the self-contained HTML report."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from wattshift.cli._common import DbOption, err, friendly_errors, open_warehouse


@friendly_errors
def report(
    out: Annotated[Path, typer.Option("--out", help="Folder to write index.html into.")] = Path("report"),
    site: Annotated[
        list[str] | None,
        typer.Option(
            "--site",
            help="Site TOML(s) or example names for the dispatch and valuation sections [default: examples].",
        ),
    ] = None,
    db: DbOption = None,
) -> None:
    """Write one self-contained HTML report (charts inline, offline): market, signals, dispatch, valuation."""
    from wattshift.report.build import build_report

    options: dict[str, dict[str, object]] = {}
    if site:
        options = {"dispatch": {"sites": list(site)}, "valuation": {"sites": list(site)}}
    with open_warehouse(db) as wh:
        result = build_report(
            wh, out, options=options, progress=lambda n: err.print(f"building section: {n}")
        )
    size_kb = result.path.stat().st_size / 1024
    err.print(f"[green]wrote[/] {result.path} ({size_kb:,.0f} KiB; sections: {', '.join(result.sections)})")
    if result.failures:
        for name, message in result.failures.items():
            err.print(f"[bold red]section {name} failed:[/] {message}")
        raise typer.Exit(code=1)


def register(app: typer.Typer) -> None:
    """Add ``report`` to the root command."""
    app.command("report")(report)
