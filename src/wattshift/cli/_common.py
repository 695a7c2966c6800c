"""Shared pieces of the command line: output formats, the warehouse option, JSON output, errors.

Conventions every command follows:
- machine output (``--format json|csv``) goes to stdout and nothing else does;
- tables go to stdout; progress bars, notes and errors go to stderr;
- a :class:`~wattshift.errors.WattshiftError` becomes a one-line red message and exit code 2.

Start-up time: ``wattshift --help`` imports every command module, so this module and the command
modules import pandas, numpy, the services and the engines inside the functions that use them,
never at module level (``tests/test_cli_startup.py`` checks it).
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, ParamSpec, TypeVar

import typer
from rich.console import Console

from wattshift.errors import WattshiftError
from wattshift.settings import db_path

if TYPE_CHECKING:
    import pandas as pd

    from wattshift.services.store import Warehouse

#: stdout: tables and machine output. stderr: progress, notes, errors.
#: When stdout is not a terminal (a pipe, a file, CI) tables are laid out 200 columns wide.
out = Console(width=None if sys.stdout.isatty() else 200)
err = Console(stderr=True)


class TableOrJson(enum.StrEnum):
    """``--format`` for single results."""

    table = "table"
    json = "json"


class CsvOrJson(enum.StrEnum):
    """``--format`` for histories (one row per day or interval)."""

    csv = "csv"
    json = "json"


class TableJsonCsv(enum.StrEnum):
    """``--format`` for results with a per-interval schedule."""

    table = "table"
    json = "json"
    csv = "csv"


DbOption = Annotated[
    Path | None,
    typer.Option(
        "--db",
        help="DuckDB warehouse file [default: $WATTSHIFT_DB, else the user data dir].",
        show_default=False,
    ),
]

DateOption = Annotated[
    dt.datetime | None,
    typer.Option(
        "--date", formats=["%Y-%m-%d"], help="Day (YYYY-MM-DD, UTC) [default: latest in the warehouse]."
    ),
]


def open_warehouse(db: Path | None, *, read_only: bool = True) -> Warehouse:
    """Open the warehouse named by ``--db`` / ``$WATTSHIFT_DB``; a missing file is a clear error."""
    from wattshift.services.store import Warehouse

    path = db_path(db)
    if read_only and not path.exists():
        raise WattshiftError(
            f"no warehouse at {path}: run `wattshift data ingest --all` first (or pass --db)"
        )
    return Warehouse(path, read_only=read_only)


def emit_json(value: Any) -> None:
    """Write ``value`` as JSON to stdout (and nothing else)."""
    from wattshift.jsonable import to_jsonable  # imports pandas/numpy: only when output is written

    sys.stdout.write(json.dumps(to_jsonable(value), indent=2) + "\n")


def emit_csv(frame: pd.DataFrame) -> None:
    """Write ``frame`` as CSV to stdout (ISO timestamps, no index)."""
    frame.to_csv(sys.stdout, index=False, date_format="%Y-%m-%dT%H:%M:%S%z")


P = ParamSpec("P")
R = TypeVar("R")


def friendly_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Turn a :class:`WattshiftError` into a red one-line message on stderr and exit code 2."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except WattshiftError as exc:
            err.print(f"[bold red]error:[/] {exc}", highlight=False)
            raise typer.Exit(code=2) from None

    return wrapper
