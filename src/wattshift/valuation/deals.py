"""Deal arithmetic: term-average rents, starting rents and NOI yield on cost.

A published AI-hosting deal gives a total contract value over a term for a number of MW; dividing
gives a *term-average* rent that already contains the lease's escalator. The rent the lease starts
at is lower: with yearly steps ``R_k = R_0 (1 + e)^k`` for lease years ``k = 0 .. n-1`` the average
is ``A = R_0 ((1 + e)^n - 1) / (e n)`` (a geometric series [1]_), so ``R_0 = A e n / ((1 + e)^n - 1)``
(``R_0 = A`` for ``e = 0``). Escalating the starting rent again over the term gives back ``A``.
A fractional term counts its last part-year at the last step's rent (monthly average).

References
----------
.. [1] Brealey, Myers & Allen, *Principles of Corporate Finance*, 13th ed., ch. 2 (growing
   annuities); the geometric sum ``sum_{k<n} q^k = (q^n - 1)/(q - 1)``.
"""

from __future__ import annotations

import numpy as np

from wattshift.units import KW_PER_MW, MONTHS_PER_YEAR


def term_average_rent_usd_per_kw_month(
    contract_value_usd: float, power_mw: float, term_years: float
) -> float:
    """Term-average rent of a deal [USD/kW-month]: ``value / (MW * 1000) / (12 * years)``."""
    if power_mw <= 0 or term_years <= 0:
        raise ValueError("power_mw and term_years must be > 0")
    return contract_value_usd / (power_mw * KW_PER_MW) / (MONTHS_PER_YEAR * term_years)


def _escalation_sum(escalator_annual: float, term_years: float) -> float:
    """Mean of ``(1 + e)^floor(m / 12)`` over the term's months [unitless]."""
    months = max(round(term_years * MONTHS_PER_YEAR), 1)
    steps = np.floor(np.arange(months) / MONTHS_PER_YEAR)
    return float(np.mean((1.0 + escalator_annual) ** steps))


def starting_rent_usd_per_kw_month(
    average_usd_per_kw_month: float, escalator_annual: float, term_years: float
) -> float:
    """Rent in the first lease year whose escalated term average is ``average`` [USD/kW-month].

    Parameters
    ----------
    average_usd_per_kw_month
        Term-average rent, e.g. from :func:`term_average_rent_usd_per_kw_month` [USD/kW-month].
    escalator_annual
        Yearly escalator ``e`` [1/year].
    term_years
        Lease term ``n`` [years]; the mean is taken month by month, so a whole-year term gives
        ``A e n / ((1 + e)^n - 1)`` exactly.
    """
    if term_years <= 0:
        raise ValueError("term_years must be > 0")
    return average_usd_per_kw_month / _escalation_sum(escalator_annual, term_years)


def average_rent_usd_per_kw_month(
    starting_usd_per_kw_month: float, escalator_annual: float, term_years: float
) -> float:
    """Term average of a rent that starts at ``starting`` and steps up yearly [USD/kW-month]."""
    return starting_usd_per_kw_month * _escalation_sum(escalator_annual, term_years)


def noi_yield_on_cost(
    rent_usd_per_kw_month: float,
    opex_usd_per_kw_month: float,
    capex_usd_per_kw: float,
    occupancy: float = 1.0,
) -> float:
    """Stabilised NOI yield on cost [1/year]: ``12 (rent occupancy - opex) / capex``.

    The development yield that real-estate and data-centre investors compare with cap rates
    (Appraisal Institute, *The Appraisal of Real Estate*, 15th ed., ch. 23).
    """
    if capex_usd_per_kw <= 0:
        raise ValueError("capex_usd_per_kw must be > 0")
    annual_noi = MONTHS_PER_YEAR * (rent_usd_per_kw_month * occupancy - opex_usd_per_kw_month)
    return annual_noi / capex_usd_per_kw
