"""``wattshift examples``: the example sites, sweep grids and deal terms shipped with the package."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from wattshift.cli._common import TableOrJson, emit_json, friendly_errors, out


@friendly_errors
def examples(
    fmt: Annotated[TableOrJson, typer.Option("--format", help="Output format.")] = TableOrJson.table,
) -> None:
    """List the example files: pass a NAME instead of a path (e.g. --site west_texas_hybrid)."""
    from wattshift.services.sites import examples as list_examples

    found = list_examples()
    if fmt is TableOrJson.json:
        emit_json([{"name": e.name, "kind": e.kind, "description": e.description} for e in found])
        return
    table = Table(title="Examples (use the name instead of a path: --site NAME, --grid NAME)")
    table.add_column("name")
    table.add_column("kind")
    table.add_column("description")
    for e in found:
        table.add_row(e.name, e.kind, escape(e.description))
    out.print(table)


def register(app: typer.Typer) -> None:
    """Add ``examples`` to the root command."""
    app.command("examples")(examples)
