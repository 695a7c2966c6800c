"""Mining economics: hashprice, cost per BTC, breakeven, mining value of a MWh, fleet roll-up.

Pure, vectorised formulas (``signals.md`` "Mining economics formulas", DESIGN §3), one module per
concept:

- :mod:`~wattshift.mining.hashprice`: BTC per TH/s per day, hashprice, breakeven power price, USD/MWh;
- :mod:`~wattshift.mining.cost`: energy per BTC, energy cost, all-in and cash cost per BTC;
- :class:`~wattshift.mining.cost.CostAssumptions`: pool fee, uptime, PUE, opex, capex as a frozen spec
  (defaults and sources live in :class:`wattshift.config.mining.MiningAssumptions`);
- :mod:`~wattshift.mining.fleet`: fleet totals and efficiency (total W / total TH/s);
- :mod:`~wattshift.mining.frame`: :func:`economics_frame`, one row per day from the BTC daily frame.
"""

from __future__ import annotations

from wattshift.mining.cost import (
    CostAssumptions,
    all_in_cost_usd_per_btc,
    cash_breakeven_price_usd,
    cost_components_usd_per_btc,
    energy_cost_usd_per_btc,
    energy_kwh_per_btc,
    energy_kwh_per_btc_from_difficulty,
)
from wattshift.mining.fleet import FleetTotals, fleet_efficiency_j_per_th, fleet_totals
from wattshift.mining.frame import (
    ECONOMICS_COLUMNS,
    economics_frame,
    hashprice_realised_usd_per_ph_day,
    hashprice_source,
    hashprice_usd_per_th_day,
    network_btc_per_th_day,
)
from wattshift.mining.hashprice import (
    breakeven_power_usd_per_kwh,
    btc_per_th_day,
    btc_per_th_day_realised,
    hashprice_usd_per_th_day_from,
    mining_value_usd_per_mwh,
)

__all__ = [
    "ECONOMICS_COLUMNS",
    "CostAssumptions",
    "FleetTotals",
    "all_in_cost_usd_per_btc",
    "breakeven_power_usd_per_kwh",
    "btc_per_th_day",
    "btc_per_th_day_realised",
    "cash_breakeven_price_usd",
    "cost_components_usd_per_btc",
    "economics_frame",
    "energy_cost_usd_per_btc",
    "energy_kwh_per_btc",
    "energy_kwh_per_btc_from_difficulty",
    "fleet_efficiency_j_per_th",
    "fleet_totals",
    "hashprice_realised_usd_per_ph_day",
    "hashprice_source",
    "hashprice_usd_per_th_day",
    "hashprice_usd_per_th_day_from",
    "mining_value_usd_per_mwh",
    "network_btc_per_th_day",
]
