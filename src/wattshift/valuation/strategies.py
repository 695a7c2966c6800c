"""Site strategies along each path: hold-and-mine, sell-and-convert (the plan), hybrid.

Regenerates each chunk's scenario from its seed (:func:`~wattshift.valuation.montecarlo.chunk_rng`),
so the paths are exactly those the planner saw, then funds each strategy from cash and the BTC
treasury (:mod:`~wattshift.valuation.treasury`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from wattshift.valuation.cashflows import ai_cash_flows, switch_cash_flows
from wattshift.valuation.dcf import discount_factors, monthly_rate
from wattshift.valuation.montecarlo import (
    ValuationInputs,
    business_cash_flows,
    chunk_rng,
    chunk_sizes,
    simulate_scenario,
    terminal_ebitda_usd,
)
from wattshift.valuation.scenarios import MONTHS_PER_YEAR
from wattshift.valuation.treasury import fund_with_treasury, strategy_value_usd

FloatArray = npt.NDArray[np.float64]
STRATEGIES = ("hold_and_mine", "sell_and_convert", "hybrid")


@dataclass
class StrategyResult:
    """Per-path outcomes of each strategy (arrays ``(paths,)`` unless noted)."""

    value_usd: dict[str, FloatArray]
    btc_sold: dict[str, FloatArray]
    btc_sold_by_month: dict[str, FloatArray]  # (paths, months)
    financing_usd: dict[str, FloatArray]


def run_strategies_chunk(
    inputs: ValuationInputs,
    chunk: int,
    paths: int,
    *,
    seed: int,
    site_mw: float,
    mw_by_year: FloatArray,
) -> StrategyResult:
    """Strategies for ``paths`` paths of chunk ``chunk`` (same streams as the valuation run)."""
    cfg = inputs.config
    rng = chunk_rng(seed, chunk)
    scenario = simulate_scenario(inputs, paths, rng)
    mining, _ai, hybrid, draws = business_cash_flows(inputs, scenario, rng)
    months = inputs.months
    disc = discount_factors(monthly_rate(cfg.dcf.discount_rate_annual), months)
    w = cfg.treasury.hybrid_ai_fraction
    zeros = np.zeros_like(mining.ebitda_usd[:, :1])

    # Site cash flows [USD/month] and terminal EBITDA x multiple [USD] of each strategy.
    hold_cash = site_mw * mining.cash_usd
    hold_tv = site_mw * terminal_ebitda_usd(inputs, mining.ebitda_usd, zeros)
    hyb_cash = site_mw * hybrid.cash_usd
    hyb_tv = site_mw * terminal_ebitda_usd(inputs, (1 - w) * mining.ebitda_usd, w * _ai.ebitda_usd)
    plan_cash = (site_mw - float(mw_by_year.sum())) * mining.cash_usd
    plan_tv = (site_mw - float(mw_by_year.sum())) * terminal_ebitda_usd(inputs, mining.ebitda_usd, zeros)
    for y, mw in enumerate(mw_by_year):
        if mw <= 0:
            continue
        s = y * MONTHS_PER_YEAR
        ai_s = ai_cash_flows(
            cfg.ai,
            draws,
            months,
            start_month=s,
            power_usd_per_mwh=inputs.power_usd_per_mwh,
            power_escalator_annual=cfg.mining.power_escalator_annual,
        )
        sw = switch_cash_flows(mining, ai_s, s)
        keep = (np.arange(months) < s)[None, :]
        plan_cash = plan_cash + mw * sw.cash_usd
        plan_tv = plan_tv + mw * terminal_ebitda_usd(
            inputs, np.where(keep, mining.ebitda_usd, 0.0), np.where(keep, 0.0, ai_s.ebitda_usd)
        )

    out = StrategyResult({}, {}, {}, {})
    streams = {
        "hold_and_mine": (hold_cash, hold_tv),
        "sell_and_convert": (plan_cash, plan_tv),
        "hybrid": (hyb_cash, hyb_tv),
    }
    for name, (cash, tv) in streams.items():
        # hold-and-mine keeps its BTC: losses are financed, never covered by selling the treasury.
        treasury = 0.0 if name == "hold_and_mine" else cfg.treasury.treasury_btc
        funding = fund_with_treasury(
            cash, scenario.price_usd, treasury_btc=treasury, cash_usd=cfg.treasury.cash_usd
        )
        npv_site = cash @ disc + tv * disc[-1]
        value = strategy_value_usd(
            npv_site, funding, scenario.price_usd, disc, cash_usd=cfg.treasury.cash_usd
        )
        if name == "hold_and_mine":
            value = value + cfg.treasury.treasury_btc * scenario.price_usd[:, -1] * disc[-1]
        out.value_usd[name] = value
        out.btc_sold[name] = funding.btc_sold.sum(axis=1)
        out.btc_sold_by_month[name] = funding.btc_sold
        out.financing_usd[name] = funding.shortfall_usd.sum(axis=1)
    return out


def run_strategies(
    inputs: ValuationInputs,
    *,
    paths: int,
    seed: int,
    chunk_paths: int,
    site_mw: float,
    mw_by_year: FloatArray,
) -> StrategyResult:
    """:func:`run_strategies_chunk` over all chunks, concatenated in chunk order."""
    parts = [
        run_strategies_chunk(inputs, k, n, seed=seed, site_mw=site_mw, mw_by_year=mw_by_year)
        for k, n in enumerate(chunk_sizes(paths, chunk_paths))
    ]
    merged = StrategyResult({}, {}, {}, {})
    for key in ("value_usd", "btc_sold", "btc_sold_by_month", "financing_usd"):
        target: dict[str, FloatArray] = getattr(merged, key)
        for name in STRATEGIES:
            target[name] = np.concatenate([getattr(p, key)[name] for p in parts])
    return merged
