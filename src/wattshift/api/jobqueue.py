"""The job registry: a bounded queue of background computations run by a small thread pool.

No HTTP here (see :mod:`wattshift.api.jobs` for the endpoints). A job is a task given a progress
callback; the registry records its state, progress and result (encoded JSON) or error, bounds how
many run and wait, and cancels cooperatively: a cancelled job's progress callback raises
:class:`JobCancelled`, which unwinds the computation at its next step.
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
from typing import Any, Literal

from wattshift.api.deps import encode
from wattshift.api.errors import INTERNAL_ERROR_DETAIL, status_for
from wattshift.errors import WattshiftError

logger = logging.getLogger("wattshift.api")

JobState = Literal["queued", "running", "done", "error", "cancelled"]

#: States a job ends in.
FINISHED: frozenset[str] = frozenset({"done", "error", "cancelled"})

#: ``progress(done, total)``: a job's task reports how many of its steps are finished.
ProgressCallback = Callable[[int, int], None]

#: A job's work: given its progress callback, returns the JSON-able result.
Task = Callable[[ProgressCallback], Any]

#: Jobs kept in memory (finished ones are forgotten oldest first).
MAX_JOBS = 50

#: Jobs that run at the same time (the rest wait in the queue).
WORKERS = 2

#: Jobs queued or running at once; one more is refused (503).
MAX_ACTIVE = 8


class JobCancelled(Exception):  # noqa: N818 - a signal, not an error
    """Raised by a cancelled job's progress callback to unwind its computation."""


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
    max_active
        Jobs queued or running at once.
    message
        Turns a failed job's :class:`WattshiftError` into the text its status shows (the server
        passes :func:`wattshift.api.errors.public_message`, which hides the warehouse file's path,
        as the synchronous endpoints do); ``str`` by default.
    """

    def __init__(
        self,
        *,
        workers: int = WORKERS,
        max_jobs: int = MAX_JOBS,
        max_active: int = MAX_ACTIVE,
        message: Callable[[BaseException], str] = str,
    ) -> None:
        if workers < 1 or max_jobs < 1 or max_active < 1:
            raise ValueError("workers, max_jobs and max_active must be >= 1")
        self.max_jobs = max_jobs
        self.max_active = max_active
        self._message = message
        self._cancelled: set[str] = set()
        self._closed = False
        self._jobs: OrderedDict[str, JobStatus] = OrderedDict()
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="wattshift-job")

    def submit(self, kind: str, task: Task) -> JobStatus:
        """Queue ``task`` and return its (queued) status at once.

        Raises
        ------
        TooManyJobsError
            :attr:`max_active` jobs (or all :attr:`max_jobs` kept) are queued or running already,
            or the server is stopping.
        """
        job = JobStatus(job_id=uuid.uuid4().hex, kind=kind, created=time.time())
        with self._lock:
            active = sum(1 for j in self._jobs.values() if j.state not in FINISHED)
            if self._closed or active >= self.max_active:
                raise TooManyJobsError(
                    "the server is stopping"
                    if self._closed
                    else f"{active} jobs are queued or running; try again when one has finished"
                )
            while len(self._jobs) >= self.max_jobs:
                oldest = next((k for k, j in self._jobs.items() if j.state in FINISHED), None)
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

    def cancel(self, job_id: str) -> JobStatus | None:
        """Ask ``job_id`` to stop; its status now (None if unknown).

        A queued job is marked ``cancelled`` at once and never runs; a running one becomes
        ``cancelled`` at its next progress report; a finished one is left as it is.
        """
        with self._lock:
            job = self._jobs.get(job_id)
            if job is None or job.state in FINISHED:
                return job
            self._cancelled.add(job_id)
            if job.state == "queued":
                job = self._jobs[job_id] = replace(job, state="cancelled", finished=time.time())
            return job

    def cancel_all(self) -> None:
        """Cancel every queued or running job and refuse new ones (server shutdown)."""
        with self._lock:
            self._closed = True
            ids = [k for k, j in self._jobs.items() if j.state not in FINISHED]
        for job_id in ids:
            self.cancel(job_id)

    def _update(self, job_id: str, **changes: Any) -> None:
        with self._lock:
            job = self._jobs.get(job_id)
            if job is not None:
                self._jobs[job_id] = replace(job, **changes)

    def _run(self, job_id: str, task: Task) -> None:
        with self._lock:
            if job_id in self._cancelled:  # cancelled while queued
                return
        self._update(job_id, state="running", started=time.time())

        def progress(done: int, total: int) -> None:
            if job_id in self._cancelled:
                raise JobCancelled(job_id)
            self._update(job_id, done=int(done), total=int(total))

        try:
            body = encode(task(progress))
        except JobCancelled:
            self._update(job_id, state="cancelled", finished=time.time())
        except WattshiftError as exc:
            self._update(
                job_id,
                state="error",
                error=self._message(exc),
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
        """Stop accepting jobs; queued ones are dropped, running ones stop at their next step."""
        self.cancel_all()
        self._pool.shutdown(wait=False, cancel_futures=True)
