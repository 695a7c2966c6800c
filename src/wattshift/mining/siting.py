"""Where a MW mines best: price statistics of a market node against the fleet's mining value.

For one node and one year, from interval prices ``p_t`` [USD/MWh] of length ``Δt_t`` [h] and the
mining value of a MWh on each interval's day ``v_t`` [USD/MWh] (:func:`~wattshift.mining.hashprice.
mining_value_usd_per_mwh`, after pool fee and PUE):

- coverage = Σ Δt_t / hours of the year (gaps are not filled; a partial year says so);
- mean price = Σ p_t Δt_t / Σ Δt_t (time-weighted), volatility = the time-weighted standard deviation;
- hours above strike = Σ Δt_t over intervals with ``p_t > v_t`` (a flexible fleet would switch off);
- mining margin of an always-on MW = Σ (v_t - p_t) Δt_t / Σ Δt_t [USD/MWh], i.e. the mining value
  minus the price, per MWh consumed over the hours held.

The value of flexibility per MW-year needs the dispatch engine (no hindsight) and is not computed
here. DESIGN.md §3 (value of a MWh in mining) and §5 (strike price = mining value).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class SitingMetrics:
    """Price and mining statistics of one node over one period.

    Attributes
    ----------
    coverage
        Hours held / hours in the period [fraction].
    hours_held
        Σ Δt [h].
    mean_price_usd_per_mwh, std_price_usd_per_mwh
        Time-weighted mean and standard deviation of the price [USD/MWh].
    hours_above_strike
        Hours with the price above the day's mining value [h].
    mean_mining_value_usd_per_mwh
        Time-weighted mean mining value [USD/MWh].
    mining_margin_usd_per_mwh
        Time-weighted mean of (mining value - price) [USD/MWh].
    """

    coverage: float
    hours_held: float
    mean_price_usd_per_mwh: float
    std_price_usd_per_mwh: float
    hours_above_strike: float
    mean_mining_value_usd_per_mwh: float
    mining_margin_usd_per_mwh: float


def siting_metrics(
    price_usd_per_mwh: FloatArray,
    interval_hours: FloatArray,
    mining_value_usd_per_mwh: FloatArray,
    period_hours: float,
) -> SitingMetrics:
    """Siting statistics of one node (see the module docstring for the formulas).

    Parameters
    ----------
    price_usd_per_mwh
        Interval prices, shape (T,) [USD/MWh].
    interval_hours
        Interval lengths, shape (T,) [h].
    mining_value_usd_per_mwh
        Mining value of a MWh on each interval's day, shape (T,) [USD/MWh].
    period_hours
        Hours in the period (8,760 or 8,784 for a year) [h].

    Raises
    ------
    ValueError
        On arrays of different lengths, no interval, or a non-positive period.
    """
    p = np.asarray(price_usd_per_mwh, dtype=np.float64)
    dt = np.asarray(interval_hours, dtype=np.float64)
    v = np.asarray(mining_value_usd_per_mwh, dtype=np.float64)
    if not (p.shape == dt.shape == v.shape) or p.size == 0 or period_hours <= 0:
        raise ValueError("prices, interval hours and mining values must be equal, non-empty (T,) arrays")
    held = float(dt.sum())
    mean = float(np.dot(p, dt) / held)
    std = float(np.sqrt(np.dot((p - mean) ** 2, dt) / held))
    return SitingMetrics(
        coverage=held / period_hours,
        hours_held=held,
        mean_price_usd_per_mwh=mean,
        std_price_usd_per_mwh=std,
        hours_above_strike=float(dt[p > v].sum()),
        mean_mining_value_usd_per_mwh=float(np.dot(v, dt) / held),
        mining_margin_usd_per_mwh=float(np.dot(v - p, dt) / held),
    )
