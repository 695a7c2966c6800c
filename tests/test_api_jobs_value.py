"""``POST /api/jobs/value`` on the real BTC history: progress in chunks, the synchronous result, errors."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from wattshift.api import create_app

SITE_ID = "converting_to_ai"
#: 150 paths in chunks of 64: 64 + 64 + 22, i.e. three chunks.
SMALL = {"paths": 150, "years": 3, "seed": 7}


def _poll(
    client: TestClient, url: str, timeout_s: float = 60.0
) -> tuple[dict[str, Any], list[tuple[int, int]]]:
    """Poll a status URL until the job has finished; the final document and every (done, total) seen."""
    seen: list[tuple[int, int]] = []
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        response = client.get(url)
        assert response.status_code == 200, response.text
        doc: dict[str, Any] = response.json()
        seen.append((doc["done"], doc["total"]))
        if doc["state"] in ("done", "error"):
            return doc, seen
        assert doc["state"] in ("queued", "running")
        time.sleep(0.02)
    raise AssertionError(f"{url} did not finish in {timeout_s} s")


@pytest.fixture(scope="module")
def site(site: dict[str, Any]) -> dict[str, Any]:
    """The example site (conftest's ``site``) valued in chunks of 64 paths."""
    return {**site, "valuation": {**(site.get("valuation") or {}), "chunk_paths": 64}}


@pytest.mark.parametrize("fan", [False, True])
def test_value_job_counts_chunks_and_equals_the_synchronous_result(
    client: TestClient, site: dict[str, Any], fan: bool
) -> None:
    params = {**SMALL, "fan": str(fan).lower()}
    started = client.post("/api/jobs/value", params=params, json=site)
    assert started.status_code == 202, started.text
    body = started.json()
    assert body["state"] == "queued" and len(body["job_id"]) == 32
    assert body["status_url"] == f"/api/jobs/{body['job_id']}" == started.headers["location"]
    doc, seen = _poll(client, body["status_url"])
    assert doc["state"] == "done" and doc["kind"] == "value", doc
    assert (doc["done"], doc["total"], doc["progress"]) == (3, 3, 1.0)
    done = [d for d, _ in seen]
    assert done == sorted(done) and {t for _, t in seen} <= {0, 3}  # only goes up; 3 chunks in all
    sync = client.post("/api/value", params=params, json=site)
    assert sync.status_code == 200
    # the progress callback does not touch the numbers: same document, bit for bit
    assert doc["result"] == sync.json()
    assert ("fan" in doc["result"]) is fan
    assert doc["result"]["paths"] == 150 and doc["result"]["assumptions"]["chunk_paths"] == 64


def test_missing_warehouse_is_the_synchronous_404(tmp_path: Path, site: dict[str, Any]) -> None:
    empty = TestClient(create_app(tmp_path / "none.duckdb", token="t"), raise_server_exceptions=False)
    sync = empty.post("/api/value", params=SMALL, json=site)
    assert sync.status_code == 404
    started = empty.post("/api/jobs/value", params=SMALL, json=site)
    assert started.status_code == 202
    doc, _ = _poll(empty, started.json()["status_url"])
    assert doc["state"] == "error" and "result" not in doc
    assert (doc["error_type"], doc["error_status"]) == ("NotInWarehouseError", 404)
    assert doc["error"] == sync.json()["detail"]


@pytest.mark.parametrize(
    ("params", "field"), [({"paths": 5}, "paths"), ({"years": 31}, "years"), ({"seed": -1}, "seed")]
)
def test_bad_options_are_422_before_any_job(
    client: TestClient, site: dict[str, Any], params: dict[str, int], field: str
) -> None:
    response = client.post("/api/jobs/value", params=params, json=site)
    assert response.status_code == 422
    assert f"'{field}'" in response.json()["message"]


def test_bad_valuation_table_is_422_before_any_job(client: TestClient, site: dict[str, Any]) -> None:
    body = {**site, "valuation": {"chunk_paths": 8}}
    response = client.post("/api/jobs/value", params=SMALL, json=body)
    assert response.status_code == 422
    assert "valuation.chunk_paths" in response.json()["message"]
