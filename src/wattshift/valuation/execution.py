"""How the Monte Carlo is executed: chunks of paths, cache-sized blocks, a thread pool.

Nothing here changes a number: the model (:mod:`~wattshift.valuation.montecarlo`,
:mod:`~wattshift.valuation.pathvalue`) is row by row, and each chunk has its own random stream
(:func:`~wattshift.valuation.montecarlo.chunk_rng`), so serial, threaded and Dask runs agree
bit for bit, and so do any block sizes (tests).

Inside a chunk the scenario's random numbers are drawn first, in a fixed order (price, hashrate
shocks); the lease events come next in the stream, and each block draws its own rows of them
(:class:`~wattshift.valuation.leases.LeaseStream`, the same bits); then the paths are valued in
blocks of :func:`block_paths` rows, so that a block's working arrays stay in the CPU cache instead
of streaming ``chunk_paths x months`` arrays through memory at every step.
"""

from __future__ import annotations

import ctypes
import functools
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt

from wattshift.settings import usable_cpus
from wattshift.valuation.cashflows import ai_event_stream, lease_terms
from wattshift.valuation.dcf import discount_factors, monthly_rate
from wattshift.valuation.montecarlo import (
    ValuationInputs,
    chunk_rng,
    draw_scenario,
    scenario_from_draws,
)
from wattshift.valuation.pathvalue import BlockValues, PathFlows, value_block
from wattshift.valuation.scenarios import bootstrap_returns

FloatArray = npt.NDArray[np.float64]
T = TypeVar("T")
#: ``progress(done, total)``: steps (chunks of paths) finished so far, and in all.
Progress = Callable[[int, int], None]

#: Target size of one working array of a block [path-months]: 1,024 paths x 180 months of float64
#: is 1.5 MB, so a block's working arrays stay in the L2 / L3 cache, while each NumPy call is long
#: enough for threads to run in parallel (NumPy releases the GIL inside its loops).
BLOCK_PATH_MONTHS = 1024 * 180
#: The same when glibc's mmap threshold is pinned (Dask workers start with
#: ``MALLOC_TRIM_THRESHOLD_`` set, which freezes that threshold at 128 kB): every larger array is
#: then mapped and page-faulted afresh, so blocks are kept near that size (measured 1.6x faster).
BLOCK_PATH_MONTHS_PINNED_MALLOC = 128 * 180
_GLIBC_TUNABLES = ("MALLOC_TRIM_THRESHOLD_", "MALLOC_MMAP_THRESHOLD_", "MALLOC_TOP_PAD_", "MALLOC_MMAP_MAX_")
#: ``M_ARENA_MAX`` of glibc's ``<malloc.h>`` (``mallopt`` parameter).
_M_ARENA_MAX = -8


@functools.cache
def share_malloc_arena() -> bool:
    """Make every thread allocate from glibc's main arena (``mallopt(M_ARENA_MAX, 1)``), once.

    By default glibc gives each thread its own arena; the freed working arrays of one thread then
    cannot be reused by the other, and a threaded 100,000-path valuation peaked about 50 MiB
    higher (615 vs 561 MiB measured, the same CPU time). NumPy allocates a few large arrays per
    operation, so the shared arena's lock costs nothing measurable. glibc fixes its arena limit
    when a second thread first allocates (DuckDB's threads do, once a warehouse is open), so this
    runs when this module is imported. No-op (False) where ``mallopt`` does not exist (not glibc).
    """
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):  # pragma: no cover - not glibc
        return False
    return bool(mallopt(_M_ARENA_MAX, 1))


share_malloc_arena()


_blas_lock = threading.Lock()
_blas_users = [0]
_blas_limiter: list[Any] = []


def _as_blas_controller(change: Callable[[], Any]) -> Any:
    """Run ``change`` (a ``threadpoolctl`` limit or restore) as the thread allowed to change BLAS.

    ``threadpoolctl`` lets only one thread change OpenBLAS's process-wide pool (the first to try;
    the others are silently ignored): a run started from an API worker thread after one from
    another thread would not be limited. Each change therefore takes control and gives it back.
    """
    from threadpoolctl import OpenBLASController

    OpenBLASController.clear_controlling_thread(force=True)
    try:
        return change()
    finally:
        OpenBLASController.clear_controlling_thread(force=True)


@contextmanager
def sequential_blas() -> Iterator[None]:
    """One BLAS thread while the Monte Carlo runs (restored when the last concurrent run ends).

    The runs parallelise over chunks of paths; their BLAS calls are matrix-vector products of a
    block (~1,000 x 180), too small to split. OpenBLAS's own threads then only spin-wait beside
    ours: 100,000 paths x 180 months cost 9.3 s CPU with them and 7.4 s without, for the same
    numbers (measured, 2 cores). Through ``threadpoolctl`` (what scikit-learn uses); nested and
    concurrent runs (API threads) share one limit, counted, so the first in sets it and the
    last out restores it, whichever threads they are (:func:`_as_blas_controller`). OpenBLAS with
    the pthreads layer (NumPy's wheels) has one pool for the process; with an OpenMP layer the
    limit would hold in the calling thread only.
    """
    from threadpoolctl import threadpool_limits

    with _blas_lock:
        if _blas_users[0] == 0:
            _blas_limiter.append(_as_blas_controller(lambda: threadpool_limits(limits=1, user_api="blas")))
        _blas_users[0] += 1
    try:
        yield
    finally:
        with _blas_lock:
            _blas_users[0] -= 1
            if _blas_users[0] == 0:
                _as_blas_controller(_blas_limiter.pop().restore_original_limits)


def default_threads() -> int:
    """Threads for a run in this process: the CPUs this process may use [threads]."""
    return usable_cpus()


def block_paths(months: int) -> int:
    """Paths per block for ``months`` [paths]: about :data:`BLOCK_PATH_MONTHS` / ``months``, a
    multiple of 64 (BLAS matrix-vector kernels then group a block's rows as those of the whole
    chunk, so NPVs are bit-for-bit those of an unblocked run).

    Uses :data:`BLOCK_PATH_MONTHS_PINNED_MALLOC` when a glibc ``MALLOC_*`` tunable is set.
    """
    pinned = any(name in os.environ for name in _GLIBC_TUNABLES)
    target = BLOCK_PATH_MONTHS_PINNED_MALLOC if pinned else BLOCK_PATH_MONTHS
    return 64 * max(1, round(target / (64 * months)))


def block_bounds(paths: int, block: int) -> list[tuple[int, int]]:
    """``(start, stop)`` of the blocks of ``block`` paths; a 1-path tail joins the block before it.

    (NumPy computes the NPV of a single path with a dot product rather than the matrix-vector
    kernel, which adds in a different order: a lone last path would change in the last bit.)
    """
    starts = list(range(0, paths, block))
    if len(starts) > 1 and paths - starts[-1] == 1:
        starts.pop()
    return [(a, b) for a, b in zip(starts, [*starts[1:], paths], strict=True)]


def chunk_sizes(paths: int, chunk_paths: int) -> list[int]:
    """Split ``paths`` into chunks of ``chunk_paths`` (the last one shorter)."""
    full, rest = divmod(paths, chunk_paths)
    return [chunk_paths] * full + ([rest] if rest else [])


@dataclass(frozen=True)
class ChunkResult:
    """Per-path outputs of one or more chunks (arrays have one row per path, in chunk order).

    ``cum_pv_usd`` holds the first ``keep_paths`` paths only; ``flows`` the price and mining
    EBITDA of every block (one :class:`~wattshift.valuation.pathvalue.PathFlows` per block, in
    path order; not concatenated, which would copy them) when they were kept for the strategies,
    else an empty list.
    """

    npv_usd: dict[str, FloatArray]
    npv_ex_terminal_usd: dict[str, FloatArray]
    irr_annual: dict[str, FloatArray]
    mirr_annual: dict[str, FloatArray]
    payback_months: dict[str, FloatArray]
    fwd_ebitda_usd: dict[str, FloatArray]
    npv_switch_usd: FloatArray
    cum_pv_usd: dict[str, FloatArray]
    flows: list[PathFlows]


def _cat_dicts(dicts: Sequence[dict[str, FloatArray]]) -> dict[str, FloatArray]:
    return {k: np.concatenate([d[k] for d in dicts]) for k in dicts[0]} if dicts else {}


def _chunk_of_blocks(blocks: Sequence[BlockValues]) -> ChunkResult:
    """One chunk's result from its blocks (rows in block order)."""
    cum = [b.cum_pv_usd for b in blocks if b.cum_pv_usd]
    flows = [b.flows for b in blocks if b.flows is not None]
    return ChunkResult(
        npv_usd=_cat_dicts([b.npv_usd for b in blocks]),
        npv_ex_terminal_usd=_cat_dicts([b.npv_ex_terminal_usd for b in blocks]),
        irr_annual=_cat_dicts([b.irr_annual for b in blocks]),
        mirr_annual=_cat_dicts([b.mirr_annual for b in blocks]),
        payback_months=_cat_dicts([b.payback_months for b in blocks]),
        fwd_ebitda_usd=_cat_dicts([b.fwd_ebitda_usd for b in blocks]),
        npv_switch_usd=np.concatenate([b.npv_switch_usd for b in blocks]),
        cum_pv_usd=_cat_dicts(cum),
        flows=flows,
    )


def run_chunk(
    inputs: ValuationInputs,
    chunk: int,
    paths: int,
    *,
    seed: int,
    with_irr: bool = True,
    start_years: int = 0,
    keep_paths: int = 0,
    keep_flows: bool = False,
) -> ChunkResult:
    """Value ``paths`` paths of chunk ``chunk`` block by block (module docstring).

    Parameters
    ----------
    inputs
        Calibrated inputs.
    chunk
        Chunk index (selects the random stream).
    paths
        Paths in this chunk.
    seed
        Base seed.
    with_irr
        Also compute IRRs.
    start_years
        Conversion start years to value for the planner (``0 .. start_years - 1``).
    keep_paths
        Paths whose cumulative discounted cash flow is kept (fan chart).
    keep_flows
        Keep the paths' price and mining EBITDA (for the strategies).
    """
    rng = chunk_rng(seed, chunk)
    draws = draw_scenario(inputs, paths, rng)
    leases = ai_event_stream(inputs.spec.ai, paths, rng, inputs.months)  # drawn block by block
    terms = lease_terms(inputs.spec.ai)
    disc = discount_factors(monthly_rate(inputs.spec.dcf.discount_rate_annual), inputs.months)
    returns = bootstrap_returns(inputs.price) if inputs.spec.scenario.price_model == "bootstrap" else None
    blocks = []
    for start, stop in block_bounds(paths, block_paths(inputs.months)):
        scenario = scenario_from_draws(inputs, draws.rows(start, stop), returns=returns)
        block_leases = leases.rows(start, stop)
        blocks.append(
            value_block(
                inputs,
                scenario,
                block_leases.expand(terms),
                disc,
                with_irr=with_irr,
                start_years=start_years,
                keep_paths=max(min(keep_paths - start, stop - start), 0),
                keep_flows=keep_flows,
                kept_leases=block_leases,
            )
        )
    return _chunk_of_blocks(blocks)


def row_slices(flows: Sequence[PathFlows], rows: int) -> list[PathFlows]:
    """The kept paths of a run cut into pieces of at most ``rows`` paths, in order (views, no copy).

    Per-path work (the strategies) then holds ``rows x months`` working arrays per thread instead
    of a whole chunk's; a multiple of 64 keeps matrix-vector products bit for bit.
    """
    pieces = []
    for f in flows:
        for start, stop in block_bounds(f.price_usd.shape[0], rows):
            pieces.append(
                PathFlows(
                    f.price_usd[start:stop],
                    f.mining_ebitda_usd[start:stop],
                    f.ai_draws.rows(start, stop),
                )
            )
    return pieces


def merge_chunks(parts: Sequence[ChunkResult]) -> ChunkResult:
    """Concatenate chunk results in chunk order (the kept fan rows are those of the first chunk)."""
    return ChunkResult(
        npv_usd=_cat_dicts([p.npv_usd for p in parts]),
        npv_ex_terminal_usd=_cat_dicts([p.npv_ex_terminal_usd for p in parts]),
        irr_annual=_cat_dicts([p.irr_annual for p in parts]),
        mirr_annual=_cat_dicts([p.mirr_annual for p in parts]),
        payback_months=_cat_dicts([p.payback_months for p in parts]),
        fwd_ebitda_usd=_cat_dicts([p.fwd_ebitda_usd for p in parts]),
        npv_switch_usd=np.concatenate([p.npv_switch_usd for p in parts]),
        cum_pv_usd=parts[0].cum_pv_usd,
        flows=[f for p in parts for f in p.flows],
    )


def map_chunks(
    func: Callable[[int], T], count: int, *, threads: int = 1, progress: Progress | None = None
) -> list[T]:
    """``[func(0), ..., func(count - 1)]``, on a pool of ``threads`` threads when ``threads > 1``.

    ``progress(done, total)`` is called with ``(0, count)`` first, then once per finished call
    (serialised: ``done`` only goes up, whatever thread finished).
    """
    lock = threading.Lock()
    finished = [0]
    if progress is not None:
        progress(0, count)

    def one(k: int) -> T:
        part = func(k)
        if progress is not None:
            with lock:
                finished[0] += 1
                progress(finished[0], count)
        return part

    with sequential_blas():
        if threads <= 1 or count <= 1:
            return [one(k) for k in range(count)]
        with ThreadPoolExecutor(max_workers=min(threads, count)) as pool:
            return list(pool.map(one, range(count)))


def run(
    inputs: ValuationInputs,
    *,
    paths: int,
    seed: int,
    chunk_paths: int = 4096,
    with_irr: bool = True,
    start_years: int = 0,
    keep_paths: int = 0,
    keep_flows: bool = False,
    threads: int = 1,
    progress: Progress | None = None,
) -> ChunkResult:
    """Value ``paths`` paths chunk by chunk (memory ~ ``threads x chunk_paths x months``, plus
    ``2 x paths x months`` floats with ``keep_flows``).

    ``threads > 1`` runs chunks on a thread pool (NumPy releases the GIL in its array loops); the
    numbers are the same as with one thread. ``progress(done, total)`` counts chunks
    (:func:`map_chunks`); it never changes the numbers. Other parameters: :func:`run_chunk`.
    """
    sizes = chunk_sizes(paths, chunk_paths)

    def one(k: int) -> ChunkResult:
        return run_chunk(
            inputs, k, sizes[k], seed=seed, with_irr=with_irr, start_years=start_years,
            keep_paths=keep_paths if k == 0 else 0, keep_flows=keep_flows,
        )  # fmt: skip

    return merge_chunks(map_chunks(one, len(sizes), threads=threads, progress=progress))
