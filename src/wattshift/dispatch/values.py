"""What a MWh is worth in each use, per interval: mining (per fleet) and AI compute.

Mining: the day's hashprice [USD/TH/day] divided by the energy a TH/s of hashrate uses in a day at
the fleet's efficiency (DESIGN.md section 3)::

    v [USD/MWh] = hashprice [USD/(TH/s)/day] x (1 − pool_fee) / (e [J/TH] x 24 h x 1e-6 MWh/Wh)

since a fleet of efficiency ``e`` draws ``e`` W per TH/s, i.e. ``e x 24`` Wh per TH/s per day.

Hashprice and the mining value of a MWh come from the mining engine
(:func:`wattshift.mining.hashprice_usd_per_th_day`, expected form from difficulty, subsidy and fees
[1]_, and :func:`wattshift.mining.mining_value_usd_per_mwh`); this module only lays them out per
interval and per fleet.

AI: a GPU rented at ``p`` [USD/GPU-h], drawing ``w`` [kW] per GPU (server share included) and
rented a share ``u`` of the time, earns ``p x u / (w / 1000)`` [USD/MWh].

References
----------
.. [1] S. Nakamoto, "Bitcoin: A Peer-to-Peer Electronic Cash System", 2008, section 4 (proof of
   work; expected hashes per block = difficulty x 2**32).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from wattshift import mining
from wattshift.dispatch.problem import FloatArray
from wattshift.errors import NotInWarehouseError
from wattshift.units import HOURS_PER_YEAR, capital_recovery_factor, kw_to_mw


def daily_hashprice_usd_per_th_day(btc_daily: pd.DataFrame) -> pd.Series:
    """Hashprice of each day [USD/(TH/s)/day], indexed by UTC day (mining engine's expected form).

    Parameters
    ----------
    btc_daily
        BTC daily frame (``wattshift.data.schema.BTC_DAILY_COLUMNS``).
    """
    out = mining.hashprice_usd_per_th_day(btc_daily)
    out.index = pd.DatetimeIndex(btc_daily["date"]).normalize()
    return out


def ai_value_usd_per_mwh(spot_usd_per_gpu_hour: float, kw_per_gpu: float, utilisation: float) -> float:
    """AI revenue of one MWh in the GPU cluster [USD/MWh]: ``p x u / (w / 1000)`` (module docstring).

    Parameters
    ----------
    spot_usd_per_gpu_hour
        Rental price p [USD/GPU-h].
    kw_per_gpu
        Power per GPU w, server share included [kW].
    utilisation
        Share u of the time rented [unitless].
    """
    return spot_usd_per_gpu_hour * utilisation / kw_to_mw(kw_per_gpu)


def daily_to_intervals(daily: pd.Series, interval_start_utc: pd.DatetimeIndex, *, what: str) -> FloatArray:
    """Look each interval's UTC day up in a daily series (T,).

    Raises
    ------
    NotInWarehouseError
        A day of the intervals is missing or NaN in ``daily`` (the message names the days).
    """
    days = interval_start_utc.tz_convert("UTC").tz_localize(None).normalize()
    s = daily[~daily.index.duplicated(keep="last")]
    vals = s.reindex(days).to_numpy(dtype=np.float64, na_value=np.nan)
    bad = np.isnan(vals)
    if bad.any():
        missing = sorted({d.date().isoformat() for d in days[bad]})
        shown = ", ".join(missing[:5]) + (" ..." if len(missing) > 5 else "")
        raise NotInWarehouseError(f"{what} missing for {len(missing)} day(s): {shown}")
    return vals


def fleet_values_usd_per_mwh(
    hashprice_per_interval: FloatArray, efficiency_j_per_th: FloatArray, pool_fee: float = 0.0
) -> FloatArray:
    """Mining value of a MWh in each fleet in each interval (K, T) [USD/MWh]."""
    hp = np.asarray(hashprice_per_interval, dtype=np.float64)[None, :]
    eff = np.asarray(efficiency_j_per_th, dtype=np.float64)[:, None]
    return np.asarray(mining.mining_value_usd_per_mwh(hp, eff, pool_fee=pool_fee), dtype=np.float64)


def gpu_cost_usd_per_gpu_hour(capex_usd_per_gpu: float, life_years: float, financing_rate: float) -> float:
    """Capital cost of owning one GPU, per hour of its life [USD/GPU-h].

    ``capex x crf(i, n) / 8760``: the capital recovery factor ``crf = i (1+i)^n / ((1+i)^n − 1)``
    (:func:`wattshift.units.capital_recovery_factor`) spreads the purchase over ``n`` years of equal
    payments at financing rate ``i``; the cost accrues every hour, rented or not.

    Parameters
    ----------
    capex_usd_per_gpu
        Purchase and installation cost per GPU, server share included [USD/GPU].
    life_years
        Economic life n [years].
    financing_rate
        Interest rate i [1/year]; 0 = straight-line depreciation.
    """
    return capex_usd_per_gpu * capital_recovery_factor(financing_rate, life_years) / HOURS_PER_YEAR
