"""``POST /api/value`` on the real BTC history: CLI parity, fan ordering, validation."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from wattshift.api.routers.value import FAN_PERCENTILES
from wattshift.cli import app as cli_app
from wattshift.services.sites import examples_dir

SITES_DIR = examples_dir() / "sites"
SITE_ID = "converting_to_ai"
SMALL = {"paths": 40, "years": 3, "seed": 7}


def test_value_equals_cli_json(client: TestClient, site: dict[str, Any], warehouse_path: Path) -> None:
    api = client.post("/api/value", params=SMALL, json=site).json()
    args = ["value", "--site", str(SITES_DIR / f"{SITE_ID}.toml"), "--format", "json"]
    args += ["--paths", "40", "--years", "3", "--seed", "7", "--db", str(warehouse_path)]
    result = CliRunner().invoke(cli_app, args)
    assert result.exit_code == 0, result.output
    assert api == json.loads(result.stdout)
    assert (api["paths"], api["years"], api["seed"]) == (40, 3, 7)
    assert [s["year"] for s in api["conversion_schedule"]] == list(
        range(api["conversion_schedule"][0]["year"], api["conversion_schedule"][0]["year"] + 3)
    )


def test_fan_has_ordered_percentiles_per_month(client: TestClient, site: dict[str, Any]) -> None:
    doc = client.post("/api/value", params={**SMALL, "fan": "true"}, json=site).json()
    fan = doc["fan"]
    assert fan["month"] == list(range(1, 3 * 12 + 1))
    for business in doc["npv_usd"]:
        bands = [fan[business][f"p{p}"] for p in FAN_PERCENTILES]
        for month in range(len(fan["month"])):
            column = [band[month] for band in bands]
            assert column == sorted(column)


def test_sensitivity_tornado_on_request(client: TestClient, site: dict[str, Any]) -> None:
    plain = client.post("/api/value", params=SMALL, json=site).json()
    assert "sensitivity" not in plain
    doc = client.post("/api/value", params={**SMALL, "sensitivity": "true"}, json=site).json()
    bars = doc["sensitivity"]
    assert len(bars) == 22 and {b["business"] for b in bars} == {"ai", "mining"}
    assert set(bars[0]) == {"input", "business", "low", "high", "npv_low_usd", "npv_high_usd", "npv_base_usd"}
    # the base of the tornado is the p50 of the same run's paths
    ai_base = next(b["npv_base_usd"] for b in bars if b["business"] == "ai")
    assert ai_base == doc["npv_usd"]["ai"]["p50"]


@pytest.mark.parametrize(
    ("params", "field"),
    [({"paths": 5}, "paths"), ({"paths": 10**6}, "paths"), ({"years": 0}, "years"), ({"seed": -1}, "seed")],
)
def test_bad_options_are_422(
    client: TestClient, site: dict[str, Any], params: dict[str, int], field: str
) -> None:
    response = client.post("/api/value", params=params, json=site)
    assert response.status_code == 422
    assert f"'{field}'" in response.json()["message"]


def test_bad_valuation_table_is_422(client: TestClient, site: dict[str, Any]) -> None:
    body = {**site, "valuation": {"years": "many"}}
    response = client.post("/api/value", params=SMALL, json=body)
    assert response.status_code == 422
    assert "valuation.years" in response.json()["message"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"flex_from": "2024-08-01"}, "flex_to"),
        ({"flex_to": "2024-08-08"}, "flex_from"),
        ({"flex_from": "2024-08-08", "flex_to": "2024-08-01"}, "flex_to"),
    ],
)
def test_flex_span_needs_both_dates_422(
    client: TestClient, site: dict[str, Any], params: dict[str, str], field: str
) -> None:
    response = client.post("/api/value", params={**SMALL, **params}, json=site)
    assert response.status_code == 422
    assert f"'{field}'" in response.json()["message"]


def test_flex_from_dispatch_equals_cli(client: TestClient, warehouse_path: Path) -> None:
    site_id = "west_texas_hybrid"
    body = client.get(f"/api/sites/{site_id}").json()["site"]
    params = {**SMALL, "flex_from": "2024-08-01", "flex_to": "2024-08-08"}
    api = client.post("/api/value", params=params, json=body).json()
    args = ["value", "--site", str(SITES_DIR / f"{site_id}.toml"), "--format", "json"]
    args += ["--paths", "40", "--years", "3", "--seed", "7", "--db", str(warehouse_path)]
    args += ["--flex-from", "2024-08-01", "--flex-to", "2024-08-08"]
    result = CliRunner().invoke(cli_app, args)
    assert result.exit_code == 0, result.output
    assert api == json.loads(result.stdout)
    assert api["calibration"]["flex_source"]["node"] == "HB_WEST"
    assert api["calibration"]["flex_revenue_usd_per_mw_month"] > 0.0
