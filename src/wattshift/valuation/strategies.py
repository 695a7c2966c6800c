"""Site strategies along each path: hold-and-mine, sell-and-convert (the plan), hybrid.

Works on the paths of the valuation run itself (:class:`~wattshift.valuation.pathvalue.PathFlows`:
the BTC price, the mining EBITDA and the AI lease events each chunk kept), so the strategies see
exactly the paths the planner saw, without simulating them again; then funds each strategy from
cash and the BTC treasury (:mod:`~wattshift.valuation.treasury`).

Pure functions: no argument is written to.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from wattshift.units import MONTHS_PER_YEAR
from wattshift.valuation.cashflows import (
    CashFlows,
    ai_capex_usd,
    ai_cash_flows,
    blend_cash_flows,
    lease_terms,
    mining_capex_usd,
)
from wattshift.valuation.dcf import discount_factors, monthly_rate
from wattshift.valuation.horizon import ai_terminal_usd, mining_terminal_usd
from wattshift.valuation.leases import LeasePaths
from wattshift.valuation.montecarlo import ValuationInputs
from wattshift.valuation.pathvalue import PathFlows
from wattshift.valuation.treasury import btc_sold_by_year, fund_streams, strategy_value_usd

FloatArray = npt.NDArray[np.float64]
STRATEGIES = ("hold_and_mine", "sell_and_convert", "hybrid")
#: The strategy whose BTC sales are reported year by year (the planner's schedule).
PLAN = "sell_and_convert"


@dataclass(frozen=True)
class StrategyResult:
    """Per-path outcomes of each strategy (dicts keyed by strategy, arrays ``(paths,)`` unless noted).

    Attributes
    ----------
    value_usd
        Value of the strategy [USD] (:func:`~wattshift.valuation.treasury.strategy_value_usd`).
    btc_sold
        BTC sold over the horizon [BTC].
    financing_usd
        External financing needed over the horizon [USD].
    plan_btc_sold_by_year
        BTC sold by the plan (``sell_and_convert``) in each year [BTC], ``(paths, years)``.
    refresh_capex_usd, conversion_capex_usd
        ASIC refresh and AI conversion capex over the horizon [USD] (the same on every path); the
        treasury and ``financing_usd`` fund the conversion and operations, not the refreshes.
    """

    value_usd: dict[str, FloatArray]
    btc_sold: dict[str, FloatArray]
    financing_usd: dict[str, FloatArray]
    plan_btc_sold_by_year: FloatArray
    refresh_capex_usd: dict[str, float]
    conversion_capex_usd: dict[str, float]


def _mining(inputs: ValuationInputs, flows: PathFlows) -> CashFlows:
    """The run's mining flows: its EBITDA, and the fleet purchases (the same row on every path)."""
    months = inputs.months
    capex = mining_capex_usd(
        inputs.spec.mining, months, inputs.efficiency_j_per_th, inputs.spec.scenario.efficiency_gain_annual
    )
    return CashFlows(flows.mining_ebitda_usd, np.broadcast_to(capex, flows.mining_ebitda_usd.shape))


def _ai_from(inputs: ValuationInputs, leases: LeasePaths, start_month: int) -> CashFlows:
    """AI-hosting flows of a conversion that starts in ``start_month`` (the run's lease paths)."""
    spec = inputs.spec
    return ai_cash_flows(
        spec.ai,
        leases,
        inputs.months,
        start_month=start_month,
        power_usd_per_mwh=inputs.power_usd_per_mwh,
        power_escalator_annual=spec.mining.power_escalator_annual,
    )


def _ai_cash_from(
    inputs: ValuationInputs, leases: LeasePaths, ai0: CashFlows, start_month: int
) -> FloatArray:
    """Cash [USD/MW per month] of months ``start_month ..`` of a conversion starting then,
    ``(paths, months - start_month)``: the months ``start_month ..`` of
    ``_ai_from(inputs, leases, start_month).cash_usd``.

    With power passed through, lease month ``u`` earns the same whatever the start, so the lease
    months are those of the month-0 conversion ``ai0`` from its lease start (the same bits,
    without building a horizon of flows per start year).
    """
    terms, months = inputs.spec.ai, inputs.months
    if not terms.power_pass_through:
        return _ai_from(inputs, leases, start_month).cash_usd[:, start_month:]
    capex = ai_capex_usd(terms, months, start_month)[start_month:]
    cash = np.empty((ai0.ebitda_usd.shape[0], months - start_month))
    built = min(terms.build_months, months - start_month)  # months without rent
    np.subtract(0.0, capex[:built], out=cash[:, :built])
    lease = ai0.ebitda_usd[:, terms.build_months : months - start_month]
    np.subtract(lease, capex[built:], out=cash[:, built:])
    return cash


@dataclass(frozen=True)
class Stream:
    """A strategy's site flows (linear in MW, :mod:`~wattshift.valuation.conversion`).

    Attributes
    ----------
    cash_usd
        Free cash flow [USD/month], ``(paths, months)``.
    terminal_usd
        Terminal value on stabilised NOI [USD], ``(paths,)``.
    refresh_capex_usd
        ASIC fleet refreshes within ``cash_usd`` [USD/month], ``(months,)``.
    conversion_capex_usd
        AI conversion capex within ``cash_usd`` [USD/month], ``(months,)``.
    """

    cash_usd: FloatArray
    terminal_usd: FloatArray
    refresh_capex_usd: FloatArray
    conversion_capex_usd: FloatArray


def strategy_streams(
    inputs: ValuationInputs, flows: PathFlows, *, site_mw: float, mw_by_year: FloatArray
) -> dict[str, Stream]:
    """The :class:`Stream` of each strategy on the paths of ``flows``."""
    w = inputs.spec.treasury.hybrid_ai_fraction
    months = inputs.months
    mining = _mining(inputs, flows)
    leases = flows.ai_draws.expand(lease_terms(inputs.spec.ai))
    ai0 = _ai_from(inputs, leases, 0)
    build = inputs.spec.ai.build_months
    mining_tv = mining_terminal_usd(inputs, mining.ebitda_usd)
    hybrid_cash = site_mw * blend_cash_flows(mining, ai0, w).cash_usd
    hybrid_tv = site_mw * ((1 - w) * mining_tv + w * ai_terminal_usd(inputs, build))
    refresh, convert = mining.capex_usd[0], ai0.capex_usd[0]
    mining_mw = site_mw - float(mw_by_year.sum())
    mining_cash = mining.cash_usd
    plan_cash = mining_mw * mining_cash
    plan_tv = mining_mw * mining_tv
    plan_refresh, plan_convert = mining_mw * refresh, np.zeros(months)
    for y, mw in enumerate(mw_by_year):
        if mw <= 0:
            continue
        s = y * MONTHS_PER_YEAR
        keep = np.arange(months) < s
        # Cash of switch_cash_flows(mining, ai_s, s): mining before month s, the AI business from it.
        plan_cash[:, :s] += mw * mining_cash[:, :s]
        plan_cash[:, s:] += mw * _ai_cash_from(inputs, leases, ai0, s)
        plan_tv = plan_tv + mw * ai_terminal_usd(inputs, s + build)
        plan_refresh = plan_refresh + mw * np.where(keep, refresh, 0.0)
        plan_convert = plan_convert + mw * ai_capex_usd(inputs.spec.ai, months, s)
    return {
        "hold_and_mine": Stream(site_mw * mining_cash, site_mw * mining_tv, site_mw * refresh, 0.0 * refresh),
        PLAN: Stream(plan_cash, plan_tv, plan_refresh, plan_convert),
        "hybrid": Stream(hybrid_cash, hybrid_tv, (1 - w) * site_mw * refresh, w * site_mw * convert),
    }


def strategies_of_paths(
    inputs: ValuationInputs, flows: PathFlows, *, site_mw: float, mw_by_year: FloatArray
) -> StrategyResult:
    """Value, BTC sold and financing of each strategy on the paths of ``flows``.

    hold-and-mine keeps its BTC (losses are financed, never covered by selling the treasury) and
    adds the treasury's discounted value at the horizon; the others sell BTC to cover deficits.
    """
    terms = inputs.spec.treasury
    price = np.ascontiguousarray(flows.price_usd.T)  # month-major (months, paths), for the funding
    disc = discount_factors(monthly_rate(inputs.spec.dcf.discount_rate_annual), inputs.months)
    out = StrategyResult({}, {}, {}, np.zeros((price.shape[1], 0)), {}, {})
    by_year = out.plan_btc_sold_by_year
    streams = strategy_streams(inputs, flows, site_mw=site_mw, mw_by_year=mw_by_year)
    # The treasury funds the conversion and operations, not ASIC refreshes (financed apart):
    # each stream's cash plus its refreshes, month-major, funded in one month loop.
    funded = np.empty((len(streams), *price.shape))
    for k, stream in enumerate(streams.values()):
        np.add(stream.cash_usd.T, stream.refresh_capex_usd[:, None], out=funded[k])
    treasuries = [0.0 if name == "hold_and_mine" else terms.treasury_btc for name in streams]
    fundings = fund_streams(funded, price, treasury_btc=treasuries, cash_usd=terms.cash_usd)
    del funded
    for (name, stream), funding in zip(streams.items(), fundings, strict=True):
        npv_site = stream.cash_usd @ disc + stream.terminal_usd * disc[-1]
        value = strategy_value_usd(npv_site, funding, price, disc, cash_usd=terms.cash_usd)
        if name == "hold_and_mine":
            value = value + terms.treasury_btc * price[-1] * disc[-1]
        out.value_usd[name] = value
        out.btc_sold[name] = funding.btc_sold_by_month.sum(axis=0)
        out.financing_usd[name] = funding.shortfall_by_month_usd.sum(axis=0)
        out.refresh_capex_usd[name] = float(stream.refresh_capex_usd.sum())
        out.conversion_capex_usd[name] = float(stream.conversion_capex_usd.sum())
        if name == PLAN:
            by_year = btc_sold_by_year(funding.btc_sold_by_month)
    return StrategyResult(
        out.value_usd,
        out.btc_sold,
        out.financing_usd,
        by_year,
        out.refresh_capex_usd,
        out.conversion_capex_usd,
    )


def merge_strategies(parts: list[StrategyResult]) -> StrategyResult:
    """Concatenate per-chunk strategy results in chunk order."""

    def cat(key: str) -> dict[str, FloatArray]:
        return {name: np.concatenate([getattr(p, key)[name] for p in parts]) for name in STRATEGIES}

    return StrategyResult(
        value_usd=cat("value_usd"),
        btc_sold=cat("btc_sold"),
        financing_usd=cat("financing_usd"),
        plan_btc_sold_by_year=np.concatenate([p.plan_btc_sold_by_year for p in parts]),
        refresh_capex_usd=parts[0].refresh_capex_usd,
        conversion_capex_usd=parts[0].conversion_capex_usd,
    )
