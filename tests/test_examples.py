"""Examples ship as package data: listed by ``wattshift examples``, named instead of a path."""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from wattshift.cli import app
from wattshift.config import load_site as load_site_file
from wattshift.errors import ConfigError
from wattshift.services.sites import examples, examples_dir, load_site, resolve_file

SITES = ("converting_to_ai", "fixed_block_700mw", "west_texas_hybrid")


def test_examples_live_inside_the_package() -> None:
    import wattshift

    root = examples_dir()
    assert root == Path(wattshift.__file__).parent / "examples"
    assert sorted(p.stem for p in (root / "sites").glob("*.toml")) == list(SITES)


def test_examples_list_names_kinds_and_descriptions() -> None:
    found = {(e.name, e.kind) for e in examples()}
    assert found == {*((s, "site") for s in SITES), ("portfolio", "grid"), ("deals", "deals")}
    for e in examples():
        assert e.description and "\n" not in e.description and not e.description.startswith("#")
        assert "Run:" not in e.description
        tomllib.loads(e.path.read_text(encoding="utf-8"))  # every example is valid TOML


@pytest.mark.parametrize("name", SITES)
def test_site_by_name_equals_site_by_path(name: str) -> None:
    by_name = load_site(name)
    assert by_name == load_site_file(examples_dir() / "sites" / f"{name}.toml")
    assert load_site(f"{name}.toml") == by_name  # the file name works too


def test_an_existing_path_wins_over_an_example_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "west_texas_hybrid").write_text(
        'name = "mine"\ninterconnect_mw = 5.0\n[[fleets]]\nname = "a"\npower_mw = 4.0\n'
        "efficiency_j_per_th = 20.0\n",
        encoding="utf-8",
    )
    assert load_site("west_texas_hybrid").name == "mine"


def test_unknown_name_lists_the_examples() -> None:
    with pytest.raises(ConfigError) as info:
        resolve_file("west_texas", "site")
    message = str(info.value)
    assert message.startswith("west_texas: no such site file and no example of that name")
    assert all(s in message for s in SITES)
    with pytest.raises(ConfigError, match="no such grid file"):
        resolve_file("nope/portfolio.toml", "grid")


def test_grid_by_name() -> None:
    assert resolve_file("portfolio", "grid") == examples_dir() / "grids" / "portfolio.toml"


def test_cli_examples_json_and_table() -> None:
    result = CliRunner().invoke(app, ["examples", "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [r["name"] for r in rows if r["kind"] == "site"] == list(SITES)
    assert set(rows[0]) == {"name", "kind", "description"}
    table = CliRunner().invoke(app, ["examples"])
    assert table.exit_code == 0
    assert "west_texas_hybrid" in table.stdout and "[valuation.ai]" in table.stdout  # markup escaped


def test_cli_unknown_site_name_is_one_line() -> None:
    result = CliRunner().invoke(app, ["dispatch", "--site", "no_such_site"])
    assert result.exit_code == 3  # bad input
    assert "no_such_site: no such site file and no example of that name" in " ".join(result.output.split())


def test_layer_contracts_hold() -> None:
    # import-linter (`make lint`): edges > services > engines > config; see pyproject.toml.
    lint = Path(sys.executable).parent / "lint-imports"
    root = Path(__file__).resolve().parents[1]
    done = subprocess.run([str(lint)], cwd=root, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stdout[-3000:]
    assert "0 broken" in done.stdout
