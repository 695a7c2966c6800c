"""Typed OpenAPI: the main endpoints name a response model, and real responses validate against it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from wattshift.api import create_app
from wattshift.api.models import DispatchOut, MiningDayOut, PlanOut, SignalsDayOut


@pytest.fixture(scope="module")
def client(warehouse_path: Path) -> Iterator[TestClient]:
    with TestClient(create_app(warehouse_path, token="t")) as opened:
        yield opened


def test_openapi_names_the_models(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()

    def schema(path: str, method: str) -> str:
        content = spec["paths"][path][method]["responses"]["200"]["content"]["application/json"]
        return str(content["schema"]["$ref"]).rsplit("/", 1)[-1]

    assert schema("/api/mining", "get") == "MiningDayOut"
    assert schema("/api/signals", "get") == "SignalsDayOut"
    assert schema("/api/plan", "get") == "PlanOut"
    assert schema("/api/dispatch", "post") == "DispatchOut"
    fields = spec["components"]["schemas"]["MiningDayOut"]["properties"]
    assert "hashprice_usd_per_ph_day" in fields and "assumptions" in fields


def test_real_responses_match_their_models(client: TestClient) -> None:
    mining = client.get("/api/mining", params={"asic": "Antminer S21 (200T)", "power_usd_per_kwh": 0.05})
    assert mining.status_code == 200
    day = MiningDayOut.model_validate(mining.json())
    assert day.assumptions.efficiency_j_per_th == 17.5  # 3500 W / 200 TH/s
    signals = SignalsDayOut.model_validate(client.get("/api/signals", params={"date": "2026-03-01"}).json())
    assert signals.confluence.available == 4
    plan = client.get("/api/plan", params={"site": "fixed_block_700mw", "date": "2023-08-15"})
    assert plan.status_code == 200
    assert len(PlanOut.model_validate(plan.json()).intervals) == 96  # 24 h of 15-minute intervals
    sites = {s["id"]: s["site"] for s in client.get("/api/sites").json()}
    run = client.post(
        "/api/dispatch", params={"from": "2023-08-01", "to": "2023-08-01"}, json=sites["fixed_block_700mw"]
    )
    assert run.status_code == 200, run.text
    doc = DispatchOut.model_validate(run.json())
    # `to` is the last day, inclusive: one operating day; the document's `to` is its exclusive end
    assert doc.intervals == 96 and doc.to.isoformat() == "2023-08-02"
