"""The Monte Carlo valuation per MW, chunked over paths (bounded memory, reproducible by seed).

Chunk ``k`` draws its random numbers from ``SeedSequence(seed, spawn_key=(k,))``, so the result
depends on ``(seed, paths, chunk_paths)`` only — not on the order or the process that runs the
chunks (serial, threads or Dask give the same numbers).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from wattshift.valuation.cashflows import (
    AiDraws,
    CashFlows,
    ai_cash_flows,
    blend_cash_flows,
    draw_ai_events,
    mining_cash_flows,
    switch_cash_flows,
)
from wattshift.valuation.config import ValuationConfig
from wattshift.valuation.dcf import discount_factors, irr, monthly_rate, payback_months
from wattshift.valuation.network import (
    HashrateModel,
    btc_per_th_day,
    efficiency_band,
    network_hashrate_ths,
)
from wattshift.valuation.scenarios import MONTHS_PER_YEAR, PriceModel, simulate_log_price

FloatArray = npt.NDArray[np.float64]
BUSINESSES = ("mining", "ai", "hybrid")


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


def simulate_scenario(inputs: ValuationInputs, paths: int, rng: np.random.Generator) -> Scenario:
    """Price and network paths for ``paths`` paths (see :mod:`~wattshift.valuation.network`)."""
    sc = inputs.config.scenario
    months = inputs.months
    log_price = simulate_log_price(
        inputs.price, kind=sc.price_model, paths=paths, months=months, rng=rng, block_days=sc.block_days
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
        shocks=rng.standard_normal((paths, months)),
        power_usd_per_kwh=sc.network_power_usd_per_kwh,
        best_j_per_th=best,
        worst_j_per_th=worst,
    )
    return Scenario(
        price_usd=np.exp(log_price),
        btc_per_th_day=btc_per_th_day(inputs.subsidy_btc_per_block, inputs.network.fee_share, hashrate),
    )


def business_cash_flows(
    inputs: ValuationInputs, scenario: Scenario, rng: np.random.Generator
) -> tuple[CashFlows, CashFlows, CashFlows, AiDraws]:
    """Mining, AI (converted in month 0) and hybrid cash flows per site MW, and the lease events."""
    cfg = inputs.config
    paths, months = scenario.price_usd.shape
    mining = mining_cash_flows(
        scenario.price_usd,
        scenario.btc_per_th_day,
        cfg.mining,
        efficiency_j_per_th=inputs.efficiency_j_per_th,
        power_usd_per_mwh=inputs.power_usd_per_mwh,
        efficiency_gain_annual=cfg.scenario.efficiency_gain_annual,
        flex_revenue_usd_per_mw_month=inputs.flex_revenue_usd_per_mw_month,
    )
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
        Also compute IRRs (vectorised Newton; the costliest step).
    start_years
        Conversion start years to evaluate for the planner (0..start_years-1).
    keep_paths
        Paths whose cumulative discounted cash flow is kept (fan chart).
    """
    rng = chunk_rng(seed, chunk)
    scenario = simulate_scenario(inputs, paths, rng)
    mining, ai, hybrid, draws = business_cash_flows(inputs, scenario, rng)
    months = inputs.months
    i = monthly_rate(inputs.config.dcf.discount_rate_annual)
    disc = discount_factors(i, months)
    w = inputs.config.treasury.hybrid_ai_fraction
    zeros = np.zeros_like(mining.ebitda_usd[:, :1])
    tv = {
        "mining": terminal_ebitda_usd(inputs, mining.ebitda_usd, zeros),
        "ai": terminal_ebitda_usd(inputs, zeros, ai.ebitda_usd),
        "hybrid": terminal_ebitda_usd(inputs, (1 - w) * mining.ebitda_usd, w * ai.ebitda_usd),
    }
    flows = {"mining": mining, "ai": ai, "hybrid": hybrid}
    npv: dict[str, FloatArray] = {}
    irrs: dict[str, FloatArray] = {}
    payback: dict[str, FloatArray] = {}
    fwd: dict[str, FloatArray] = {}
    cum: dict[str, FloatArray] = {}
    build = inputs.config.ai.build_months
    for name, cf in flows.items():
        cash = cf.cash_usd.copy()
        cash[:, -1] += tv[name]
        npv[name] = cash @ disc
        if with_irr:
            irrs[name] = (1.0 + irr(cash)) ** MONTHS_PER_YEAR - 1.0
        payback[name] = payback_months(cash)
        start = 0 if name == "mining" else build
        fwd[name] = cf.ebitda_usd[:, start : start + MONTHS_PER_YEAR].sum(axis=1)
        if keep_paths:
            cum[name] = np.cumsum(cash[:keep_paths] * disc[None, :], axis=1)
    switch = np.empty((paths, start_years))
    for y in range(start_years):
        s = y * MONTHS_PER_YEAR
        ai_s = ai_cash_flows(
            inputs.config.ai,
            draws,
            months,
            start_month=s,
            power_usd_per_mwh=inputs.power_usd_per_mwh,
            power_escalator_annual=inputs.config.mining.power_escalator_annual,
        )
        sw = switch_cash_flows(mining, ai_s, s)
        keep = (np.arange(months) < s)[None, :]
        tv_s = terminal_ebitda_usd(
            inputs, np.where(keep, mining.ebitda_usd, 0.0), np.where(keep, 0.0, ai_s.ebitda_usd)
        )
        switch[:, y] = sw.cash_usd @ disc + tv_s * disc[-1]
    return ChunkResult(npv, irrs, payback, fwd, switch, cum)


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
) -> ChunkResult:
    """Value ``paths`` paths chunk by chunk (memory ~ ``threads x chunk_paths x months``).

    ``threads > 1`` runs chunks on a thread pool (NumPy releases the GIL in its array loops); the
    numbers are the same as with one thread, since each chunk has its own random stream.
    """
    sizes = chunk_sizes(paths, chunk_paths)

    def one(k: int) -> ChunkResult:
        return run_chunk(
            inputs,
            k,
            sizes[k],
            seed=seed,
            with_irr=with_irr,
            start_years=start_years,
            keep_paths=keep_paths if k == 0 else 0,
        )

    if threads <= 1:
        parts = [one(k) for k in range(len(sizes))]
    else:
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=threads) as pool:
            parts = list(pool.map(one, range(len(sizes))))
    return merge_chunks(parts)
