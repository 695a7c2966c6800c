"""``wattshift plan``: tomorrow's operating plan, on the warehouse of the shared data."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from typer.testing import CliRunner

from wattshift.cli import app
from wattshift.config import load_site
from wattshift.errors import NotInWarehouseError
from wattshift.services.plan import make_plan, plan_dict
from wattshift.services.sites import examples_dir

SITES = examples_dir() / "sites"
INTERVAL_KEYS = {"start", "mining_mw", "gpu_mw", "reserves_mw", "curtailed_mw", "price_usd_per_mwh"}


def test_plan_json_contract(warehouse: Any) -> None:
    site = load_site(SITES / "fixed_block_700mw.toml")
    doc = plan_dict(make_plan(warehouse, site, dt.date(2023, 8, 15)))
    assert list(doc) == [
        "date",
        "site",
        "timezone",
        "intervals",
        "strike_prices_usd_per_mwh",
        "expected_net_usd",
    ]
    assert doc["date"] == "2023-08-15" and doc["timezone"] == "America/Chicago"
    assert len(doc["intervals"]) == 96 and doc["intervals"][0]["start"] == "2023-08-15T00:00:00-05:00"
    first = doc["intervals"][0]
    assert set(first) == INTERVAL_KEYS
    assert set(first["mining_mw"]) == set(doc["strike_prices_usd_per_mwh"])
    assert set(first["reserves_mw"]) == {"RRS", "ECRS", "NSPIN"}
    fleets_mw = (58694 * 3068 + 20170 * 3010) / 1e6  # catalogue W x counts of the example = 240.78 MW
    for row in doc["intervals"]:
        load = sum(row["mining_mw"].values()) + row["gpu_mw"]
        assert load + row["curtailed_mw"] == pytest.approx(fleets_mw, abs=1e-6)
        assert sum(row["reserves_mw"].values()) <= load + 1e-6  # offers backed by curtailable load
    # hourly awards: the four intervals of each hour offer the same MW
    offers = np.array([sum(r["reserves_mw"].values()) for r in doc["intervals"]]).reshape(24, 4)
    assert np.allclose(offers, offers[:, :1])


def test_plan_curtails_above_the_strike(warehouse: Any) -> None:
    site = load_site(SITES / "fixed_block_700mw.toml")
    doc = plan_dict(make_plan(warehouse, site, dt.date(2023, 8, 15)))
    strikes = doc["strike_prices_usd_per_mwh"]
    worst = min(strikes, key=lambda name: strikes[name])
    spikes = [r for r in doc["intervals"] if r["price_usd_per_mwh"] > max(strikes.values()) + 50.0]
    calm = [r for r in doc["intervals"] if r["price_usd_per_mwh"] < min(strikes.values()) - 50.0]
    assert spikes and calm, "the day has prices above every strike and below every strike"
    assert min(r["mining_mw"][worst] for r in spikes) < 1e-6  # off above its strike
    assert all(r["curtailed_mw"] < 1e-3 for r in calm)  # everything on well below every strike


class _Before:
    """The warehouse as seen the afternoon before ``day``: RT to D − 1, DA to D, BTC to D − 2."""

    def __init__(self, wh: Any, day: dt.date) -> None:
        self.wh, self.day = wh, day

    def iso_prices(self, node: str, market: str, start: Any, end: Any, *, iso: str = "ERCOT") -> Any:
        from wattshift.services.dispatch_inputs import day_start_utc

        last = {"rt": self.day - dt.timedelta(days=1)}.get(market, self.day + dt.timedelta(days=1))
        frame = self.wh.iso_prices(node, market, start, end)
        return frame[frame["interval_start_utc"] < day_start_utc(last)].reset_index(drop=True)

    def btc_daily(self, start: Any = None, end: Any = None) -> Any:
        frame = self.wh.btc_daily(start, end)
        return frame[frame["date"] <= np.datetime64(self.day - dt.timedelta(days=2))].reset_index(drop=True)

    def asic_models(self) -> Any:
        return self.wh.asic_models()


def test_plan_uses_no_data_from_the_day(warehouse: Any) -> None:
    """The plan for D is the same when the warehouse holds only what was published before D."""
    site = load_site(SITES / "fixed_block_700mw.toml")
    day = dt.date(2023, 8, 15)
    assert plan_dict(make_plan(_Before(warehouse, day), site, day)) == plan_dict(
        make_plan(warehouse, site, day)
    )


def test_plan_fall_back_day_has_100_intervals(warehouse: Any) -> None:
    site = load_site(SITES / "west_texas_hybrid.toml")
    doc = plan_dict(make_plan(warehouse, site, dt.date(2024, 11, 3)))
    starts = [r["start"] for r in doc["intervals"]]
    assert len(starts) == 100
    assert "2024-11-03T01:00:00-05:00" in starts and "2024-11-03T01:00:00-06:00" in starts


def test_day_without_day_ahead_prices_names_the_span(warehouse: Any) -> None:
    site = load_site(SITES / "west_texas_hybrid.toml")
    with pytest.raises(
        NotInWarehouseError,
        match=r"no day-ahead prices for HB_WEST on operating day 2031-01-01; "
        r"the warehouse holds HB_WEST da for 2022-01-01 to 20\d\d-\d\d-\d\d",
    ):
        make_plan(warehouse, site, dt.date(2031, 1, 1))


@pytest.mark.parametrize("fmt", ["json", "csv", "table"])
def test_cli_formats(warehouse_path: Path, fmt: str) -> None:
    args = ["plan", "--site", str(SITES / "west_texas_hybrid.toml"), "--date", "2024-08-15"]
    res = CliRunner().invoke(app, [*args, "--format", fmt, "--db", str(warehouse_path)])
    assert res.exit_code == 0, res.output
    if fmt == "json":
        assert json.loads(res.stdout)["date"] == "2024-08-15"
    elif fmt == "csv":
        lines = res.stdout.strip().splitlines()
        assert lines[0].startswith("start,mining_mw_") and len(lines) == 97
    else:
        assert "strike prices" in res.stdout


def test_cli_missing_day_is_a_clear_error(warehouse_path: Path) -> None:
    args = [
        "plan",
        "--site",
        str(SITES / "west_texas_hybrid.toml"),
        "--date",
        "2031-01-01",
        "--db",
        str(warehouse_path),
    ]
    res = CliRunner().invoke(app, args)
    text = " ".join(res.output.split())
    # exit 4: data not in the warehouse (wattshift.errors.ExitCode)
    assert res.exit_code == 4 and "the warehouse holds HB_WEST da" in text and "Traceback" not in res.output


def test_api_plan(warehouse_path: Path) -> None:
    from fastapi.testclient import TestClient

    from wattshift.api.app import create_app

    with TestClient(create_app(db_path=warehouse_path)) as client:
        ok = client.get("/api/plan", params={"site": "west_texas_hybrid", "date": "2024-08-15"})
        assert ok.status_code == 200, ok.text
        assert len(ok.json()["intervals"]) == 96
        missing = client.get("/api/plan", params={"site": "west_texas_hybrid", "date": "2031-01-01"})
        assert missing.status_code == 404 and "holds HB_WEST da" in missing.text
