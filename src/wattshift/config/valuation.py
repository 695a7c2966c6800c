"""Valuation assumptions of a site: the ``[valuation]`` table of a site TOML.

Every field is optional: a site file without a ``[valuation]`` table is valued with the defaults
below. Each default names its source in the field description. Sub-tables:

- ``[valuation.scenario]`` — price / hashrate scenario model and its calibration window;
- ``[valuation.mining]`` — the mining business per MW (fleet, power, opex, pool fee);
- ``[valuation.ai]`` — the AI-hosting business per MW (capex, build, rate, term, risks, PUE);
- ``[valuation.dcf]`` — discounting;
- ``[valuation.terminal]`` — terminal value on stabilised NOI (exit cap rate or Gordon growth);
- ``[valuation.treasury]`` — BTC treasury, cash and the capex budget of the conversion planner.

Published deal terms behind the AI defaults are collected, with sources, in ``examples/deals.toml``.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from wattshift.config.mining import MiningAssumptions
from wattshift.config.valuation_dcf import DcfTerms, TerminalTerms

_STRICT = ConfigDict(extra="forbid", frozen=True)
#: Mining defaults come from the mining engine's assumptions (one source of truth, sources there).
_MA = MiningAssumptions.model_fields

#: Power price of a site when neither ``[valuation.mining].power_usd_per_mwh``, a fixed-price block
#: nor real-time prices in the warehouse give one [USD/MWh]: 0.045 USD/kWh, the marginal network
#: miner's power price of :attr:`ScenarioConfig.network_power_usd_per_kwh` (CoinShares Bitcoin
#: Mining Reports 2024-2025: listed miners' average power cost about 4-5 US cents/kWh).
FALLBACK_POWER_USD_PER_MWH = 45.0


class ScenarioConfig(BaseModel):
    """How BTC price and network hashrate paths are generated (monthly steps)."""

    model_config = _STRICT

    price_model: Literal["gbm", "bootstrap"] = Field(
        "gbm",
        description="'gbm': geometric Brownian motion calibrated on the window; 'bootstrap': moving-block "
        "bootstrap of the window's daily log returns (Kunsch 1989).",
    )
    calibration_years: float = Field(
        4.0,
        gt=0.25,
        le=16.0,
        description="History window [years] ending at the last priced day. Default: one halving epoch "
        "(210,000 blocks ≈ 4 years, Bitcoin consensus rules).",
    )
    drift: Literal["risk-neutral", "long-run", "calibrated"] = Field(
        "risk-neutral",
        description="BTC log-price drift (wattshift.valuation.drift): 'risk-neutral' = mean price grows "
        "at risk_free_rate_annual (no view on BTC; not measured from a trough or a peak); 'long-run' = "
        "log growth between the two latest halvings (a whole epoch); 'calibrated' = the window's mean.",
    )
    risk_free_rate_annual: float = Field(
        0.042,
        gt=-1.0,
        description="Risk-free rate of the 'risk-neutral' drift [1/year]: 10-year US Treasury yield, "
        "about 4.2 % (FRED DGS10, 2025 average).",
    )
    price_drift_annual: float | None = Field(
        None,
        description="Override of the log-price drift [1/year]; None = the 'drift' choice.",
    )
    price_vol_annual: float | None = Field(
        None, ge=0.0, description="Override of the log-price volatility [1/sqrt(year)]; None = calibrated."
    )
    block_days: int = Field(
        30,
        ge=1,
        le=365,
        description="Bootstrap block length [days]; ~1 month keeps volatility clustering (Politis & "
        "Romano 1994 suggest blocks growing like n^(1/3); 30 d ≈ 3.6 x n^(1/3) for 4 y of days).",
    )
    hashrate_adjustment_annual: float = Field(
        1.0,
        gt=0.0,
        le=12.0,
        description="Speed at which installed hashrate closes the gap to the capacity miner revenue pays "
        "for [1/year]; 1.0 ≈ a one-year lag between revenue and deployed machines (ASIC lead times of "
        "3-12 months, Hashrate Index).",
    )
    hashrate_extra_growth_annual: float = Field(
        0.0, description="Extra log growth of installed hashrate beyond the revenue-driven target [1/year]."
    )
    hashrate_vol_annual: float | None = Field(
        None, ge=0.0, description="Override of the installed-hashrate volatility [1/sqrt(year)]."
    )
    network_power_usd_per_kwh: float = Field(
        0.045,
        gt=0.0,
        description="Power price of the marginal network miner [USD/kWh]. CoinShares Bitcoin Mining "
        "Reports (2024-2025) put listed miners' average power cost at about 4-5 US cents/kWh.",
    )
    network_best_j_per_th: float = Field(
        15.0,
        gt=0.0,
        description="Efficiency of the best installed machines today [J/TH]: Antminer S21 Pro 15 J/TH, "
        "S21 XP 13.5 J/TH (Bitmain, 2024; shared data asics/asic_models.csv).",
    )
    network_worst_j_per_th: float = Field(
        34.0,
        gt=0.0,
        description="Efficiency of the worst machines still installed [J/TH]: Antminer S19 class, "
        "29.5-34.5 J/TH (Bitmain 2020; shared data asics/asic_models.csv).",
    )
    efficiency_gain_annual: float = Field(
        0.10,
        ge=0.0,
        lt=1.0,
        description="Yearly fractional improvement of machine efficiency [1/year]: best-in-class went "
        "from 29.5 J/TH (S19 Pro, 2020) to 13.5 J/TH (S21 XP, 2024), ~18 %/year; 10 % is a tapering rate.",
    )
    fee_share: float | None = Field(
        None,
        ge=0.0,
        lt=1.0,
        description="Fees as a share of miner revenue [fraction]; None = mean of the window "
        "(fees_usd / revenue_usd, Coin Metrics).",
    )

    @model_validator(mode="after")
    def _check_band(self) -> ScenarioConfig:
        if self.network_worst_j_per_th <= self.network_best_j_per_th:
            raise ValueError("network_worst_j_per_th must exceed network_best_j_per_th")
        return self


class MiningTerms(BaseModel):
    """The mining business per MW of site power."""

    model_config = _STRICT

    efficiency_j_per_th: float | None = Field(
        None,
        gt=0.0,
        description="Fleet efficiency [J/TH]; None = from the site's fleets (total W / total TH/s).",
    )
    power_usd_per_mwh: float | None = Field(
        None,
        description="All-in power price [USD/MWh]; None = the site's fixed-price contract, else 45 USD/MWh "
        "(= network_power_usd_per_kwh).",
    )
    power_escalator_annual: float = Field(
        0.0, description="Yearly escalation of the power price [1/year]; flat by default (fixed contract)."
    )
    uptime: float = Field(
        _MA["uptime"].default,
        gt=0.0,
        le=1.0,
        description="Fraction of hours hashing [fraction]; default and source: "
        "wattshift.mining.MiningAssumptions.uptime.",
    )
    pue: float = Field(
        _MA["pue"].default,
        ge=1.0,
        description="Site energy / machine energy [ratio]; default and source: MiningAssumptions.pue.",
    )
    pool_fee: float = Field(
        _MA["pool_fee"].default,
        ge=0.0,
        lt=1.0,
        description="Pool fee [fraction of revenue]; default and source: MiningAssumptions.pool_fee.",
    )
    opex_usd_per_mw_month: float = Field(
        _MA["opex_usd_per_mw_month"].default,
        ge=0.0,
        description="Non-power opex [USD/MW-month]; default and source: "
        "MiningAssumptions.opex_usd_per_mw_month.",
    )
    capex_usd_per_th: float = Field(
        _MA["capex_usd_per_th"].default,
        ge=0.0,
        description="New ASIC price [USD per TH/s]; default and source: MiningAssumptions.capex_usd_per_th.",
    )
    asic_life_years: float = Field(
        _MA["asic_life_years"].default,
        gt=0.0,
        description="Fleet life before refresh [years]; default and source: "
        "MiningAssumptions.asic_life_years.",
    )
    fleet_age_years: float | None = Field(
        None,
        ge=0.0,
        description="Age of the fleet in service [years]; a refresh is bought when it reaches "
        "asic_life_years (in month 0 only if already due). None = from the site's fleets: the "
        "power-weighted age since each model's release (ASIC catalogue 'release'; a fleet without "
        "a catalogue model counts half a life, assumption); a site without fleets buys one in month 0.",
    )
    flex_revenue_usd_per_mw_month: float = Field(
        0.0,
        description="Curtailment and reserve revenue [USD/MW-month]; taken from the dispatch backtest "
        "when one is given, else this value.",
    )
    ebitda_multiple: float = Field(
        8.0,
        gt=0.0,
        description="EV/EBITDA of a mining business [x]; listed miners traded around 6-10x forward "
        "EBITDA in 2024-2025 (analyst notes quoted by The Miner Mag).",
    )


class AiTerms(BaseModel):
    """The AI-hosting business per MW of site (grid) power."""

    model_config = _STRICT

    deal: str | None = Field(
        None,
        min_length=1,
        description="Name of a deal in the deals example (examples/deals.toml) whose starting rent "
        "(de-escalated from the term average), capex, term, PUE and escalator are taken together.",
    )
    capex_usd_m_per_mw: float | None = Field(
        None,
        ge=0.0,
        description="Conversion capex [USD million per critical-IT MW]; None = the deal's, else the "
        "median of the published deals (examples/deals.toml: 9.5, the AI-grade build midpoint; "
        "Riot-AMD's retrofit 3.6 is the low end).",
    )
    build_months: int = Field(
        12,
        ge=0,
        le=60,
        description="Months from start of conversion to first revenue [months]; no revenue meanwhile. "
        "Core Scientific-CoreWeave and Cipher-AWS phases delivered in about 12 months.",
    )
    rate_usd_per_kw_month: float | None = Field(
        None,
        gt=0.0,
        description="Starting rent [USD per critical-IT kW-month], escalated yearly; None = the deal's, "
        "else the median of the published deals' starting rents (term averages de-escalated; about "
        "105 USD/kW-month), not a retail colocation asking rate.",
    )
    escalator_annual: float | None = Field(
        None,
        ge=0.0,
        description="Yearly rent escalator [1/year]; None = the deal's (2-3 % is the usual colocation "
        "lease escalator).",
    )
    term_years: float | None = Field(
        None,
        gt=0.0,
        description="Lease term [years]; None = the deal's, else the median of the published AI-hosting "
        "leases (10-15 years, examples/deals.toml).",
    )
    market_growth_annual: float = Field(
        0.025,
        description="Growth of the market rent a new or renewing tenant signs at, counted from the "
        "first lease's start [1/year]; the escalator's 2.5 % (rents keep pace with escalators).",
    )
    renewal_probability: float = Field(
        0.7, ge=0.0, le=1.0, description="Probability the tenant renews at term end [fraction]."
    )
    default_probability_annual: float = Field(
        0.02,
        ge=0.0,
        lt=1.0,
        description="Tenant default probability [1/year]; about a single-B corporate (S&P long-run "
        "average default rates, ~2-4 %/year for B).",
    )
    re_lease_months: int = Field(
        12,
        ge=0,
        description="Downtime after a default or a non-renewal before a new tenant [months] "
        "(assumption: a year to find, fit out and commission a new AI tenant).",
    )
    reletting_cost_months_of_rent: float = Field(
        6.0,
        ge=0.0,
        description="Re-letting cost of a new lease (leasing commissions, tenant improvements) in months "
        "of its starting rent [months]: commissions of ~4-6 % of a 10-year lease's rent are 5-7 months "
        "(CBRE / JLL commission schedules); 6 (assumption within that range).",
    )
    power_pass_through: bool = Field(
        True, description="Tenant pays the power bill (usual in wholesale colocation leases)."
    )
    pue: float | None = Field(
        None,
        ge=1.0,
        description="Power usage effectiveness [unitless]; None = the deal's; new builds ≤ 1.3 "
        "(examples/deals.toml). "
        "Critical-IT MW = site MW / PUE.",
    )
    opex_usd_per_mw_month: float = Field(
        25_000.0,
        ge=0.0,
        description="Landlord opex per critical-IT MW [USD/MW-month]: staff, maintenance, insurance, "
        "property tax (assumption: ~15 % of CBRE's 184 USD/kW-month asking rate, ~24 % of the median "
        "deal's starting rent).",
    )
    ebitda_multiple: float = Field(
        18.0,
        gt=0.0,
        description="EV/EBITDA of a contracted data-center business [x]; listed data-center owners trade "
        "around 18-25x EBITDA (Equinix, Digital Realty, 2024).",
    )


class TreasuryTerms(BaseModel):
    """BTC treasury, cash and financing limits used by the conversion planner."""

    model_config = _STRICT

    treasury_btc: float = Field(0.0, ge=0.0, description="BTC held on the balance sheet [BTC].")
    cash_usd: float = Field(0.0, ge=0.0, description="Cash available for capex [USD].")
    capex_budget_usd: float | None = Field(
        None, ge=0.0, description="Total conversion capex the company can fund [USD]; None = no limit."
    )
    max_conversion_mw_per_year: float | None = Field(
        None, gt=0.0, description="Most MW that can be converted in one year [MW]; None = no limit."
    )
    hybrid_ai_fraction: float = Field(
        0.5, ge=0.0, le=1.0, description="Share of site MW converted in the 'hybrid' case [fraction]."
    )


class ValuationConfig(BaseModel):
    """Valuation assumptions of a site (the ``[valuation]`` table of a site TOML); all optional."""

    model_config = _STRICT

    years: int = Field(15, ge=1, le=30, description="Horizon [years]; monthly steps.")
    paths: int = Field(2_000, ge=10, description="Monte Carlo paths.")
    seed: int = Field(20_240_420, ge=0, description="Random seed (the 2024-04-20 halving).")
    chunk_paths: int = Field(
        4_096, ge=64, description="Paths per chunk [paths]; bounds memory, fixes the random stream."
    )
    scenario: ScenarioConfig = Field(default_factory=ScenarioConfig)
    mining: MiningTerms = Field(default_factory=MiningTerms)
    ai: AiTerms = Field(default_factory=AiTerms)
    dcf: DcfTerms = Field(default_factory=DcfTerms)
    terminal: TerminalTerms = Field(default_factory=TerminalTerms)
    treasury: TreasuryTerms = Field(default_factory=TreasuryTerms)

    @model_validator(mode="after")
    def _cap_above_growth(self) -> ValuationConfig:
        """The perpetuity converges only when the capitalisation rate exceeds growth."""
        t, r = self.terminal, self.dcf.discount_rate_annual
        if t.method == "gordon":
            for name, g in (
                ("growth_annual", t.growth_annual),
                ("mining_growth_annual", t.mining_growth_annual),
            ):
                if r <= g:
                    raise ValueError(
                        f"@terminal.{name}: {g} must be below the discount rate {r} (Gordon terminal value)"
                    )
        if t.method == "exit_cap":
            for cap_name, growth_name in (
                ("exit_cap_rate", "growth_annual"),
                ("mining_exit_cap_rate", "mining_growth_annual"),
            ):
                cap, g = getattr(t, cap_name), getattr(t, growth_name)
                if cap <= max(g, 0.0):
                    raise ValueError(
                        f"@terminal.{cap_name}: {cap} must be positive and exceed the terminal growth "
                        f"{growth_name} = {g}"
                    )
        return self


# The sweep grid lives in its own module; re-exported here, where it has always been imported from.
from wattshift.config.valuation_grid import SweepGrid as SweepGrid  # noqa: E402
from wattshift.config.valuation_grid import apply_overrides as apply_overrides  # noqa: E402
from wattshift.config.valuation_grid import load_grid as load_grid  # noqa: E402
