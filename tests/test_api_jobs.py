"""Background jobs: the registry on its own, and ``POST /api/jobs/dispatch`` on real ERCOT prices."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from wattshift.api.errors import INTERNAL_ERROR_DETAIL
from wattshift.api.jobs import JobRegistry, JobStatus, ProgressCallback, TooManyJobsError
from wattshift.errors import NotInWarehouseError

SITE_ID = "west_texas_hybrid"
THREE_DAYS = {"from": "2024-01-01", "until": "2024-01-04"}


def _wait(registry: JobRegistry, job_id: str, timeout_s: float = 30.0) -> JobStatus:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        job = registry.get(job_id)
        assert job is not None
        if job.state in ("done", "error"):
            return job
        time.sleep(0.01)
    raise AssertionError(f"job {job_id} did not finish in {timeout_s} s")


def _poll(client: TestClient, url: str, timeout_s: float = 60.0) -> tuple[dict[str, Any], list[float]]:
    """Poll a status URL until the job has finished; the final document and every progress seen."""
    seen: list[float] = []
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        response = client.get(url)
        assert response.status_code == 200, response.text
        doc: dict[str, Any] = response.json()
        seen.append(doc["progress"])
        if doc["state"] in ("done", "error"):
            return doc, seen
        assert doc["state"] in ("queued", "running")
        time.sleep(0.05)
    raise AssertionError(f"{url} did not finish in {timeout_s} s")


# --- the registry ---------------------------------------------------------------------------------


def test_registry_reports_progress_then_the_result() -> None:
    registry = JobRegistry(workers=1)
    step, release = threading.Event(), threading.Event()

    def task(progress: ProgressCallback) -> dict[str, int]:
        progress(0, 4)
        progress(3, 4)
        step.set()
        release.wait(10)
        return {"answer": 42}

    job = registry.submit("test", task)
    assert len(job.job_id) == 32 and int(job.job_id, 16) >= 0  # uuid4 hex
    assert step.wait(10)
    running = registry.get(job.job_id)
    assert running is not None and running.state == "running"
    assert (running.done, running.total, running.progress) == (3, 4, 0.75)
    release.set()
    done = _wait(registry, job.job_id)
    assert done.state == "done" and done.progress == 1.0 and done.result == b'{"answer":42}'
    assert done.started is not None and done.finished is not None and done.finished >= done.started
    registry.close()


def test_registry_errors_keep_the_message_or_hide_the_internal_one() -> None:
    registry = JobRegistry(workers=1)

    def missing(progress: ProgressCallback) -> None:
        raise NotInWarehouseError("no rt prices for HB_WEST from 2015-01-01 to 2015-01-02")

    def broken(progress: ProgressCallback) -> None:
        raise KeyError("secret internals")

    a = _wait(registry, registry.submit("test", missing).job_id)
    assert (a.state, a.error_type, a.error_status) == ("error", "NotInWarehouseError", 404)
    assert a.error == "no rt prices for HB_WEST from 2015-01-01 to 2015-01-02"
    b = _wait(registry, registry.submit("test", broken).job_id)
    assert (b.state, b.error, b.error_status) == ("error", INTERNAL_ERROR_DETAIL, 500)
    assert "secret" not in str(b.document())
    registry.close()


def test_registry_shows_errors_through_its_message_function() -> None:
    registry = JobRegistry(workers=1, message=lambda exc: str(exc).replace("/srv/w.duckdb", "<warehouse>"))

    def locked(progress: ProgressCallback) -> None:
        raise NotInWarehouseError("cannot open /srv/w.duckdb: no rt prices")

    job = _wait(registry, registry.submit("test", locked).job_id)
    assert job.error == "cannot open <warehouse>: no rt prices"
    registry.close()


def test_job_errors_hide_the_warehouse_path_like_the_synchronous_endpoints(client: TestClient) -> None:
    from wattshift.api.jobs import get_jobs

    path = str(client.app.state.warehouse.db_path)  # type: ignore[attr-defined]

    def failing(progress: ProgressCallback) -> None:
        raise NotInWarehouseError(f"no table in {path}")

    registry = get_jobs(type("R", (), {"app": client.app})())
    job = _wait(registry, registry.submit("test", failing).job_id)
    assert job.error == "no table in <warehouse>" and path not in str(job.document())


def test_registry_keeps_the_last_jobs_and_refuses_when_all_are_busy() -> None:
    registry = JobRegistry(workers=1, max_jobs=3)

    def constant(k: int) -> Callable[[ProgressCallback], int]:
        return lambda progress: k

    finished = [registry.submit("test", constant(k)) for k in range(3)]
    for job in finished:
        _wait(registry, job.job_id)
    release = threading.Event()
    busy = [registry.submit("test", lambda p: release.wait(10)) for _ in range(3)]
    # each new job pushed out the oldest finished one: 0, then 1, then 2
    assert [registry.get(j.job_id) for j in finished] == [None, None, None]
    assert all(registry.get(j.job_id) is not None for j in busy)
    with pytest.raises(TooManyJobsError, match="3 jobs are queued or running"):
        registry.submit("test", lambda p: None)
    release.set()
    for job in busy:
        assert _wait(registry, job.job_id).state == "done"
    registry.close()


# --- the HTTP API -----------------------------------------------------------------------------------


def test_dispatch_job_runs_to_the_synchronous_result(client: TestClient, site: dict[str, Any]) -> None:
    started = client.post("/api/jobs/dispatch", params=THREE_DAYS, json=site)
    assert started.status_code == 202, started.text
    body = started.json()
    assert body["status_url"] == f"/api/jobs/{body['job_id']}" == started.headers["location"]
    doc, seen = _poll(client, body["status_url"])
    assert doc["state"] == "done", doc
    assert seen == sorted(seen) and seen[-1] == 1.0  # progress never goes back
    assert (doc["done"], doc["total"]) == (3, 3)  # one window per day
    sync = client.post("/api/dispatch", params=THREE_DAYS, json=site).json()
    result = doc["result"]
    assert result["windows"] == 3 and result["intervals"] == 3 * 96
    result.pop("solve_seconds")
    sync.pop("solve_seconds")
    assert result == sync


def test_dispatch_job_with_schedule_has_every_interval(client: TestClient, site: dict[str, Any]) -> None:
    # Two-day windows need a foresight that may look past the day: forecast decides day by day.
    params = {
        "from": "2024-01-01",
        "until": "2024-01-03",
        "window_days": 2,
        "schedule": "true",
        "foresight": "perfect",
    }
    url = client.post("/api/jobs/dispatch", params=params, json=site).json()["status_url"]
    doc, _ = _poll(client, url)
    assert (doc["state"], doc["total"]) == ("done", 1)  # one 2-day window
    rows = doc["result"]["schedule"]
    # ERCOT operating days: 2024-01-01 00:00 CST is 06:00 UTC
    assert len(rows) == 2 * 96 and rows[0]["interval_start_utc"].startswith("2024-01-01T06:00:00")


def test_unknown_job_is_404(client: TestClient) -> None:
    response = client.get("/api/jobs/0123456789abcdef0123456789abcdef")
    assert response.status_code == 404
    assert "0123456789abcdef0123456789abcdef" in response.json()["detail"]


def test_failing_job_reports_the_missing_span(client: TestClient, site: dict[str, Any]) -> None:
    span = {"from": "2015-01-01", "until": "2015-01-04"}
    sync = client.post("/api/dispatch", params=span, json=site)
    started = client.post("/api/jobs/dispatch", params=span, json=site)
    assert started.status_code == 202
    doc, _ = _poll(client, started.json()["status_url"])
    assert doc["state"] == "error" and "result" not in doc
    assert (doc["error_type"], doc["error_status"]) == ("NotInWarehouseError", 404)
    assert doc["error"] == sync.json()["detail"]  # the synchronous endpoint's message
    assert "2015-01-01" in doc["error"] and "the warehouse has this series from" in doc["error"]


@pytest.mark.parametrize(
    ("params", "field"),
    [({"from": "2024-01-10", "to": "2024-01-01"}, "to"), ({"window_days": 0}, "window_days")],
)
def test_bad_options_are_422_before_any_job(
    client: TestClient, site: dict[str, Any], params: dict[str, object], field: str
) -> None:
    response = client.post("/api/jobs/dispatch", params=params, json=site)
    assert response.status_code == 422
    assert f"'{field}'" in response.json()["message"]
