"""Monthly cash flows per MW of site power: Bitcoin mining, AI hosting, and a switch from one to the other.

All arrays are ``(paths, months)``; column ``m`` is the flow of month ``m`` (booked at its end, see
:mod:`wattshift.valuation.dcf`). Money in USD, before tax. A "MW" is one MW of site (grid) capacity.

Mining (per site MW): the fleet draws ``1 / PUE`` MW; it earns ``mining_value_usd_per_mwh`` on
``730 h x uptime`` MWh a month (``wattshift.mining.hashprice``; pool fee and PUE inside), pays power,
and is switched off in a month whose revenue does not cover power. Opex is paid every month; the fleet in
service (``fleet_age_years`` old) is replaced when it reaches ``asic_life_years``, then every life, at
``capex_usd_per_th`` (efficiency improving with the
network band); curtailment / reserve revenue comes from the dispatch backtest.

AI hosting (per site MW): ``1 / PUE`` MW of critical IT. Conversion capex ``USD M/MW (IT)`` is spent
evenly over ``build_months`` without revenue; then the lease process of
:mod:`~wattshift.valuation.leases`: rent ``USD/kW-month x 1,000 / PUE`` escalates yearly; a tenant
default (monthly hazard ``1 - (1 - p)^(1/12)``) or a non-renewal at term end (probability
``1 - renewal``) leaves the hall empty for ``re_lease_months`` (opex still paid); then a new tenant
signs at the market rent after a re-letting cost (tenant improvements, commissions); any number of
such events per path. Power is passed through to the tenant unless ``power_pass_through`` is false.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from wattshift.mining.hashprice import hashprice_usd_per_th_day_from, mining_value_usd_per_mwh
from wattshift.units import (
    HOURS_PER_MONTH,
    MONTHS_PER_YEAR,
    musd_to_usd,
    mw_to_ths,
    usd_per_kw_month_to_usd_per_mw_month,
)
from wattshift.valuation.leases import LeasePaths, LeaseStream, LeaseTerms, lease_stream, simulate_leases
from wattshift.valuation.specs import AiSpec, MiningSpec

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class CashFlows:
    """Monthly flows of one business per site MW.

    Attributes
    ----------
    ebitda_usd
        Operating cash flow before capex [USD/MW per month], ``(paths, months)``.
    capex_usd
        Capital spending [USD/MW per month] (positive = spent), ``(paths, months)``.
    """

    ebitda_usd: FloatArray
    capex_usd: FloatArray

    @property
    def cash_usd(self) -> FloatArray:
        """Free cash flow = EBITDA - capex [USD/MW per month]."""
        out: FloatArray = self.ebitda_usd - self.capex_usd
        return out


def lease_terms(ai: AiSpec) -> LeaseTerms:
    """The lease process of the AI terms (:class:`~wattshift.valuation.leases.LeaseTerms`)."""
    return LeaseTerms(
        term_months=max(round(ai.term_years * MONTHS_PER_YEAR), 1),
        escalator_annual=ai.escalator_annual,
        market_growth_annual=ai.market_growth_annual,
        default_probability_annual=ai.default_probability_annual,
        renewal_probability=ai.renewal_probability,
        downtime_months=ai.re_lease_months,
        reletting_cost_months_of_rent=ai.reletting_cost_months_of_rent,
    )


def draw_ai_events(terms: AiSpec, paths: int, rng: np.random.Generator, months: int) -> LeasePaths:
    """Simulate ``paths`` leases over ``months`` lease months from lease start
    (:func:`~wattshift.valuation.leases.simulate_leases`; one uniform per path and month)."""
    return simulate_leases(lease_terms(terms), paths, months, 0, rng)


def ai_event_stream(terms: AiSpec, paths: int, rng: np.random.Generator, months: int) -> LeaseStream:
    """The leases :func:`draw_ai_events` would draw next from ``rng``, kept as their random stream
    (:class:`~wattshift.valuation.leases.LeaseStream`: a block regenerates its rows' bits)."""
    return lease_stream(lease_terms(terms), paths, months, rng)


def refresh_months(months: int, life_years: float, age_years: float) -> npt.NDArray[np.int64]:
    """Months in which a new fleet is bought: ``max(life - age, 0) + k life`` years.

    The fleet in service is ``age_years`` old: it is replaced when it reaches its life, in month 0
    only when that refresh is due (``age >= life``); a new fleet already in service (age 0) is
    first replaced after one life.
    """
    first = max(life_years - age_years, 0.0)
    times = np.arange(first, months / MONTHS_PER_YEAR, life_years)
    out: npt.NDArray[np.int64] = np.unique(np.floor(times * MONTHS_PER_YEAR + 1e-9).astype(np.int64))
    return out


def mining_cash_flows(
    price_usd: FloatArray,
    btc_per_th_day: FloatArray,
    terms: MiningSpec,
    *,
    efficiency_j_per_th: float,
    power_usd_per_mwh: float,
    efficiency_gain_annual: float,
    flex_revenue_usd_per_mw_month: float | None = None,
) -> CashFlows:
    """Mining cash flows per site MW (module docstring).

    Parameters
    ----------
    price_usd
        BTC price at each month [USD], ``(paths, months)``.
    btc_per_th_day
        Network miner revenue [BTC per TH/s per day], ``(paths, months)``.
    terms
        Mining terms (uptime, PUE, pool fee, opex, capex per TH, fleet life and age).
    efficiency_j_per_th
        Efficiency of today's fleet [J/TH].
    power_usd_per_mwh
        Power price now [USD/MWh] (escalated by ``terms.power_escalator_annual``).
    efficiency_gain_annual
        Yearly efficiency gain of newly bought fleets [1/year].
    flex_revenue_usd_per_mw_month
        Curtailment and reserve revenue [USD/MW-month]; None = ``terms.flex_revenue_usd_per_mw_month``.

    Returns
    -------
    CashFlows
    """
    months = price_usd.shape[1]
    t_years = np.arange(months) / MONTHS_PER_YEAR
    eff = fleet_efficiency_j_per_th(terms, months, efficiency_j_per_th, efficiency_gain_annual)
    hashprice = hashprice_usd_per_th_day_from(btc_per_th_day, price_usd)
    value_usd_per_mwh = mining_value_usd_per_mwh(
        hashprice, eff[None, :], pue=terms.pue, pool_fee=terms.pool_fee
    )
    power = power_usd_per_mwh * (1.0 + terms.power_escalator_annual) ** t_years
    energy_mwh = HOURS_PER_MONTH * terms.uptime
    flex = (
        terms.flex_revenue_usd_per_mw_month
        if flex_revenue_usd_per_mw_month is None
        else flex_revenue_usd_per_mw_month
    )
    # ebitda = max(value - power, 0) x energy + (flex - opex), in place on the new value array.
    ebitda: FloatArray = value_usd_per_mwh
    ebitda -= power[None, :]
    np.maximum(ebitda, 0.0, out=ebitda)
    ebitda *= energy_mwh
    ebitda += flex - terms.opex_usd_per_mw_month
    capex_row = mining_capex_usd(terms, months, efficiency_j_per_th, efficiency_gain_annual)
    return CashFlows(ebitda_usd=ebitda, capex_usd=np.broadcast_to(capex_row, price_usd.shape))


def fleet_efficiency_j_per_th(
    terms: MiningSpec, months: int, efficiency_j_per_th: float, efficiency_gain_annual: float
) -> FloatArray:
    """Efficiency of the fleet in service in each month [J/TH], ``(months,)``.

    Stepwise: a fleet bought in month ``r`` (:func:`refresh_months`) has efficiency
    ``e0 (1 - gain)^(r / 12)`` until the next refresh.
    """
    refresh = refresh_months(months, terms.asic_life_years, terms.fleet_age_years)
    bought_at = np.zeros(months, dtype=np.int64)
    for r in refresh:
        bought_at[r:] = r
    out: FloatArray = efficiency_j_per_th * (1.0 - efficiency_gain_annual) ** (bought_at / MONTHS_PER_YEAR)
    return out


def mining_capex_usd(
    terms: MiningSpec, months: int, efficiency_j_per_th: float, efficiency_gain_annual: float
) -> FloatArray:
    """Fleet purchases per site MW by month [USD/MW per month], ``(months,)``.

    In each refresh month, ``capex_usd_per_th x`` the TH/s one site MW feeds,
    ``1 MW / (PUE x e)`` (:func:`wattshift.units.mw_to_ths`).
    """
    refresh = refresh_months(months, terms.asic_life_years, terms.fleet_age_years)
    eff = fleet_efficiency_j_per_th(terms, months, efficiency_j_per_th, efficiency_gain_annual)
    capex_row = np.zeros(months)
    th_per_mw = mw_to_ths(np.ones(months), terms.pue * eff)  # TH/s bought per site MW
    capex_row[refresh] = terms.capex_usd_per_th * th_per_mw[refresh]
    return capex_row


def ai_lease_flows(
    terms: AiSpec,
    leases: LeasePaths,
    *,
    lease_start: int,
    n_lease: int,
    power_usd_per_mwh: float = 0.0,
    power_escalator_annual: float = 0.0,
) -> FloatArray:
    """Landlord EBITDA per site MW of lease months ``0 .. n_lease - 1`` [USD/MW per month],
    ``(paths, n_lease)``.

    ``rent x rent factor - opex - rent x re-letting factor`` with ``rent = rate x 1,000 kW / PUE``
    (the factors of :class:`~wattshift.valuation.leases.LeasePaths`: 0 in a vacant month,
    escalated within a lease, reset to market at a new lease); minus the power bill of let months
    (horizon month ``lease_start + u``) when power is not passed through.

    Parameters
    ----------
    terms
        AI terms.
    leases
        Simulated leases (:func:`draw_ai_events`), at least ``n_lease`` lease months.
    lease_start
        Horizon month of the first lease month [month index].
    n_lease
        Lease months to return.
    power_usd_per_mwh, power_escalator_annual
        Power price [USD/MWh] and its escalation [1/year] (landlord pays if not passed through).
    """
    it_mw = 1.0 / terms.pue
    rent = usd_per_kw_month_to_usd_per_mw_month(terms.rate_usd_per_kw_month) * it_mw
    out: FloatArray = leases.rent_factor[:, :n_lease] - leases.reletting_factor[:, :n_lease]
    out *= rent
    out -= terms.opex_usd_per_mw_month * it_mw
    if not terms.power_pass_through:
        t_years = np.arange(lease_start, lease_start + n_lease) / MONTHS_PER_YEAR
        power = power_usd_per_mwh * (1.0 + power_escalator_annual) ** t_years * HOURS_PER_MONTH
        out -= np.where(leases.occupied[:, :n_lease], power[None, :], 0.0)
    return out


def ai_capex_usd(terms: AiSpec, months: int, start_month: int = 0) -> FloatArray:
    """Conversion capex per site MW by month [USD/MW per month], ``(months,)``: spread evenly over
    ``max(build_months, 1)`` months from ``start_month``."""
    capex_total = musd_to_usd(terms.capex_usd_m_per_mw) * (1.0 / terms.pue)
    capex = np.zeros(months)
    build = max(terms.build_months, 1)
    spend = np.arange(start_month, min(start_month + build, months))
    capex[spend] = capex_total / build
    return capex


def ai_cash_flows(
    terms: AiSpec,
    leases: LeasePaths,
    months: int,
    *,
    start_month: int = 0,
    power_usd_per_mwh: float = 0.0,
    power_escalator_annual: float = 0.0,
) -> CashFlows:
    """AI-hosting cash flows per site MW for a conversion that starts in ``start_month``.

    Before ``start_month`` the flows are zero (use :func:`switch_cash_flows` to put mining there).

    Parameters
    ----------
    terms
        AI terms (capex, build months, rate, escalator, term, renewal, default, PUE, opex).
    leases
        Simulated leases from lease start (:func:`draw_ai_events`).
    months
        Horizon [months].
    start_month
        Month the conversion starts (capex begins) [month index].
    power_usd_per_mwh, power_escalator_annual
        Power price [USD/MWh] and its escalation [1/year], paid by the landlord only when
        ``terms.power_pass_through`` is false.
    """
    paths = leases.events.shape[0]
    capex = ai_capex_usd(terms, months, start_month)
    lease_start = start_month + terms.build_months
    ebitda = np.zeros((paths, months))
    n_lease = months - lease_start
    if n_lease > 0:
        ebitda[:, lease_start:] = ai_lease_flows(
            terms,
            leases,
            lease_start=lease_start,
            n_lease=n_lease,
            power_usd_per_mwh=power_usd_per_mwh,
            power_escalator_annual=power_escalator_annual,
        )
    return CashFlows(ebitda_usd=ebitda, capex_usd=np.broadcast_to(capex, (paths, months)))


def switch_cash_flows(mining: CashFlows, ai: CashFlows, start_month: int) -> CashFlows:
    """Mining before ``start_month``, AI from it on (``ai`` built with the same ``start_month``)."""
    keep = np.arange(mining.ebitda_usd.shape[1]) < start_month
    return CashFlows(
        ebitda_usd=np.where(keep[None, :], mining.ebitda_usd, ai.ebitda_usd),
        capex_usd=np.where(keep[None, :], mining.capex_usd, ai.capex_usd),
    )


def _blend(a: FloatArray, b: FloatArray, w: float) -> FloatArray:
    """``(1 - w) a + w b``; on one row when both are rows broadcast over paths (same numbers)."""
    if a.ndim == 2 and b.ndim == 2 and a.strides[0] == 0 and b.strides[0] == 0:
        row = (1.0 - w) * a[0] + w * b[0]
        return np.broadcast_to(row, np.broadcast_shapes(a.shape, b.shape))
    out: FloatArray = np.multiply(a, 1.0 - w)
    out += np.multiply(b, w)
    return out


def blend_cash_flows(mining: CashFlows, ai: CashFlows, ai_fraction: float) -> CashFlows:
    """Hybrid site per MW: ``ai_fraction`` of each MW converted, the rest mining (flows are linear in MW)."""
    w = float(ai_fraction)
    return CashFlows(
        ebitda_usd=_blend(mining.ebitda_usd, ai.ebitda_usd, w),
        capex_usd=_blend(mining.capex_usd, ai.capex_usd, w),
    )
