"""The derived mining economics of a day (or of each day) from BTC per TH/s per day and the price.

:func:`economics_values` is the one place that turns the network's BTC per TH/s per day, the BTC price,
a machine's efficiency and a power price into hashprice, energy and all-in cost per BTC, breakeven
power price and mining value of a MWh. :func:`wattshift.mining.frame.economics_frame` applies it to
the columns of the BTC daily frame; ``wattshift mining --date`` applies it to the Python floats of
one day (no NumPy or pandas to import, the same IEEE arithmetic, so the same numbers).
"""

from __future__ import annotations

from wattshift.mining._types import Values
from wattshift.mining.cost import CostAssumptions, cost_components_usd_per_btc, energy_kwh_per_btc
from wattshift.mining.hashprice import breakeven_power_usd_per_kwh, mining_value_usd_per_mwh
from wattshift.units import TH_PER_PH

#: Keys of :func:`economics_values`, in order.
ECONOMICS_VALUE_KEYS: tuple[str, ...] = (
    "hashprice_usd_per_ph_day",
    "btc_per_ph_day",
    "energy_kwh_per_btc",
    "energy_cost_usd_per_btc",
    "all_in_cost_usd_per_btc",
    "breakeven_power_usd_per_kwh",
    "breakeven_price_usd",
    "mining_value_usd_per_mwh",
)


def economics_values(
    btc_per_th_day: Values,
    price_usd: Values,
    efficiency_j_per_th: Values,
    power_usd_per_kwh: Values,
    assumptions: CostAssumptions,
) -> dict[str, Values]:
    """Hashprice, cost per BTC, breakeven and USD/MWh of mining (DESIGN §3, ``signals.md``).

    Parameters
    ----------
    btc_per_th_day
        Network BTC per TH/s per day [BTC/TH/day], before pool fee
        (:func:`wattshift.mining.frame.network_btc_per_th_day`).
    price_usd
        BTC price [USD/BTC].
    efficiency_j_per_th, power_usd_per_kwh
        Machine efficiency e [J/TH] and power price at the meter p [USD/kWh].
    assumptions
        Pool fee, uptime, PUE, opex, SG&A, capex, life (:class:`~wattshift.mining.cost.CostAssumptions`).

    Returns
    -------
    dict[str, Values]
        :data:`ECONOMICS_VALUE_KEYS`: ``hashprice_usd_per_ph_day`` [USD/PH/day] and ``btc_per_ph_day``
        [BTC/PH/day] (before pool fee); ``energy_kwh_per_btc`` [kWh/BTC] (× PUE);
        ``energy_cost_usd_per_btc``, ``all_in_cost_usd_per_btc``, ``breakeven_price_usd`` (cash)
        [USD/BTC] (:func:`~wattshift.mining.cost.cost_components_usd_per_btc`);
        ``breakeven_power_usd_per_kwh`` [USD/kWh]; ``mining_value_usd_per_mwh`` [USD/MWh].
    """
    a = assumptions
    hashprice_th = btc_per_th_day * price_usd
    costs = cost_components_usd_per_btc(btc_per_th_day, efficiency_j_per_th, power_usd_per_kwh, a)
    return {
        "hashprice_usd_per_ph_day": hashprice_th * TH_PER_PH,
        "btc_per_ph_day": btc_per_th_day * TH_PER_PH,
        "energy_kwh_per_btc": energy_kwh_per_btc(btc_per_th_day, efficiency_j_per_th, pue=a.pue),
        "energy_cost_usd_per_btc": costs["energy"],
        "all_in_cost_usd_per_btc": costs["all_in"],
        "breakeven_power_usd_per_kwh": breakeven_power_usd_per_kwh(
            hashprice_th, efficiency_j_per_th, pue=a.pue, pool_fee=a.pool_fee
        ),
        "breakeven_price_usd": costs["cash"],
        "mining_value_usd_per_mwh": mining_value_usd_per_mwh(
            hashprice_th, efficiency_j_per_th, pue=a.pue, pool_fee=a.pool_fee
        ),
    }
