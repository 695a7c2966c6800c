"""Cost side of mining: energy per BTC, energy cost per BTC, all-in cost per BTC, breakeven BTC price.

Pure and vectorised like :mod:`wattshift.mining.hashprice` (float, NumPy array or Series in, same
kind out). Costs are per BTC, computed from the expected BTC per TH/s per day of the network, so
they hold for any fleet size.

References
----------
.. [1] DESIGN §3 and ``signals.md`` "Mining economics formulas": energy per BTC
   ``e * 1e-12 * D * 2**32 / (S + F) / 3.6e6`` kWh (× PUE), energy cost = kWh × USD/kWh.
.. [2] CoinShares, "Bitcoin Mining Report" (2024-2025): cash cost per BTC (electricity + cash SG&A)
   vs all-in (adding depreciation and stock compensation), all-in ≈ 1.7-1.9x cash cost.
"""

from __future__ import annotations

from dataclasses import dataclass

from wattshift.mining._types import Values, quiet_division
from wattshift.units import (
    DAYS_PER_YEAR,
    HASHES_PER_TH,
    HOURS_PER_DAY,
    HOURS_PER_MONTH,
    JOULES_PER_KWH,
    TWO_POW_32,
    W_PER_KW,
    W_PER_MW,
)

#: kWh per day drawn by 1 W [kWh/(W·day)].
_KWH_PER_W_DAY = HOURS_PER_DAY / W_PER_KW


@dataclass(frozen=True)
class CostAssumptions:
    """Operating assumptions of the all-in cost per BTC, as plain numbers (a frozen spec).

    The engine holds no defaults: the services build this once from the validated
    :class:`wattshift.config.mining.MiningAssumptions`, where every default is given with its source.

    Attributes
    ----------
    pool_fee
        Pool fee [fraction of revenue], in [0, 1).
    uptime
        Share of hours hashing [fraction], in (0, 1].
    pue
        Power usage effectiveness [ratio ≥ 1].
    opex_usd_per_mw_month, sga_usd_per_mw_month
        Non-power opex and allocated SG&A [USD per MW of machine load per month].
    capex_usd_per_th
        Machine price [USD per TH/s].
    asic_life_years
        Straight-line depreciation life [years].
    """

    pool_fee: float
    uptime: float
    pue: float
    opex_usd_per_mw_month: float
    sga_usd_per_mw_month: float
    capex_usd_per_th: float
    asic_life_years: float


def energy_kwh_per_btc(
    btc_per_th_day: Values, efficiency_j_per_th: Values | float, *, pue: float = 1.0
) -> Values:
    """Site energy spent per BTC mined [kWh/BTC].

    One TH/s at e J/TH draws e W, i.e. ``0.024 * e`` kWh per day, and earns ``btc_per_th_day`` BTC,
    so ``kWh/BTC = 0.024 * e * PUE / btc_per_th_day``. With the expected form of
    ``btc_per_th_day`` this is exactly ``e * 1e-12 * D * 2**32 / (S + F) / 3.6e6 * PUE`` [1]_
    (see :func:`energy_kwh_per_btc_from_difficulty`).

    Parameters
    ----------
    btc_per_th_day
        BTC per TH/s per day [BTC/TH/day] (before pool fee).
    efficiency_j_per_th
        Machine efficiency e [J/TH].
    pue
        Power usage effectiveness [ratio ≥ 1].

    Returns
    -------
    Values
        [kWh/BTC]; inf where ``btc_per_th_day`` is 0.
    """
    with quiet_division():
        out: Values = _KWH_PER_W_DAY * efficiency_j_per_th * pue / btc_per_th_day
    return out


def energy_kwh_per_btc_from_difficulty(
    difficulty: Values,
    reward_btc_per_block: Values | float,
    efficiency_j_per_th: Values | float,
    *,
    pue: float = 1.0,
) -> Values:
    """Site energy per BTC from difficulty and block reward [kWh/BTC] (DESIGN §3 form).

    ``e [J/TH] * 1e-12 [TH/H] * D * 2**32 [H/block] / (S + F) [BTC/block] / 3.6e6 [J/kWh] * PUE``.

    Parameters
    ----------
    difficulty
        D [unitless].
    reward_btc_per_block
        S + F, subsidy plus mean fees per block [BTC/block].
    efficiency_j_per_th
        e [J/TH].
    pue
        [ratio ≥ 1].

    Returns
    -------
    Values
        [kWh/BTC].
    """
    with quiet_division():
        out: Values = (
            (efficiency_j_per_th / HASHES_PER_TH * difficulty * TWO_POW_32 / reward_btc_per_block)
            / JOULES_PER_KWH
            * pue
        )
    return out


def energy_cost_usd_per_btc(energy_kwh_per_btc_: Values, power_usd_per_kwh: Values | float) -> Values:
    """Energy cost per BTC [USD/BTC] = energy per BTC [kWh/BTC] × power price [USD/kWh] [1]_.

    Parameters
    ----------
    energy_kwh_per_btc_
        [kWh/BTC] (site energy, PUE included).
    power_usd_per_kwh
        Power price [USD/kWh].

    Returns
    -------
    Values
        [USD/BTC], before pool fee (per BTC of network reward earned by the hashrate).
    """
    out: Values = energy_kwh_per_btc_ * power_usd_per_kwh
    return out


def cost_components_usd_per_btc(
    btc_per_th_day: Values,
    efficiency_j_per_th: Values | float,
    power_usd_per_kwh: Values | float,
    assumptions: CostAssumptions,
) -> dict[str, Values]:
    """Every part of the all-in cost per BTC received by the miner [USD/BTC].

    With ``b = btc_per_th_day * uptime`` BTC per installed TH/s per day and ``f`` the pool fee:

    - energy: ``0.024 * e * PUE * p / btc_per_th_day`` (energy is bought only while hashing);
    - opex: ``opex_usd_per_mw_month * 24 / 730 * e * 1e-6 / b`` (per MW of installed machines);
    - sga: same form as opex with ``sga_usd_per_mw_month``;
    - depreciation: ``capex_usd_per_th / (asic_life_years * 365.25) / b`` (straight line to zero);
    - pool_fee: the pool's cut, ``(energy + opex + sga + depreciation) * f / (1 - f)``, because the
      miner keeps ``1 - f`` of each BTC earned;
    - cash: ``(energy + opex + sga) / (1 - f)``, the cash breakeven BTC price (no depreciation) [2]_;
    - all_in: ``(energy + opex + sga + depreciation) / (1 - f)``, the all-in breakeven BTC price.

    Parameters
    ----------
    btc_per_th_day, efficiency_j_per_th, power_usd_per_kwh
        [BTC/TH/day] before pool fee; e [J/TH]; p [USD/kWh] at the meter.
    assumptions
        Pool fee, uptime, PUE, opex, SG&A, capex and life (:class:`CostAssumptions`).

    Returns
    -------
    dict[str, Values]
        Keys ``energy, opex, sga, depreciation, pool_fee, cash, all_in`` [USD/BTC].
    """
    a = assumptions
    keep = 1.0 - a.pool_fee
    with quiet_division():
        energy: Values = energy_cost_usd_per_btc(
            energy_kwh_per_btc(btc_per_th_day, efficiency_j_per_th, pue=a.pue), power_usd_per_kwh
        )
        btc_per_installed_th_day = btc_per_th_day * a.uptime
        mw_per_th = efficiency_j_per_th / W_PER_MW
        per_mw_day = HOURS_PER_DAY / HOURS_PER_MONTH
        opex: Values = a.opex_usd_per_mw_month * per_mw_day * mw_per_th / btc_per_installed_th_day
        sga: Values = a.sga_usd_per_mw_month * per_mw_day * mw_per_th / btc_per_installed_th_day
        depreciation: Values = (
            a.capex_usd_per_th / (a.asic_life_years * DAYS_PER_YEAR) / btc_per_installed_th_day
        )
    before_fee = energy + opex + sga + depreciation
    all_in: Values = before_fee / keep
    cash: Values = (energy + opex + sga) / keep
    pool_fee: Values = all_in - before_fee
    return {
        "energy": energy,
        "opex": opex,
        "sga": sga,
        "depreciation": depreciation,
        "pool_fee": pool_fee,
        "cash": cash,
        "all_in": all_in,
    }


def all_in_cost_usd_per_btc(
    btc_per_th_day: Values,
    efficiency_j_per_th: Values | float,
    power_usd_per_kwh: Values | float,
    assumptions: CostAssumptions,
) -> Values:
    """All-in cost per BTC received [USD/BTC]: energy, opex, SG&A and depreciation, after pool fee.

    See :func:`cost_components_usd_per_btc` for the formula. It is also the **all-in breakeven BTC
    price** (it does not depend on the price: BTC per TH/s per day does not).

    Parameters
    ----------
    btc_per_th_day
        [BTC/TH/day].
    efficiency_j_per_th
        e [J/TH].
    power_usd_per_kwh
        p [USD/kWh].
    assumptions
        :class:`CostAssumptions`.

    Returns
    -------
    Values
        [USD/BTC], always ≥ the energy-only cost per BTC.
    """
    return cost_components_usd_per_btc(btc_per_th_day, efficiency_j_per_th, power_usd_per_kwh, assumptions)[
        "all_in"
    ]


def cash_breakeven_price_usd(
    btc_per_th_day: Values,
    efficiency_j_per_th: Values | float,
    power_usd_per_kwh: Values | float,
    assumptions: CostAssumptions,
) -> Values:
    """BTC price at which revenue after pool fee covers the cash costs (energy, opex, SG&A) [USD/BTC].

    ``(energy + opex + sga) / (1 - pool_fee)`` per BTC, i.e. the all-in cost without depreciation
    (CoinShares' "cash cost" [2]_). Below it a running site loses cash; between it and the all-in
    cost it runs but does not earn back its machines.

    Parameters
    ----------
    btc_per_th_day
        [BTC/TH/day].
    efficiency_j_per_th
        e [J/TH].
    power_usd_per_kwh
        p [USD/kWh].
    assumptions
        :class:`CostAssumptions`.

    Returns
    -------
    Values
        [USD/BTC].
    """
    return cost_components_usd_per_btc(btc_per_th_day, efficiency_j_per_th, power_usd_per_kwh, assumptions)[
        "cash"
    ]
