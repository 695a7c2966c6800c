"""The daily snapshot gives the same answers as the warehouse, and the API rebuilds it per version."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from wattshift.api import create_app
from wattshift.services import mining, signals
from wattshift.services.derived import DailySnapshot
from wattshift.warehouse import Warehouse

DAYS = [None, "2022-06-17", "2020-05-11", "2013-04-01", "2011-01-01"]


@pytest.fixture(scope="module")
def snapshot(warehouse: Warehouse) -> DailySnapshot:
    return DailySnapshot.build(warehouse, version="v1")


@pytest.mark.parametrize("day", DAYS)
def test_one_day_answers_equal_the_warehouse_answers(
    warehouse: Warehouse, snapshot: DailySnapshot, day: str | None
) -> None:
    assert signals.signals_day(snapshot, day) == signals.signals_day(warehouse, day)
    on_snapshot = mining.mining_day(snapshot, day, efficiency_j_per_th=17.5, power_usd_per_kwh=0.05)
    on_warehouse = mining.mining_day(warehouse, day, efficiency_j_per_th=17.5, power_usd_per_kwh=0.05)
    assert json.dumps(on_snapshot) == json.dumps(on_warehouse)


def test_history_and_backtest_equal_the_warehouse_answers(
    warehouse: Warehouse, snapshot: DailySnapshot
) -> None:
    pd.testing.assert_frame_equal(
        signals.signals_history(snapshot, "2020-01-01", "2020-12-31"),
        signals.signals_history(warehouse, "2020-01-01", "2020-12-31"),
    )
    pd.testing.assert_frame_equal(
        signals.backtest(snapshot, (30, 365)), signals.backtest(warehouse, (30, 365))
    )
    assert signals.ribbons(snapshot) == signals.ribbons(warehouse)
    pd.testing.assert_frame_equal(
        snapshot.btc_daily("2021-01-01", "2021-01-31"), warehouse.btc_daily("2021-01-01", "2021-01-31")
    )
    pd.testing.assert_frame_equal(snapshot.fear_greed("2021-01-01"), warehouse.fear_greed("2021-01-01"))


def test_snapshot_frames_are_not_changed_by_callers(snapshot: DailySnapshot) -> None:
    before = snapshot.btc["price_usd"].sum()
    frame = snapshot.btc_daily()
    frame["price_usd"] = 0.0
    assert snapshot.btc["price_usd"].sum() == before


def test_api_builds_one_snapshot_per_warehouse_version(tmp_path: Path, shared_data_dir: Path) -> None:
    db = tmp_path / "w.duckdb"
    btc_file = next((shared_data_dir / "onchain").glob("coinmetrics_btc_daily_2009-*.csv"))
    with Warehouse(db) as wh:
        wh.ingest_file(btc_file)
    app = create_app(db, token="t")
    client = TestClient(app, raise_server_exceptions=False)
    access = app.state.warehouse
    first = client.get("/api/signals", params={"date": "2022-06-17"}).json()
    assert first["fear_greed"]["value"] is None  # no Fear & Greed file yet
    built = access.fresh_snapshot()
    assert built is not None
    for day in ("2022-06-16", "2022-06-15"):
        assert client.get("/api/signals", params={"date": day}).status_code == 200
        assert access.fresh_snapshot() is built  # a lookup, not a rebuild
    fng = next((shared_data_dir / "onchain").glob("alternative_me_fear_greed_daily_*.csv"))
    with Warehouse(db) as wh:  # an ingest outside the app (the server holds no connection)
        wh.ingest_file(fng)
    assert access.fresh_snapshot() is None  # the file changed: a new version
    again = client.get("/api/signals", params={"date": "2022-06-17"}).json()
    assert again["fear_greed"]["value"] is not None
    assert access.fresh_snapshot() is not built


def test_economics_history_is_materialised_from_the_second_use_and_bounded(warehouse: Warehouse) -> None:
    from wattshift.config.mining import MiningAssumptions
    from wattshift.services.derived import MAX_ECONOMICS_SETS

    snap = DailySnapshot.build(warehouse, version="v2")
    a = MiningAssumptions()
    assert snap.economics(20.0, 0.05, a) is None  # first use: one day is computed alone
    frame = snap.economics(20.0, 0.05, a)
    assert frame is not None and len(frame) == len(snap.btc)
    assert snap.economics(20.0, 0.05, a) is frame  # kept
    for i in range(MAX_ECONOMICS_SETS + 5):
        snap.economics(20.0, 0.01 * i, a)
        snap.economics(20.0, 0.01 * i, a)
    assert len(snap._economics) == MAX_ECONOMICS_SETS
    on_snapshot = mining.mining_day(snap, "2024-04-01", efficiency_j_per_th=20.0, power_usd_per_kwh=0.05)
    on_warehouse = mining.mining_day(
        warehouse, "2024-04-01", efficiency_j_per_th=20.0, power_usd_per_kwh=0.05
    )
    assert on_snapshot == on_warehouse
