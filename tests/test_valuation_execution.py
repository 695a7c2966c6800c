"""The Monte Carlo's thread pool runs BLAS on one thread and gives the process its BLAS threads back."""

from __future__ import annotations

import threading

from threadpoolctl import threadpool_info

from wattshift.valuation.execution import map_chunks, sequential_blas


def _blas_threads() -> list[int]:
    return [int(lib["num_threads"]) for lib in threadpool_info() if lib["user_api"] == "blas"]


def test_blas_runs_on_one_thread_inside_and_is_restored_after() -> None:
    before = _blas_threads()
    assert before  # NumPy's BLAS is loaded
    inside = map_chunks(lambda _: _blas_threads(), 4, threads=2)
    assert inside == [[1] * len(before)] * 4
    assert _blas_threads() == before


def test_nested_and_concurrent_runs_share_one_limit() -> None:
    before = _blas_threads()
    entered, release = threading.Barrier(2), threading.Event()
    seen: list[list[int]] = []

    def other_run() -> None:
        with sequential_blas():
            entered.wait()
            release.wait()
            seen.append(_blas_threads())

    worker = threading.Thread(target=other_run)
    worker.start()
    with sequential_blas():
        entered.wait()
        with sequential_blas():  # nested
            assert _blas_threads() == [1] * len(before)
    # this run ended first: the other still runs on one BLAS thread
    assert _blas_threads() == [1] * len(before)
    release.set()
    worker.join()
    assert seen == [[1] * len(before)]
    assert _blas_threads() == before
