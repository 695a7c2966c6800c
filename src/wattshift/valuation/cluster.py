"""Where a sweep runs: serially, on threads of this process, or on a Dask cluster.

Execution only: the numbers are the same on every backend (each chunk has its own random stream).
:func:`choose_backend` picks by the size of the grid: starting a local Dask cluster of worker
processes costs seconds (process start, imports, scattering the inputs), which only pays off on
grids large enough that processes (free of the GIL between NumPy calls) beat threads.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Literal

Backend = Literal["serial", "threads", "dask"]

#: Below this much work a sweep runs serially [path-months]: one chunk of a 15-year case; a pool
#: would only add overhead.
SERIAL_MAX_PATH_MONTHS = 1024 * 180
#: From this much work on, a local Dask cluster of processes is started [path-months]: about
#: 100 cases of 10,000 paths x 180 months, minutes of work, so the cluster's start-up (~3-5 s
#: measured on 2 cores) is a few per cent of the run; below it, threads of this process win.
DASK_MIN_PATH_MONTHS = 180_000_000


def choose_backend(
    *, cases: int, paths: int, months: int, threads: int, scheduler: str | None = None
) -> Backend:
    """The backend of a sweep of ``cases`` cases of ``paths`` paths x ``months`` months.

    Parameters
    ----------
    cases, paths, months
        Grid size.
    threads
        CPUs this process may use.
    scheduler
        Address of an existing Dask scheduler: always ``"dask"`` (the user asked for it).
    """
    if scheduler is not None:
        return "dask"
    work = cases * paths * months
    if threads <= 1 or work <= SERIAL_MAX_PATH_MONTHS:
        return "serial"
    return "dask" if work >= DASK_MIN_PATH_MONTHS else "threads"


@contextmanager
def dask_client(scheduler: str | None = None, *, n_workers: int = 2) -> Iterator[Any]:
    """A ``distributed.Client`` of ``scheduler``, or of a new local cluster of ``n_workers``
    single-threaded worker processes (closed on exit)."""
    from distributed import Client, LocalCluster

    if scheduler is not None:
        with Client(scheduler) as client:  # type: ignore[no-untyped-call]
            yield client
        return
    cluster = LocalCluster(  # type: ignore[no-untyped-call]
        n_workers=n_workers, threads_per_worker=1, processes=True, dashboard_address=None
    )
    with cluster, Client(cluster) as client:  # type: ignore[no-untyped-call]
        yield client
