"""Example sites and ``POST /api/dispatch`` on real ERCOT prices: CLI parity, energy balance, errors."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from wattshift.cli import app as cli_app
from wattshift.config import parse_site
from wattshift.services.sites import examples_dir

SITES_DIR = examples_dir() / "sites"
SITE_ID = "fixed_block_700mw"


def test_sites_lists_every_example_as_a_valid_body(client: TestClient) -> None:
    sites = client.get("/api/sites").json()
    assert [s["id"] for s in sites] == sorted(p.stem for p in SITES_DIR.glob("*.toml"))
    for s in sites:
        assert parse_site(s["site"]).name == s["name"]
        assert s["description"]
    missing = client.get("/api/sites/nope")
    assert missing.status_code == 404
    assert SITE_ID in missing.json()["detail"]


def test_dispatch_equals_cli_json(client: TestClient, site: dict[str, Any], warehouse_path: Path) -> None:
    api = client.post("/api/dispatch", json=site).json()
    result = CliRunner().invoke(
        cli_app,
        [
            "dispatch",
            "--site",
            str(SITES_DIR / f"{SITE_ID}.toml"),
            "--format",
            "json",
            "--db",
            str(warehouse_path),
        ],
    )
    assert result.exit_code == 0, result.output
    cli = json.loads(result.stdout[result.stdout.index("{") :])
    api.pop("solve_seconds")
    cli.pop("solve_seconds")
    assert api == cli
    assert api["from"] == "2023-08-01"
    assert api["intervals"] == 31 * 96  # August 2023, 15-minute intervals


def test_schedule_balances_energy(client: TestClient, site: dict[str, Any]) -> None:
    doc = client.post(
        "/api/dispatch", params={"from": "2023-08-10", "until": "2023-08-12", "schedule": "true"}, json=site
    ).json()
    rows = doc["schedule"]
    assert len(rows) == doc["intervals"] == 2 * 96
    hours = 0.25
    assert sum(r["mw_mining"] for r in rows) * hours == pytest.approx(doc["mwh"]["mining"], rel=1e-9)
    for r in rows:  # never above the interconnect
        assert r["mw_load"] <= site["interconnect_mw"] + 1e-6


@pytest.mark.parametrize(
    ("mutate", "fragment"),
    [
        (lambda s: s["fleets"][0].update(count=-3), "fleets[0].count"),
        (lambda s: s.update(interconnect_mw="lots"), "interconnect_mw"),
        (lambda s: s.update(unknown_field=1), "unknown_field"),
        (lambda s: s["contract"].pop("block_mw"), "block_mw"),
    ],
)
def test_bad_site_is_422_naming_the_field(
    client: TestClient, site: dict[str, Any], mutate: Any, fragment: str
) -> None:
    body = copy.deepcopy(site)
    mutate(body)
    response = client.post("/api/dispatch", json=body)
    assert response.status_code == 422
    assert fragment in response.json()["message"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "2023-08-10", "to": "2023-08-01"}, "to"),
        ({"from": "2020-01-01", "to": "2023-01-01"}, "to"),
        ({"from": "2023-08-01", "to": "2023-08-01", "until": "2023-08-02"}, "until"),  # one or the other
        ({"market": "spot"}, "market"),
        ({"window_days": 0}, "window_days"),
    ],
)
def test_bad_options_are_422(
    client: TestClient, site: dict[str, Any], params: dict[str, object], field: str
) -> None:
    response = client.post("/api/dispatch", params=params, json=site)
    assert response.status_code == 422
    assert f"'{field}'" in response.json()["message"]


def test_missing_prices_are_404_naming_the_span(client: TestClient, site: dict[str, Any]) -> None:
    response = client.post("/api/dispatch", params={"from": "2015-01-01", "until": "2015-01-02"}, json=site)
    assert response.status_code == 404
    assert "the warehouse has this series from" in response.json()["detail"]


@pytest.mark.parametrize(
    ("content", "fragment"),
    [("{bad", "request body: not valid JSON"), ("[1, 2]", "request body:"), ("", "request body:")],
)
def test_malformed_body_is_422(client: TestClient, content: str, fragment: str) -> None:
    response = client.post("/api/dispatch", content=content, headers={"Content-Type": "application/json"})
    assert response.status_code == 422
    assert response.json()["message"].startswith(fragment)
