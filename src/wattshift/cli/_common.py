"""Shared pieces of the command line: output formats, the warehouse option, JSON output, errors.

Conventions every command follows:
- machine output (``--format json|csv``) goes to stdout and nothing else does;
- tables go to stdout; progress bars, notes and errors go to stderr;
- no traceback reaches a user (:func:`friendly_errors`): a :class:`~wattshift.errors.WattshiftError`
  becomes a one-line red message and its class's exit code (:class:`~wattshift.errors.ExitCode`:
  3 bad input, 4 not in the warehouse, 5 network, 6 warehouse busy); an unreadable path or text
  is bad input (3); anything else is an internal error (1) with a one-line message
  (``WATTSHIFT_DEBUG=1`` shows the traceback).

Start-up time: ``wattshift --help`` imports every command module, so this module and the command
modules import pandas, numpy, the services and the engines inside the functions that use them,
never at module level (``tests/test_cli_startup.py`` checks it).
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
import json
import math
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, ParamSpec, TypeVar

import typer
from rich.console import Console
from typer.exceptions import TyperException

from wattshift.errors import ExitCode, NotInWarehouseError, WattshiftError
from wattshift.settings import db_path as db_path

if TYPE_CHECKING:
    import pandas as pd

    from wattshift.cli._tables import FittedTable
    from wattshift.services.store import Warehouse

#: stdout: tables and machine output. stderr: progress, notes, errors.
#: Tables are laid out ``$COLUMNS`` wide when it is set, else the terminal's width, else (a pipe, a
#: file, CI) 200 columns; :func:`print_table` reads ``$COLUMNS`` again at each call.
out = Console(width=None if sys.stdout.isatty() or "COLUMNS" in os.environ else 200)
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


#: Default ``--wait`` [s]; equal to :data:`wattshift.warehouse.lock.DEFAULT_WAIT_S` (a test checks it;
#: not imported from there because that loads DuckDB and pandas, see the start-up note above).
DEFAULT_WAIT_S = 60.0

WaitOption = Annotated[
    float,
    typer.Option(
        "--wait",
        min=0.0,
        help="Seconds to wait for the warehouse while another process writes to it (then exit code 6).",
    ),
]


def _note_wait(message: str) -> None:
    err.print(f"[yellow]{message}[/] (up to --wait seconds)", highlight=False)


def open_warehouse(db: Path | None, *, read_only: bool = True, wait_s: float | None = None) -> Warehouse:
    """Open the warehouse named by ``--db`` / ``$WATTSHIFT_DB``; a missing file is a clear error.

    Waits up to ``wait_s`` [s] (default :data:`~wattshift.warehouse.lock.DEFAULT_WAIT_S`) while
    another process holds it, printing a note to stderr once; then ``WarehouseBusyError`` (exit 6).
    """
    from wattshift.services.store import Warehouse

    path = require_warehouse(db) if read_only else db_path(db)
    wait = DEFAULT_WAIT_S if wait_s is None else wait_s
    return Warehouse(path, read_only=read_only, wait_s=wait, on_wait=_note_wait)


def require_warehouse(db: Path | None) -> Path:
    """The warehouse file named by ``--db`` / ``$WATTSHIFT_DB``; a missing file is a clear error (exit 4)."""
    path = db_path(db)
    if not path.exists():
        raise NotInWarehouseError(
            f"no warehouse at {path}: run `wattshift data ingest --all` first (or pass --db)"
        )
    return path


def lookup_wait() -> dict[str, Any]:
    """``wait_s`` and ``on_wait`` of a one-day lookup (:mod:`wattshift.services.oneday`), as an open's."""
    return {"wait_s": DEFAULT_WAIT_S, "on_wait": _note_wait}


def _is_plain(value: Any) -> bool:
    """True for JSON types only (str, int, finite float, bool, None, and dicts/lists of them)."""
    if value is None or isinstance(value, str | bool | int):
        return True
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _is_plain(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_is_plain(v) for v in value)
    return False


def emit_json(value: Any) -> None:
    """Write ``value`` as JSON to stdout (and nothing else).

    Plain JSON values are written as they are; anything else goes through
    :func:`wattshift.jsonable.to_jsonable` (which imports NumPy and pandas, so only then).
    """
    if not _is_plain(value):
        from wattshift.jsonable import to_jsonable

        value = to_jsonable(value)
    sys.stdout.write(json.dumps(value, indent=2) + "\n")


def emit_csv(frame: pd.DataFrame) -> None:
    """Write ``frame`` as CSV to stdout (ISO timestamps, no index)."""
    frame.to_csv(sys.stdout, index=False, date_format="%Y-%m-%dT%H:%M:%S%z")


def stdout_width() -> int:
    """Width of stdout tables [columns]: ``$COLUMNS`` if set, else the terminal's, else 200."""
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    return out.width if sys.stdout.isatty() else 200


def print_table(table: FittedTable) -> None:
    """Print ``table`` on stdout at :func:`stdout_width` (see :mod:`wattshift.cli._tables`)."""
    width = stdout_width()
    out.print(table.render(width), width=width)


P = ParamSpec("P")
R = TypeVar("R")


def _fail(message: str, code: int) -> typer.Exit:
    err.print(f"[bold red]error:[/] {message}", highlight=False)
    return typer.Exit(code=code)


def error_exit(exc: BaseException) -> typer.Exit:
    """Print ``exc`` as one line on stderr and return the :class:`typer.Exit` with its exit code.

    See the module docstring for the codes. ``typer.Exit``/``click`` exceptions are not passed here.
    """
    if isinstance(exc, WattshiftError):
        return _fail(str(exc), int(exc.exit_code))
    if isinstance(exc, IsADirectoryError):
        return _fail(f"{exc.filename}: is a directory, not a file", ExitCode.BAD_INPUT)
    if isinstance(exc, OSError):
        where = f"{exc.filename}: " if exc.filename else ""
        return _fail(f"{where}cannot read or write: {exc.strerror or exc}", ExitCode.BAD_INPUT)
    if isinstance(exc, UnicodeDecodeError):
        return _fail(
            f"not UTF-8 text (byte offset {exc.start}: {exc.object[exc.start : exc.start + 4]!r}); "
            "save the file as UTF-8",
            ExitCode.BAD_INPUT,
        )
    if type(exc).__module__.split(".")[0] in ("duckdb", "_duckdb"):
        return _fail(f"warehouse error ({type(exc).__name__}): {exc}", ExitCode.BAD_INPUT)
    return _fail(
        f"internal error ({type(exc).__name__}: {exc}); this is a bug, please report it "
        "(WATTSHIFT_DEBUG=1 shows the traceback)",
        ExitCode.INTERNAL,
    )


def friendly_errors(func: Callable[P, R]) -> Callable[P, R]:
    """No traceback reaches the user: any error becomes one red line on stderr and an exit code.

    Codes: :class:`~wattshift.errors.ExitCode` (see :func:`error_exit`). Set ``WATTSHIFT_DEBUG=1``
    to let unexpected exceptions (not :class:`WattshiftError`) propagate with their traceback.
    """

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except (typer.Exit, typer.Abort, TyperException, KeyboardInterrupt):
            # Typer's own control flow and usage errors (BadParameter: exit code 2) pass through; Typer's
            # click (``typer._click``) raises subclasses of TyperException, so click itself is not needed
            raise
        except WattshiftError as exc:
            raise error_exit(exc) from None
        except Exception as exc:
            if os.environ.get("WATTSHIFT_DEBUG"):
                raise
            raise error_exit(exc) from None

    wrapper.__dict__["friendly_errors"] = True  # marks wrapped commands (a test checks every command)
    return wrapper
