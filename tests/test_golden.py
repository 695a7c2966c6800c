"""Golden files: the JSON of every example command in the README, recorded before a refactor.

A refactor keeps behaviour: each command's JSON must equal its golden file (floats to 1e-9 relative).
When a change *means* to move a number (a model fix, not a refactor), regenerate with
``WATTSHIFT_UPDATE_GOLDEN=1 pytest tests/test_golden.py`` and say why in the commit.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from wattshift.cli import app

GOLDEN = Path(__file__).resolve().parent / "golden"
#: Keys whose values are wall-clock measurements, not results.
VOLATILE = frozenset({"solve_seconds", "seconds", "elapsed_seconds"})

COMMANDS: dict[str, list[str]] = {
    "mining": [
        "mining",
        "--date",
        "2026-03-01",
        "--efficiency-j-per-th",
        "20",
        "--power-usd-per-kwh",
        "0.05",
    ],
    "signals": ["signals", "--date", "2026-03-01"],
    "ribbons": ["signals", "ribbons"],
    "backtest": ["signals", "backtest"],
    "dispatch_fixed": [
        "dispatch",
        "--site",
        "fixed_block_700mw",
        "--from",
        "2023-08-01",
        "--until",
        "2023-09-01",
    ],
    "dispatch_wt": [
        "dispatch",
        "--site",
        "west_texas_hybrid",
        "--from",
        "2024-01-01",
        "--until",
        "2025-01-01",
    ],
    "dispatch_conv": [
        "dispatch",
        "--site",
        "converting_to_ai",
        "--from",
        "2024-08-01",
        "--until",
        "2024-09-01",
    ],
    "value": ["value", "--site", "converting_to_ai", "--paths", "2000", "--seed", "7"],
    "treasury": ["treasury", "--site", "converting_to_ai"],
}


def assert_json_close(actual: object, expected: object, where: str = "$") -> None:
    """Equal JSON trees, floats to 1e-9 relative; :data:`VOLATILE` keys are not compared."""
    if isinstance(expected, dict):
        assert isinstance(actual, dict), where
        assert set(actual) == set(expected), f"{where}: keys {sorted(set(actual) ^ set(expected))}"
        for key, value in expected.items():
            if key not in VOLATILE:
                assert_json_close(actual[key], value, f"{where}.{key}")
    elif isinstance(expected, list):
        assert isinstance(actual, list) and len(actual) == len(expected), where
        for i, (a, e) in enumerate(zip(actual, expected, strict=True)):
            assert_json_close(a, e, f"{where}[{i}]")
    elif isinstance(expected, float) and isinstance(actual, int | float):
        assert math.isclose(actual, expected, rel_tol=1e-9, abs_tol=1e-9), f"{where}: {actual} != {expected}"
    else:
        assert actual == expected, f"{where}: {actual!r} != {expected!r}"


@pytest.mark.parametrize("name", list(COMMANDS))
def test_example_command_matches_golden(name: str, warehouse_path: Path) -> None:
    args = [*COMMANDS[name], "--format", "json", "--db", str(warehouse_path)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    actual = json.loads(result.stdout)
    path = GOLDEN / f"{name}.json"
    if os.environ.get("WATTSHIFT_UPDATE_GOLDEN") == "1":
        path.write_text(json.dumps(actual, indent=2, sort_keys=True) + "\n")
    assert_json_close(actual, json.loads(path.read_text()))


def test_comparison_catches_a_changed_number() -> None:
    with pytest.raises(AssertionError, match=r"\$.a\[1\]"):
        assert_json_close({"a": [1.0, 2.0 * (1 + 1e-8)]}, {"a": [1.0, 2.0]})
    assert_json_close({"a": 1.0 + 1e-12, "solve_seconds": 9.0}, {"a": 1.0, "solve_seconds": 0.1})
