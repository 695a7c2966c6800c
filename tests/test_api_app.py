"""API plumbing: health, OpenAPI, error mapping, token auth, the result cache and the RW lock."""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

import pytest
from fastapi import APIRouter, Depends, FastAPI
from fastapi.testclient import TestClient

from wattshift import __version__
from wattshift.api import create_app
from wattshift.api.auth import TOKEN_ENV, require_token, resolve_token
from wattshift.api.cache import ResultCache
from wattshift.api.errors import INTERNAL_ERROR_DETAIL, field_name
from wattshift.api.rwlock import ReadWriteLock
from wattshift.errors import ConfigError, DataError, NotInWarehouseError, WattshiftError

TOKEN = "test-token-123"


@pytest.fixture
def app(tmp_path: Path) -> FastAPI:
    """An app over a warehouse file that does not exist yet, with routes raising each error kind."""
    app = create_app(tmp_path / "missing.duckdb", token=TOKEN)
    probe = APIRouter()

    @probe.get("/probe/not-in-warehouse")
    def not_in_warehouse() -> None:
        raise NotInWarehouseError("no data for 1990-01-01: the warehouse covers 2010-07-18 to 2026-06-01")

    @probe.get("/probe/config")
    def config() -> None:
        raise ConfigError("<site>: fleets[0].count: must be > 0")

    @probe.get("/probe/data")
    def data() -> None:
        raise DataError("not a number", file="x.csv", line=7, column="price")

    @probe.get("/probe/other")
    def other() -> None:
        raise WattshiftError("something the user can fix")

    @probe.get("/probe/crash")
    def crash() -> None:
        raise RuntimeError("secret /etc/passwd detail")

    @probe.get("/probe/protected", dependencies=[Depends(require_token)])
    def protected() -> dict[str, bool]:
        return {"ok": True}

    app.include_router(probe)
    return app


@pytest.fixture
def client(app: FastAPI) -> TestClient:
    return TestClient(app, raise_server_exceptions=False)


def test_health_reports_version_and_missing_warehouse(client: TestClient, tmp_path: Path) -> None:
    body = client.get("/api/health").json()
    assert body == {
        "status": "ok",
        "version": __version__,
        "warehouse_exists": False,
    }
    assert str(tmp_path) not in client.get("/api/health").text  # no server path reaches a client


def test_openapi_and_docs_are_served(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert spec["info"]["title"] == "wattshift"
    assert "/api/health" in spec["paths"]
    assert "/api/signals" in spec["paths"]
    docs = client.get("/docs")
    assert docs.status_code == 200
    assert "swagger" in docs.text.lower()


@pytest.mark.parametrize(
    ("path", "status", "error", "fragment"),
    [
        ("/probe/not-in-warehouse", 404, "NotInWarehouseError", "the warehouse covers 2010-07-18"),
        ("/probe/config", 422, "ConfigError", "fleets[0].count"),
        ("/probe/data", 422, "DataError", "x.csv, line 7, column 'price'"),
        ("/probe/other", 400, "WattshiftError", "something the user can fix"),
    ],
)
def test_wattshift_errors_map_to_status(
    client: TestClient, path: str, status: int, error: str, fragment: str
) -> None:
    response = client.get(path)
    assert response.status_code == status
    body = response.json()
    assert body["error"] == error
    assert fragment in body["detail"]


def test_unexpected_error_is_500_without_details_and_logged(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="wattshift.api"):
        response = client.get("/probe/crash")
    assert response.status_code == 500
    assert response.json() == {"detail": INTERNAL_ERROR_DETAIL}
    assert "secret" not in response.text
    assert "Traceback" not in response.text
    assert any("RuntimeError" in (r.exc_text or "") for r in caplog.records)


def test_missing_warehouse_is_404_naming_the_fix(client: TestClient) -> None:
    response = client.get("/api/signals")
    assert response.status_code == 404
    assert "no warehouse yet" in response.json()["detail"]
    assert "wattshift data ingest" in response.json()["detail"]


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/api/signals?date=2024-13-01", "date"),
        ("/api/signals?date=yesterday", "date"),
        ("/api/signals/history?from=2024-02-30", "from"),
        ("/api/signals/history?from=2024-03-01&to=2024-02-01", "to"),
        ("/api/signals/ribbons?merge_gap_days=-1", "merge_gap_days"),
        ("/api/signals/ribbons?previous_day_hashrate=maybe", "previous_day_hashrate"),
        ("/api/signals/backtest?horizons=30,abc", "horizons"),
        ("/api/signals/backtest?horizons=0,30", "horizons"),
    ],
)
def test_bad_parameters_are_422_naming_the_field(client: TestClient, url: str, field: str) -> None:
    response = client.get(url)
    assert response.status_code == 422
    body = response.json()
    assert f"'{field}'" in body["message"]
    assert any(e["loc"][-1] == field for e in body["detail"])


@pytest.mark.parametrize(
    ("loc", "name"),
    [
        (("query", "date"), "date"),
        (("body", "fleets", 0, "count"), "fleets[0].count"),
        (("body",), "request"),
        (("body", "gpu", "firm_mw"), "gpu.firm_mw"),
    ],
)
def test_field_name(loc: tuple[int | str, ...], name: str) -> None:
    assert field_name(loc) == name


def test_token_required(client: TestClient) -> None:
    assert client.get("/probe/protected").status_code == 401
    wrong = client.get("/probe/protected", headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401
    assert wrong.headers["www-authenticate"] == "Bearer"
    basic = client.get("/probe/protected", headers={"Authorization": f"Basic {TOKEN}"})
    assert basic.status_code == 401
    ok = client.get("/probe/protected", headers={"Authorization": f"Bearer {TOKEN}"})
    assert ok.status_code == 200
    assert ok.json() == {"ok": True}


def test_resolve_token_precedence(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(TOKEN_ENV, "from-env")
    assert resolve_token("explicit") == ("explicit", False)
    assert resolve_token(None) == ("from-env", False)
    monkeypatch.delenv(TOKEN_ENV)
    first, generated = resolve_token(None)
    second, _ = resolve_token(None)
    assert generated
    assert first != second
    assert len(first) >= 40  # 32 random bytes, URL-safe base64


def test_app_uses_env_token(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(TOKEN_ENV, "env-secret")
    app = create_app(tmp_path / "w.duckdb")
    assert app.state.api_token == "env-secret"
    assert app.state.api_token_generated is False


def test_cache_computes_concurrent_identical_requests_once(tmp_path: Path) -> None:
    cache = ResultCache(tmp_path / "w.duckdb")
    calls = 0
    gate = threading.Event()

    def compute() -> bytes:
        nonlocal calls
        calls += 1
        gate.wait(5)
        return b"result"

    results: list[bytes] = []
    threads = [
        threading.Thread(target=lambda: results.append(cache.get_or_compute("k", compute))) for _ in range(8)
    ]
    for t in threads:
        t.start()
    time.sleep(0.1)
    gate.set()
    for t in threads:
        t.join(5)
    assert results == [b"result"] * 8
    assert calls == 1


def test_cache_invalidated_by_file_change_and_by_invalidate(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    db.write_bytes(b"a")
    cache = ResultCache(db)
    counter = iter(range(100))
    assert cache.get_or_compute("k", lambda: next(counter)) == 0
    assert cache.get_or_compute("k", lambda: next(counter)) == 0
    db.write_bytes(b"ab")  # size (and mtime) change: a write by another process
    assert cache.get_or_compute("k", lambda: next(counter)) == 1
    cache.invalidate()
    assert cache.get_or_compute("k", lambda: next(counter)) == 2
    assert cache.get_or_compute("other", lambda: next(counter)) == 3


def test_cache_does_not_keep_errors(tmp_path: Path) -> None:
    cache = ResultCache(tmp_path / "w.duckdb")

    def fail() -> int:
        raise NotInWarehouseError("not yet")

    with pytest.raises(NotInWarehouseError):
        cache.get_or_compute("k", fail)
    assert cache.get_or_compute("k", lambda: 5) == 5


def test_cache_evicts_least_recently_used(tmp_path: Path) -> None:
    cache = ResultCache(tmp_path / "w.duckdb", max_entries=2)
    cache.get_or_compute("a", lambda: 1)
    cache.get_or_compute("b", lambda: 2)
    cache.get_or_compute("a", lambda: -1)  # hit: "a" becomes most recent
    cache.get_or_compute("c", lambda: 3)  # evicts "b"
    assert cache.get_or_compute("a", lambda: -1) == 1
    assert cache.get_or_compute("b", lambda: 22) == 22


def test_rwlock_readers_share_writer_excludes() -> None:
    lock = ReadWriteLock()
    events: list[str] = []
    inside = threading.Barrier(2, timeout=5)

    def reader(name: str) -> None:
        with lock.read():
            inside.wait()  # both readers are inside at once, or this times out
            events.append(name)
            time.sleep(0.05)

    def writer() -> None:
        time.sleep(0.01)
        with lock.write():
            events.append("writer")

    threads = [threading.Thread(target=reader, args=(n,)) for n in ("r1", "r2")]
    threads.append(threading.Thread(target=writer))
    for t in threads:
        t.start()
    for t in threads:
        t.join(5)
    assert sorted(events[:2]) == ["r1", "r2"]
    assert events[2] == "writer"
