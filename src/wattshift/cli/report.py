"""``wattshift report``: write the self-contained HTML report."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from wattshift.cli._common import DbOption, err, friendly_errors, open_warehouse, require_warehouse


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
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers",
            min=1,
            help="Processes building sections at once [default: one per core, at most 2].",
        ),
    ] = None,
    db: DbOption = None,
) -> None:
    """Write one self-contained HTML report (charts inline, offline): market, signals, dispatch, valuation."""
    from wattshift.report.lanes import build_report_in_lanes

    options: dict[str, dict[str, object]] = {}
    if site:
        options = {"dispatch": {"sites": list(site)}, "valuation": {"sites": list(site)}}
    # a missing warehouse fails here; nothing opens it before the lanes are forked (each opens its own)
    require_warehouse(db)
    result = build_report_in_lanes(
        lambda: open_warehouse(db),
        out,
        options=options,
        progress=lambda name: err.print(f"building section: {name}"),
        lanes=workers,
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
