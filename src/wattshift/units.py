"""Unit conversions, in one place.

Every other module converts through these functions (or the constants below), so a reader can
check a unit in one file. Names carry units: ``*_ths`` is TH/s, ``*_j_per_th`` is J/TH,
``*_usd_per_mwh`` is USD/MWh and so on.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:  # NumPy only for the annotations: importing the constants stays cheap
    import numpy as np
    import numpy.typing as npt

FloatLike = TypeVar("FloatLike", float, "npt.NDArray[np.float64]")

SECONDS_PER_DAY = 86_400.0
MINUTES_PER_HOUR = 60.0
HOURS_PER_DAY = 24.0
HOURS_PER_YEAR = 8_760.0
MONTHS_PER_YEAR = 12
HOURS_PER_MONTH = HOURS_PER_YEAR / MONTHS_PER_YEAR  # 730 h, the usual colocation convention
JOULES_PER_KWH = 3.6e6
HASHES_PER_TH = 1e12
TH_PER_EH = 1e6
TH_PER_PH = 1e3
TWO_POW_32 = 2.0**32
W_PER_KW = 1e3
W_PER_MW = 1e6
KW_PER_MW = 1e3
KWH_PER_MWH = 1e3
#: Julian year [days] (365.25), the year of straight-line depreciation per day.
DAYS_PER_YEAR = 365.25
#: USD in one million USD (tables and charts quote ``USD M``).
USD_PER_MUSD = 1e6


def ths_to_ehs(hashrate_ths: FloatLike) -> FloatLike:
    """TH/s → EH/s."""
    return hashrate_ths / TH_PER_EH


def ehs_to_ths(hashrate_ehs: FloatLike) -> FloatLike:
    """EH/s → TH/s."""
    return hashrate_ehs * TH_PER_EH


def usd_per_kwh_to_usd_per_mwh(price_usd_per_kwh: FloatLike) -> FloatLike:
    """USD/kWh → USD/MWh."""
    return price_usd_per_kwh * KWH_PER_MWH


def usd_per_mwh_to_usd_per_kwh(price_usd_per_mwh: FloatLike) -> FloatLike:
    """USD/MWh → USD/kWh."""
    return price_usd_per_mwh / KWH_PER_MWH


def usd_per_kw_month_to_usd_per_mwh(rate_usd_per_kw_month: FloatLike) -> FloatLike:
    """Capacity rate USD/kW-month → USD per MWh of a load running all 730 hours of the month."""
    return rate_usd_per_kw_month * KW_PER_MW / HOURS_PER_MONTH


def usd_per_mw_month_to_usd_per_mwh(cost_usd_per_mw_month: FloatLike, uptime: float = 1.0) -> FloatLike:
    """Fixed cost USD/MW-month → USD per MWh consumed at ``uptime`` (fraction of hours running)."""
    return cost_usd_per_mw_month / (HOURS_PER_MONTH * uptime)


def kw_year_to_usd_per_mw(rate_usd_per_kw_year: FloatLike) -> FloatLike:
    """USD/kW-year → USD/MW-year."""
    return rate_usd_per_kw_year * KW_PER_MW


def efficiency_j_per_th(power_w: FloatLike, hashrate_ths: FloatLike) -> FloatLike:
    """Efficiency [J/TH] = power [W] / hashrate [TH/s] (W = J/s)."""
    return power_w / hashrate_ths


def mwh_per_day(power_w: FloatLike) -> FloatLike:
    """Energy [MWh/day] of a constant load of ``power_w`` [W] over 24 h."""
    return power_w * HOURS_PER_DAY / W_PER_MW


def usd_to_musd(amount_usd: FloatLike) -> FloatLike:
    """USD → million USD (``USD M`` in tables and charts)."""
    return amount_usd / USD_PER_MUSD


def mw_to_ths(power_mw: FloatLike, efficiency_j_per_th_: FloatLike) -> FloatLike:
    """Hashrate [TH/s] that ``power_mw`` buys at ``efficiency_j_per_th_``."""
    return power_mw * W_PER_MW / efficiency_j_per_th_


# --- Valuation (money scales, capacity rates, calendar) -------------------------------------------

#: The valuation's month is a Julian year / 12 = 30.4375 days.
DAYS_PER_MONTH = DAYS_PER_YEAR / MONTHS_PER_YEAR


def musd_to_usd(amount_musd: FloatLike) -> FloatLike:
    """USD million → USD."""
    return amount_musd * USD_PER_MUSD


def usd_per_kw_month_to_usd_per_mw_month(rate_usd_per_kw_month: FloatLike) -> FloatLike:
    """Capacity rate USD/kW-month → USD/MW-month."""
    return rate_usd_per_kw_month * KW_PER_MW


def days_to_months(days: FloatLike) -> FloatLike:
    """Days → months of :data:`HOURS_PER_MONTH` (730 h), the valuation's monthly cash-flow unit."""
    return days * HOURS_PER_DAY / HOURS_PER_MONTH


def months_to_years(months: FloatLike) -> FloatLike:
    """Months → years (12 months a year)."""
    return months / MONTHS_PER_YEAR


# --- dispatch (time steps, power, capital recovery) ---


def minutes_to_hours(minutes: FloatLike) -> FloatLike:
    """Minutes → hours."""
    return minutes / MINUTES_PER_HOUR


def kw_to_mw(power_kw: FloatLike) -> FloatLike:
    """kW → MW."""
    return power_kw / KW_PER_MW


def usd_per_kw_month_to_usd_per_mw_hour(rate_usd_per_kw_month: FloatLike) -> FloatLike:
    """USD/kW-month → USD per MW per hour (a 730-hour month)."""
    return rate_usd_per_kw_month * KW_PER_MW / HOURS_PER_MONTH


def capital_recovery_factor(rate_per_year: float, life_years: float) -> float:
    """Annuity factor turning a capital cost into equal yearly payments [1/year].

    ``crf = i (1 + i)^n / ((1 + i)^n − 1)``, and ``1 / n`` when ``i = 0`` (straight line).
    Source: E. L. Grant, W. G. Ireson, *Principles of Engineering Economy*, 1976, ch. 4.
    """
    if rate_per_year == 0.0:
        return 1.0 / life_years
    growth = float((1.0 + rate_per_year) ** life_years)
    return rate_per_year * growth / (growth - 1.0)
