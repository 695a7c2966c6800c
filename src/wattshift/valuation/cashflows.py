"""Monthly cash flows per MW of site power: Bitcoin mining, AI hosting, and a switch from one to the other.

All arrays are ``(paths, months)``; column ``m`` is the flow of month ``m`` (booked at its end, see
:mod:`wattshift.valuation.dcf`). Money in USD, before tax. A "MW" is one MW of site (grid) capacity.

Mining (per site MW): the fleet draws ``1 / PUE`` MW; it earns ``mining_value_usd_per_mwh`` on
``730 h x uptime`` MWh a month (``wattshift.mining.hashprice``; pool fee and PUE inside), pays power,
and is switched off in a month whose revenue does not cover power. Opex is paid every month; a new
fleet is bought every ``asic_life_years`` at ``capex_usd_per_th`` (efficiency improving with the
network band); curtailment / reserve revenue comes from the dispatch backtest.

AI hosting (per site MW): ``1 / PUE`` MW of critical IT. Conversion capex ``USD M/MW (IT)`` is spent
evenly over ``build_months`` without revenue; then rent ``USD/kW-month x 1,000 / PUE`` escalates
yearly. A tenant default (monthly hazard ``1 - (1 - p)^(1/12)``) or a non-renewal at term end
(probability ``1 - renewal``) leaves the hall empty for ``re_lease_months``; then a new tenant pays
the escalated rate. Power is passed through to the tenant unless ``power_pass_through`` is false.
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


@dataclass(frozen=True)
class AiDraws:
    """Random events of the AI lease, per path, counted in months from lease start.

    Attributes
    ----------
    default_month
        Month of the first tenant default after lease start (``>= 0``), shape ``(paths,)``.
    renews
        Whether the tenant renews at term end, shape ``(paths,)``.
    """

    default_month: npt.NDArray[np.int64]
    renews: npt.NDArray[np.bool_]


def draw_ai_events(terms: AiSpec, paths: int, rng: np.random.Generator) -> AiDraws:
    """Draw default months (geometric with the monthly hazard) and renewals for ``paths`` leases."""
    hazard = 1.0 - (1.0 - terms.default_probability_annual) ** (1.0 / MONTHS_PER_YEAR)
    if hazard > 0:
        default_month = rng.geometric(hazard, size=paths).astype(np.int64) - 1
    else:
        default_month = np.full(paths, np.iinfo(np.int64).max // 4, dtype=np.int64)
    renews = rng.random(paths) < terms.renewal_probability
    return AiDraws(default_month=default_month, renews=renews)


def refresh_months(months: int, life_years: float, age_years: float) -> npt.NDArray[np.int64]:
    """Months in which a new fleet is bought: ``(life - age) + k life`` years, and month 0 if age is 0."""
    first = (life_years - age_years % life_years) % life_years
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


def ai_lease_occupied(terms: AiSpec, draws: AiDraws, months: int) -> npt.NDArray[np.bool_]:
    """Whether the hall is let in each month since lease start, ``(paths, months)``.

    Empty for ``re_lease_months`` from the default month, and from the term end if the tenant
    does not renew.
    """
    u = np.arange(months)
    term_end = round(terms.term_years * MONTHS_PER_YEAR)
    vacant = (u[None, :] >= draws.default_month[:, None]) & (
        u[None, :] < draws.default_month[:, None] + terms.re_lease_months
    )
    lapse_month = (u >= term_end) & (u < term_end + terms.re_lease_months)
    if lapse_month.any():
        vacant |= (~draws.renews)[:, None] & lapse_month[None, :]
    np.logical_not(vacant, out=vacant)
    return vacant


def ai_escalator(terms: AiSpec, months: int) -> FloatArray:
    """Rate escalation of each month since lease start, ``(1 + e)^(u // 12)`` [unitless]."""
    out: FloatArray = np.power(
        1.0 + terms.escalator_annual, np.arange(months) // MONTHS_PER_YEAR, dtype=np.float64
    )
    return out


def ai_lease_revenue_factor(terms: AiSpec, draws: AiDraws, months: int) -> FloatArray:
    """Occupied share (0/1) x escalator of each month since lease start, ``(paths, months)`` [unitless]."""
    escalator = ai_escalator(terms, months)
    out: FloatArray = np.where(ai_lease_occupied(terms, draws, months), escalator[None, :], 0.0)
    return out


def ai_lease_flows(
    terms: AiSpec,
    occupied: npt.NDArray[np.bool_],
    *,
    lease_start: int,
    power_usd_per_mwh: float = 0.0,
    power_escalator_annual: float = 0.0,
) -> FloatArray:
    """Landlord EBITDA per site MW of each lease month [USD/MW per month], ``occupied.shape``.

    ``rent x occupied - opex`` with ``rent = rate x 1,000 kW / PUE x escalator``; minus the power
    bill of let months when power is not passed through (month ``lease_start + u`` of the horizon).
    A month takes one of two values (let or empty), so both are computed once per month and
    picked per path (``rent x 0 - opex`` for an empty hall).

    Parameters
    ----------
    terms
        AI terms.
    occupied
        :func:`ai_lease_occupied` (or its first columns), ``(paths, lease months)``.
    lease_start
        Horizon month of the first lease month [month index].
    power_usd_per_mwh, power_escalator_annual
        Power price [USD/MWh] and its escalation [1/year] (landlord pays if not passed through).
    """
    n_lease = occupied.shape[1]
    it_mw = 1.0 / terms.pue
    rent_per_factor = usd_per_kw_month_to_usd_per_mw_month(terms.rate_usd_per_kw_month) * it_mw
    opex = terms.opex_usd_per_mw_month * it_mw
    let = rent_per_factor * ai_escalator(terms, n_lease) - opex
    empty = np.float64(rent_per_factor * 0.0) - opex
    if not terms.power_pass_through:
        t_years = np.arange(lease_start, lease_start + n_lease) / MONTHS_PER_YEAR
        power = power_usd_per_mwh * (1.0 + power_escalator_annual) ** t_years * HOURS_PER_MONTH
        let = let - power
        empty = empty - 0.0
    out: FloatArray = np.where(occupied, let[None, :], empty)
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
    draws: AiDraws,
    months: int,
    *,
    start_month: int = 0,
    power_usd_per_mwh: float = 0.0,
    power_escalator_annual: float = 0.0,
    occupied: npt.NDArray[np.bool_] | None = None,
) -> CashFlows:
    """AI-hosting cash flows per site MW for a conversion that starts in ``start_month``.

    Before ``start_month`` the flows are zero (use :func:`switch_cash_flows` to put mining there).

    Parameters
    ----------
    terms
        AI terms (capex, build months, rate, escalator, term, renewal, default, PUE, opex).
    draws
        Default months and renewals (:func:`draw_ai_events`).
    months
        Horizon [months].
    start_month
        Month the conversion starts (capex begins) [month index].
    power_usd_per_mwh, power_escalator_annual
        Power price [USD/MWh] and its escalation [1/year], paid by the landlord only when
        ``terms.power_pass_through`` is false.
    occupied
        :func:`ai_lease_occupied` of ``draws`` if already computed, for at least the lease months
        of this start (its first columns are used); None = computed here.
    """
    paths = draws.renews.shape[0]
    capex = ai_capex_usd(terms, months, start_month)
    lease_start = start_month + terms.build_months
    ebitda = np.zeros((paths, months))
    n_lease = months - lease_start
    if n_lease > 0:
        ebitda[:, lease_start:] = ai_lease_flows(
            terms,
            ai_lease_occupied(terms, draws, n_lease) if occupied is None else occupied[:, :n_lease],
            lease_start=lease_start,
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
