"""The Monte Carlo valuation per MW, chunked over paths (bounded memory, reproducible by seed).

Chunk ``k`` draws its random numbers from ``SeedSequence(seed, spawn_key=(k,))``, so the result
depends on ``(seed, paths, chunk_paths)`` only — not on the order or the process that runs the
chunks (serial, threads or Dask give the same numbers).

Inside a chunk, every random number is drawn first, in a fixed order (price, hashrate shocks,
lease events); then the paths are valued in blocks of :func:`block_paths` rows, so that a block's
working arrays stay in the CPU cache instead of streaming ``chunk_paths x months`` arrays through
memory at every step. Every step is row by row, so a block gives exactly the numbers the whole
chunk would.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from wattshift.config.valuation import ValuationConfig
from wattshift.valuation.cashflows import (
    AiDraws,
    CashFlows,
    ai_capex_usd,
    ai_cash_flows,
    ai_lease_flows,
    ai_lease_occupied,
    blend_cash_flows,
    draw_ai_events,
    mining_cash_flows,
)
from wattshift.valuation.dcf import discount_factors, irr, monthly_rate, payback_months
from wattshift.valuation.network import (
    HashrateModel,
    btc_per_th_day,
    efficiency_band,
    network_hashrate_ths,
)
from wattshift.valuation.scenarios import (
    MONTHS_PER_YEAR,
    PriceModel,
    bootstrap_returns,
    draw_log_price,
    log_price_from_draws,
)

FloatArray = npt.NDArray[np.float64]
BUSINESSES = ("mining", "ai", "hybrid")
#: ``progress(done, total)``: steps (chunks of paths) finished so far, and in all.
Progress = Callable[[int, int], None]

#: Target size of one working array of a block [path-months]: 1,024 paths x 180 months of float64
#: is 1.5 MB, so a block's working arrays stay in the L2 / L3 cache instead of streaming
#: ``chunk_paths x months`` arrays through memory at every step, while each NumPy call is long
#: enough for threads to run in parallel (NumPy releases the GIL inside its loops).
BLOCK_PATH_MONTHS = 1024 * 180
#: The same when glibc's mmap threshold is pinned (Dask workers start with
#: ``MALLOC_TRIM_THRESHOLD_`` set, which freezes that threshold at 128 kB): every larger array is
#: then mapped and page-faulted afresh, so blocks are kept near that size (measured 1.6x faster).
BLOCK_PATH_MONTHS_PINNED_MALLOC = 128 * 180
_GLIBC_TUNABLES = ("MALLOC_TRIM_THRESHOLD_", "MALLOC_MMAP_THRESHOLD_", "MALLOC_TOP_PAD_", "MALLOC_MMAP_MAX_")


@dataclass(frozen=True)
class ValuationInputs:
    """Everything the per-MW Monte Carlo needs (calibrated models, schedules, terms).

    Attributes
    ----------
    price
        Calibrated BTC price model.
    network
        Calibrated hashrate model.
    subsidy_btc_per_block
        Mean block subsidy per month [BTC/block], shape ``(months,)``.
    config
        Valuation terms.
    efficiency_j_per_th
        Site fleet efficiency [J/TH].
    power_usd_per_mwh
        Site power price now [USD/MWh].
    flex_revenue_usd_per_mw_month
        Curtailment + reserve revenue [USD/MW-month] (dispatch backtest), None = config value.
    """

    price: PriceModel
    network: HashrateModel
    subsidy_btc_per_block: FloatArray
    config: ValuationConfig
    efficiency_j_per_th: float
    power_usd_per_mwh: float
    flex_revenue_usd_per_mw_month: float | None = None

    @property
    def months(self) -> int:
        """Horizon [months]."""
        return int(self.subsidy_btc_per_block.shape[0])


@dataclass
class ChunkResult:
    """Per-path outputs of one chunk (all arrays have ``paths`` rows)."""

    npv_usd: dict[str, FloatArray]
    irr_annual: dict[str, FloatArray]
    payback_months: dict[str, FloatArray]
    fwd_ebitda_usd: dict[str, FloatArray]
    npv_switch_usd: FloatArray  # (paths, start years): convert in year y vs mining throughout
    cum_pv_usd: dict[str, FloatArray] = field(default_factory=dict)  # kept paths only, (k, months)


@dataclass(frozen=True)
class Scenario:
    """One chunk's simulated market: BTC price [USD] and miner revenue [BTC per TH/s per day]."""

    price_usd: FloatArray
    btc_per_th_day: FloatArray


def chunk_rng(seed: int, chunk: int) -> np.random.Generator:
    """The generator of chunk ``chunk`` (independent streams, reproducible)."""
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(chunk,)))


@dataclass(frozen=True)
class ScenarioDraws:
    """The random numbers of a chunk's scenario, in the order they are drawn.

    Attributes
    ----------
    price
        Standard normals ``(paths, months)`` ('gbm') or bootstrap block starts
        ``(paths, n_blocks)`` ('bootstrap'); see :func:`~wattshift.valuation.scenarios.draw_log_price`.
    hashrate_shocks
        Standard normals of installed-hashrate growth, ``(paths, months)``.
    """

    price: npt.NDArray[np.float64] | npt.NDArray[np.int64]
    hashrate_shocks: FloatArray

    def rows(self, start: int, stop: int) -> ScenarioDraws:
        """The draws of paths ``start .. stop - 1`` (views, no copy)."""
        return ScenarioDraws(self.price[start:stop], self.hashrate_shocks[start:stop])


def draw_scenario(inputs: ValuationInputs, paths: int, rng: np.random.Generator) -> ScenarioDraws:
    """Draw the random numbers of :func:`simulate_scenario`: price draws, then hashrate shocks."""
    sc = inputs.config.scenario
    price = draw_log_price(
        inputs.price,
        kind=sc.price_model,
        paths=paths,
        months=inputs.months,
        rng=rng,
        block_days=sc.block_days,
    )
    return ScenarioDraws(price=price, hashrate_shocks=rng.standard_normal((paths, inputs.months)))


def scenario_from_draws(
    inputs: ValuationInputs, draws: ScenarioDraws, *, returns: FloatArray | None = None
) -> Scenario:
    """Price and network paths from ``draws`` (see :mod:`~wattshift.valuation.network`).

    The 'gbm' normals in ``draws.price`` are overwritten (used as the price array). ``returns``:
    the bootstrap history (:func:`~wattshift.valuation.scenarios.bootstrap_returns`) if already
    computed.
    """
    sc = inputs.config.scenario
    months = inputs.months
    log_price = log_price_from_draws(
        inputs.price,
        draws.price,
        kind=sc.price_model,
        months=months,
        block_days=sc.block_days,
        returns=returns,
    )
    best, worst = efficiency_band(
        sc.network_best_j_per_th, sc.network_worst_j_per_th, sc.efficiency_gain_annual, months
    )
    hashrate = network_hashrate_ths(
        log_price,
        inputs.subsidy_btc_per_block,
        inputs.network,
        log_price0=float(np.log(inputs.price.price0_usd)),
        adjustment_annual=sc.hashrate_adjustment_annual,
        extra_growth_annual=sc.hashrate_extra_growth_annual,
        shocks=draws.hashrate_shocks,
        power_usd_per_kwh=sc.network_power_usd_per_kwh,
        best_j_per_th=best,
        worst_j_per_th=worst,
    )
    return Scenario(
        price_usd=np.exp(log_price, out=log_price),
        btc_per_th_day=btc_per_th_day(
            inputs.subsidy_btc_per_block, inputs.network.fee_share, hashrate, overwrite_hashrate=True
        ),
    )


def simulate_scenario(inputs: ValuationInputs, paths: int, rng: np.random.Generator) -> Scenario:
    """Price and network paths for ``paths`` paths (see :mod:`~wattshift.valuation.network`)."""
    return scenario_from_draws(inputs, draw_scenario(inputs, paths, rng))


def _mining_cash_flows(inputs: ValuationInputs, scenario: Scenario) -> CashFlows:
    """The mining business's cash flows per site MW on ``scenario``'s paths."""
    cfg = inputs.config
    return mining_cash_flows(
        scenario.price_usd,
        scenario.btc_per_th_day,
        cfg.mining,
        efficiency_j_per_th=inputs.efficiency_j_per_th,
        power_usd_per_mwh=inputs.power_usd_per_mwh,
        efficiency_gain_annual=cfg.scenario.efficiency_gain_annual,
        flex_revenue_usd_per_mw_month=inputs.flex_revenue_usd_per_mw_month,
    )


def business_cash_flows(
    inputs: ValuationInputs, scenario: Scenario, rng: np.random.Generator
) -> tuple[CashFlows, CashFlows, CashFlows, AiDraws]:
    """Mining, AI (converted in month 0) and hybrid cash flows per site MW, and the lease events."""
    cfg = inputs.config
    paths, months = scenario.price_usd.shape
    mining = _mining_cash_flows(inputs, scenario)
    draws = draw_ai_events(cfg.ai, paths, rng)
    ai = ai_cash_flows(
        cfg.ai,
        draws,
        months,
        power_usd_per_mwh=inputs.power_usd_per_mwh,
        power_escalator_annual=cfg.mining.power_escalator_annual,
    )
    return mining, ai, blend_cash_flows(mining, ai, cfg.treasury.hybrid_ai_fraction), draws


def terminal_ebitda_usd(
    inputs: ValuationInputs, mining_ebitda: FloatArray, ai_ebitda: FloatArray
) -> FloatArray:
    """Multiple-weighted last-12-month EBITDA [USD] (0 when the terminal value is off)."""
    cfg = inputs.config
    if cfg.dcf.terminal_value == "none":
        return np.zeros(mining_ebitda.shape[0])
    last = slice(-MONTHS_PER_YEAR, None)
    out: FloatArray = cfg.mining.ebitda_multiple * mining_ebitda[:, last].sum(
        axis=1
    ) + cfg.ai.ebitda_multiple * (ai_ebitda[:, last].sum(axis=1))
    return out


def block_paths(months: int) -> int:
    """Paths per block for ``months`` [paths]: about :data:`BLOCK_PATH_MONTHS` / ``months``, a
    multiple of 64 (BLAS matrix-vector kernels then group a block's rows as those of the whole
    chunk, so NPVs are bit-for-bit those of an unblocked run).

    Uses :data:`BLOCK_PATH_MONTHS_PINNED_MALLOC` when a glibc ``MALLOC_*`` tunable is set.
    Block sizes never change the numbers (a test).
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


def _empty_result(
    paths: int, months: int, *, with_irr: bool, start_years: int, keep_paths: int
) -> ChunkResult:
    def per_path() -> dict[str, FloatArray]:
        return {b: np.empty(paths) for b in BUSINESSES}

    kept = min(keep_paths, paths)
    return ChunkResult(
        npv_usd=per_path(),
        irr_annual=per_path() if with_irr else {},
        payback_months=per_path(),
        fwd_ebitda_usd=per_path(),
        npv_switch_usd=np.empty((paths, start_years)),
        cum_pv_usd={b: np.empty((kept, months)) for b in BUSINESSES} if kept else {},
    )


def _switch_npv(
    inputs: ValuationInputs,
    mining_cash: FloatArray,
    mining_ebitda_last: FloatArray,
    ai_ebitda: FloatArray,
    occupied: npt.NDArray[np.bool_],
    start_month: int,
    disc: FloatArray,
) -> FloatArray:
    """NPV with terminal value [USD/MW] of mining until ``start_month``, then AI, ``(paths,)``.

    Builds the flows of :func:`~wattshift.valuation.cashflows.switch_cash_flows` for the
    conversion starting in ``start_month`` directly: mining cash before it, conversion capex
    during the build, then the lease. With power passed through, the lease flows of lease month
    ``u`` do not depend on the start, so they are the columns of ``ai_ebitda`` (the start-0 AI
    business) from its lease start.
    """
    terms = inputs.config.ai
    paths, months = mining_cash.shape
    lease_start = start_month + terms.build_months
    capex = ai_capex_usd(terms, months, start_month)
    cash = np.empty((paths, months))
    cash[:, :start_month] = mining_cash[:, :start_month]
    build_end = min(lease_start, months)
    np.subtract(0.0, capex[start_month:build_end], out=cash[:, start_month:build_end])
    lease_ebitda = np.zeros((paths, 0))
    if lease_start < months:
        n_lease = months - lease_start
        if terms.power_pass_through:
            lease_ebitda = ai_ebitda[:, terms.build_months : terms.build_months + n_lease]
        else:
            lease_ebitda = ai_lease_flows(
                terms,
                occupied[:, :n_lease],
                lease_start=lease_start,
                power_usd_per_mwh=inputs.power_usd_per_mwh,
                power_escalator_annual=inputs.config.mining.power_escalator_annual,
            )
        np.subtract(lease_ebitda, capex[lease_start:], out=cash[:, lease_start:])
    # Terminal value: mining EBITDA of the last 12 months before the start, AI EBITDA after it.
    last_months = np.arange(months)[-MONTHS_PER_YEAR:]
    ai_last = np.zeros((paths, last_months.size))
    leased = last_months >= lease_start
    ai_last[:, leased] = lease_ebitda[:, last_months[leased] - lease_start]
    mined = (last_months < start_month)[None, :]
    tv = terminal_ebitda_usd(inputs, np.where(mined, mining_ebitda_last, 0.0), np.where(mined, 0.0, ai_last))
    out: FloatArray = cash @ disc + tv * disc[-1]
    return out


def _value_block(
    inputs: ValuationInputs,
    scenario: Scenario,
    draws: AiDraws,
    disc: FloatArray,
    result: ChunkResult,
    start: int,
    *,
    with_irr: bool,
    start_years: int,
) -> None:
    """Value the paths of one block and write them into rows ``start ..`` of ``result``."""
    cfg = inputs.config
    paths, months = scenario.price_usd.shape
    rows = slice(start, start + paths)
    build = cfg.ai.build_months
    mining = _mining_cash_flows(inputs, scenario)
    occupied = ai_lease_occupied(cfg.ai, draws, max(months - build, 0))
    ai = ai_cash_flows(
        cfg.ai,
        draws,
        months,
        power_usd_per_mwh=inputs.power_usd_per_mwh,
        power_escalator_annual=cfg.mining.power_escalator_annual,
        occupied=occupied,
    )
    hybrid = blend_cash_flows(mining, ai, cfg.treasury.hybrid_ai_fraction)
    w = cfg.treasury.hybrid_ai_fraction
    last = slice(-MONTHS_PER_YEAR, None)
    mining_last, ai_last = mining.ebitda_usd[:, last], ai.ebitda_usd[:, last]
    zeros = np.zeros((paths, 1))
    tv = {
        "mining": terminal_ebitda_usd(inputs, mining_last, zeros),
        "ai": terminal_ebitda_usd(inputs, zeros, ai_last),
        "hybrid": terminal_ebitda_usd(inputs, (1 - w) * mining_last, w * ai_last),
    }
    flows = {"mining": mining, "ai": ai, "hybrid": hybrid}
    cash = {name: cf.cash_usd for name, cf in flows.items()}
    for y in range(start_years):
        result.npv_switch_usd[rows, y] = _switch_npv(
            inputs, cash["mining"], mining_last, ai.ebitda_usd, occupied, y * MONTHS_PER_YEAR, disc
        )
    kept = max(min(len(next(iter(result.cum_pv_usd.values()), ())) - start, paths), 0)
    for name, cf in flows.items():
        cash_b = cash[name]
        cash_b[:, -1] += tv[name]
        result.npv_usd[name][rows] = cash_b @ disc
        if with_irr:
            result.irr_annual[name][rows] = (1.0 + irr(cash_b)) ** MONTHS_PER_YEAR - 1.0
        result.payback_months[name][rows] = payback_months(cash_b)
        first = 0 if name == "mining" else build
        result.fwd_ebitda_usd[name][rows] = cf.ebitda_usd[:, first : first + MONTHS_PER_YEAR].sum(axis=1)
        if kept:
            result.cum_pv_usd[name][start : start + kept] = np.cumsum(cash_b[:kept] * disc[None, :], axis=1)


def run_chunk(
    inputs: ValuationInputs,
    chunk: int,
    paths: int,
    *,
    seed: int,
    with_irr: bool = True,
    start_years: int = 0,
    keep_paths: int = 0,
) -> ChunkResult:
    """Value ``paths`` paths of chunk ``chunk`` (module docstring for the random streams).

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
        Also compute IRRs (:func:`~wattshift.valuation.dcf.irr`).
    start_years
        Conversion start years to evaluate for the planner (0..start_years-1).
    keep_paths
        Paths whose cumulative discounted cash flow is kept (fan chart).
    """
    rng = chunk_rng(seed, chunk)
    draws = draw_scenario(inputs, paths, rng)
    ai_draws = draw_ai_events(inputs.config.ai, paths, rng)
    months = inputs.months
    disc = discount_factors(monthly_rate(inputs.config.dcf.discount_rate_annual), months)
    returns = bootstrap_returns(inputs.price) if inputs.config.scenario.price_model == "bootstrap" else None
    result = _empty_result(paths, months, with_irr=with_irr, start_years=start_years, keep_paths=keep_paths)
    for start, stop in block_bounds(paths, block_paths(months)):
        scenario = scenario_from_draws(inputs, draws.rows(start, stop), returns=returns)
        block_draws = AiDraws(ai_draws.default_month[start:stop], ai_draws.renews[start:stop])
        _value_block(
            inputs,
            scenario,
            block_draws,
            disc,
            result,
            start,
            with_irr=with_irr,
            start_years=start_years,
        )
    return result


def chunk_sizes(paths: int, chunk_paths: int) -> list[int]:
    """Split ``paths`` into chunks of ``chunk_paths`` (the last one shorter)."""
    full, rest = divmod(paths, chunk_paths)
    return [chunk_paths] * full + ([rest] if rest else [])


def merge_chunks(parts: list[ChunkResult]) -> ChunkResult:
    """Concatenate chunk results in chunk order."""

    def cat(key: str) -> dict[str, FloatArray]:
        dicts: list[dict[str, FloatArray]] = [getattr(p, key) for p in parts]
        return {k: np.concatenate([d[k] for d in dicts]) for k in dicts[0]}

    return ChunkResult(
        npv_usd=cat("npv_usd"),
        irr_annual=cat("irr_annual"),
        payback_months=cat("payback_months"),
        fwd_ebitda_usd=cat("fwd_ebitda_usd"),
        npv_switch_usd=np.concatenate([p.npv_switch_usd for p in parts]),
        cum_pv_usd=parts[0].cum_pv_usd,
    )


def run(
    inputs: ValuationInputs,
    *,
    paths: int,
    seed: int,
    chunk_paths: int = 4096,
    with_irr: bool = True,
    start_years: int = 0,
    keep_paths: int = 0,
    threads: int = 1,
    progress: Progress | None = None,
) -> ChunkResult:
    """Value ``paths`` paths chunk by chunk (memory ~ ``threads x chunk_paths x months``).

    ``threads > 1`` runs chunks on a thread pool (NumPy releases the GIL in its array loops); the
    numbers are the same as with one thread, since each chunk has its own random stream.
    ``progress(done, total)`` is called with ``(0, chunks)`` first, then once per finished chunk
    (``done`` counts up to ``chunks``, whatever thread finished it); it never changes the numbers.
    """
    sizes = chunk_sizes(paths, chunk_paths)
    lock = threading.Lock()
    finished = [0]
    if progress is not None:
        progress(0, len(sizes))

    def one(k: int) -> ChunkResult:
        part = run_chunk(
            inputs,
            k,
            sizes[k],
            seed=seed,
            with_irr=with_irr,
            start_years=start_years,
            keep_paths=keep_paths if k == 0 else 0,
        )
        if progress is not None:
            with lock:  # one report at a time, so ``done`` only goes up
                finished[0] += 1
                progress(finished[0], len(sizes))
        return part

    if threads <= 1:
        parts = [one(k) for k in range(len(sizes))]
    else:
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=threads) as pool:
            parts = list(pool.map(one, range(len(sizes))))
    return merge_chunks(parts)
