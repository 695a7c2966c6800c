"""Site config → :class:`~wattshift.dispatch.spec.SiteSpec`: the one place dispatch reads pydantic.

:func:`site_spec` turns a validated :class:`~wattshift.config.SiteConfig` and its resolved fleets
into the frozen arrays and scalars the dispatch engines take, applying the defaults that live in
the config package (pool fee from :class:`~wattshift.config.MiningAssumptions`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from wattshift.config import UP_PRODUCTS, Fleet, GpuConfig, SiteConfig
from wattshift.config.mining import MiningAssumptions
from wattshift.dispatch.spec import FleetSpec, GpuSpec, PeakSpec, ReserveSpec, SiteSpec
from wattshift.dispatch.values import ai_value_usd_per_mwh, gpu_cost_usd_per_gpu_hour
from wattshift.units import KW_PER_MW, kw_year_to_usd_per_mw, usd_per_kw_month_to_usd_per_mwh


def gpu_ai_value_usd_per_mwh(gpu: GpuConfig) -> float:
    """Gross AI revenue of one MWh in the GPU cluster [USD/MWh].

    Given (``value_usd_per_mwh``), from the GPU-hour price (cloud), or the colocation hosting fee
    spread over a month of firm load (:func:`wattshift.units.usd_per_kw_month_to_usd_per_mwh`).
    """
    if gpu.business == "colocation":
        assert gpu.hosting_usd_per_kw_month is not None
        return float(usd_per_kw_month_to_usd_per_mwh(gpu.hosting_usd_per_kw_month))
    if gpu.value_usd_per_mwh is not None:
        return gpu.value_usd_per_mwh
    assert gpu.spot_usd_per_gpu_hour is not None and gpu.kw_per_gpu is not None
    return ai_value_usd_per_mwh(gpu.spot_usd_per_gpu_hour, gpu.kw_per_gpu, gpu.utilisation)


def gpu_capital_cost_usd_per_hour(gpu: GpuConfig) -> float:
    """Capital cost of an owned cluster per hour [USD/h]: GPUs x cost per GPU-hour (0 if none given)."""
    if gpu.business == "colocation" or gpu.capex_usd_per_gpu <= 0 or gpu.kw_per_gpu is None:
        return 0.0
    n_gpus = gpu.capacity_mw * KW_PER_MW / gpu.kw_per_gpu
    return n_gpus * gpu_cost_usd_per_gpu_hour(gpu.capex_usd_per_gpu, gpu.life_years, gpu.financing_rate)


def _gpu_spec(gpu: GpuConfig) -> GpuSpec:
    firm = gpu.capacity_mw if gpu.business == "colocation" else gpu.firm_mw
    return GpuSpec(
        capacity_mw=gpu.capacity_mw,
        firm_mw=firm,
        ai_value_usd_per_mwh=gpu_ai_value_usd_per_mwh(gpu),
        min_energy_mwh_per_day=gpu.min_energy_mwh_per_day,
        capital_cost_usd_per_hour=gpu_capital_cost_usd_per_hour(gpu),
    )


def _fleet_spec(fleets: list[Fleet]) -> FleetSpec:
    def arr(values: list[float]) -> np.ndarray[Any, np.dtype[np.float64]]:
        return np.array(values, dtype=np.float64)

    return FleetSpec(
        names=tuple(f.name for f in fleets),
        power_mw=arr([f.power_mw for f in fleets]),
        efficiency_j_per_th=arr([f.efficiency_j_per_th for f in fleets]),
        ramp_mw_per_min=arr([np.inf if f.ramp_mw_per_min is None else f.ramp_mw_per_min for f in fleets]),
        min_on_minutes=arr([f.min_on_minutes for f in fleets]),
        min_off_minutes=arr([f.min_off_minutes for f in fleets]),
        min_load_fraction=arr([f.min_load_fraction for f in fleets]),
    )


def site_spec(site: SiteConfig, fleets: list[Fleet]) -> SiteSpec:
    """The frozen :class:`~wattshift.dispatch.spec.SiteSpec` the dispatch engines take (built once).

    Parameters
    ----------
    site
        The validated site.
    fleets
        Its fleets resolved to MW and J/TH (:func:`wattshift.config.resolve_fleets`).
    """
    res = site.reserves
    pc = site.peak_charges
    return SiteSpec(
        name=site.name,
        interconnect_mw=site.interconnect_mw,
        fleets=_fleet_spec(fleets),
        aux_mw=site.aux_mw,
        gpu=None if site.gpu is None else _gpu_spec(site.gpu),
        block_mw=site.contract.block_mw or 0.0,
        block_price_usd_per_mwh=site.contract.block_price_usd_per_mwh or 0.0,
        reserves=None
        if res is None
        else ReserveSpec(
            products=tuple(res.products),
            is_up=np.array([p in UP_PRODUCTS for p in res.products], dtype=bool),
            max_mw=res.max_mw,
            deployment_share=res.deployment_share,
        ),
        peak=None
        if pc is None
        else PeakSpec(
            rate_usd_per_mw_month=kw_year_to_usd_per_mw(pc.rate_usd_per_kw_year) / len(pc.months),
            months=tuple(pc.months),
            rule=pc.rule,
            peaks_utc=tuple(pc.peaks),
            intervals_per_month=pc.intervals_per_month,
            missing_years=pc.missing_years,
            alert_threshold_pct=pc.alert_threshold_pct,
            alert_window_local_hours=pc.alert_window_local_hours,
            alert_hit_probability=pc.alert_hit_probability,
        ),
        max_energy_mwh_per_day=site.max_energy_mwh_per_day or float("inf"),
        pool_fee=MiningAssumptions().pool_fee if site.pool_fee is None else site.pool_fee,
        day_ahead_purchase=site.contract.day_ahead_purchase,
    )
