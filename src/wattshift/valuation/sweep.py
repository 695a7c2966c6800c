"""Portfolio sweeps: sites x scenarios x parameters, on Dask or serially.

A case is a calibrated :class:`~wattshift.valuation.montecarlo.ValuationInputs`. Each chunk of paths
has its own seed stream, so the Dask result equals the serial one exactly (a test): chunks are
merged in chunk order whatever worker ran them. On Dask the inputs are scattered once to every
worker, consecutive chunks of a case are grouped into about :data:`TASKS_PER_WORKER` tasks per
worker (big enough that scheduling costs little, enough of them to balance the load), and a task
returns only the per-path NPVs a row needs.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from wattshift.valuation.dcf import summary
from wattshift.valuation.execution import Progress, chunk_sizes, map_chunks, run_chunk
from wattshift.valuation.montecarlo import BUSINESSES, ValuationInputs

FloatArray = npt.NDArray[np.float64]
#: Dask tasks per worker thread a sweep is cut into (load balance vs. per-task overhead).
TASKS_PER_WORKER = 4


@dataclass(frozen=True)
class Case:
    """One sweep case: labels and inputs."""

    site: str
    scenario: str
    params: dict[str, Any]
    inputs: ValuationInputs


def parameter_grid(parameters: Mapping[str, Sequence[Any]]) -> Iterator[dict[str, Any]]:
    """Cartesian product of ``{name: [values]}`` as dicts (one empty dict if no parameters)."""
    names = list(parameters)
    for combo in itertools.product(*(parameters[n] for n in names)):
        yield dict(zip(names, combo, strict=True))


def _case_row(case: Case, npv_usd: dict[str, FloatArray]) -> dict[str, Any]:
    row: dict[str, Any] = {"site": case.site, "scenario": case.scenario, **case.params}
    for b in BUSINESSES:
        for k, v in summary(npv_usd[b]).items():
            row[f"npv_{b}_{k}"] = v
    row["prob_ai_beats_mining"] = float(np.mean(npv_usd["ai"] > npv_usd["mining"]))
    return row


def npv_of_chunks(
    inputs: ValuationInputs, chunks: Sequence[tuple[int, int]], *, seed: int
) -> list[dict[str, FloatArray]]:
    """Per-path NPV [USD/MW] of each business for the chunks ``(index, paths)`` (one sweep task)."""
    return [run_chunk(inputs, k, n, seed=seed, with_irr=False).npv_usd for k, n in chunks]


def group_chunks(sizes: Sequence[int], groups: int) -> list[list[tuple[int, int]]]:
    """Split the chunks ``(index, paths)`` of one case into at most ``groups`` runs of consecutive chunks."""
    chunks = list(enumerate(sizes))
    per_group = -(-len(chunks) // max(1, min(groups, len(chunks))))
    return [chunks[i : i + per_group] for i in range(0, len(chunks), per_group)]


def run_sweep(
    cases: Sequence[Case],
    *,
    paths: int,
    seed: int,
    chunk_paths: int,
    client: Any | None = None,
    threads: int = 1,
    progress: Progress | None = None,
) -> list[dict[str, Any]]:
    """Value every case on ``paths`` paths: on ``client`` (a ``distributed.Client``), else here.

    Parameters
    ----------
    cases
        Sweep cases.
    paths, seed, chunk_paths
        Monte Carlo size, base seed and chunking (same for every case: common random numbers).
    client
        Dask client; None = run in this process. Use worker processes with one thread each
        (NumPy holds the GIL between array operations); Dask starts them with
        ``OMP_NUM_THREADS=1`` / ``OPENBLAS_NUM_THREADS=1``, so they do not oversubscribe cores.
    threads
        Without a client: threads of this process the chunks of all cases run on (1 = serial).
    progress
        ``progress(done, total)`` in chunks, ``total = cases x chunks per case``: ``(0, total)``
        first, then after every chunk (in this process) or every finished Dask task (its chunks at
        once, in the order tasks finish: ``distributed.as_completed``). It never changes the numbers.

    Returns
    -------
    list of dict
        One row per case: labels, parameters, ``npv_{business}_{p5,p50,p95,mean}`` [USD/MW],
        ``prob_ai_beats_mining``.
    """
    sizes = chunk_sizes(paths, chunk_paths)
    if client is None:
        parts = _local_parts(cases, sizes, seed=seed, threads=threads, progress=progress)
    else:
        parts = _dask_parts(client, cases, sizes, seed=seed, progress=progress)
    rows = []
    for case, chunks in zip(cases, parts, strict=True):
        npv = {b: np.concatenate([c[b] for c in chunks]) for b in BUSINESSES}
        rows.append(_case_row(case, npv))
    return rows


def _local_parts(
    cases: Sequence[Case], sizes: Sequence[int], *, seed: int, threads: int, progress: Progress | None
) -> list[list[dict[str, FloatArray]]]:
    """Per-path NPVs of every chunk of every case, in this process (serially or on threads)."""
    jobs = [(ci, chunk) for ci in range(len(cases)) for chunk in enumerate(sizes)]

    def one(j: int) -> dict[str, FloatArray]:
        ci, chunk = jobs[j]
        return npv_of_chunks(cases[ci].inputs, [chunk], seed=seed)[0]

    flat = map_chunks(one, len(jobs), threads=threads, progress=progress)
    return [flat[ci * len(sizes) : (ci + 1) * len(sizes)] for ci in range(len(cases))]


def _dask_parts(
    client: Any, cases: Sequence[Case], sizes: Sequence[int], *, seed: int, progress: Progress | None
) -> list[list[dict[str, FloatArray]]]:
    """Per-path NPVs of every chunk of every case, on a Dask cluster (module docstring)."""
    total = len(cases) * len(sizes)
    if progress is not None:
        progress(0, total)
    threads = max(1, sum(client.nthreads().values()))
    per_case = -(-TASKS_PER_WORKER * threads // max(1, len(cases)))
    groups = group_chunks(sizes, per_case)
    scattered = client.scatter([c.inputs for c in cases], broadcast=True, hash=False)
    futures = [
        [client.submit(npv_of_chunks, scattered[ci], g, seed=seed, pure=False) for g in groups]
        for ci in range(len(cases))
    ]
    if progress is not None:
        from distributed import as_completed

        done = 0
        chunks_of = {f.key: len(g) for fs in futures for f, g in zip(fs, groups, strict=True)}
        for future in as_completed([f for fs in futures for f in fs]):  # type: ignore[no-untyped-call]
            done += chunks_of[future.key]
            progress(done, total)
    return [[r for task in client.gather(fs) for r in task] for fs in futures]
