"""The built wheel works on its own: installed outside the checkout, it finds its example sites.

Builds the wheel with uv, installs it into a fresh virtual environment in a temporary folder (the uv
cache only, no network: the dependencies pinned by ``uv.lock`` with ``uv pip sync --offline``, then the
wheel itself with ``uv pip install --offline --no-deps`` and ``uv pip check`` proving its declared
dependencies are met), and runs ``wattshift dispatch --site west_texas_hybrid`` from there on the test
warehouse. ``uv pip install --offline`` of the wheel with its dependencies would re-resolve against
the index, which an offline cache cannot revalidate; the lock's pins are what ``make install`` uses.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from wattshift.cli import app

ROOT = Path(__file__).resolve().parents[1]
UV = ROOT / ".uvboot" / "bin" / "uv"
COMMAND = [
    "dispatch",
    "--site",
    "west_texas_hybrid",
    "--format",
    "json",
    "--from",
    "2024-08-01",
    "--until",
    "2024-08-08",
]


def _run(args: list[str], cwd: Path) -> str:
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "VIRTUAL_ENV"}}
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, f"{args}:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
    return done.stdout


def _close(a: object, b: object) -> bool:
    if isinstance(b, dict) and isinstance(a, dict):
        keys = set(b) - {"solve_seconds"}
        return set(a) - {"solve_seconds"} == keys and all(_close(a[k], b[k]) for k in keys)
    if isinstance(b, float) and isinstance(a, int | float):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)
    return a == b


@pytest.mark.slow
@pytest.mark.skipif(not UV.exists(), reason="needs the project's uv (.uvboot/bin/uv, `make install`)")
def test_installed_wheel_runs_an_example_site_by_name(tmp_path: Path, warehouse_path: Path) -> None:
    dist = tmp_path / "dist"
    _run([str(UV), "build", "--wheel", "--offline", "--out-dir", str(dist)], cwd=ROOT)
    (wheel,) = dist.glob("wattshift-*.whl")
    requirements = tmp_path / "requirements.txt"
    export = [str(UV), "export", "--frozen", "--no-dev", "--no-emit-project", "--no-hashes"]
    _run([*export, "-o", str(requirements)], cwd=ROOT)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    _run([str(UV), "venv", "--offline", "--python", "python3", "venv"], cwd=elsewhere)
    python = str(elsewhere / "venv" / "bin" / "python")
    _run([str(UV), "pip", "sync", "--offline", "--python", python, str(requirements)], cwd=elsewhere)
    _run([str(UV), "pip", "install", "--offline", "--no-deps", "--python", python, str(wheel)], cwd=elsewhere)
    _run([str(UV), "pip", "check", "--python", python], cwd=elsewhere)

    where = _run([python, "-c", "import wattshift; print(wattshift.__file__)"], cwd=elsewhere)
    assert not Path(where.strip()).is_relative_to(ROOT)  # the installed copy, not the checkout
    out = _run(
        [str(elsewhere / "venv" / "bin" / "wattshift"), *COMMAND, "--db", str(warehouse_path)], cwd=elsewhere
    )
    doc = json.loads(out)

    # A week of 15-minute real-time intervals at HB_WEST; the 20 MW GPU cluster runs every hour
    # (its spot value is far above power prices), and the books balance.
    assert (doc["site"], doc["node"], doc["from"], doc["to"]) == (
        "West Texas hybrid (100 MW)",
        "HB_WEST",
        "2024-08-01",
        "2024-08-08",
    )
    assert doc["intervals"] == 7 * 96
    assert doc["mwh"]["ai"] == pytest.approx(20.0 * 7 * 24)
    revenue = sum(doc["revenue_usd"].values())
    costs = doc["energy_cost_usd"] + doc["charges_usd"] + doc["gpu_capital_cost_usd"]
    assert doc["net_usd"] == pytest.approx(revenue - costs, rel=1e-9)
    # The same numbers as the checkout gives.
    here = CliRunner().invoke(app, [*COMMAND, "--db", str(warehouse_path)])
    assert here.exit_code == 0, here.output
    assert _close(doc, json.loads(here.stdout))
