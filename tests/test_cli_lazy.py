"""The root command imports only the invoked command's module; its table of names is complete.

``wattshift mining …`` must not pay for importing ``cli/dispatch.py``, ``cli/value.py`` and the rest
(:class:`wattshift.cli.LazyGroup`). These tests check the name → module table against what each
module registers, that a command runs with only its module loaded, and that ``--help`` still lists
every command in the same order as an eager build.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import typer
from typer.testing import CliRunner

from wattshift import __version__
from wattshift.cli import COMMAND_MODULES, MODULE_ORDER, app, build_commands, run


def test_every_command_name_maps_to_the_module_that_registers_it() -> None:
    registered: dict[str, str] = {}
    for module in MODULE_ORDER:
        for name in build_commands((module,)):
            assert name not in registered, f"{name} registered by {registered.get(name)} and {module}"
            registered[name] = module
    assert registered == COMMAND_MODULES


def test_the_group_lists_the_commands_of_an_eager_build_in_its_order() -> None:
    group = typer.main.get_command(app)
    assert isinstance(group, typer.core.TyperGroup)
    assert list(group.commands) == list(build_commands(MODULE_ORDER))
    result = CliRunner().invoke(app, ["--help"], env={"COLUMNS": "120"})
    assert result.exit_code == 0, result.output
    commands = result.output.split("Commands:")[1].split("Exit codes")[0].splitlines()
    listed = [line.split()[0] for line in commands if line.strip() and not line.startswith("   ")]
    assert listed == list(build_commands(MODULE_ORDER))


def test_unknown_command_is_a_usage_error_with_a_suggestion() -> None:
    result = CliRunner().invoke(app, ["minin"])
    assert result.exit_code == 2
    assert "No such command 'minin'" in result.output and "'mining'" in result.output


_PROBE = textwrap.dedent(
    """
    import json, sys
    from wattshift.cli import app
    try:
        app(sys.argv[1:], prog_name="wattshift")
    except SystemExit as exc:
        assert exc.code in (0, None), exc.code
    print(json.dumps(sorted(m for m in sys.modules if m.startswith("wattshift.cli."))))
    """
)


def _cli_modules_after(*args: str) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, *args], capture_output=True, text=True, timeout=120, check=True
    )
    loaded: list[str] = json.loads(done.stdout.strip().splitlines()[-1])
    return loaded


def _command_modules(loaded: list[str]) -> set[str]:
    """The command modules among ``loaded`` (not the shared ``_common``, ``_tables``)."""
    return {name.rpartition(".")[2] for name in loaded if not name.rpartition(".")[2].startswith("_")}


def test_a_command_loads_only_its_own_module() -> None:
    assert _command_modules(_cli_modules_after("mining", "--help")) == {"mining"}
    assert _command_modules(_cli_modules_after("signals", "--help")) == {"signals"}
    treasury = _command_modules(_cli_modules_after("treasury", "--help"))  # value.py imports what it uses
    assert "value" in treasury and not treasury & {"mining", "signals", "data", "report", "serve"}


def test_root_help_loads_every_module() -> None:
    loaded = set(_cli_modules_after("--help"))
    assert {f"wattshift.cli.{name}" for name in MODULE_ORDER} <= loaded


def test_spelled_out_mvrv_label_matches_the_engine() -> None:
    """``signals``' table spells the MVRV Z label out (no engine import); it must equal the engine's."""
    from wattshift.cli.signals import MVRV_Z_LABEL_TEXT
    from wattshift.services.signals import MVRV_Z_LABEL

    assert MVRV_Z_LABEL_TEXT == MVRV_Z_LABEL


_FROZEN_AT_EXIT = textwrap.dedent(
    """
    import atexit, gc, sys
    from wattshift.cli import run
    atexit.register(lambda: print("frozen at exit:", gc.get_freeze_count() > 0))
    sys.argv = ["wattshift", *sys.argv[1:]]
    run()
    """
)


def test_the_script_freezes_what_is_alive_before_shutdown_and_keeps_the_exit_code() -> None:
    """``run`` (the script's entry point) leaves shutdown's cyclic collections nothing to scan."""
    ok = subprocess.run(
        [sys.executable, "-c", _FROZEN_AT_EXIT, "--version"], capture_output=True, text=True, check=False
    )
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.splitlines() == [f"wattshift {__version__}", "frozen at exit: True"]
    bad = subprocess.run(
        [sys.executable, "-c", _FROZEN_AT_EXIT, "no-such-command"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert bad.returncode == 2, bad.stderr
    assert bad.stdout.splitlines() == ["frozen at exit: True"]


def test_python_dash_m_and_the_script_are_the_same_entry_point() -> None:
    import tomllib
    from pathlib import Path

    import wattshift.__main__ as dunder_main

    scripts = tomllib.loads((Path(__file__).resolve().parents[1] / "pyproject.toml").read_text())["project"][
        "scripts"
    ]
    assert scripts == {"wattshift": "wattshift.cli:run"}
    assert vars(dunder_main)["run"] is run
