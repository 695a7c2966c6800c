"""Jobs are bounded and cancellable: ``DELETE /api/jobs/{id}``, a full queue, shutdown."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from wattshift.api import create_app
from wattshift.api.app import stop
from wattshift.api.jobs import JobRegistry, ProgressCallback, TooManyJobsError


def wait_for(predicate: Any, timeout_s: float = 10.0) -> bool:
    """Poll ``predicate`` every 10 ms until it holds or ``timeout_s`` passes (a bounded loop)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.01)
    return bool(predicate())


def stepping_task(steps: int, started: threading.Event, seen: list[int]) -> Any:
    """A task of ``steps`` steps of 10 ms, reporting each one."""

    def task(progress: ProgressCallback) -> int:
        started.set()
        for i in range(steps):
            progress(i, steps)
            seen.append(i)
            time.sleep(0.01)
        return steps

    return task


def test_running_job_stops_at_its_next_step_and_queued_job_never_runs() -> None:
    registry = JobRegistry(workers=1, max_jobs=10, max_active=5)
    started = threading.Event()
    seen: list[int] = []
    never: list[int] = []
    running = registry.submit("test", stepping_task(1000, started, seen))
    queued = registry.submit("test", stepping_task(5, threading.Event(), never))
    assert started.wait(5)
    assert registry.cancel(queued.job_id).state == "cancelled"  # type: ignore[union-attr]
    registry.cancel(running.job_id)
    assert wait_for(lambda: registry.get(running.job_id).state == "cancelled")  # type: ignore[union-attr]
    steps_at_cancel = len(seen)
    time.sleep(0.1)
    assert len(seen) == steps_at_cancel < 1000  # no step after the cancellation
    assert never == []
    assert registry.cancel("unknown") is None
    registry.close()


def test_active_jobs_are_bounded_and_close_cancels_everything() -> None:
    registry = JobRegistry(workers=1, max_jobs=10, max_active=2)
    started = threading.Event()
    first = registry.submit("test", stepping_task(1000, started, []))
    registry.submit("test", stepping_task(1000, threading.Event(), []))
    with pytest.raises(TooManyJobsError, match="2 jobs are queued or running"):
        registry.submit("test", stepping_task(1, threading.Event(), []))
    assert started.wait(5)
    registry.close()
    assert wait_for(lambda: registry.get(first.job_id).state == "cancelled")  # type: ignore[union-attr]
    with pytest.raises(TooManyJobsError, match="stopping"):
        registry.submit("test", stepping_task(1, threading.Event(), []))


@pytest.fixture(scope="module")
def client(warehouse_path: Path) -> TestClient:
    return TestClient(create_app(warehouse_path, token="t"), raise_server_exceptions=False)


def slow_site(client: TestClient) -> dict[str, Any]:
    site: dict[str, Any] = client.get("/api/sites/converting_to_ai").json()["site"]
    # 20,000 paths in chunks of 64: 313 steps, each a chance to stop.
    return {**site, "valuation": {**site.get("valuation", {}), "paths": 20_000, "chunk_paths": 64}}


def test_delete_cancels_a_running_value_job(client: TestClient) -> None:
    accepted = client.post("/api/jobs/value", json=slow_site(client))
    assert accepted.status_code == 202, accepted.text
    url = accepted.json()["status_url"]
    assert wait_for(lambda: client.get(url).json()["done"] > 0, timeout_s=60)
    response = client.delete(url)
    assert response.status_code == 200
    assert wait_for(lambda: client.get(url).json()["state"] == "cancelled", timeout_s=10)
    final = client.get(url).json()
    assert final["done"] < final["total"] == 313
    assert "result" not in final
    assert client.delete(url).json()["state"] == "cancelled"  # idempotent
    assert client.delete("/api/jobs/" + "0" * 32).status_code == 404


def test_stop_cancels_jobs_and_refuses_new_ones(warehouse_path: Path) -> None:
    app = create_app(warehouse_path, token="t")
    local = TestClient(app, raise_server_exceptions=False)
    url = local.post("/api/jobs/value", json=slow_site(local)).json()["status_url"]
    assert wait_for(lambda: local.get(url).json()["state"] == "running", timeout_s=60)
    stop(app)
    assert wait_for(lambda: local.get(url).json()["state"] == "cancelled", timeout_s=10)
    refused = local.post("/api/jobs/value", json=slow_site(local))
    assert refused.status_code == 503
    assert refused.headers["Retry-After"]
    synchronous = local.post("/api/value", json=slow_site(local))  # stops at its first step
    assert synchronous.status_code == 503
    assert synchronous.json()["error"] == "ServerStoppingError"
