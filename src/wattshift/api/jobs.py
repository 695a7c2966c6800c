"""Background jobs: long computations run in a small in-process thread pool and are polled.

A request that would take longer than a client wants to wait (a dispatch backtest over months of
15-minute prices) is submitted as a job instead: ``POST /api/jobs/<kind>`` answers ``202`` with the
job id at once, and ``GET /api/jobs/{job_id}`` reports its state, its progress as a fraction and,
when it is done, its result (the JSON document the synchronous endpoint returns) or its error.

States: ``queued`` → ``running`` → ``done`` | ``error`` | ``cancelled``. Errors keep the
synchronous endpoint's message and the HTTP status it would have answered with
(:func:`wattshift.api.errors.status_for`); an unexpected exception is logged with its traceback
and reported with the generic 500 message.

The registry lives in the server process (a restart forgets every job) and is bounded: at most
:data:`WORKERS` jobs run at once, at most :data:`MAX_ACTIVE` are queued or running (a new one is
refused with 503), and it keeps the last :data:`MAX_JOBS` jobs, forgetting the oldest finished
ones first.

``DELETE /api/jobs/{job_id}`` cancels a job: a queued one never starts; a running one stops at its
next progress report (the progress callback raises :class:`JobCancelled`, which unwinds the
computation). At server shutdown every job is cancelled the same way, so a stop never waits for
more than one step of a running job.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, Request
from fastapi.responses import Response

from wattshift.api.deps import ShortReads, WarehouseAccess, encode, get_access, json_response
from wattshift.api.errors import ServerStoppingError, public_message
from wattshift.api.jobqueue import (
    FINISHED,
    MAX_ACTIVE,
    MAX_JOBS,
    WORKERS,
    JobCancelled,
    JobRegistry,
    JobState,
    JobStatus,
    ProgressCallback,
    Task,
    TooManyJobsError,
)

if TYPE_CHECKING:
    from wattshift.services.store import Warehouse

__all__ = [
    "FINISHED",
    "MAX_ACTIVE",
    "MAX_JOBS",
    "WORKERS",
    "JobCancelled",
    "JobRegistry",
    "JobState",
    "JobStatus",
    "ProgressCallback",
    "Submission",
    "Submit",
    "Task",
    "TooManyJobsError",
    "router",
]

_registry_lock = threading.Lock()


def stop_check(request: Request) -> ProgressCallback:
    """A progress callback for a synchronous long request: raises :class:`ServerStoppingError` at
    the next step once the server is stopping (``app.state.stopping`` set), so a shutdown does
    not wait for the whole computation.
    """
    stopping: threading.Event = request.app.state.stopping

    def check(done: int, total: int) -> None:
        if stopping.is_set():
            raise ServerStoppingError("the server is stopping; send the request again once it is back")

    return check


def get_jobs(request: Request) -> JobRegistry:
    """The app's :class:`JobRegistry` (``app.state.jobs``; created on first use)."""
    state = request.app.state
    with _registry_lock:
        registry: JobRegistry | None = getattr(state, "jobs", None)
        if registry is None:
            app = request.app
            registry = JobRegistry(message=lambda exc: public_message(app, exc))
            state.jobs = registry
    return registry


def status_body(job: JobStatus) -> bytes:
    """``GET /api/jobs/{job_id}`` body: the status document, with ``result`` once done."""
    head = encode(job.document())
    if job.result is None:
        return head
    return head[:-1] + b',"result":' + job.result + b"}"


def accepted(request: Request, job: JobStatus) -> Response:
    """The ``202 Accepted`` answer to a job submission: job id, status URL (also in ``Location``)."""
    url = str(request.app.url_path_for("job_status", job_id=job.job_id))
    body = encode({"job_id": job.job_id, "status_url": url, "state": job.state})
    return Response(body, status_code=202, media_type="application/json", headers={"Location": url})


def submit_or_503(registry: JobRegistry, kind: str, task: Task) -> JobStatus:
    """:meth:`JobRegistry.submit`, with a full registry answered by ``503`` and ``Retry-After``."""
    try:
        return registry.submit(kind, task)
    except TooManyJobsError as exc:
        raise HTTPException(status_code=503, detail=str(exc), headers={"Retry-After": "10"}) from None


def route(summary: str) -> dict[str, Any]:
    """Keyword arguments of ``router.post`` for a ``POST /api/jobs/<kind>`` endpoint.

    ``status_code=202`` and the documented ``202``/``503`` answers, shared by every kind of job
    so that their OpenAPI entries stay alike; ``summary`` is the endpoint's one-line summary.
    """
    return {
        "status_code": 202,
        "summary": summary,
        "responses": {
            202: {"description": "Queued: `{job_id, status_url, state}`; `Location` is the status URL."},
            503: {"description": "Too many jobs queued or running; retry after `Retry-After` seconds."},
        },
    }


@dataclass(frozen=True)
class Submission:
    """What a job submission endpoint needs to start a job reading the warehouse.

    Attributes
    ----------
    request
        The submitting request (for the status URL).
    registry
        The app's :class:`JobRegistry`.
    access
        The app's warehouse access; the job reads through :class:`~wattshift.api.deps.ShortReads`.
    """

    request: Request
    registry: JobRegistry
    access: WarehouseAccess

    def start(self, kind: str, compute: Callable[[Warehouse, ProgressCallback], Any]) -> Response:
        """Queue ``compute(wh, progress)`` on a read-only warehouse as a job of ``kind``.

        Returns
        -------
        Response
            ``202`` with ``{job_id, status_url, state}`` (:func:`accepted`).

        Raises
        ------
        HTTPException
            ``503`` with ``Retry-After`` when the registry is full (:func:`submit_or_503`).
        """
        reads: Any = ShortReads(self.access)  # never holds the file between its reads

        def task(progress: ProgressCallback) -> Any:
            return compute(reads, progress)

        return accepted(self.request, submit_or_503(self.registry, kind, task))


def submission(
    request: Request,
    registry: Annotated[JobRegistry, Depends(get_jobs)],
    access: Annotated[WarehouseAccess, Depends(get_access)],
) -> Submission:
    """FastAPI dependency: the :class:`Submission` of a ``POST /api/jobs/<kind>`` request."""
    return Submission(request, registry, access)


#: Parameter type of a job submission endpoint (see :class:`Submission`).
Submit = Annotated[Submission, Depends(submission)]


router = APIRouter(prefix="/api/jobs", tags=["jobs"])


@router.get(
    "/{job_id}",
    name="job_status",
    summary="State, progress and result of a background job",
    responses={404: {"description": "No such job (unknown, or forgotten after 50 newer jobs)."}},
)
def job_status(
    job_id: Annotated[str, Path(min_length=1, max_length=64, description="Id from the 202 answer.")],
    registry: Annotated[JobRegistry, Depends(get_jobs)],
) -> Response:
    """``{job_id, kind, state, progress, done, total, elapsed_seconds}``; ``result`` (the synchronous
    endpoint's JSON) once ``state`` is ``done``; ``error``, ``error_type`` and ``error_status`` (the
    HTTP status the synchronous endpoint would answer) once it is ``error``.
    """
    job = registry.get(job_id)
    if job is None:
        raise HTTPException(status_code=404, detail=f"no job {job_id!r} (unknown, or forgotten)")
    return json_response(status_body(job))


@router.delete(
    "/{job_id}",
    summary="Cancel a background job",
    responses={404: {"description": "No such job (unknown, or forgotten after 50 newer jobs)."}},
)
def cancel_job(
    job_id: Annotated[str, Path(min_length=1, max_length=64, description="Id from the 202 answer.")],
    registry: Annotated[JobRegistry, Depends(get_jobs)],
) -> Response:
    """Cancel the job: a queued one never starts, a running one stops at its next progress step
    (``state`` then becomes ``cancelled``); a finished job is left as it is. Answers the status
    document, like ``GET``.
    """
    job = registry.cancel(job_id)
    if job is None:
        raise HTTPException(status_code=404, detail=f"no job {job_id!r} (unknown, or forgotten)")
    return json_response(status_body(job))
