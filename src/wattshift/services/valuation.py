"""Valuation service: warehouse + site -> calibrated Monte Carlo -> typed results.

Shared by the CLI (``wattshift value``, ``wattshift treasury``), the API and the report, which
shape the results (:mod:`wattshift.services.valuation_results`) into JSON, tables and charts. One
request object (:class:`ValuationRequest`) carries every option; sweeps are in
:mod:`wattshift.services.valuation_sweep`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from wattshift.config import SiteConfig
from wattshift.config.valuation import ValuationConfig
from wattshift.services.valuation_inputs import (
    FlexSpan,
    build_inputs,
    flex_usd_per_mw_month_from_dispatch,
    resolve_config,
)
from wattshift.services.valuation_results import (
    BtcToSell,
    ByBusiness,
    ByStrategy,
    Calibration,
    ConversionResult,
    EvPerMw,
    Shares,
    SiteValuation,
    Summary,
    TreasuryPlan,
    YearBtc,
    YearMw,
    YearUsd,
    plan_note,
)
from wattshift.units import W_PER_MW, months_to_years, musd_to_usd
from wattshift.valuation.conversion import plan_conversion, plan_margin, switch_gains
from wattshift.valuation.execution import (
    ChunkResult,
    Progress,
    block_paths,
    default_threads,
    map_chunks,
    row_slices,
    run,
    sequential_blas,
)
from wattshift.valuation.montecarlo import BUSINESSES, ValuationInputs
from wattshift.valuation.returns import irr_percentiles
from wattshift.valuation.sensitivity import tornado
from wattshift.valuation.strategies import PLAN, StrategyResult, merge_strategies, strategies_of_paths

if TYPE_CHECKING:
    from wattshift.warehouse import Warehouse

FloatArray = npt.NDArray[np.float64]

__all__ = [
    "FlexSpan",
    "PreparedValuation",
    "ValuationRequest",
    "prepare_valuation",
    "treasury_of",
    "treasury_plan",
    "value_prepared",
    "value_site",
]

#: Paths whose cumulative discounted cash feeds the fan chart's percentiles [paths].
FAN_PATHS = 1000
#: Percentiles of the fan chart.
FAN_PERCENTILES = (5, 25, 50, 75, 95)


@dataclass(frozen=True)
class ValuationRequest:
    """What to value and how (None = the site's ``[valuation]`` value, or its default).

    Attributes
    ----------
    site
        The site; its ``[valuation]`` table (or the defaults) gives the terms.
    paths, years, seed
        Overrides of ``valuation.paths``, ``valuation.years``, ``valuation.seed``.
    flex
        Take the mining flex revenue [USD/MW-month] from this dispatch backtest
        (:func:`~wattshift.services.valuation_inputs.flex_usd_per_mw_month_from_dispatch`)
        instead of ``valuation.mining.flex_revenue_usd_per_mw_month``.
    treasury_btc, cash_usd, capex_budget_usd
        Overrides of ``[valuation.treasury]`` [BTC], [USD], [USD].
    fan
        Also return the fan chart's percentiles (:attr:`SiteValuation.fan`).
    threads
        Threads of the Monte Carlo; None = the CPUs this process may use. Never changes a number.
    finance_rate, reinvest_rate
        Overrides of ``[valuation.dcf]`` MIRR rates [1/year].
    sensitivity
        Also compute the tornado of p50 NPVs (:func:`wattshift.valuation.sensitivity.tornado`).
    drift
        Override of ``[valuation.scenario].drift`` (``risk-neutral``, ``long-run``, ``calibrated``).
    """

    site: SiteConfig
    paths: int | None = None
    years: int | None = None
    seed: int | None = None
    flex: FlexSpan | None = None
    treasury_btc: float | None = None
    cash_usd: float | None = None
    capex_budget_usd: float | None = None
    fan: bool = False
    threads: int | None = None
    finance_rate: float | None = None
    reinvest_rate: float | None = None
    drift: str | None = None
    sensitivity: bool = False


def _not_none(values: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}


def request_config(request: ValuationRequest) -> ValuationConfig:
    """The site's ``[valuation]`` table (defaults when absent) with the request's overrides."""
    cfg = request.site.valuation or ValuationConfig()
    treasury = _not_none(
        {
            "treasury_btc": request.treasury_btc,
            "cash_usd": request.cash_usd,
            "capex_budget_usd": request.capex_budget_usd,
        }
    )
    changes = _not_none({"paths": request.paths, "years": request.years, "seed": request.seed})
    dcf = _not_none(
        {"finance_rate_annual": request.finance_rate, "reinvest_rate_annual": request.reinvest_rate}
    )
    if dcf:
        changes["dcf"] = cfg.dcf.model_copy(update=dcf)
    if request.drift is not None:
        changes["scenario"] = cfg.scenario.model_copy(update={"drift": request.drift})
    if treasury:
        changes["treasury"] = cfg.treasury.model_copy(update=treasury)
    return resolve_config(cfg.model_copy(update=changes) if changes else cfg)


def _by_business(values: Mapping[str, np.ndarray[Any, np.dtype[np.float64]]]) -> ByBusiness:
    return ByBusiness(
        mining=Summary.of(values["mining"]), ai=Summary.of(values["ai"]), hybrid=Summary.of(values["hybrid"])
    )


def _irr_by_business(irr: Mapping[str, FloatArray], npv: Mapping[str, FloatArray], rate: float) -> ByBusiness:
    """IRR percentiles over all paths (:func:`~wattshift.valuation.returns.irr_percentiles`); the
    mean is over the paths with an IRR."""

    def one(b: str) -> Summary:
        p5, p50, p95 = irr_percentiles(irr[b], npv[b], rate)
        defined = irr[b][np.isfinite(irr[b])]
        return Summary(p5, p50, p95, float(defined.mean()) if defined.size else float("nan"))

    return ByBusiness(mining=one("mining"), ai=one("ai"), hybrid=one("hybrid"))


def _terminal_shares(npv: ByBusiness, ex_terminal: ByBusiness) -> Shares:
    """``1 - p50(NPV ex terminal) / p50(NPV)`` per business (None for a zero p50 NPV)."""

    def share(b: str) -> float | None:
        with_tv, without = getattr(npv, b).p50, getattr(ex_terminal, b).p50
        return None if with_tv == 0 or with_tv != with_tv else 1.0 - without / with_tv

    return Shares(mining=share("mining"), ai=share("ai"), hybrid=share("hybrid"))


def _conversion(
    inputs: ValuationInputs,
    cfg: ValuationConfig,
    res: ChunkResult,
    *,
    site_mw: float,
    year0: int,
    threads: int,
) -> ConversionResult:
    """Plan the conversion on the run's switch NPVs, then value the strategies on the run's paths."""
    gains = switch_gains(res.npv_switch_usd, res.npv_usd["mining"])
    limits: dict[str, Any] = {
        "site_mw": site_mw,
        "capex_usd_per_mw": musd_to_usd(inputs.spec.ai.capex_usd_m_per_mw) / inputs.spec.ai.pue,
        "capex_budget_usd": cfg.treasury.capex_budget_usd,
        "max_mw_per_year": cfg.treasury.max_conversion_mw_per_year,
    }
    plan = plan_conversion(gains, **limits)
    margin = plan_margin(res.npv_switch_usd - res.npv_usd["mining"][:, None], plan, **limits)
    pieces = row_slices(res.flows, block_paths(inputs.months))
    parts = map_chunks(
        lambda k: strategies_of_paths(inputs, pieces[k], site_mw=site_mw, mw_by_year=plan.mw_by_year),
        len(pieces),
        threads=threads,
    )
    strat = merge_strategies(parts)
    return ConversionResult(
        schedule=[YearMw(year0 + y, float(mw)) for y, mw in enumerate(plan.mw_by_year)],
        gain_usd_per_mw=[YearUsd(year0 + y, float(g)) for y, g in enumerate(gains)],
        plan_margin_usd=margin.margin_usd,
        plan_margin_se_usd=margin.se_usd,
        next_best_schedule=[YearMw(year0 + y, float(mw)) for y, mw in enumerate(margin.next_best_mw_by_year)],
        plan_note=plan_note(margin),
        expected_gain_usd=plan.expected_gain_usd,
        capex_usd=plan.capex_usd,
        btc_to_sell=_btc_to_sell(strat, cfg.treasury.treasury_btc, year0),
        strategies_value_usd=ByStrategy(**{k: Summary.of(v) for k, v in strat.value_usd.items()}),
    )


def _btc_to_sell(strat: StrategyResult, treasury_btc: float, year0: int) -> BtcToSell:
    """BTC the plan sells (total and per year), the chance it empties the treasury, financing."""
    sold, by_year = strat.btc_sold[PLAN], strat.plan_btc_sold_by_year
    return BtcToSell(
        total=Summary.of(sold),
        by_year=[
            YearBtc(year0 + y, float(np.median(by_year[:, y])), float(by_year[:, y].mean()))
            for y in range(by_year.shape[1])
        ],
        treasury_btc=treasury_btc,
        prob_treasury_exhausted=float(np.mean(sold >= treasury_btc - 1e-9)) if treasury_btc > 0 else None,
        financing_needed_usd=Summary.of(strat.financing_usd[PLAN]),
        funds="AI conversion capex, net of the site's operating cash (not ASIC refreshes)",
        conversion_capex_usd=strat.conversion_capex_usd[PLAN],
        asic_refresh_capex_usd=strat.refresh_capex_usd[PLAN],
    )


def _distributions(res: ChunkResult, discount_rate: float) -> dict[str, Any]:
    """The :class:`SiteValuation` fields of the per-path distributions, by business: discount rate,
    NPV with and without terminal value, terminal value share, IRR, IRR-defined share, MIRR, payback."""
    npv = res.npv_usd
    npv_summary, ex_terminal = _by_business(npv), _by_business(res.npv_ex_terminal_usd)  # once each
    return {
        "discount_rate": discount_rate,
        "npv_usd": npv_summary,
        "npv_ex_terminal_usd": ex_terminal,
        "terminal_value_share": _terminal_shares(npv_summary, ex_terminal),
        "irr": _irr_by_business(res.irr_annual, npv, discount_rate),
        "irr_defined_share": Shares(**{b: float(np.isfinite(res.irr_annual[b]).mean()) for b in BUSINESSES}),
        "mirr": _by_business(res.mirr_annual),
        "payback_years": _by_business({k: months_to_years(v) for k, v in res.payback_months.items()}),
    }


def _conversion_fields(conv: ConversionResult) -> dict[str, Any]:
    """The :class:`SiteValuation` fields of the conversion plan and its funding."""
    return {
        "conversion_schedule": conv.schedule,
        "conversion_gain_usd_per_mw": conv.gain_usd_per_mw,
        "plan_margin_usd": conv.plan_margin_usd,
        "plan_margin_se_usd": conv.plan_margin_se_usd,
        "next_best_schedule": conv.next_best_schedule,
        "plan_note": conv.plan_note,
        "conversion_expected_gain_usd": conv.expected_gain_usd,
        "conversion_capex_usd": conv.capex_usd,
        "btc_to_sell": conv.btc_to_sell,
        "strategies_value_usd": conv.strategies_value_usd,
    }


@dataclass(frozen=True)
class PreparedValuation:
    """What a valuation needs of the warehouse, read once (:func:`prepare_valuation`): the request,
    its configuration (with a flex backtest's figure when asked), the inputs and the calibration.
    The Monte Carlo (:func:`value_prepared`) then runs without the warehouse, which the caller may
    close first (its memory is then free for the paths)."""

    request: ValuationRequest
    cfg: ValuationConfig
    inputs: ValuationInputs
    calibration: Calibration


def prepare_valuation(wh: Warehouse, request: ValuationRequest) -> PreparedValuation:
    """Read and calibrate everything :func:`value_prepared` needs (see :class:`PreparedValuation`)."""
    cfg = request_config(request)
    flex = (
        None if request.flex is None else flex_usd_per_mw_month_from_dispatch(wh, request.site, request.flex)
    )
    if flex is not None:  # ``assumptions`` shows the terms the run used: the backtest's figure
        mining = cfg.mining.model_copy(update={"flex_revenue_usd_per_mw_month": flex[0]})
        cfg = cfg.model_copy(update={"mining": mining})
    with sequential_blas():  # the calibration's products are small too
        inputs, calibration = build_inputs(wh, request.site, cfg, years=cfg.years, flex=flex)
    return PreparedValuation(request, cfg, inputs, calibration)


def value_site(wh: Warehouse, request: ValuationRequest, progress: Progress | None = None) -> SiteValuation:
    """Value a site: NPV/IRR distributions per business, EV per MW, conversion plan, BTC to sell.

    ``wh``: warehouse with the BTC daily history (and ERCOT prices for the power price fallback).
    ``progress(done, total)``: Monte Carlo chunks of ``valuation.chunk_paths`` paths valued so far,
    and in all (:func:`~wattshift.valuation.execution.run`); the strategies pass that follows is not
    counted. The numbers are the same with or without it, and on any number of threads.
    :func:`prepare_valuation` then :func:`value_prepared`.
    """
    return value_prepared(prepare_valuation(wh, request), progress)


def value_prepared(prepared: PreparedValuation, progress: Progress | None = None) -> SiteValuation:
    """:func:`value_site` on what :func:`prepare_valuation` read (no warehouse needed); one BLAS thread
    throughout (every product is small: waking OpenBLAS's pool cost 0.6 s of spinning CPU)."""
    with sequential_blas():
        return _valued(prepared, progress)


def _valued(prepared: PreparedValuation, progress: Progress | None) -> SiteValuation:
    request, cfg, inputs, calibration = prepared.request, prepared.cfg, prepared.inputs, prepared.calibration
    threads = default_threads() if request.threads is None else request.threads
    res = run(
        inputs, paths=cfg.paths, seed=cfg.seed, chunk_paths=cfg.chunk_paths, with_irr=True,
        start_years=cfg.years, keep_paths=FAN_PATHS if request.fan else 0, keep_flows=True,
        threads=threads, progress=progress,
    )  # fmt: skip
    site_mw = request.site.interconnect_mw - request.site.aux_mw
    conv = _conversion(
        inputs, cfg, res, site_mw=site_mw, year0=calibration.valuation_date.year, threads=threads
    )
    npv = res.npv_usd
    ev = EvPerMw(
        mining=cfg.mining.ebitda_multiple * float(res.fwd_ebitda_usd["mining"].mean()),
        ai=cfg.ai.ebitda_multiple * float(res.fwd_ebitda_usd["ai"].mean()),
    )
    sensitivity = (
        tornado(inputs, paths=cfg.paths, seed=cfg.seed, chunk_paths=cfg.chunk_paths, threads=threads)
        if request.sensitivity
        else None
    )
    fan = {k: np.percentile(v, FAN_PERCENTILES, axis=0) for k, v in res.cum_pv_usd.items()}
    capex_per_mw = musd_to_usd(inputs.spec.ai.capex_usd_m_per_mw) / inputs.spec.ai.pue
    return SiteValuation(
        site=request.site.name,
        site_mw=site_mw,
        paths=cfg.paths,
        years=cfg.years,
        seed=cfg.seed,
        **_distributions(res, cfg.dcf.discount_rate_annual),
        ev_per_mw_usd=ev,
        value_ratio_ai_to_mining=ev.ai / ev.mining if ev.mining > 0 else None,
        conversion_capex_usd_per_mw=capex_per_mw,
        value_ratio_ai_to_mining_net_of_capex=(ev.ai - capex_per_mw) / ev.mining if ev.mining > 0 else None,
        ai_uplift_usd_per_w=(ev.ai - capex_per_mw - ev.mining) / W_PER_MW,
        npv_mean_ratio_ai_to_mining=(
            float(npv["ai"].mean() / npv["mining"].mean()) if npv["mining"].mean() > 0 else None
        ),
        prob_ai_beats_mining=float(np.mean(npv["ai"] > npv["mining"])),
        **_conversion_fields(conv),
        calibration=calibration,
        assumptions=cfg,
        fan=fan if request.fan else None,
        sensitivity=sensitivity,
    )


def treasury_plan(wh: Warehouse, request: ValuationRequest, progress: Progress | None = None) -> TreasuryPlan:
    """Conversion plan and BTC sales with the request's treasury terms (``wattshift treasury``).

    The same run as :func:`value_site` (same progress reports), trimmed to the plan and its funding.
    """
    return treasury_of(value_site(wh, request, progress))


def treasury_of(full: SiteValuation) -> TreasuryPlan:
    """The plan and its funding of a valuation (:func:`treasury_plan`)."""
    return TreasuryPlan(
        site=full.site,
        site_mw=full.site_mw,
        conversion_schedule=full.conversion_schedule,
        plan_margin_usd=full.plan_margin_usd,
        plan_margin_se_usd=full.plan_margin_se_usd,
        plan_note=full.plan_note,
        conversion_expected_gain_usd=full.conversion_expected_gain_usd,
        conversion_capex_usd=full.conversion_capex_usd,
        btc_to_sell=full.btc_to_sell,
        strategies_value_usd=full.strategies_value_usd,
        treasury=full.assumptions.treasury,
        calibration=full.calibration,
    )
