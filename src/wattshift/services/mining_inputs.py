"""The inputs of the mining services, checked, and the shape of their answers (no NumPy, no pandas).

Shared by :mod:`wattshift.services.mining` (which computes on the warehouse's frames) and
:mod:`wattshift.services.oneday` (which computes one day on Python floats), so that both refuse the
same inputs with the same messages and answer with the same keys.
"""

from __future__ import annotations

import math
from typing import Any

from pydantic import ValidationError

from wattshift.config.bounds import MAX_POWER_USD_PER_KWH
from wattshift.config.mining import MiningAssumptions
from wattshift.errors import ConfigError
from wattshift.mining.cost import CostAssumptions
from wattshift.mining.economics import ECONOMICS_VALUE_KEYS
from wattshift.units import usd_per_mwh_to_usd_per_kwh

#: Keys of :func:`wattshift.services.mining.mining_day`, in order (``mining_history`` has the same per
#: day, minus ``assumptions``, plus ``hashprice_form``).
MINING_DAY_KEYS: tuple[str, ...] = (
    "date",
    "price_usd",
    "difficulty",
    "hashrate_ehs",
    "fees_btc_per_block",
    *(key for key in ECONOMICS_VALUE_KEYS if key != "breakeven_price_usd"),
    "assumptions",
)
#: The numeric keys of :data:`MINING_DAY_KEYS`.
VALUE_KEYS = MINING_DAY_KEYS[1:-1]

#: Why a day's hashprice is the realised one (``assumptions.note`` of a one-day answer).
REALISED_NOTE = (
    "{day} has no difficulty or block count in the warehouse (e.g. the Coin Metrics extension file): "
    "hashprice is the realised revenue_usd / hashrate, and difficulty and fees per block are unknown"
)


def check_machine(efficiency_j_per_th: float | None, asic: str | None) -> float | None:
    """The efficiency [J/TH] if given (checked), None when an ASIC model is given instead.

    Raises
    ------
    ConfigError
        Both or neither given, or an efficiency that is not a positive number.
    """
    if (efficiency_j_per_th is None) == (asic is None):
        raise ConfigError("give exactly one of efficiency_j_per_th (--efficiency-j-per-th) or asic (--asic)")
    if efficiency_j_per_th is None:
        return None
    if not math.isfinite(efficiency_j_per_th) or efficiency_j_per_th <= 0:
        raise ConfigError(f"efficiency_j_per_th must be a positive number of J/TH, got {efficiency_j_per_th}")
    return float(efficiency_j_per_th)


def checked_power_usd_per_kwh(power_usd_per_kwh: float) -> float:
    """``power_usd_per_kwh`` if it is a finite USD/kWh price; a USD/MWh figure is a clear error."""
    if not math.isfinite(power_usd_per_kwh):
        raise ConfigError(f"power_usd_per_kwh must be a number, got {power_usd_per_kwh}")
    if abs(power_usd_per_kwh) > MAX_POWER_USD_PER_KWH:
        raise ConfigError(
            f"power_usd_per_kwh={power_usd_per_kwh} is not a USD/kWh price (a USD/MWh figure? "
            f"{power_usd_per_kwh} USD/MWh is {usd_per_mwh_to_usd_per_kwh(power_usd_per_kwh):g} USD/kWh)"
        )
    return float(power_usd_per_kwh)


def resolve_assumptions(assumptions: MiningAssumptions | None, pue: float | None) -> MiningAssumptions:
    """The assumptions to use: ``assumptions`` (default :class:`MiningAssumptions`) with ``pue`` applied.

    Raises
    ------
    ConfigError
        If ``pue`` is out of range (the message names the field).
    """
    base = assumptions if assumptions is not None else MiningAssumptions()
    if pue is None:
        return base
    try:
        return MiningAssumptions(**{**base.as_dict(), "pue": pue})
    except ValidationError as exc:
        raise ConfigError(f"pue: {exc.errors()[0]['msg']} (got {pue})") from None


def cost_assumptions(assumptions: MiningAssumptions) -> CostAssumptions:
    """The engine's frozen spec of ``assumptions`` (validated config → plain numbers, once per call)."""
    return CostAssumptions(
        pool_fee=assumptions.pool_fee,
        uptime=assumptions.uptime,
        pue=assumptions.pue,
        opex_usd_per_mw_month=assumptions.opex_usd_per_mw_month,
        sga_usd_per_mw_month=assumptions.sga_usd_per_mw_month,
        capex_usd_per_th=assumptions.capex_usd_per_th,
        asic_life_years=assumptions.asic_life_years,
    )


def assumption_dict(
    a: MiningAssumptions, efficiency_j_per_th: float, asic: str | None, power_usd_per_kwh: float
) -> dict[str, Any]:
    """The ``assumptions`` of an answer: machine, power price and every assumption."""
    return {
        "asic": asic,
        "efficiency_j_per_th": efficiency_j_per_th,
        "power_usd_per_kwh": power_usd_per_kwh,
        **a.as_dict(),
    }


def day_note(form: str, day: str) -> str | None:
    """``assumptions.note`` of a day whose hashprice has the form ``form``."""
    return None if form == "expected" else REALISED_NOTE.format(day=day)
