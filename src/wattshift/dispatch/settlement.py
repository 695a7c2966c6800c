"""Settlement: what a schedule earns and costs at given prices, by stream and per interval.

Revenue streams per interval of ``Δt`` h: mining ``Σ_k v[k,t] m[k,t] Δt``, AI ``a[t] g[t] Δt``,
reserves ``Σ_p ρ[p,t] r[p,t] Δt`` and sell-back credits. Energy cost under an index contract is
``π[t] load[t] Δt``; under a fixed-price block of ``Q`` MW at ``K`` USD/MWh it is
``K Q Δt + π[t] max(load[t] − Q, 0) Δt`` with a sell-back credit ``π[t] max(Q − load[t], 0) Δt``.
A deployed reserve award curtails load (:func:`deployed_loads`); an owned GPU cluster's capital cost
accrues every hour. Peak charges are ``c x max(load over each group's candidate intervals)``; under ERCOT
4CP each group is the one published 4CP interval of a month, so the charge is ``c x load`` there
(:mod:`wattshift.dispatch.cp4`, :class:`wattshift.config.PeakChargeConfig`). Net = revenues − energy
cost − charges.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from wattshift.dispatch.problem import BoolArray, FloatArray, IntArray

#: Curtailed power below this share of the deliverable capacity counts as running [unitless].
CURTAIL_TOLERANCE = 1e-6


@dataclass(frozen=True)
class SettlementInputs:
    """Prices and site facts a schedule is settled against (T intervals, K fleets, R products)."""

    interval_hours: float
    price_usd_per_mwh: FloatArray
    fleet_value_usd_per_mwh: FloatArray
    ai_value_usd_per_mwh: FloatArray
    reserve_price_usd_per_mw_h: FloatArray
    aux_mw: float
    block_mw: float
    block_price_usd_per_mwh: float
    deliverable_mw: float
    peak_group: IntArray | None
    peak_rate_usd_per_mw: FloatArray
    reserve_is_up: BoolArray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    deployment_share: float = 0.0
    gpu_capital_cost_usd_per_hour: float = 0.0
    day_ahead_price_usd_per_mwh: FloatArray | None = None
    planned_load_mw: FloatArray | None = None


def _bought_usd_per_h(inputs: SettlementInputs, load: FloatArray) -> FloatArray:
    """Cost of the energy above the block per hour of each interval (T,) [USD/h].

    Real-time purchase: ``π_RT max(L − Q, 0)``. With a day-ahead purchase of the planned load
    ``L_p``: ``π_DA max(L_p − Q, 0) + π_RT (max(L − Q, 0) − max(L_p − Q, 0))``, the deviation from
    the day-ahead position settled at the real-time price (ERCOT two-settlement system).
    """
    q = inputs.block_mw
    above = np.maximum(load - q, 0.0)
    if inputs.day_ahead_price_usd_per_mwh is None or inputs.planned_load_mw is None:
        return np.asarray(inputs.price_usd_per_mwh * above, dtype=np.float64)
    planned = np.maximum(inputs.planned_load_mw - q, 0.0)
    da = inputs.day_ahead_price_usd_per_mwh * planned
    return np.asarray(da + inputs.price_usd_per_mwh * (above - planned), dtype=np.float64)


def deployed_loads(
    inputs: SettlementInputs, fleet_mw: FloatArray, gpu_mw: FloatArray, reserve_mw: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Loads after reserve deployment: fleets (K, T), GPU (T,) and the deployed MW (T,).

    A deployed up-reserve award curtails the load that backs it: on average a share
    ``deployment_share`` of each awarded MW is off, taken from the fleets pro rata to their load,
    then from the flexible GPU load (the award never exceeds curtailable load, see the LP).
    """
    share = inputs.deployment_share
    if share <= 0.0 or reserve_mw.size == 0 or not inputs.reserve_is_up.any():
        return fleet_mw, gpu_mw, np.zeros_like(gpu_mw)
    deployed = share * reserve_mw[inputs.reserve_is_up].sum(axis=0)
    mining = fleet_mw.sum(axis=0)
    from_mining = np.minimum(deployed, mining)
    keep = np.divide(mining - from_mining, mining, out=np.ones_like(mining), where=mining > 0)
    return fleet_mw * keep[None, :], gpu_mw - (deployed - from_mining), deployed


def peak_charges_usd(group: IntArray, rate_usd_per_mw: FloatArray, load_mw: FloatArray) -> float:
    """Peak (demand) charges of a load: Σ_c rate_c × max of the load over the intervals of group c [USD].

    Parameters
    ----------
    group
        Peak-charge group of each interval (T,), -1 = none.
    rate_usd_per_mw
        Charge per MW of each group's peak (C,) [USD/MW].
    load_mw
        Site load of each interval (T,) [MW].
    """
    charges = 0.0
    for c in range(rate_usd_per_mw.shape[0]):
        sel = group == c
        if sel.any():
            charges += float(rate_usd_per_mw[c]) * float(load_mw[sel].max())
    return charges


def settle(
    inputs: SettlementInputs, fleet_mw: FloatArray, gpu_mw: FloatArray, reserve_mw: FloatArray
) -> tuple[dict[str, FloatArray], dict[str, float]]:
    """Per-interval money flows and totals of a schedule.

    Parameters
    ----------
    inputs
        Settlement prices and site facts.
    fleet_mw, gpu_mw, reserve_mw
        Schedule (K, T), (T,), (R, T) [MW].

    Returns
    -------
    (dict, dict)
        Per-interval arrays [USD or MW] and totals: ``mining_usd``, ``ai_usd``, ``reserves_usd``,
        ``sellback_usd``, ``energy_cost_usd``, ``charges_usd``, ``net_usd``, ``mwh_mining``,
        ``mwh_ai``, ``mwh_curtailed``, ``hours_curtailed``.
    """
    dt = inputs.interval_hours
    pi = inputs.price_usd_per_mwh
    # Curtailment is the schedule's choice; deployment (ERCOT's call) is reported apart as MWh deployed.
    scheduled_mw = fleet_mw.sum(axis=0)
    curtailed = np.maximum(inputs.deliverable_mw - scheduled_mw - gpu_mw, 0.0)
    deployed_fleet_mw, gpu_mw, deployed = deployed_loads(inputs, fleet_mw, gpu_mw, reserve_mw)
    # the same sum when nothing was deployed (the fleets' loads are then the scheduled ones)
    mining_mw = scheduled_mw if deployed_fleet_mw is fleet_mw else deployed_fleet_mw.sum(axis=0)
    fleet_mw = deployed_fleet_mw
    load = mining_mw + gpu_mw + inputs.aux_mw
    q = inputs.block_mw
    mining = (inputs.fleet_value_usd_per_mwh * fleet_mw).sum(axis=0) * dt
    ai = inputs.ai_value_usd_per_mwh * gpu_mw * dt
    reserves = (
        (inputs.reserve_price_usd_per_mw_h * reserve_mw).sum(axis=0) * dt
        if reserve_mw.size
        else np.zeros_like(pi)
    )
    sellback = pi * np.maximum(q - load, 0.0) * dt
    energy = (inputs.block_price_usd_per_mwh * q + _bought_usd_per_h(inputs, load)) * dt
    curtailed[curtailed <= CURTAIL_TOLERANCE * max(inputs.deliverable_mw, 1.0)] = 0.0
    charges = (
        peak_charges_usd(inputs.peak_group, inputs.peak_rate_usd_per_mw, load)
        if inputs.peak_group is not None
        else 0.0
    )
    per_interval = {
        "load_mw": load,
        "mining_mw": mining_mw,
        "curtailed_mw": curtailed,
        "mining_usd": mining,
        "ai_usd": ai,
        "reserves_usd": reserves,
        "sellback_usd": sellback,
        "energy_cost_usd": energy,
    }
    gpu_capital = inputs.gpu_capital_cost_usd_per_hour * dt * pi.shape[0]
    return per_interval, _totals(per_interval, gpu_mw, deployed, dt, charges, gpu_capital)


def _totals(
    per: dict[str, FloatArray],
    gpu_mw: FloatArray,
    deployed: FloatArray,
    dt: float,
    charges: float,
    gpu_capital: float,
) -> dict[str, float]:
    """Sums of the per-interval flows [USD, MWh, h] and the net after charges and GPU capital cost."""
    mining, ai, reserves, sellback = (
        per["mining_usd"],
        per["ai_usd"],
        per["reserves_usd"],
        per["sellback_usd"],
    )
    energy, mining_mw, curtailed = per["energy_cost_usd"], per["mining_mw"], per["curtailed_mw"]
    mining_sum, ai_sum, reserves_sum, sellback_sum = mining.sum(), ai.sum(), reserves.sum(), sellback.sum()
    revenue = float(mining_sum + ai_sum + reserves_sum + sellback_sum)
    energy_usd = float(energy.sum())
    totals = {
        "mining_usd": float(mining_sum),
        "ai_usd": float(ai_sum),
        "reserves_usd": float(reserves_sum),
        "sellback_usd": float(sellback_sum),
        "energy_cost_usd": energy_usd,
        "charges_usd": charges,
        "gpu_capital_cost_usd": gpu_capital,
        "net_usd": revenue - energy_usd - charges - gpu_capital,
        "mwh_mining": float(mining_mw.sum() * dt),
        "mwh_ai": float(gpu_mw.sum() * dt),
        "mwh_curtailed": float(curtailed.sum() * dt),
        "hours_curtailed": float(np.count_nonzero(curtailed > 0) * dt),
        "mwh_deployed": float(deployed.sum() * dt),
    }
    return totals


def always_on(
    fleet_capacity_mw: FloatArray,
    fleet_efficiency_j_per_th: FloatArray,
    gpu_capacity_mw: float,
    room_mw: float,
    n_intervals: int,
) -> tuple[FloatArray, FloatArray]:
    """The inflexible reference: every machine on, whatever the price, within the interconnect.

    When the interconnect (``room_mw`` = P − aux) cannot carry everything, the GPUs come first and
    then the fleets from the most to the least efficient (lowest J/TH first).

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        Fleet loads (K, T) and GPU load (T,) [MW], constant in time.
    """
    gpu = min(gpu_capacity_mw, room_mw)
    left = room_mw - gpu
    fleet = np.zeros(fleet_capacity_mw.shape[0])
    for k in np.argsort(fleet_efficiency_j_per_th, kind="stable"):
        fleet[k] = min(float(fleet_capacity_mw[k]), left)
        left -= fleet[k]
    return np.repeat(fleet[:, None], n_intervals, axis=1), np.full(n_intervals, gpu)


def schedule_frame(
    interval_start_utc: pd.DatetimeIndex,
    fleet_names: list[str],
    fleet_mw: FloatArray,
    gpu_mw: FloatArray,
    reserve_names: list[str],
    reserve_mw: FloatArray,
    price_usd_per_mwh: FloatArray,
    per_interval: dict[str, FloatArray],
    *,
    timezone: str = "UTC",
) -> pd.DataFrame:
    """The per-interval schedule as a frame: MW per use, price and money per stream.

    ``interval_start_utc`` stays the key; ``interval_start_local`` carries the operating day's zone
    (``timezone``), so a DST day's repeated hour is told apart by its offset.
    """
    cols: dict[str, object] = {
        "interval_start_utc": interval_start_utc,
        "interval_start_local": interval_start_utc.tz_convert(timezone),
        "price_usd_per_mwh": price_usd_per_mwh,
    }
    for name, row in zip(fleet_names, fleet_mw, strict=True):
        cols[f"mw_{name}"] = row
    cols["mw_mining"] = per_interval["mining_mw"]
    cols["mw_ai"] = gpu_mw
    cols["mw_curtailed"] = per_interval["curtailed_mw"]
    for name, row in zip(reserve_names, reserve_mw, strict=True):
        cols[f"mw_reserve_{name}"] = row
    cols["mw_load"] = per_interval["load_mw"]
    for key in ("mining_usd", "ai_usd", "reserves_usd", "sellback_usd", "energy_cost_usd"):
        cols[key] = per_interval[key]
    value = per_interval["mining_usd"] + per_interval["ai_usd"] + per_interval["reserves_usd"]
    cols["value_usd"] = value + per_interval["sellback_usd"] - per_interval["energy_cost_usd"]
    return pd.DataFrame(cols)
