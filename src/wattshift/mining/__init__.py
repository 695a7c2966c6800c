"""Mining economics: hashprice, cost per BTC, breakeven, mining value of a MWh, fleet roll-up.

Pure, vectorised formulas (``signals.md`` "Mining economics formulas", DESIGN §3), one module per
concept:

- :mod:`~wattshift.mining.hashprice`: BTC per TH/s per day, hashprice, breakeven power price, USD/MWh;
- :mod:`~wattshift.mining.cost`: energy per BTC, energy cost, all-in and cash cost per BTC;
- :class:`~wattshift.mining.cost.CostAssumptions`: pool fee, uptime, PUE, opex, capex as a frozen spec
  (defaults and sources live in :class:`wattshift.config.mining.MiningAssumptions`);
- :mod:`~wattshift.mining.fleet`: fleet totals and efficiency (total W / total TH/s);
- :mod:`~wattshift.mining.frame`: :func:`economics_frame`, one row per day from the BTC daily frame.
- :mod:`~wattshift.mining.economics`: :func:`economics_values`, the derived values of a day from
  BTC per TH/s per day and the price (floats or arrays).

The names below are imported from their module on first use (PEP 562): importing this package loads
none of them, so the formula modules, which need neither NumPy nor pandas, stay cheap to import
(``wattshift mining --date``); :mod:`~wattshift.mining.frame` loads pandas when it is used.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from wattshift.mining.cost import (
        CostAssumptions,
        all_in_cost_usd_per_btc,
        cash_breakeven_price_usd,
        cost_components_usd_per_btc,
        energy_cost_usd_per_btc,
        energy_kwh_per_btc,
        energy_kwh_per_btc_from_difficulty,
    )
    from wattshift.mining.economics import ECONOMICS_VALUE_KEYS, economics_values
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

#: Public name -> its module.
_MODULE_OF: dict[str, str] = {
    **dict.fromkeys(
        (
            "CostAssumptions",
            "all_in_cost_usd_per_btc",
            "cash_breakeven_price_usd",
            "cost_components_usd_per_btc",
            "energy_cost_usd_per_btc",
            "energy_kwh_per_btc",
            "energy_kwh_per_btc_from_difficulty",
        ),
        "cost",
    ),
    **dict.fromkeys(("FleetTotals", "fleet_efficiency_j_per_th", "fleet_totals"), "fleet"),
    **dict.fromkeys(
        (
            "ECONOMICS_COLUMNS",
            "economics_frame",
            "hashprice_realised_usd_per_ph_day",
            "hashprice_source",
            "hashprice_usd_per_th_day",
            "network_btc_per_th_day",
        ),
        "frame",
    ),
    **dict.fromkeys(
        (
            "breakeven_power_usd_per_kwh",
            "btc_per_th_day",
            "btc_per_th_day_realised",
            "hashprice_usd_per_th_day_from",
            "mining_value_usd_per_mwh",
        ),
        "hashprice",
    ),
    **dict.fromkeys(("ECONOMICS_VALUE_KEYS", "economics_values"), "economics"),
}


def __getattr__(name: str) -> Any:
    """Import ``name`` from its module on first use (then it is a plain attribute of the package)."""
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_MODULE_OF])


__all__ = [
    "ECONOMICS_COLUMNS",
    "ECONOMICS_VALUE_KEYS",
    "CostAssumptions",
    "FleetTotals",
    "all_in_cost_usd_per_btc",
    "breakeven_power_usd_per_kwh",
    "btc_per_th_day",
    "btc_per_th_day_realised",
    "cash_breakeven_price_usd",
    "cost_components_usd_per_btc",
    "economics_frame",
    "economics_values",
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
