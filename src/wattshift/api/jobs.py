"""Background jobs: long computations run in a small in-process thread pool and are polled.

A request that would take longer than a client wants to wait (a dispatch backtest over months of
15-minute prices) is submitted as a job instead: ``POST /api/jobs/<kind>`` answers ``202`` with the
job id at once, and ``GET /api/jobs/{job_id}`` reports its state, its progress as a fraction and,
when it is done, its result (the JSON document the synchronous endpoint returns) or its error.

States: ``queued`` → ``running`` → ``done`` | ``error``. Errors keep the synchronous endpoint's
message and the HTTP status it would have answered with (:func:`wattshift.api.errors.status_for`);
an unexpected exception is logged with its traceback and reported with the generic 500 message.

The registry lives in the server process (a restart forgets every job) and is bounded: it keeps
the last :data:`MAX_JOBS` jobs, forgetting the oldest finished ones first, and refuses a new job
(503) when all of them are still queued or running.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Path, Request
from fastapi.responses import Response

from wattshift.api.deps import WarehouseAccess, encode, get_access, json_response
from wattshift.api.errors import INTERNAL_ERROR_DETAIL, status_for
from wattshift.errors import WattshiftError

if TYPE_CHECKING:
    from wattshift.services.store import Warehouse

logger = logging.getLogger("wattshift.api")

JobState = Literal["queued", "running", "done", "error"]

#: ``progress(done, total)``: a job's task reports how many of its steps are finished.
ProgressCallback = Callable[[int, int], None]

#: A job's work: given its progress callback, returns the JSON-able result.
Task = Callable[[ProgressCallback], Any]

#: Jobs kept in memory (finished ones are forgotten oldest first).
MAX_JOBS = 50

#: Jobs that run at the same time (the rest wait in the queue).
WORKERS = 2


class TooManyJobsError(RuntimeError):
    """Every kept job is still queued or running; the client should retry later."""


@dataclass(frozen=True)
class JobStatus:
    """A snapshot of one job.

    Attributes
    ----------
    job_id
        32 hex digits (``uuid4().hex``).
    kind
        What the job computes (``dispatch``).
    state
        ``queued``, ``running``, ``done`` or ``error``.
    done, total
        Steps finished and steps in all, as the task last reported them (0, 0 before the first report).
    result
        The result as UTF-8 JSON once ``state == "done"``.
    error, error_type, error_status
        Message, exception class name and the HTTP status the synchronous endpoint would answer,
        once ``state == "error"``.
    created, started, finished
        ``time.time()`` of submission, start and end [s since the epoch]; None until reached.
    """

    job_id: str
    kind: str
    state: JobState = "queued"
    done: int = 0
    total: int = 0
    result: bytes | None = None
    error: str | None = None
    error_type: str | None = None
    error_status: int | None = None
    created: float = 0.0
    started: float | None = None
    finished: float | None = None

    @property
    def progress(self) -> float:
        """Fraction done, 0..1 (1 once done; ``done / total`` while running)."""
        if self.state == "done":
            return 1.0
        return min(1.0, self.done / self.total) if self.total > 0 else 0.0

    def document(self) -> dict[str, Any]:
        """The status document without the result (see :func:`status_body`)."""
        now = time.time()
        doc: dict[str, Any] = {
            "job_id": self.job_id,
            "kind": self.kind,
            "state": self.state,
            "progress": self.progress,
            "done": self.done,
            "total": self.total,
            "elapsed_seconds": None
            if self.started is None
            else (self.finished if self.finished is not None else now) - self.started,
        }
        if self.state == "error":
            doc["error"] = self.error
            doc["error_type"] = self.error_type
            doc["error_status"] = self.error_status
        return doc


class JobRegistry:
    """In-process registry of background jobs run by a thread pool.

    Parameters
    ----------
    workers
        Jobs that run at the same time.
    max_jobs
        Jobs kept (queued, running and finished); the oldest finished ones are forgotten first.
    """

    def __init__(self, *, workers: int = WORKERS, max_jobs: int = MAX_JOBS) -> None:
        if workers < 1 or max_jobs < 1:
            raise ValueError("workers and max_jobs must be >= 1")
        self.max_jobs = max_jobs
        self._jobs: OrderedDict[str, JobStatus] = OrderedDict()
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="wattshift-job")

    def submit(self, kind: str, task: Task) -> JobStatus:
        """Queue ``task`` and return its (queued) status at once.

        Raises
        ------
        TooManyJobsError
            :attr:`max_jobs` jobs are queued or running already.
        """
        job = JobStatus(job_id=uuid.uuid4().hex, kind=kind, created=time.time())
        with self._lock:
            while len(self._jobs) >= self.max_jobs:
                oldest = next((k for k, j in self._jobs.items() if j.state in ("done", "error")), None)
                if oldest is None:
                    raise TooManyJobsError(
                        f"{len(self._jobs)} jobs are queued or running; try again when one has finished"
                    )
                del self._jobs[oldest]
            self._jobs[job.job_id] = job
        self._pool.submit(self._run, job.job_id, task)
        return job

    def get(self, job_id: str) -> JobStatus | None:
        """The current status of ``job_id``, or None if it is unknown (or forgotten)."""
        with self._lock:
            return self._jobs.get(job_id)

    def _update(self, job_id: str, **changes: Any) -> None:
        with self._lock:
            job = self._jobs.get(job_id)
            if job is not None:
                self._jobs[job_id] = replace(job, **changes)

    def _run(self, job_id: str, task: Task) -> None:
        self._update(job_id, state="running", started=time.time())

        def progress(done: int, total: int) -> None:
            self._update(job_id, done=int(done), total=int(total))

        try:
            body = encode(task(progress))
        except WattshiftError as exc:
            self._update(
                job_id,
                state="error",
                error=str(exc),
                error_type=type(exc).__name__,
                error_status=status_for(exc),
                finished=time.time(),
            )
        except Exception as exc:  # a job must always finish; the traceback goes to the log only
            logger.error("unhandled error in background job %s", job_id, exc_info=exc)
            self._update(
                job_id,
                state="error",
                error=INTERNAL_ERROR_DETAIL,
                error_type="InternalError",
                error_status=500,
                finished=time.time(),
            )
        else:
            self._update(job_id, state="done", result=body, finished=time.time())

    def close(self) -> None:
        """Stop accepting jobs; queued ones are dropped, running ones finish in the background."""
        self._pool.shutdown(wait=False, cancel_futures=True)


_registry_lock = threading.Lock()


def get_jobs(request: Request) -> JobRegistry:
    """The app's :class:`JobRegistry` (``app.state.jobs``; created on first use)."""
    state = request.app.state
    with _registry_lock:
        registry: JobRegistry | None = getattr(state, "jobs", None)
        if registry is None:
            registry = JobRegistry()
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
        The app's warehouse access; the job opens its own read-only warehouse when it starts.
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
        access = self.access

        def task(progress: ProgressCallback) -> Any:
            with access.read() as wh:
                return compute(wh, progress)

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
