"""Start-up cost of the command line: ``wattshift --help`` must not import the data stack.

Every command module is imported to build the help, so a module-level ``import pandas`` (or a
service, engine, solver, web framework) in any of them makes every invocation pay for it (seconds,
even for ``--help``). These tests import the CLI in a fresh interpreter and look at
``sys.modules``; they assert which modules are loaded, never how long it took.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from dataclasses import dataclass

from typer.testing import CliRunner

from wattshift.cli import app
from wattshift.cli.signals import DEFAULT_HORIZONS_TEXT
from wattshift.signals import DEFAULT_HORIZONS_DAYS

#: Heavy packages that only the command bodies may import (top-level package names).
HEAVY = (
    "pandas",
    "numpy",
    "scipy",
    "highspy",
    "plotly",
    "fastapi",
    "starlette",
    "uvicorn",
    "duckdb",
    "dask",
    "distributed",
    "pyarrow",
    "linopy",
)

#: Command groups and commands that ``wattshift --help`` lists (DESIGN.md, CLI section).
COMMANDS = ("data", "mining", "asics", "signals", "dispatch", "value", "treasury", "report", "serve")

# Runs in a fresh interpreter: records, for each heavy package, which wattshift.cli module was
# importing it (the innermost cli frame on the stack) and the chain of wattshift modules in between.
_PROBE = textwrap.dedent(
    """
    import importlib, importlib.abc, json, sys, types

    HEAVY = set(json.loads(sys.argv[1]))
    STUB_VALUE = sys.argv[2] == "stub-value"
    found = {}

    class Spy(importlib.abc.MetaPathFinder):
        def find_spec(self, fullname, path=None, target=None):
            top = fullname.partition(".")[0]
            if top in HEAVY and top not in found:
                chain = []
                frame = sys._getframe(1)
                while frame is not None:
                    name = frame.f_globals.get("__name__", "")
                    if name.startswith("wattshift") and (not chain or chain[-1] != name):
                        chain.append(name)
                    frame = frame.f_back
                found[top] = chain
            return None

    sys.meta_path.insert(0, Spy())
    if STUB_VALUE:  # keep cli/value.py (another owner) out: only the other modules are judged
        stub = types.ModuleType("wattshift.cli.value")
        stub.register = lambda app: None
        sys.modules["wattshift.cli.value"] = stub
    for extra in sys.argv[3:]:  # only for the test of this probe
        importlib.import_module(extra)
    import wattshift.cli  # noqa: F401
    loaded = sorted({m.partition(".")[0] for m in sys.modules} & HEAVY)
    print(json.dumps({"found": found, "loaded": loaded, "pydantic": "pydantic" in sys.modules}))
    """
)


@dataclass(frozen=True)
class Probe:
    """What importing ``wattshift.cli`` loaded in a fresh interpreter."""

    loaded: list[str]  # heavy top-level packages in sys.modules afterwards
    chains: dict[str, list[str]]  # package -> wattshift modules on the stack when it was first imported
    pydantic: bool


def _probe(*, stub_value: bool, extra: tuple[str, ...] = ()) -> Probe:
    """Import ``wattshift.cli`` in a fresh interpreter (after the modules ``extra``) and report."""
    argv = [json.dumps(HEAVY), "stub-value" if stub_value else "real", *extra]
    proc = subprocess.run(
        [sys.executable, "-c", _PROBE, *argv], capture_output=True, text=True, timeout=120, check=True
    )
    doc = json.loads(proc.stdout.strip().splitlines()[-1])
    return Probe(loaded=doc["loaded"], chains=doc["found"], pydantic=doc["pydantic"])


def test_own_command_modules_import_no_heavy_package() -> None:
    """All command modules but value.py: none of pandas, numpy, scipy, duckdb, ... nor pydantic."""
    probe = _probe(stub_value=True)
    assert probe.loaded == [], f"heavy packages imported by the CLI (import chains): {probe.chains}"
    assert not probe.pydantic


def test_full_cli_import_loads_no_heavy_package() -> None:
    """The whole CLI, value.py included, as ``wattshift --help`` imports it."""
    probe = _probe(stub_value=False)
    assert probe.loaded == [], f"heavy packages imported by the CLI (import chains): {probe.chains}"


def test_probe_sees_a_heavy_import_and_its_chain() -> None:
    """The probe is not blind: a service imported first shows up with the chain that pulled it."""
    probe = _probe(stub_value=True, extra=("wattshift.services.data",))
    assert {"pandas", "numpy", "duckdb"} <= set(probe.loaded)
    assert probe.chains["duckdb"][-1] == "wattshift.services.data"
    assert any(name.startswith("wattshift.warehouse") for name in probe.chains["duckdb"])


def test_group_help_loads_no_data_stack() -> None:
    """``wattshift <group> --help`` builds the group's options but imports no service or engine.

    (Typer itself loads pydantic to build option parsers, so pydantic is not checked here.)
    """
    code = textwrap.dedent(
        """
        import json, sys
        from wattshift.cli import app
        for group in ("data", "mining", "asics", "signals", "dispatch", "report", "serve"):
            try:
                app([group, "--help"])
            except SystemExit as exc:
                assert exc.code == 0, (group, exc.code)
        heavy = set(json.loads(sys.argv[1]))
        print(json.dumps(sorted({m.partition(".")[0] for m in sys.modules} & heavy)))
        """
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, json.dumps(HEAVY)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert proc.stdout.count("Usage:") == 7
    assert json.loads(proc.stdout.strip().splitlines()[-1]) == []


def test_help_lists_every_command_group() -> None:
    result = CliRunner().invoke(app, ["--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    listed = {line.split()[0] for line in lines if line.startswith("  ") and line.split()}
    missing = [name for name in COMMANDS if name not in listed]
    assert missing == [], result.output


def test_default_horizons_text_matches_engine() -> None:
    """``signals backtest --horizons`` default is spelled out in the CLI; it must equal the engine's."""
    assert ",".join(str(h) for h in DEFAULT_HORIZONS_DAYS) == DEFAULT_HORIZONS_TEXT
    result = CliRunner().invoke(app, ["signals", "backtest", "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert DEFAULT_HORIZONS_TEXT in result.output


def test_python_dash_m_runs_the_same_cli() -> None:
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "wattshift", "--version"], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    from wattshift import __version__

    assert done.stdout.strip() == f"wattshift {__version__}"
