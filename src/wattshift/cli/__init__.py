"""The ``wattshift`` command line (Typer + Rich).

Each command group lives in its own module and registers itself on :data:`app` through
``register(app)``; this file only assembles them.
"""

from __future__ import annotations

import importlib

import typer

from wattshift import __version__

app = typer.Typer(
    name="wattshift",
    help="What each megawatt of a Bitcoin mining site is worth - in mining, AI compute or on the grid.",
    no_args_is_help=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    epilog=(
        "\b\nExit codes: 0 success; 1 internal error (a bug); 2 usage error; 3 bad input (data file, "
        "config or argument; ingest refused because it would shrink history); 4 data not in the "
        "warehouse; 5 network error; 6 warehouse busy (another writer held it past --wait)."
    ),
)

#: Command modules, in help order. A module that is not there yet is skipped.
_COMMAND_MODULES = (
    "data",
    "mining",
    "signals",
    "dispatch",
    "cp4",
    "markets",
    "plan",
    "value",
    "report",
    "serve",
    "examples",
    "fleet",
    "alerts",
)


def _version(flag: bool) -> None:
    if flag:
        typer.echo(f"wattshift {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version."
    ),
) -> None:
    """wattshift: every megawatt to its most valuable use."""


for _name in _COMMAND_MODULES:
    try:
        _module = importlib.import_module(f"wattshift.cli.{_name}")
    except ModuleNotFoundError as _exc:
        if _exc.name != f"wattshift.cli.{_name}":
            raise
        continue
    _module.register(app)
