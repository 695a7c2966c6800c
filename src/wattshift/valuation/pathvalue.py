"""Value of each simulated path per site MW: NPV, IRR, payback, forward EBITDA, conversion years.

For a block of paths (:class:`~wattshift.valuation.montecarlo.Scenario` and the AI lease events),
:func:`value_block` builds the mining, AI (converted in month 0) and hybrid cash flows
(:mod:`~wattshift.valuation.cashflows`), adds the terminal value on stabilised NOI
(:mod:`~wattshift.valuation.horizon`) to the last month, and discounts
them (:mod:`~wattshift.valuation.dcf`). :func:`switch_npvs` values "mine until year y, then convert"
for every start year (the conversion planner's gains). Every step works row by row, so a block
gives exactly the numbers of the same rows in a larger block.

Pure functions: no argument is written to; results are new arrays.
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
    ai_lease_flows,
    blend_cash_flows,
    mining_cash_flows,
)
from wattshift.valuation.dcf import irr, monthly_rate, payback_months
from wattshift.valuation.horizon import ai_terminal_usd, mining_terminal_usd
from wattshift.valuation.leases import LeasePaths, LeaseStarts, LeaseStream
from wattshift.valuation.montecarlo import BUSINESSES, Scenario, ValuationInputs
from wattshift.valuation.returns import is_investment, mirr

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class PathFlows:
    """What the strategies need of a run's paths (:mod:`~wattshift.valuation.strategies`).

    Attributes
    ----------
    price_usd
        BTC price [USD], ``(paths, months)``.
    mining_ebitda_usd
        Mining EBITDA per site MW [USD/MW per month], ``(paths, months)``.
    ai_draws
        Simulated AI leases of the paths (from lease start), in their 2-byte form or as their
        random stream (a run's: :class:`~wattshift.valuation.leases.LeaseStream`, regenerated
        when needed); ``expand`` gives the flows' factors.
    """

    price_usd: FloatArray
    mining_ebitda_usd: FloatArray
    ai_draws: LeaseStarts | LeaseStream


@dataclass(frozen=True)
class BlockValues:
    """Per-path outputs of a block (``paths`` rows); dicts are keyed by business.

    Attributes
    ----------
    npv_usd
        NPV with terminal value [USD/MW], ``(paths,)``.
    npv_ex_terminal_usd
        NPV of the horizon's cash flows only [USD/MW], ``(paths,)``.
    irr_annual
        IRR [1/year] where the path is an investment with one sign change, else NaN
        (:func:`~wattshift.valuation.returns.is_investment`), ``(paths,)`` (empty dict when not
        asked for).
    mirr_annual
        Modified IRR [1/year] at the finance and reinvestment rates, ``(paths,)`` (idem).
    payback_months
        Undiscounted payback [months], ``(paths,)``.
    fwd_ebitda_usd
        EBITDA of the first 12 operating months [USD/MW], ``(paths,)``.
    npv_switch_usd
        NPV of converting in year ``y`` (mining before) [USD/MW], ``(paths, start years)``.
    cum_pv_usd
        Cumulative discounted cash [USD/MW] of the first kept rows, ``(kept, months)``.
    flows
        Price and mining EBITDA of the paths when asked for (strategies), else None.
    """

    npv_usd: dict[str, FloatArray]
    npv_ex_terminal_usd: dict[str, FloatArray]
    irr_annual: dict[str, FloatArray]
    mirr_annual: dict[str, FloatArray]
    payback_months: dict[str, FloatArray]
    fwd_ebitda_usd: dict[str, FloatArray]
    npv_switch_usd: FloatArray
    cum_pv_usd: dict[str, FloatArray]
    flows: PathFlows | None


def mining_flows(inputs: ValuationInputs, scenario: Scenario) -> CashFlows:
    """The mining business's cash flows per site MW on ``scenario``'s paths."""
    spec = inputs.spec
    return mining_cash_flows(
        scenario.price_usd,
        scenario.btc_per_th_day,
        spec.mining,
        efficiency_j_per_th=inputs.efficiency_j_per_th,
        power_usd_per_mwh=inputs.power_usd_per_mwh,
        efficiency_gain_annual=spec.scenario.efficiency_gain_annual,
        flex_revenue_usd_per_mw_month=inputs.flex_revenue_usd_per_mw_month,
    )


@dataclass(frozen=True)
class BusinessFlows:
    """Mining, AI (converted in month 0) and hybrid flows of a block, and the AI leases."""

    mining: CashFlows
    ai: CashFlows
    hybrid: CashFlows
    leases: LeasePaths


def business_flows(inputs: ValuationInputs, scenario: Scenario, draws: LeasePaths) -> BusinessFlows:
    """The three businesses' cash flows per site MW on ``scenario``'s paths."""
    spec = inputs.spec
    months = scenario.price_usd.shape[1]
    mining = mining_flows(inputs, scenario)
    ai = ai_cash_flows(
        spec.ai,
        draws,
        months,
        power_usd_per_mwh=inputs.power_usd_per_mwh,
        power_escalator_annual=spec.mining.power_escalator_annual,
    )
    return BusinessFlows(mining, ai, blend_cash_flows(mining, ai, spec.treasury.hybrid_ai_fraction), draws)


def _lease_ebitda(inputs: ValuationInputs, flows: BusinessFlows, lease_start: int, months: int) -> FloatArray:
    """Lease EBITDA [USD/MW per month] of months ``lease_start ..`` for a conversion of that lease start.

    With power passed through, lease month ``u`` does not depend on the start, so these are the
    columns of the start-0 AI business from its lease start.
    """
    terms = inputs.spec.ai
    n_lease = months - lease_start
    if terms.power_pass_through:
        return flows.ai.ebitda_usd[:, terms.build_months : terms.build_months + n_lease]
    return ai_lease_flows(
        terms,
        flows.leases,
        lease_start=lease_start,
        n_lease=n_lease,
        power_usd_per_mwh=inputs.power_usd_per_mwh,
        power_escalator_annual=inputs.spec.mining.power_escalator_annual,
    )


def _switch_terminal_usd(inputs: ValuationInputs, paths: int, start_month: int) -> FloatArray:
    """Terminal value [USD/MW] of a conversion starting in ``start_month``, ``(paths,)``: the AI
    business's (:func:`~wattshift.valuation.horizon.ai_terminal_usd`), the MW being converted."""
    return np.full(paths, ai_terminal_usd(inputs, start_month + inputs.spec.ai.build_months))


def switch_npv(
    inputs: ValuationInputs, flows: BusinessFlows, mining_cash: FloatArray, start_month: int, disc: FloatArray
) -> FloatArray:
    """NPV with terminal value [USD/MW] of mining until ``start_month``, then AI, ``(paths,)``.

    The flows of :func:`~wattshift.valuation.cashflows.switch_cash_flows` for that start, built
    directly: mining cash (``flows.mining.cash_usd``, passed once for every start) before it,
    conversion capex during the build, then the lease.
    """
    terms = inputs.spec.ai
    paths, months = mining_cash.shape
    lease_start = start_month + terms.build_months
    capex = ai_capex_usd(terms, months, start_month)
    cash = np.empty((paths, months))
    cash[:, :start_month] = mining_cash[:, :start_month]
    build_end = min(lease_start, months)
    np.subtract(0.0, capex[start_month:build_end], out=cash[:, start_month:build_end])
    if lease_start < months:
        lease_ebitda = _lease_ebitda(inputs, flows, lease_start, months)
        np.subtract(lease_ebitda, capex[lease_start:], out=cash[:, lease_start:])
    tv = _switch_terminal_usd(inputs, paths, start_month)
    out: FloatArray = cash @ disc + tv * disc[-1]
    return out


def switch_npvs(
    inputs: ValuationInputs, flows: BusinessFlows, disc: FloatArray, start_years: int
) -> FloatArray:
    """:func:`switch_npv` for start years ``0 .. start_years - 1``, ``(paths, start_years)`` [USD/MW].

    With power passed through (the lease flows of lease month ``u`` then do not depend on the
    start), from prefix sums instead of one horizon of flows per start year::

        NPV_s = sum_{t<s} m_t v_t - sum_t capex_{s,t} v_t + v_s sum_{u<M-s-b} a_{b+u} v_{b+u} + TV_s v_M

    with ``m`` the mining cash, ``a`` the AI EBITDA of a month-0 conversion, ``b`` the build
    months and ``v_t = (1 + i)^-t`` (so ``v_{s+b+u} = v_s v_{b+u}``): the same NPVs up to rounding
    (a test), each row on its own, in about a fifth of the time.
    """
    terms = inputs.spec.ai
    mining_cash = flows.mining.cash_usd
    paths, months = mining_cash.shape
    if start_years == 0:
        return np.empty((paths, 0))
    if not terms.power_pass_through or months % MONTHS_PER_YEAR:
        out = np.empty((paths, start_years))
        for y in range(start_years):
            out[:, y] = switch_npv(inputs, flows, mining_cash, y * MONTHS_PER_YEAR, disc)
        return out
    by_year = (mining_cash * disc).reshape(paths, -1, MONTHS_PER_YEAR).sum(axis=2)
    mined_pv = np.zeros((paths, start_years))
    np.cumsum(by_year[:, : start_years - 1], axis=1, out=mined_pv[:, 1:])
    build = terms.build_months
    lease_pv = np.cumsum(flows.ai.ebitda_usd[:, build:] * disc[build:], axis=1)
    for y in range(start_years):
        s = y * MONTHS_PER_YEAR
        mined_pv[:, y] -= ai_capex_usd(terms, months, s) @ disc
        n_lease = months - s - build
        if n_lease > 0:
            mined_pv[:, y] += disc[s] * lease_pv[:, n_lease - 1]
        mined_pv[:, y] += _switch_terminal_usd(inputs, paths, s) * disc[-1]
    return mined_pv


def business_terminal_usd(inputs: ValuationInputs, flows: BusinessFlows) -> dict[str, FloatArray]:
    """Terminal value [USD/MW] of each business at the horizon (:mod:`~wattshift.valuation.horizon`),
    ``(paths,)``; the hybrid's is the MW-weighted sum (values are linear in MW)."""
    w = inputs.spec.treasury.hybrid_ai_fraction
    mining = mining_terminal_usd(inputs, flows.mining.ebitda_usd)
    ai = np.full(mining.shape, ai_terminal_usd(inputs, inputs.spec.ai.build_months))
    return {"mining": mining, "ai": ai, "hybrid": (1.0 - w) * mining + w * ai}


def _cash_with_terminal(flows: BusinessFlows, tv: dict[str, FloatArray]) -> dict[str, FloatArray]:
    """Free cash flow of each business with its terminal value added to the last month (new arrays)."""
    cash = {"mining": flows.mining.cash_usd, "ai": flows.ai.cash_usd, "hybrid": flows.hybrid.cash_usd}
    for name, cash_b in cash.items():  # ``cash_usd`` is a new array per call: ours to change
        cash_b[:, -1] += tv[name]
    return cash


def irr_annual_of(cash: FloatArray) -> FloatArray:
    """Annual IRR of each path [1/year], NaN where the flows are not a one-sign-change investment."""
    ok = is_investment(cash)
    out = np.full(cash.shape[0], np.nan)
    if ok.any():
        out[ok] = (1.0 + irr(cash[ok])) ** MONTHS_PER_YEAR - 1.0
    return out


def _mirr_annual(inputs: ValuationInputs, cash: FloatArray) -> FloatArray:
    """Annual MIRR of each path [1/year] (:func:`~wattshift.valuation.returns.mirr` on monthly flows)."""
    dcf = inputs.spec.dcf
    monthly = mirr(cash, monthly_rate(dcf.finance_rate_annual), monthly_rate(dcf.reinvest_rate_annual))
    out: FloatArray = (1.0 + monthly) ** MONTHS_PER_YEAR - 1.0
    return out


def value_block(
    inputs: ValuationInputs,
    scenario: Scenario,
    draws: LeasePaths,
    disc: FloatArray,
    *,
    with_irr: bool,
    start_years: int,
    keep_paths: int = 0,
    keep_flows: bool = False,
    kept_leases: LeaseStream | None = None,
) -> BlockValues:
    """Value the paths of one block (module docstring).

    Parameters
    ----------
    inputs
        Calibrated inputs.
    scenario
        The block's market paths, ``(paths, months)``.
    draws
        The block's AI lease events.
    disc
        Discount factor of each month [unitless], ``(months,)``.
    with_irr
        Also compute IRRs (:func:`~wattshift.valuation.dcf.irr`).
    start_years
        Conversion start years to value (``0 .. start_years - 1``).
    keep_paths
        Rows (from the first) whose cumulative discounted cash is kept (fan chart).
    keep_flows
        Keep the price and mining EBITDA arrays for the strategies.
    kept_leases
        What the kept flows hold of the leases: the stream ``draws`` came from (a run's), or
        None for ``draws`` in their 2-byte form.
    """
    flows = business_flows(inputs, scenario, draws)
    tv = business_terminal_usd(inputs, flows)
    cash = _cash_with_terminal(flows, tv)
    npv = {b: cash[b] @ disc for b in BUSINESSES}
    build = inputs.spec.ai.build_months
    ebitda = {"mining": flows.mining.ebitda_usd, "ai": flows.ai.ebitda_usd, "hybrid": flows.hybrid.ebitda_usd}
    first = {"mining": 0, "ai": build, "hybrid": build}
    kept = min(keep_paths, scenario.price_usd.shape[0])
    return BlockValues(
        npv_usd=npv,
        npv_ex_terminal_usd={b: npv[b] - tv[b] * disc[-1] for b in BUSINESSES},
        irr_annual={b: irr_annual_of(cash[b]) for b in BUSINESSES} if with_irr else {},
        mirr_annual={b: _mirr_annual(inputs, cash[b]) for b in BUSINESSES} if with_irr else {},
        payback_months={b: payback_months(cash[b]) for b in BUSINESSES},
        fwd_ebitda_usd={
            b: ebitda[b][:, first[b] : first[b] + MONTHS_PER_YEAR].sum(axis=1) for b in BUSINESSES
        },
        npv_switch_usd=switch_npvs(inputs, flows, disc, start_years),
        cum_pv_usd={b: np.cumsum(cash[b][:kept] * disc[None, :], axis=1) for b in BUSINESSES} if kept else {},
        flows=(
            PathFlows(scenario.price_usd, flows.mining.ebitda_usd, kept_leases or draws.compact())
            if keep_flows
            else None
        ),
    )
