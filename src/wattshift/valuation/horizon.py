"""Terminal values per site MW at the horizon of a run: mining and AI hosting, on stabilised NOI.

The formulas are :mod:`~wattshift.valuation.terminal`'s (``TV = NOI (1 + g) / cap``, cap = exit cap
rate or ``r - g``); this module says which NOI each business capitalises.

- **AI hosting**: the long-run expected NOI of the lease process
  (:func:`~wattshift.valuation.leases.stabilised_noi_usd_per_year`: occupancy after expected
  defaults, non-renewals and downtime; re-letting costs spread over the cycle) at the market rent
  of the horizon, the same on every path. Never one year of a path, which may be vacant or a build
  year. A conversion whose build runs past the horizon is valued at its lease start, discounted
  back, less the capex still to spend.
- **Mining**: the path's last-12-month EBITDA less the fleet's sustaining capex (the fleet in
  service at the horizon bought again once per ``asic_life_years``), floored at 0: a miner can
  switch off and sell rather than run at a loss forever. The BTC price at the horizon is a state
  of the path, so this terminal value is per path.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from wattshift.units import (
    HOURS_PER_MONTH,
    MONTHS_PER_YEAR,
    musd_to_usd,
    mw_to_ths,
    usd_per_kw_month_to_usd_per_mw_month,
)
from wattshift.valuation.cashflows import fleet_efficiency_j_per_th, lease_terms
from wattshift.valuation.dcf import monthly_rate
from wattshift.valuation.leases import stabilised_noi_usd_per_year, stabilised_occupancy
from wattshift.valuation.montecarlo import ValuationInputs
from wattshift.valuation.specs import ValuationSpec
from wattshift.valuation.terminal import capitalisation_rate

FloatArray = npt.NDArray[np.float64]


def _multiplier(spec: ValuationSpec, growth: float, exit_cap: float) -> float:
    """``(1 + g) / cap`` [years]: value at the horizon per USD/year of NOI; 0 without terminal value."""
    method = spec.terminal.method
    if method not in ("gordon", "exit_cap"):
        return 0.0
    cap = capitalisation_rate(
        "gordon" if method == "gordon" else "exit_cap",
        discount_rate_annual=spec.dcf.discount_rate_annual,
        growth_annual=growth,
        exit_cap_rate=exit_cap,
    )
    return (1.0 + growth) / cap


def mining_terminal_usd(inputs: ValuationInputs, mining_ebitda_usd: FloatArray) -> FloatArray:
    """Mining terminal value per site MW [USD/MW] of each path (module docstring), ``(paths,)``.

    ``mining_ebitda_usd``: monthly EBITDA [USD/MW per month], ``(paths, >= 12 months)``; its last
    12 columns are the horizon's last year.
    """
    spec = inputs.spec
    k = _multiplier(spec, spec.terminal.mining_growth_annual, spec.terminal.mining_exit_cap_rate)
    if k == 0.0:
        return np.zeros(mining_ebitda_usd.shape[0])
    m = spec.mining
    efficiency = fleet_efficiency_j_per_th(
        m, inputs.months, inputs.efficiency_j_per_th, spec.scenario.efficiency_gain_annual
    )[-1]
    # the fleet in service at the horizon, bought again: capex per TH/s x TH/s one site MW feeds
    fleet_cost = m.capex_usd_per_th * float(mw_to_ths(1.0, m.pue * efficiency))
    sustaining = fleet_cost / spec.mining.asic_life_years
    noi = mining_ebitda_usd[:, -MONTHS_PER_YEAR:].sum(axis=1) - sustaining
    out: FloatArray = k * np.maximum(noi, 0.0)
    return out


def ai_stabilised_noi_usd(
    spec: ValuationSpec, months: int, lease_start: int, power_usd_per_mwh: float = 0.0
) -> float:
    """Stabilised NOI per site MW [USD/MW per year] in the year after a horizon of ``months`` for a
    lease that starts in month ``lease_start``: market rent grown from the lease start to the
    horizon; the landlord's power bill of let months when power is not passed through."""
    ai = spec.ai
    terms = lease_terms(ai)
    it_mw = 1.0 / ai.pue
    years_let = max(months - lease_start, 0) / MONTHS_PER_YEAR
    rent = usd_per_kw_month_to_usd_per_mw_month(ai.rate_usd_per_kw_month) * it_mw
    rent *= (1.0 + ai.market_growth_annual) ** years_let
    noi = stabilised_noi_usd_per_year(terms, rent, ai.opex_usd_per_mw_month * it_mw)
    if not ai.power_pass_through:
        power = power_usd_per_mwh * (1.0 + spec.mining.power_escalator_annual) ** (months / MONTHS_PER_YEAR)
        noi -= MONTHS_PER_YEAR * HOURS_PER_MONTH * power * stabilised_occupancy(terms)
    return float(noi)


def ai_terminal_value_usd(
    spec: ValuationSpec, months: int, lease_start: int, power_usd_per_mwh: float = 0.0
) -> float:
    """AI terminal value per site MW [USD/MW] at a horizon of ``months`` for a lease starting in
    ``lease_start``.

    ``TV = NOI (1 + g) / cap``; when the lease starts after the horizon, that value at the lease
    start discounted to the horizon, less the conversion capex not yet spent.
    """
    k = _multiplier(spec, spec.terminal.growth_annual, spec.terminal.exit_cap_rate)
    if k == 0.0:
        return 0.0
    tv = k * ai_stabilised_noi_usd(spec, months, lease_start, power_usd_per_mwh)
    late = lease_start - months
    if late > 0:
        capex_left = (
            musd_to_usd(spec.ai.capex_usd_m_per_mw) / spec.ai.pue * late / max(spec.ai.build_months, 1)
        )
        tv = tv * (1.0 + monthly_rate(spec.dcf.discount_rate_annual)) ** -late - capex_left
    return float(tv)


def ai_terminal_usd(inputs: ValuationInputs, lease_start: int) -> float:
    """:func:`ai_terminal_value_usd` at the run's horizon and power price [USD/MW]."""
    return ai_terminal_value_usd(inputs.spec, inputs.months, lease_start, inputs.power_usd_per_mwh)
