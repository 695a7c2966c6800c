"""Typed results of the valuation service (``wattshift value``, ``wattshift treasury``).

Plain frozen dataclasses; the edges shape them into JSON (:func:`wattshift.jsonable.to_jsonable`
writes the fields in order, so the field names here are the keys of ``--format json``).
Money in USD per site MW unless the name says otherwise.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from wattshift.config.valuation import TreasuryTerms, ValuationConfig
from wattshift.valuation.conversion import PlanMargin
from wattshift.valuation.dcf import summary
from wattshift.valuation.sensitivity import Bar

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Summary:
    """Percentiles and mean of a distribution over paths (NaN ignored; NaN when all are NaN)."""

    p5: float
    p50: float
    p95: float
    mean: float

    @classmethod
    def of(cls, values: FloatArray) -> Summary:
        """The summary of ``values`` (:func:`wattshift.valuation.dcf.summary`)."""
        return cls(**summary(values))


@dataclass(frozen=True)
class ByBusiness:
    """One summary per business."""

    mining: Summary
    ai: Summary
    hybrid: Summary


@dataclass(frozen=True)
class Shares:
    """One share per business [fraction]; None where undefined (e.g. a zero p50 NPV)."""

    mining: float | None
    ai: float | None
    hybrid: float | None


@dataclass(frozen=True)
class ByStrategy:
    """One summary per strategy (:mod:`wattshift.valuation.strategies`) [USD]."""

    hold_and_mine: Summary
    sell_and_convert: Summary
    hybrid: Summary


@dataclass(frozen=True)
class EvPerMw:
    """EV per MW at each business's EBITDA multiple [USD/MW]."""

    mining: float
    ai: float


@dataclass(frozen=True)
class YearMw:
    """MW whose conversion starts in a calendar year [MW]."""

    year: int
    mw: float


@dataclass(frozen=True)
class YearUsd:
    """Expected NPV gain per MW of converting in a calendar year [USD/MW]."""

    year: int
    usd: float


@dataclass(frozen=True)
class YearBtc:
    """BTC sold by the plan in a calendar year: median and mean over paths [BTC]."""

    year: int
    btc_p50: float
    btc_mean: float


@dataclass(frozen=True)
class BtcToSell:
    """BTC the treasury sells to fund the plan, and what is still missing.

    Attributes
    ----------
    total
        BTC sold over the horizon [BTC].
    by_year
        BTC sold per year [BTC].
    treasury_btc
        BTC held now [BTC].
    prob_treasury_exhausted
        Share of paths that sell the whole treasury [fraction]; None without a treasury.
    financing_needed_usd
        External financing over the horizon [USD].
    funds
        What the BTC sales and the financing pay for.
    conversion_capex_usd
        AI conversion capex of the plan [USD] (funded).
    asic_refresh_capex_usd
        ASIC refreshes of the MW still mining [USD]: not funded by the treasury (equipment
        financing or the mining business's own cash), in the site NPV all the same.
    """

    total: Summary
    by_year: list[YearBtc]
    treasury_btc: float
    prob_treasury_exhausted: float | None
    financing_needed_usd: Summary
    funds: str
    conversion_capex_usd: float
    asic_refresh_capex_usd: float


@dataclass(frozen=True)
class FlexSource:
    """Provenance of a flex revenue taken from a dispatch backtest (JSON keys ``from`` / ``to``).

    Attributes
    ----------
    kind
        ``"dispatch backtest"``.
    start, end
        First day and day after the last (UTC) of the backtest.
    node, market, foresight
        Price node, energy market and information set of the backtest.
    value_of_flexibility_usd
        Optimised net minus always-on mining net [USD].
    reserves_usd, sellback_usd
        Reserve and sell-back revenue of the optimised schedule [USD].
    mining_mw
        Summed power of the site's fleets [MW].
    months
        Length of the backtest in months of 730 h [months].
    """

    kind: str
    start: dt.date = field(metadata={"json": "from"})
    end: dt.date = field(metadata={"json": "to"})
    node: str
    market: str
    foresight: str
    value_of_flexibility_usd: float
    reserves_usd: float
    sellback_usd: float
    mining_mw: float
    months: float


@dataclass(frozen=True)
class Calibration:
    """The calibrated models and the site's figures a valuation used.

    Attributes
    ----------
    valuation_date
        Last priced day of the calibration window.
    window
        First and last day of the window.
    price0_usd, price_drift_annual, price_vol_annual, price_model
        BTC price now [USD], log drift [1/year], volatility [1/sqrt(year)], scenario model.
    drift, drift_window
        The drift choice (``risk-neutral``, ``long-run``, ``calibrated`` or ``override``) and the
        days it was measured on (the volatility's window for ``risk-neutral``).
    hashrate0_ehs, hashrate_growth_hist_annual, hashrate_vol_annual, fee_share
        Network hashrate now [EH/s], its historical growth [1/year] and volatility
        [1/sqrt(year)], fees as a share of miner revenue [fraction].
    block_height0
        Estimated block height on the valuation date.
    efficiency_j_per_th, power_usd_per_mwh, power_source
        Site fleet efficiency [J/TH], power price [USD/MWh] and where that price came from.
    fleet_age_years, fleet_age_source
        Age of the fleet in service [years] and where it came from.
    flex_revenue_usd_per_mw_month, flex_source
        With a flex backtest only: its figure [USD/MW-month] and provenance.
    """

    valuation_date: dt.date
    window: tuple[dt.date, dt.date]
    price0_usd: float
    price_drift_annual: float
    drift: str
    drift_window: tuple[dt.date, dt.date] | None
    price_vol_annual: float
    price_model: str
    hashrate0_ehs: float
    hashrate_growth_hist_annual: float
    hashrate_vol_annual: float
    fee_share: float
    block_height0: int
    efficiency_j_per_th: float
    fleet_age_years: float
    fleet_age_source: str
    power_usd_per_mwh: float
    power_source: str
    flex_revenue_usd_per_mw_month: float | None = field(default=None, metadata={"omit_none": True})
    flex_source: FlexSource | None = field(default=None, metadata={"omit_none": True})


@dataclass(frozen=True)
class ConversionResult:
    """The conversion plan and what funds it (shared by :class:`SiteValuation` and :class:`TreasuryPlan`)."""

    schedule: list[YearMw]
    gain_usd_per_mw: list[YearUsd]
    plan_margin_usd: float
    plan_margin_se_usd: float
    next_best_schedule: list[YearMw]
    plan_note: str
    expected_gain_usd: float
    capex_usd: float
    btc_to_sell: BtcToSell
    strategies_value_usd: ByStrategy


@dataclass(frozen=True)
class SiteValuation:
    """Result of :func:`wattshift.services.valuation.value_site` (``wattshift value``).

    ``discount_rate`` [1/year]; ``npv_ex_terminal_usd``: NPV of the horizon's cash only;
    ``terminal_value_share``: ``1 - p50(NPV ex terminal) / p50(NPV)`` per business, the share of
    the median NPV that the terminal value carries. ``irr``: percentiles over all paths, a path
    without an IRR ranked by its NPV sign (:func:`wattshift.valuation.returns.irr_percentiles`;
    null where a percentile is undefined); ``irr_defined_share``: paths whose flows are an
    investment with one sign change; ``mirr``: modified IRR at ``[valuation.dcf]``'s finance and
    reinvestment rates [1/year].

    ``fan``: p5/p25/p50/p75/p95 of the cumulative discounted cash per MW by month
    ``(5, months)`` [USD/MW] per business, when asked for (None otherwise; not in the JSON then).
    ``value_ratio_ai_to_mining_net_of_capex``: ``(EV_ai - conversion capex) / EV_mining`` per site
    MW; ``ai_uplift_usd_per_w``: ``(EV_ai - capex - EV_mining)`` per site W [USD/W].
    ``plan_margin_usd``: expected NPV of the conversion plan minus the next-best plan's
    (``next_best_schedule``: the best plan without one of its start years) [USD], with its Monte
    Carlo standard error ``plan_margin_se_usd``; ``plan_note`` says when they are tied.
    ``sensitivity``: the tornado bars (:class:`wattshift.valuation.sensitivity.Bar`:
    ``{input, business, low, high, npv_low_usd, npv_high_usd, npv_base_usd}``), when asked for.
    """

    site: str
    site_mw: float
    paths: int
    years: int
    seed: int
    discount_rate: float
    npv_usd: ByBusiness
    npv_ex_terminal_usd: ByBusiness
    terminal_value_share: Shares
    irr: ByBusiness
    irr_defined_share: Shares
    mirr: ByBusiness
    payback_years: ByBusiness
    ev_per_mw_usd: EvPerMw
    value_ratio_ai_to_mining: float | None
    conversion_capex_usd_per_mw: float
    value_ratio_ai_to_mining_net_of_capex: float | None
    ai_uplift_usd_per_w: float
    npv_mean_ratio_ai_to_mining: float | None
    prob_ai_beats_mining: float
    conversion_schedule: list[YearMw]
    conversion_gain_usd_per_mw: list[YearUsd]
    plan_margin_usd: float
    plan_margin_se_usd: float
    next_best_schedule: list[YearMw]
    plan_note: str
    conversion_expected_gain_usd: float
    conversion_capex_usd: float
    btc_to_sell: BtcToSell
    strategies_value_usd: ByStrategy
    calibration: Calibration
    assumptions: ValuationConfig
    fan: dict[str, FloatArray] | None = field(default=None, metadata={"omit_none": True})
    sensitivity: list[Bar] | None = field(default=None, metadata={"omit_none": True})


@dataclass(frozen=True)
class TreasuryPlan:
    """Result of :func:`wattshift.services.valuation.treasury_plan` (``wattshift treasury``)."""

    site: str
    site_mw: float
    conversion_schedule: list[YearMw]
    plan_margin_usd: float
    plan_margin_se_usd: float
    plan_note: str
    conversion_expected_gain_usd: float
    conversion_capex_usd: float
    btc_to_sell: BtcToSell
    strategies_value_usd: ByStrategy
    treasury: TreasuryTerms
    calibration: Calibration


def plan_note(margin: PlanMargin) -> str:
    """Whether the plan is clear of the next-best one by more than the Monte Carlo error."""
    if margin.tied:
        return (
            f"tied: the next-best plan is {margin.margin_usd:,.0f} USD behind, within the Monte Carlo "
            f"standard error ({margin.se_usd:,.0f} USD); another seed may choose it (run more paths)"
        )
    return (
        f"the plan leads the next-best by {margin.margin_usd:,.0f} USD, "
        f"{margin.margin_usd / margin.se_usd:.1f} Monte Carlo standard errors"
    )
