"""Dispatch portfolio: sites x market nodes x years, serial == Dask, same as the dispatch service."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from wattshift.cli import app
from wattshift.config import parse_site
from wattshift.config.portfolio import NodeChoice, PortfolioGrid, load_grid
from wattshift.errors import ConfigError
from wattshift.services.dispatch import run_dispatch
from wattshift.services.portfolio import dask_client, load_cases, run_portfolio
from wattshift.warehouse import Warehouse

runner = CliRunner()

SITE = """name = "one MW"
interconnect_mw = 1.0
[[fleets]]
name = "f"
power_mw = 1.0
efficiency_j_per_th = 20.0
"""


@pytest.fixture
def grid(tmp_path: Path) -> Path:
    (tmp_path / "one.toml").write_text(SITE, encoding="utf-8")
    text = 'sites = ["one.toml"]\nyears = [2023]\n'
    text += '[[nodes]]\nmarket = "NORDPOOL"\nnode = "SE3"\n[[nodes]]\nmarket = "ERCOT"\nnode = "HB_WEST"\n'
    path = tmp_path / "grid.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_dask_gives_the_serial_numbers_and_the_dispatch_service_s(warehouse: Warehouse, grid: Path) -> None:
    spec = load_grid(grid)
    cases = load_cases(warehouse, spec, grid_dir=grid.parent)
    assert [(c.market, c.node, len(c.inputs.interval_start_utc)) for c in cases] == [
        ("NORDPOOL", "SE3", 8760),
        ("ERCOT", "HB_WEST", 35040),
    ]
    serial = run_portfolio(cases, foresight=spec.foresight)
    with dask_client(n_workers=2) as client:
        on_dask = run_portfolio(cases, foresight=spec.foresight, client=client)
    assert on_dask == serial
    site = parse_site({**_site_dict(), "contract": {"market": "ERCOT", "node": "HB_WEST"}})
    one = run_dispatch(warehouse, site, start=dt.date(2023, 1, 1), end=dt.date(2024, 1, 1))
    assert serial[1].net_usd == pytest.approx(one.result.totals["net_usd"], rel=1e-12)
    assert serial[1].value_of_flexibility_usd == pytest.approx(one.result.value_of_flexibility_usd, rel=1e-12)
    assert all(
        r.value_of_flexibility_usd >= 0 for r in serial
    )  # forecast-decided, yet never below always-on here


def _site_dict() -> dict[str, object]:
    import tomllib

    return tomllib.loads(SITE)


def test_a_site_with_reserves_cannot_move_outside_ercot(warehouse: Warehouse) -> None:
    grid = PortfolioGrid(
        sites=["fixed_block_700mw"], years=[2023], nodes=[NodeChoice(market="PJM", node="PJM-RTO")]
    )
    with pytest.raises(
        ConfigError, match=r"fixed_block_700mw at PJM PJM-RTO: (reserves|peak_charges): ERCOT only"
    ):
        load_cases(warehouse, grid)


def test_bad_grid_field_is_named(tmp_path: Path) -> None:
    path = tmp_path / "g.toml"
    path.write_text('sites = ["a"]\nyears = []\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"g.toml: years: "):
        load_grid(path)


def test_cli_portfolio_serial_json_and_dispatch_without_site(warehouse_path: Path, grid: Path) -> None:
    args = [
        "dispatch",
        "portfolio",
        "--grid",
        str(grid),
        "--serial",
        "--format",
        "json",
        "--db",
        str(warehouse_path),
    ]
    res = runner.invoke(app, args)
    assert res.exit_code == 0, res.output
    rows = json.loads(res.stdout)["rows"]
    assert [(r["market"], r["year"], r["foresight"]) for r in rows] == [
        ("NORDPOOL", 2023, "forecast"),
        ("ERCOT", 2023, "forecast"),
    ]
    missing = runner.invoke(app, ["dispatch"])
    assert missing.exit_code == 2 and "--site" in missing.output
