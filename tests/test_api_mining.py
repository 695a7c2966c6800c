"""Mining endpoints on the real warehouse: a published hashprice, CLI parity, validation."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient


def test_hashprice_matches_luxor_on_2024_04_01(client: TestClient) -> None:
    # signals.md: Luxor Hashrate Index, 108.6 USD/PH/day on 2024-04-01.
    day = client.get(
        "/api/mining", params={"date": "2024-04-01", "efficiency_j_per_th": 20, "power_usd_per_kwh": 0.05}
    ).json()
    assert day["hashprice_usd_per_ph_day"] == pytest.approx(108.6, rel=0.01)
    assert day["assumptions"]["efficiency_j_per_th"] == 20
    assert day["assumptions"]["power_usd_per_kwh"] == 0.05


def test_day_equals_cli_json(client: TestClient, cli_json: Callable[..., Any]) -> None:
    params = {
        "date": "2024-04-19",
        "asic": "Antminer S21 XP (270T)",
        "power_usd_per_kwh": 0.045,
        "pool_fee": 0.01,
    }
    api = client.get("/api/mining", params=params).json()
    cli = cli_json(
        "mining",
        "--date",
        "2024-04-19",
        "--asic",
        "Antminer S21 XP (270T)",
        "--power-usd-per-kwh",
        "0.045",
        "--pool-fee",
        "0.01",
    )
    assert api == cli
    assert api["assumptions"]["asic"] == "Antminer S21 XP (270T)"
    assert api["assumptions"]["pool_fee"] == 0.01


def test_history_equals_cli_json(client: TestClient, cli_json: Callable[..., Any]) -> None:
    params = {
        "from": "2024-04-15",
        "to": "2024-04-25",
        "efficiency_j_per_th": 17.5,
        "power_usd_per_kwh": 0.06,
    }
    api = client.get("/api/mining/history", params=params).json()
    assert [d["date"] for d in api["days"]] == [f"2024-04-{d}" for d in range(15, 26)]
    cli = cli_json(
        "mining",
        "history",
        "--from",
        "2024-04-15",
        "--to",
        "2024-04-25",
        "--efficiency-j-per-th",
        "17.5",
        "--power-usd-per-kwh",
        "0.06",
    )
    assert api == cli


def test_asics_equal_cli_json_and_are_sorted(client: TestClient, cli_json: Callable[..., Any]) -> None:
    api = client.get("/api/mining/asics", params={"power_usd_per_kwh": 0.05}).json()
    efficiencies = [m["efficiency_j_per_th"] for m in api["models"]]
    assert efficiencies == sorted(efficiencies)
    assert len(api["models"]) == 50  # asics/asic_models.csv: 50 models
    assert api == cli_json("asics", "--power-usd-per-kwh", "0.05")


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"efficiency_j_per_th": 20}, "power_usd_per_kwh"),
        ({"power_usd_per_kwh": 0.05}, "efficiency_j_per_th"),
        ({"power_usd_per_kwh": 0.05, "efficiency_j_per_th": 20, "asic": "S21"}, "efficiency_j_per_th"),
        ({"power_usd_per_kwh": 0.05, "efficiency_j_per_th": -1}, "efficiency_j_per_th"),
        ({"power_usd_per_kwh": 50, "efficiency_j_per_th": 20}, "power_usd_per_kwh"),
        ({"power_usd_per_kwh": "inf", "efficiency_j_per_th": 20}, "power_usd_per_kwh"),
        ({"power_usd_per_kwh": 0.05, "efficiency_j_per_th": 20, "pue": 0.5}, "pue"),
        ({"power_usd_per_kwh": 0.05, "efficiency_j_per_th": 20, "pool_fee": 2}, "pool_fee"),
        ({"power_usd_per_kwh": 0.05, "efficiency_j_per_th": 20, "date": "2024-02-30"}, "date"),
    ],
)
def test_bad_parameters_are_422_naming_the_field(
    client: TestClient, params: dict[str, object], field: str
) -> None:
    response = client.get("/api/mining", params=params)
    assert response.status_code == 422
    assert f"'{field}'" in response.json()["message"]


def test_history_to_before_from_is_422(client: TestClient) -> None:
    response = client.get(
        "/api/mining/history",
        params={
            "from": "2024-02-01",
            "to": "2024-01-01",
            "efficiency_j_per_th": 20,
            "power_usd_per_kwh": 0.05,
        },
    )
    assert response.status_code == 422
    assert "'to'" in response.json()["message"]


def test_unknown_date_and_model_are_404(client: TestClient) -> None:
    day = client.get(
        "/api/mining", params={"date": "1999-01-01", "efficiency_j_per_th": 20, "power_usd_per_kwh": 0.05}
    )
    assert day.status_code == 404
    assert "covers 2009-01-03 to" in day.json()["detail"]
    model = client.get("/api/mining", params={"asic": "Antminer S99", "power_usd_per_kwh": 0.05})
    assert model.status_code == 404
    assert "Antminer S99" in model.json()["detail"]
