"""``GET /api/fleet``, ``POST /api/fleet/apply`` (token; dry run unless confirm), ``GET /api/alerts``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from wattshift.api import create_app
from wattshift.testing.miners import EmulatedMiner, MinerFarm, can_bind_port_80, loopback_addresses
from wattshift.warehouse import Warehouse

W = 3068.0
SITE = (
    'name = "API site"\ninterconnect_mw = 1.0\n'
    '[[fleets]]\nname = "a"\npower_mw = 0.0184\nefficiency_j_per_th = 29.5\n'
)
TOKEN = "test-token"


@pytest.fixture
def client(tmp_path: Path) -> Iterator[tuple[TestClient, MinerFarm]]:
    if not can_bind_port_80():
        pytest.skip("needs root or CAP_NET_BIND_SERVICE (port 80)")
    (tmp_path / "site.toml").write_text(SITE)
    (tmp_path / "inventory.toml").write_text(
        'site = "site.toml"\n[control]\ntimeout_s = 2.0\nattempts = 2\nbackoff_s = 0.01\n'
        '[[miners]]\nfleet = "a"\nips = "127.46.0.1-6"\nmodel = "Antminer S19j Pro"\n'
        f'firmware = "luxos"\npower_w = {W}\n'
    )
    db = tmp_path / "w.duckdb"
    Warehouse(db).close()
    app = create_app(db, token=TOKEN)
    app.state.fleet_inventory = str(tmp_path / "inventory.toml")
    miners = [EmulatedMiner(ip, "luxos", power_w=W) for ip in loopback_addresses(6, base="127.46.0.0")]
    with MinerFarm.start(miners) as farm, TestClient(app) as test_client:
        yield test_client, farm


def _plan(site: str = "API site") -> dict[str, Any]:
    return {
        "date": "2026-06-01",
        "site": site,
        "timezone": "UTC",
        "intervals": [{"start": "2026-06-01T00:00:00Z", "mining_mw": {"a": 2 * W / 1e6}}],
    }


def test_fleet_apply_and_alerts(client: tuple[TestClient, MinerFarm]) -> None:
    http, farm = client
    now = http.get("/api/fleet")
    assert now.status_code == 200
    fleet = now.json()["fleets"][0]
    assert (
        fleet["hashing"] == 6
        and fleet["power_mw"] == pytest.approx(6 * W / 1e6)
        and fleet["planned_mw"] is None
    )
    at = {"at": "2026-06-01T00:10:00Z"}
    assert http.post("/api/fleet/apply", params=at, json=_plan()).status_code == 401
    auth = {"Authorization": f"Bearer {TOKEN}"}
    dry = http.post("/api/fleet/apply", params=at, json=_plan(), headers=auth)
    assert dry.status_code == 200 and dry.json()["dry_run"] and len(dry.json()["actions"]) == 4
    assert not any(m.control_log for m in farm.miners.values())
    sent = http.post("/api/fleet/apply", params=at | {"confirm": "true"}, json=_plan(), headers=auth)
    assert sent.status_code == 200 and sent.json()["complete"]
    assert sum(m.mining for m in farm.miners.values()) == 2
    audit = http.get("/api/fleet").json()["audit"]
    assert len(audit) == 8 and {r["requested_by"] for r in audit} == {"api"}
    other = http.post("/api/fleet/apply", params=at, json=_plan("Elsewhere"), headers=auth)
    assert other.status_code == 422 and "the plan is for site 'Elsewhere'" in other.json()["detail"]
    assert http.get("/api/alerts").json() == []
    page = http.get("/fleet")
    assert page.status_code == 200 and "Planned vs actual MW per fleet" in page.text
