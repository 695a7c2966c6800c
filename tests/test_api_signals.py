"""Signal endpoints on the real warehouse: published reference values, CLI parity, 404/422."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient


def test_signals_day_reproduces_published_values(client: TestClient) -> None:
    # signals.md: Puell Multiple 0.35 on 2022-06-17 (Glassnode); MVRV Z negative from 2022-06-13.
    day = client.get("/api/signals", params={"date": "2022-06-17"}).json()
    assert day["date"] == "2022-06-17"
    assert day["puell"] == pytest.approx(0.35, abs=0.01)
    assert day["mvrv_z"] < 0
    assert set(day["confluence"]["indicators"]) <= {"hash_ribbons", "puell", "mvrv_z", "fear_greed"}
    assert day["confluence"]["count"] == len(day["confluence"]["indicators"])
    # Fear & Greed record low 5 on 2019-08-22 (alternative.me).
    low = client.get("/api/signals", params={"date": "2019-08-22"}).json()
    assert low["fear_greed"]["value"] == 5
    assert low["fear_greed"]["classification"] == "Extreme Fear"


def test_signals_day_equals_cli_json(client: TestClient, cli_json: Callable[..., Any]) -> None:
    api = client.get("/api/signals", params={"date": "2023-01-14"}).json()
    assert api == cli_json("signals", "--date", "2023-01-14")
    latest = client.get("/api/signals").json()
    assert latest == cli_json("signals")


def test_history_is_inclusive_daily_and_equals_cli(client: TestClient, cli_json: Callable[..., Any]) -> None:
    rows = client.get("/api/signals/history", params={"from": "2024-01-01", "to": "2024-01-31"}).json()
    assert [r["date"] for r in rows] == [
        (dt.date(2024, 1, 1) + dt.timedelta(days=i)).isoformat() for i in range(31)
    ]
    assert rows == cli_json("signals", "history", "--from", "2024-01-01", "--to", "2024-01-31")


def test_ribbons_contain_published_buys_and_equal_cli(
    client: TestClient, cli_json: Callable[..., Any]
) -> None:
    episodes = client.get("/api/signals/ribbons").json()
    buys = {e["buy"] for e in episodes}
    assert "2023-01-14" in buys  # signals.md: buy 2023-01-14 after the 2022-11-27 capitulation
    assert episodes == cli_json("signals", "ribbons")


def test_backtest_horizons_and_cli_parity(client: TestClient, cli_json: Callable[..., Any]) -> None:
    rows = client.get("/api/signals/backtest", params={"horizons": "30,365"}).json()
    assert {r["horizon_days"] for r in rows} == {30, 365}
    n = {(r["signal"], r["horizon_days"]): r["n"] for r in rows}
    # A longer horizon drops the days whose forward window runs past the data.
    assert n[("all days", 365)] < n[("all days", 30)]
    assert rows == cli_json("signals", "backtest", "--horizons", "30,365")


@pytest.mark.parametrize(
    ("params", "fragment"),
    [
        ({"date": "1990-01-01"}, "2009-01-03 to"),
        ({"date": "2100-01-01"}, "2009-01-03 to"),
    ],
)
def test_unknown_day_is_404_naming_the_span(
    client: TestClient, params: dict[str, str], fragment: str
) -> None:
    response = client.get("/api/signals", params=params)
    assert response.status_code == 404
    assert fragment in response.json()["detail"]


def test_history_outside_the_data_is_404(client: TestClient) -> None:
    response = client.get("/api/signals/history", params={"from": "1990-01-01", "to": "1990-12-31"})
    assert response.status_code == 404
    assert "the warehouse covers" in response.json()["detail"]
