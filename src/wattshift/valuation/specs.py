"""Frozen specs of the valuation engine: the terms of a run as plain scalars.

The engine never sees the pydantic configuration (:mod:`wattshift.config.valuation`): the
valuation service turns a loaded ``ValuationConfig`` into a :class:`ValuationSpec` once
(:func:`wattshift.services.valuation_inputs.valuation_spec`). Field names, units and meanings are
those of the configuration, where each default is documented with its source.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ScenarioSpec:
    """How BTC price and network hashrate paths are generated (``[valuation.scenario]``).

    Attributes
    ----------
    price_model
        ``"gbm"`` or ``"bootstrap"``.
    calibration_years
        History window [years].
    drift
        ``risk-neutral``, ``long-run`` or ``calibrated`` (:mod:`~wattshift.valuation.drift`).
    risk_free_rate_annual
        Risk-free rate of the risk-neutral drift [1/year].
    price_drift_annual, price_vol_annual
        Overrides of the log-price drift [1/year] and volatility [1/sqrt(year)]; None = calibrated.
    block_days
        Bootstrap block length [days].
    hashrate_adjustment_annual
        Speed of installed hashrate towards the capacity revenue pays for [1/year].
    hashrate_extra_growth_annual
        Extra log growth of installed hashrate [1/year].
    hashrate_vol_annual
        Override of the installed-hashrate volatility [1/sqrt(year)]; None = calibrated.
    network_power_usd_per_kwh
        Power price of the marginal network miner [USD/kWh].
    network_best_j_per_th, network_worst_j_per_th
        Efficiency band of the installed base now [J/TH].
    efficiency_gain_annual
        Yearly fractional improvement of machine efficiency [1/year].
    fee_share
        Fees as a share of miner revenue [fraction]; None = calibrated.
    """

    price_model: str
    calibration_years: float
    drift: str
    risk_free_rate_annual: float
    price_drift_annual: float | None
    price_vol_annual: float | None
    block_days: int
    hashrate_adjustment_annual: float
    hashrate_extra_growth_annual: float
    hashrate_vol_annual: float | None
    network_power_usd_per_kwh: float
    network_best_j_per_th: float
    network_worst_j_per_th: float
    efficiency_gain_annual: float
    fee_share: float | None


@dataclass(frozen=True)
class MiningSpec:
    """The mining business per MW of site power (``[valuation.mining]``; units as there).

    Attributes
    ----------
    power_escalator_annual
        Yearly escalation of the power price [1/year].
    uptime
        Fraction of hours hashing [fraction].
    pue
        Site energy / machine energy [ratio].
    pool_fee
        Pool fee [fraction of revenue].
    opex_usd_per_mw_month
        Non-power opex [USD/MW-month].
    capex_usd_per_th
        New ASIC price [USD per TH/s].
    asic_life_years
        Fleet life before refresh [years].
    fleet_age_years
        Age of the fleet in service [years] (refresh due when ``>= asic_life_years``).
    flex_revenue_usd_per_mw_month
        Curtailment and reserve revenue [USD/MW-month].
    ebitda_multiple
        EV/EBITDA of a mining business [x].
    """

    power_escalator_annual: float
    uptime: float
    pue: float
    pool_fee: float
    opex_usd_per_mw_month: float
    capex_usd_per_th: float
    asic_life_years: float
    fleet_age_years: float
    flex_revenue_usd_per_mw_month: float
    ebitda_multiple: float


@dataclass(frozen=True)
class AiSpec:
    """The AI-hosting business per MW of site power (``[valuation.ai]``; units as there).

    Attributes
    ----------
    capex_usd_m_per_mw
        Conversion capex [USD million per critical-IT MW].
    build_months
        Months from start of conversion to first revenue [months].
    rate_usd_per_kw_month
        Colocation rate [USD per critical-IT kW-month].
    escalator_annual
        Yearly rate escalator [1/year].
    term_years
        Lease term [years].
    market_growth_annual
        Growth of the market rent a new or renewing tenant signs at [1/year].
    renewal_probability
        Probability the tenant renews at term end [fraction].
    default_probability_annual
        Tenant default probability [1/year].
    re_lease_months
        Downtime after a default or a non-renewal [months].
    reletting_cost_months_of_rent
        Re-letting cost (tenant improvements, commissions) in months of the new rent [months].
    power_pass_through
        Tenant pays the power bill.
    pue
        Power usage effectiveness [unitless].
    opex_usd_per_mw_month
        Landlord opex per critical-IT MW [USD/MW-month].
    ebitda_multiple
        EV/EBITDA of a contracted data-center business [x].
    """

    capex_usd_m_per_mw: float
    build_months: int
    rate_usd_per_kw_month: float
    escalator_annual: float
    term_years: float
    market_growth_annual: float
    renewal_probability: float
    default_probability_annual: float
    re_lease_months: int
    reletting_cost_months_of_rent: float
    power_pass_through: bool
    pue: float
    opex_usd_per_mw_month: float
    ebitda_multiple: float


@dataclass(frozen=True)
class DcfSpec:
    """Discounting (``[valuation.dcf]``).

    Attributes
    ----------
    discount_rate_annual
        Discount rate [1/year, effective].
    finance_rate_annual, reinvest_rate_annual
        MIRR's finance and reinvestment rates [1/year, effective].
    """

    discount_rate_annual: float
    finance_rate_annual: float
    reinvest_rate_annual: float


@dataclass(frozen=True)
class TerminalSpec:
    """Terminal value on stabilised NOI (``[valuation.terminal]``; :mod:`~wattshift.valuation.terminal`).

    Attributes
    ----------
    method
        ``"exit_cap"``, ``"gordon"`` or ``"none"``.
    growth_annual, exit_cap_rate
        AI hosting: NOI growth after the horizon and exit cap rate [1/year].
    mining_growth_annual, mining_exit_cap_rate
        Mining: the same [1/year].
    """

    method: str
    growth_annual: float
    exit_cap_rate: float
    mining_growth_annual: float
    mining_exit_cap_rate: float


@dataclass(frozen=True)
class TreasurySpec:
    """BTC treasury, cash and financing limits (``[valuation.treasury]``).

    Attributes
    ----------
    treasury_btc
        BTC held [BTC].
    cash_usd
        Cash available [USD].
    capex_budget_usd
        Conversion capex the company can fund [USD]; None = no limit.
    max_conversion_mw_per_year
        Most MW converted in one year [MW]; None = no limit.
    hybrid_ai_fraction
        Share of site MW converted in the 'hybrid' case [fraction].
    """

    treasury_btc: float
    cash_usd: float
    capex_budget_usd: float | None
    max_conversion_mw_per_year: float | None
    hybrid_ai_fraction: float


@dataclass(frozen=True)
class ValuationSpec:
    """All the terms of a valuation run.

    Attributes
    ----------
    years
        Horizon [years].
    paths
        Monte Carlo paths.
    seed
        Random seed.
    chunk_paths
        Paths per chunk [paths] (fixes the random streams).
    scenario, mining, ai, dcf, terminal, treasury
        The sub-tables.
    """

    years: int
    paths: int
    seed: int
    chunk_paths: int
    scenario: ScenarioSpec
    mining: MiningSpec
    ai: AiSpec
    dcf: DcfSpec
    terminal: TerminalSpec
    treasury: TreasurySpec
