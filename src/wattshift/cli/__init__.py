"""The ``wattshift`` command line (Typer + Rich).

Each command group lives in its own module and registers itself through ``register(app)``; this file
only assembles them. It imports a command's module only when that command runs: ``wattshift mining
…`` loads ``cli/mining.py`` and nothing of ``dispatch``, ``value`` or ``report`` (:class:`LazyGroup`,
:data:`COMMAND_MODULES`). ``wattshift --help`` and shell completion list every command, so they load
every module (in :data:`MODULE_ORDER`, which is the help order).
"""

from __future__ import annotations

import gc
import importlib
from collections.abc import MutableMapping
from typing import Any

import typer
from typer.core import TyperGroup

from wattshift import __version__

#: Command modules (``wattshift.cli.<name>``), in help order. A module that is not there is skipped.
MODULE_ORDER = (
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

#: Top-level command name -> the module that registers it (``tests/test_cli_lazy.py`` checks it
#: against what the modules register). A name missing here still works: every module is loaded.
COMMAND_MODULES: dict[str, str] = {
    "data": "data",
    "mining": "mining",
    "asics": "mining",
    "signals": "signals",
    "dispatch": "dispatch",
    "cp4": "cp4",
    "markets": "markets",
    "plan": "plan",
    "value": "value",
    "treasury": "value",
    "report": "report",
    "serve": "serve",
    "examples": "examples",
    "fleet": "fleet",
    "alerts": "alerts",
}

#: Settings of the root command that its commands inherit (a command built from a scratch Typer
#: must be built with the same ones to be the same command).
_ROOT_SETTINGS: dict[str, Any] = {"rich_markup_mode": None, "pretty_exceptions_enable": False}


def _import(name: str) -> Any | None:
    """``wattshift.cli.<name>``, or None when the module is not there."""
    try:
        return importlib.import_module(f"wattshift.cli.{name}")
    except ModuleNotFoundError as exc:
        if exc.name != f"wattshift.cli.{name}":
            raise
        return None


def build_commands(names: tuple[str, ...]) -> dict[str, Any]:
    """The click commands the modules ``names`` register, in Typer's order (commands, then groups)."""
    scratch = typer.Typer(**_ROOT_SETTINGS)
    for name in names:
        module = _import(name)
        if module is not None:
            module.register(scratch)
    return dict(typer.main.get_group(scratch).commands)


class LazyGroup(TyperGroup):
    """The root group: a command's module is imported when the command is looked up.

    ``commands`` (read by click, by Typer's help and by tests walking the tree) is the full table,
    every module loaded; :meth:`get_command` loads only the module of the name asked for.
    """

    def __init__(self, **kwargs: Any) -> None:
        self._table: dict[str, Any] = {}
        self._complete = False
        super().__init__(**kwargs)

    @property
    def commands(self) -> MutableMapping[str, Any]:
        """Every command (loads every module the first time)."""
        if not self._complete:
            self._table = build_commands(MODULE_ORDER) | self._table
            self._complete = True
        return self._table

    @commands.setter
    def commands(self, value: MutableMapping[str, Any]) -> None:
        self._table = dict(value)

    def add_command(self, cmd: Any, name: str | None = None) -> None:
        """Add ``cmd`` without loading the other modules."""
        key = name or cmd.name
        if key is None:
            raise TypeError("Command has no name.")
        self._table[key] = cmd

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        """The command ``cmd_name``, importing only its module when it is known."""
        if cmd_name not in self._table and not self._complete:
            module = COMMAND_MODULES.get(cmd_name)
            if module is None:
                return self.commands.get(cmd_name)
            for key, command in build_commands((module,)).items():
                self._table.setdefault(key, command)
        return self._table.get(cmd_name)


app = typer.Typer(
    name="wattshift",
    cls=LazyGroup,
    help="What each megawatt of a Bitcoin mining site is worth - in mining, AI compute or on the grid.",
    no_args_is_help=True,
    epilog=(
        "\b\nExit codes: 0 success; 1 internal error (a bug); 2 usage error; 3 bad input (data file, "
        "config or argument; ingest refused because it would shrink history); 4 data not in the "
        "warehouse; 5 network error; 6 warehouse busy (another writer held it past --wait)."
    ),
    **_ROOT_SETTINGS,
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


def run(prog_name: str = "wattshift") -> None:
    """Run the command line (the ``wattshift`` script and ``python -m wattshift``), then exit fast.

    When the command has finished (normally or not), the objects still alive are frozen
    (:func:`gc.freeze`) before the interpreter shuts down: its shutdown then runs the cyclic
    collector's full passes over the few objects left instead of over every module's (pandas,
    SciPy, Plotly: several hundred thousand objects), which took 0.25 s of the report's 2.8 s on 2
    cores (``benchmarks/bench_cli.py``, 2026-11-30). Everything else about shutdown is unchanged:
    ``atexit`` handlers run, files are flushed and closed, and objects freed by reference counting
    are finalised as before; only objects in reference cycles are left to the process's exit, as
    the memory of any exiting process is. (mypy's ``util.hard_exit`` skips shutdown for the same
    cost; freezing keeps the rest of it.)

    Parameters
    ----------
    prog_name
        Name shown in usage and help text.
    """
    try:
        app(prog_name=prog_name)
    finally:
        gc.freeze()
