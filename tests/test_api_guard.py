"""What the API refuses before doing work: bodies before auth, oversized bodies, over-cap bodies and
queries, unknown hosts; and what it no longer shows (paths) or keeps without bound (cache bytes).
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from wattshift.api import create_app
from wattshift.api.app import MAX_JSON_BODY_BYTES
from wattshift.api.cache import ResultCache
from wattshift.api.routers.data import MAX_UPLOAD_BYTES
from wattshift.api.routers.value import MAX_PATHS

TOKEN = "guard-token"
MiB = 1 << 20


#: Start of a multipart body holding one file field (the rest of the body is the file's bytes).
PART_HEAD = (
    b'--b\r\nContent-Disposition: form-data; name="file"; filename="upload.bin"\r\n'
    b"Content-Type: application/octet-stream\r\n\r\n"
)


def call_asgi(
    app: FastAPI, method: str, path: str, headers: dict[str, str], chunks: int, chunk_bytes: int = MiB
) -> tuple[int, int]:
    """Send a request straight to the ASGI app with a body of ``chunks`` chunks (a multipart file
    part when the content type is multipart).

    Returns (status, chunks the app received): how much of the body the app read before answering.
    """
    received = 0
    chunk = b"x" * chunk_bytes
    multipart = headers.get("content-type", "").startswith("multipart/")
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        nonlocal received
        if received >= chunks:
            return {"type": "http.disconnect"}
        received += 1
        body = PART_HEAD + chunk[len(PART_HEAD) :] if multipart and received == 1 else chunk
        return {"type": "http.request", "body": body, "more_body": received < chunks}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
        "client": ("127.0.0.1", 5000),
        "server": ("127.0.0.1", 8000),
        "state": {},
    }
    asyncio.run(app(scope, receive, send))  # type: ignore[arg-type]
    start = next(m for m in sent if m["type"] == "http.response.start")
    return int(start["status"]), received


@pytest.fixture
def app(tmp_path: Path) -> FastAPI:
    return create_app(tmp_path / "w.duckdb", token=TOKEN)


MULTIPART = {"content-type": "multipart/form-data; boundary=b"}


@pytest.mark.parametrize("auth", [None, "Bearer wrong", f"Basic {TOKEN}"])
def test_unauthorised_upload_is_401_before_any_body_byte_is_read(
    app: FastAPI, auth: str | None, tmp_path: Path
) -> None:
    headers = dict(MULTIPART)
    if auth:
        headers["authorization"] = auth
    status, received = call_asgi(app, "POST", "/api/data/ingest", headers, chunks=1024)
    assert (status, received) == (401, 0)
    assert not (tmp_path / "w.duckdb").exists()


def test_declared_oversized_upload_is_413_before_reading(app: FastAPI) -> None:
    headers = {**MULTIPART, "authorization": f"Bearer {TOKEN}", "content-length": str(MAX_UPLOAD_BYTES + 1)}
    status, received = call_asgi(app, "POST", "/api/data/ingest", headers, chunks=1024)
    assert (status, received) == (413, 0)


def test_streamed_oversized_upload_is_413_as_soon_as_it_passes_the_limit(app: FastAPI) -> None:
    headers = {**MULTIPART, "authorization": f"Bearer {TOKEN}"}  # chunked: no Content-Length
    limit_chunks = MAX_UPLOAD_BYTES // MiB
    status, received = call_asgi(app, "POST", "/api/data/ingest", headers, chunks=limit_chunks + 100)
    assert status == 413
    assert received == limit_chunks + 1  # the first chunk past the limit, not one more


def test_json_body_over_its_limit_is_413_while_streaming(app: FastAPI) -> None:
    headers = {"content-type": "application/json"}
    status, received = call_asgi(app, "POST", "/api/value", headers, chunks=64, chunk_bytes=64 * 1024)
    assert status == 413
    assert received == MAX_JSON_BODY_BYTES // (64 * 1024) + 1


@pytest.fixture
def client(app: FastAPI) -> TestClient:
    return TestClient(app, raise_server_exceptions=False)


@pytest.mark.parametrize("url", ["/api/value", "/api/jobs/value"])
def test_body_paths_are_capped_like_the_query(client: TestClient, url: str) -> None:
    site: dict[str, Any] = client.get("/api/sites/converting_to_ai").json()["site"]
    SITE = {**site, "valuation": {**site.get("valuation", {}), "paths": 10_000_000}}
    t0 = time.perf_counter()
    response = client.post(url, json=SITE)
    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["loc"] == ["body", "valuation.paths"]
    assert str(MAX_PATHS) in response.json()["message"]
    assert time.perf_counter() - t0 < 5  # refused, not computed
    huge_chunk = {**SITE, "valuation": {"paths": 100, "chunk_paths": 10_000_000}}
    assert client.post(url, json=huge_chunk).json()["detail"][0]["loc"] == ["body", "valuation.chunk_paths"]
    assert client.post(url, json={**SITE, "valuation": {"years": 31}}).status_code == 422


def test_backtest_horizons_are_capped(client: TestClient) -> None:
    many = ",".join(str(h) for h in range(1, 2001))
    assert client.get("/api/signals/backtest", params={"horizons": many}).status_code == 422
    seventeen = ",".join(str(h) for h in range(1, 18))
    response = client.get("/api/signals/backtest", params={"horizons": seventeen})
    assert response.status_code == 422
    assert "at most 16 horizons" in response.json()["detail"][0]["msg"]


def test_health_shows_no_path(client: TestClient, tmp_path: Path) -> None:
    response = client.get("/api/health")
    assert response.status_code == 200
    assert str(tmp_path) not in response.text
    assert "path" not in response.json()


def test_allowed_hosts_from_argument_and_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    only = TestClient(
        create_app(tmp_path / "w.duckdb", hosts=["api.example.org"]), base_url="http://evil.test"
    )
    assert only.get("/api/health").status_code == 400
    assert only.get("/api/health", headers={"host": "api.example.org"}).status_code == 200
    monkeypatch.setenv("WATTSHIFT_ALLOWED_HOSTS", "a.example.org, *.b.example.org")
    env = TestClient(create_app(tmp_path / "w.duckdb"), base_url="http://x.b.example.org")
    assert env.get("/api/health").status_code == 200
    assert env.get("/api/health", headers={"host": "c.example.org"}).status_code == 400
    monkeypatch.delenv("WATTSHIFT_ALLOWED_HOSTS")
    assert TestClient(create_app(tmp_path / "w.duckdb")).get("/api/health").status_code == 200


def test_cache_is_bounded_in_bytes(tmp_path: Path) -> None:
    cache = ResultCache(tmp_path / "w.duckdb", max_entries=100, max_bytes=1000)
    for i in range(20):
        value = bytes([i]) * 200
        assert cache.get_or_compute(("k", i), lambda value=value: value) == value  # type: ignore[misc]
        assert cache.bytes <= 1000
    assert cache.bytes == 1000  # five entries of 200 bytes
    assert cache.lookup(("k", 19)) == bytes([19]) * 200  # the most recent are kept
    assert cache.lookup(("k", 14)) is None  # the oldest went first
    big = cache.get_or_compute(("big",), lambda: b"y" * 600)  # over a quarter of the bound: not kept
    assert big == b"y" * 600
    assert cache.lookup(("big",)) is None
    assert cache.bytes == 1000


def test_busy_means_duckdbs_lock_conflict_only() -> None:
    from wattshift.api.deps import is_busy
    from wattshift.errors import WattshiftError

    held = 'IO Error: Could not set lock on file "w.duckdb": Conflicting lock is held'
    assert is_busy(WattshiftError(held))
    assert not is_busy(WattshiftError("cannot open the warehouse w.duckdb: block 7 is corrupt"))
    assert not is_busy(WattshiftError("w.duckdb has schema version 3, this wattshift needs 4"))
