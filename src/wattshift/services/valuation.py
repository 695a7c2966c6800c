"""Valuation service: warehouse + site → calibrated Monte Carlo → the JSON of ``wattshift value``.

Shared by the CLI (``wattshift value``, ``wattshift treasury``, ``wattshift value sweep``), the API
and the report.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from wattshift.chain import block_height_estimate, subsidy_btc
from wattshift.config import SiteConfig
from wattshift.config.valuation import ValuationConfig
from wattshift.errors import ConfigError, NotInWarehouseError
from wattshift.services.sites import resolve_fleets
from wattshift.units import HOURS_PER_DAY, HOURS_PER_MONTH
from wattshift.valuation.conversion import plan_conversion, switch_gains
from wattshift.valuation.dcf import summary
from wattshift.valuation.montecarlo import BUSINESSES, ChunkResult, Progress, ValuationInputs, run
from wattshift.valuation.network import calibrate_hashrate, subsidy_by_month
from wattshift.valuation.scenarios import MONTHS_PER_YEAR, calibrate_price
from wattshift.valuation.strategies import STRATEGIES, run_strategies
from wattshift.valuation.sweep import Case, apply_overrides, parameter_grid, run_sweep
from wattshift.valuation.treasury import btc_sold_by_year

if TYPE_CHECKING:
    from wattshift.services.dispatch import Foresight, Market
    from wattshift.warehouse import Warehouse

#: A backtest span ``(first day, day after the last)`` (UTC, end exclusive).
Span = tuple[dt.date, dt.date]

#: Default power price when the site has no fixed block and the warehouse has no prices [USD/MWh].
_FALLBACK_POWER_USD_PER_MWH = 45.0


def site_valuation_config(site: SiteConfig, **overrides: Any) -> ValuationConfig:
    """The site's ``[valuation]`` table (defaults when absent) with ``overrides`` applied (None = keep)."""
    cfg = site.valuation or ValuationConfig()
    changes = {k: v for k, v in overrides.items() if v is not None}
    return cfg.model_copy(update=changes) if changes else cfg


def site_efficiency_j_per_th(wh: Warehouse, site: SiteConfig, cfg: ValuationConfig) -> float:
    """Fleet efficiency [J/TH]: the config's, else total W / total TH/s of the site's fleets."""
    if cfg.mining.efficiency_j_per_th is not None:
        return cfg.mining.efficiency_j_per_th
    fleets = resolve_fleets(site, wh.asic_models() if any(f.model for f in site.fleets) else pd.DataFrame())
    if not fleets:
        return cfg.scenario.network_best_j_per_th
    power = sum(f.power_mw for f in fleets)
    th = sum(f.power_mw / f.efficiency_j_per_th for f in fleets)
    return float(power / th)


def site_power_usd_per_mwh(wh: Warehouse, site: SiteConfig, cfg: ValuationConfig) -> tuple[float, str]:
    """Power price now [USD/MWh] and where it came from.

    Order: ``[valuation.mining].power_usd_per_mwh``; the site's fixed block price; the mean real-time
    price of the last 365 days at the contract node in the warehouse; 45 USD/MWh.
    """
    if cfg.mining.power_usd_per_mwh is not None:
        return cfg.mining.power_usd_per_mwh, "valuation.mining.power_usd_per_mwh"
    if site.contract.kind == "block" and site.contract.block_price_usd_per_mwh is not None:
        return site.contract.block_price_usd_per_mwh, "contract.block_price_usd_per_mwh"
    try:
        nodes = wh.price_nodes()
        row = nodes[(nodes["node"] == site.contract.node) & (nodes["market"] == "rt")]
        if not row.empty:
            last = pd.Timestamp(row["last"].max())
            start = (last - pd.Timedelta(days=365)).date()
            prices = wh.iso_prices(site.contract.node, "rt", start, last.date() + dt.timedelta(days=1))
            value = float(prices["price_usd_per_mwh"].mean())
            return value, f"mean ERCOT RT {site.contract.node} {start}..{last.date()}"
    except NotInWarehouseError:
        pass
    return _FALLBACK_POWER_USD_PER_MWH, "default 45 USD/MWh"


def flex_usd_per_mw_month_from_dispatch(
    wh: Warehouse,
    site: SiteConfig,
    *,
    start: dt.date,
    end: dt.date,
    node: str | None = None,
    market: Market = "rt",
    foresight: Foresight = "perfect",
) -> tuple[float, dict[str, Any]]:
    """Value of flexibility of the site's mining per MW-month, from the dispatch backtest.

    Runs :func:`wattshift.services.dispatch.run_dispatch` over [start, end) and scales its value
    of flexibility (the optimised schedule's net minus always-on mining's net on the same prices:
    curtailment savings, reserve and sell-back revenue) to the valuation's unit::

        flex [USD/MW-month] = V [USD] / (P_mining [MW] x months)
        months = days x 24 h / 730 h

    with ``P_mining`` the summed power of the site's fleets and a month of 730 h (8,760 h / 12, the
    convention of the valuation's monthly cash flows, :data:`wattshift.units.HOURS_PER_MONTH`).
    The result enters ``ebitda`` of :func:`wattshift.valuation.cashflows.mining_cash_flows` as
    ``flex_revenue_usd_per_mw_month``. A negative value (flexibility lost money on those prices,
    e.g. day-ahead decisions settled on real-time prices) is kept: it is a real result.

    Parameters
    ----------
    wh
        Warehouse with the node's prices, ancillary prices of the site's reserve products and the
        BTC daily history over the span.
    site
        The site (its fleets, GPU, reserves, contract).
    start, end
        First day and day after the last (UTC) of the backtest.
    node
        Price node; None = the contract's node.
    market
        Energy market, ``"rt"`` or ``"da"``.
    foresight
        ``"perfect"`` (decide on the settlement prices) or ``"day_ahead"``.

    Returns
    -------
    tuple of (float, dict)
        The figure [USD/MW-month] and its provenance: ``from``, ``to``, ``node``, ``market``,
        ``foresight``, ``value_of_flexibility_usd`` [USD], ``mining_mw`` [MW], ``months``,
        ``reserves_usd`` and ``sellback_usd`` of the optimised schedule [USD].

    Raises
    ------
    ConfigError
        The site has no mining fleet, or the span is empty.
    NotInWarehouseError
        Prices or BTC data missing for part of the span (the span is named).
    """
    from wattshift.services.dispatch import result_dict, run_dispatch

    if end <= start:
        raise ConfigError(f"flex span: --flex-to {end} must be after --flex-from {start}")
    if not site.fleets:
        raise ConfigError("flex span: the site has no [[fleets]]; flexibility per mining MW is undefined")
    run = run_dispatch(wh, site, start=start, end=end, node=node, market=market, foresight=foresight)
    doc = result_dict(run)
    mining_mw = float(sum(f.power_mw for f in run.fleets))
    if mining_mw <= 0.0:
        raise ConfigError("flex span: the site's fleets have no power; flexibility per MW is undefined")
    months = (end - start).days * HOURS_PER_DAY / HOURS_PER_MONTH
    value_usd = float(doc["value_of_flexibility_usd"])
    provenance: dict[str, Any] = {
        "kind": "dispatch backtest",
        "from": start,
        "to": end,
        "node": run.node,
        "market": run.market,
        "foresight": run.foresight,
        "value_of_flexibility_usd": value_usd,
        "reserves_usd": float(doc["revenue_usd"]["reserves"]),
        "sellback_usd": float(doc["revenue_usd"]["sellback"]),
        "mining_mw": mining_mw,
        "months": months,
    }
    return value_usd / (mining_mw * months), provenance


def build_inputs(
    wh: Warehouse,
    site: SiteConfig,
    cfg: ValuationConfig,
    *,
    years: int,
    flex_usd_per_mw_month: float | None = None,
) -> tuple[ValuationInputs, dict[str, Any]]:
    """Calibrate the models on the warehouse's BTC history and gather the site's terms."""
    btc = wh.btc_daily()
    sc = cfg.scenario
    price = calibrate_price(
        btc, years=sc.calibration_years, drift_annual=sc.price_drift_annual, vol_annual=sc.price_vol_annual
    )
    network = calibrate_hashrate(
        btc, years=sc.calibration_years, vol_annual=sc.hashrate_vol_annual, fee_share=sc.fee_share
    )
    height0 = int(block_height_estimate(price.window_end))
    months = years * MONTHS_PER_YEAR
    subsidy = subsidy_by_month(height0, months, subsidy_btc)
    power, power_source = site_power_usd_per_mwh(wh, site, cfg)
    inputs = ValuationInputs(
        price=price,
        network=network,
        subsidy_btc_per_block=subsidy,
        config=cfg,
        efficiency_j_per_th=site_efficiency_j_per_th(wh, site, cfg),
        power_usd_per_mwh=power,
        flex_revenue_usd_per_mw_month=flex_usd_per_mw_month,
    )
    calibration = {
        "valuation_date": price.window_end.date(),
        "window": [price.window_start.date(), price.window_end.date()],
        "price0_usd": price.price0_usd,
        "price_drift_annual": price.drift_annual,
        "price_vol_annual": price.vol_annual,
        "price_model": sc.price_model,
        "hashrate0_ehs": network.hashrate0_ths / 1e6,
        "hashrate_growth_hist_annual": network.growth_annual,
        "hashrate_vol_annual": network.vol_annual,
        "fee_share": network.fee_share,
        "block_height0": height0,
        "efficiency_j_per_th": inputs.efficiency_j_per_th,
        "power_usd_per_mwh": power,
        "power_source": power_source,
    }
    return inputs, calibration


def _value(
    wh: Warehouse,
    site: SiteConfig,
    *,
    paths: int | None,
    years: int | None,
    seed: int | None,
    keep_paths: int = 0,
    progress: Progress | None = None,
    flex_from: Span | None = None,
    flex_node: str | None = None,
    flex_market: Market = "rt",
) -> tuple[dict[str, Any], ChunkResult, ValuationInputs]:
    cfg = site_valuation_config(site, paths=paths, years=years, seed=seed)
    flex: float | None = None
    flex_source: dict[str, Any] | None = None
    if flex_from is not None:
        flex, flex_source = flex_usd_per_mw_month_from_dispatch(
            wh, site, start=flex_from[0], end=flex_from[1], node=flex_node, market=flex_market
        )
        # ``assumptions`` shows the terms the run used: the backtest's figure replaces the table's.
        mining = cfg.mining.model_copy(update={"flex_revenue_usd_per_mw_month": flex})
        cfg = cfg.model_copy(update={"mining": mining})
    inputs, calibration = build_inputs(wh, site, cfg, years=cfg.years, flex_usd_per_mw_month=flex)
    if flex_source is not None:
        calibration["flex_revenue_usd_per_mw_month"] = flex
        calibration["flex_source"] = flex_source
    res = run(
        inputs,
        paths=cfg.paths,
        seed=cfg.seed,
        chunk_paths=cfg.chunk_paths,
        with_irr=True,
        start_years=cfg.years,
        keep_paths=keep_paths,
        progress=progress,
    )
    site_mw = site.interconnect_mw - site.aux_mw
    capex_per_mw = cfg.ai.capex_usd_m_per_mw * 1e6 / cfg.ai.pue
    gains = switch_gains(res.npv_switch_usd, res.npv_usd["mining"])
    plan = plan_conversion(
        gains,
        site_mw=site_mw,
        capex_usd_per_mw=capex_per_mw,
        capex_budget_usd=cfg.treasury.capex_budget_usd,
        max_mw_per_year=cfg.treasury.max_conversion_mw_per_year,
    )
    strat = run_strategies(
        inputs,
        paths=cfg.paths,
        seed=cfg.seed,
        chunk_paths=cfg.chunk_paths,
        site_mw=site_mw,
        mw_by_year=plan.mw_by_year,
    )
    year0 = calibration["valuation_date"].year
    ev = {
        "mining": cfg.mining.ebitda_multiple * float(res.fwd_ebitda_usd["mining"].mean()),
        "ai": cfg.ai.ebitda_multiple * float(res.fwd_ebitda_usd["ai"].mean()),
    }
    sold_year = btc_sold_by_year(strat.btc_sold_by_month["sell_and_convert"])
    result: dict[str, Any] = {
        "site": site.name,
        "site_mw": site_mw,
        "paths": cfg.paths,
        "years": cfg.years,
        "seed": cfg.seed,
        "npv_usd": {k: summary(res.npv_usd[k]) for k in BUSINESSES},
        "irr": {k: summary(res.irr_annual[k]) for k in BUSINESSES},
        "payback_years": {k: summary(res.payback_months[k] / MONTHS_PER_YEAR) for k in BUSINESSES},
        "ev_per_mw_usd": ev,
        "value_ratio_ai_to_mining": ev["ai"] / ev["mining"] if ev["mining"] > 0 else None,
        "npv_mean_ratio_ai_to_mining": (
            float(res.npv_usd["ai"].mean() / res.npv_usd["mining"].mean())
            if res.npv_usd["mining"].mean() > 0
            else None
        ),
        "prob_ai_beats_mining": float(np.mean(res.npv_usd["ai"] > res.npv_usd["mining"])),
        "conversion_schedule": [{"year": year0 + y, "mw": float(mw)} for y, mw in enumerate(plan.mw_by_year)],
        "conversion_gain_usd_per_mw": [{"year": year0 + y, "usd": float(g)} for y, g in enumerate(gains)],
        "conversion_expected_gain_usd": plan.expected_gain_usd,
        "conversion_capex_usd": plan.capex_usd,
        "btc_to_sell": {
            "total": summary(strat.btc_sold["sell_and_convert"]),
            "by_year": [
                {
                    "year": year0 + y,
                    "btc_p50": float(np.median(sold_year[:, y])),
                    "btc_mean": float(sold_year[:, y].mean()),
                }
                for y in range(sold_year.shape[1])
            ],
            "treasury_btc": cfg.treasury.treasury_btc,
            "prob_treasury_exhausted": float(
                np.mean(strat.btc_sold["sell_and_convert"] >= cfg.treasury.treasury_btc - 1e-9)
            )
            if cfg.treasury.treasury_btc > 0
            else None,
            "financing_needed_usd": summary(strat.financing_usd["sell_and_convert"]),
        },
        "strategies_value_usd": {k: summary(strat.value_usd[k]) for k in STRATEGIES},
        "calibration": calibration,
        "assumptions": cfg.model_dump(),
    }
    return result, res, inputs


def value_site(
    wh: Warehouse,
    site: SiteConfig,
    *,
    paths: int | None = None,
    years: int | None = None,
    seed: int | None = None,
    progress: Progress | None = None,
    flex_from: Span | None = None,
    flex_node: str | None = None,
    flex_market: Market = "rt",
) -> dict[str, Any]:
    """Value a site: NPV/IRR distributions per business, EV per MW, conversion plan, BTC to sell.

    Parameters
    ----------
    wh
        Warehouse with the BTC daily history (and ERCOT prices for the power price fallback).
    site
        The site; its ``[valuation]`` table (or the defaults) gives the terms.
    paths, years, seed
        Overrides of ``valuation.paths``, ``valuation.years``, ``valuation.seed``.
    progress
        ``progress(done, total)``: Monte Carlo chunks of ``valuation.chunk_paths`` paths valued so
        far, and in all (:func:`~wattshift.valuation.montecarlo.run`); the strategies pass that
        follows takes about 5 % of the time. The numbers are the same with or without it.
    flex_from
        ``(first day, day after the last)``: take the mining business's curtailment and reserve
        revenue [USD/MW-month] from a dispatch backtest over that span
        (:func:`flex_usd_per_mw_month_from_dispatch`) instead of
        ``valuation.mining.flex_revenue_usd_per_mw_month``. None = the table's value, and the
        result is exactly what it is without this option.
    flex_node, flex_market
        Price node (None = the contract's) and energy market (``"rt"`` or ``"da"``) of that backtest.

    Returns
    -------
    dict
        Keys ``npv_usd{mining, ai, hybrid}`` (each ``{p5, p50, p95, mean}`` [USD per MW]), ``irr``,
        ``ev_per_mw_usd{mining, ai}``, ``value_ratio_ai_to_mining``, ``prob_ai_beats_mining``,
        ``conversion_schedule`` (``[{year, mw}]``), ``btc_to_sell``, plus ``strategies_value_usd``,
        ``calibration`` and ``assumptions``. With ``flex_from``, ``calibration`` also has
        ``flex_revenue_usd_per_mw_month`` and ``flex_source`` (the backtest's provenance) and
        ``assumptions.mining.flex_revenue_usd_per_mw_month`` is the backtest's figure.
    """
    result, _, _ = _value(
        wh, site, paths=paths, years=years, seed=seed, progress=progress,
        flex_from=flex_from, flex_node=flex_node, flex_market=flex_market,
    )  # fmt: skip
    return result


def value_site_with_fan(
    wh: Warehouse,
    site: SiteConfig,
    *,
    paths: int | None = None,
    years: int | None = None,
    seed: int | None = None,
    progress: Progress | None = None,
    flex_from: Span | None = None,
    flex_node: str | None = None,
    flex_market: Market = "rt",
) -> tuple[dict[str, Any], dict[str, np.ndarray[Any, np.dtype[np.float64]]]]:
    """:func:`value_site` plus the p5/p25/p50/p75/p95 cumulative NPV [USD/MW] by month (fan chart)."""
    result, res, _ = _value(
        wh, site, paths=paths, years=years, seed=seed, keep_paths=1000, progress=progress,
        flex_from=flex_from, flex_node=flex_node, flex_market=flex_market,
    )  # fmt: skip
    fan = {k: np.percentile(v, [5, 25, 50, 75, 95], axis=0) for k, v in res.cum_pv_usd.items()}
    return result, fan


def treasury_plan(
    wh: Warehouse,
    site: SiteConfig,
    *,
    treasury_btc: float | None = None,
    cash_usd: float | None = None,
    capex_budget_usd: float | None = None,
    paths: int | None = None,
    years: int | None = None,
    seed: int | None = None,
    progress: Progress | None = None,
    flex_from: Span | None = None,
    flex_node: str | None = None,
    flex_market: Market = "rt",
) -> dict[str, Any]:
    """Conversion plan and BTC sales with the treasury terms overridden (``wattshift treasury``).

    ``progress(done, total)`` reports the Monte Carlo chunks and ``flex_from``, ``flex_node``,
    ``flex_market`` take the flexibility revenue from a dispatch backtest, as in :func:`value_site`.
    """
    cfg = site_valuation_config(site)
    tre = cfg.treasury.model_copy(
        update={
            k: v
            for k, v in {
                "treasury_btc": treasury_btc,
                "cash_usd": cash_usd,
                "capex_budget_usd": capex_budget_usd,
            }.items()
            if v is not None
        }
    )
    site2 = site.model_copy(update={"valuation": cfg.model_copy(update={"treasury": tre})})
    full = value_site(
        wh, site2, paths=paths, years=years, seed=seed, progress=progress,
        flex_from=flex_from, flex_node=flex_node, flex_market=flex_market,
    )  # fmt: skip
    keys = ("site", "site_mw", "conversion_schedule", "conversion_expected_gain_usd", "conversion_capex_usd")
    out = {k: full[k] for k in keys}
    out["btc_to_sell"] = full["btc_to_sell"]
    out["strategies_value_usd"] = full["strategies_value_usd"]
    out["treasury"] = tre.model_dump()
    out["calibration"] = full["calibration"]
    return out


def load_grid(path: str | Path) -> dict[str, Any]:
    """Read a sweep grid TOML (``sites``, ``[scenarios.NAME]``, ``[parameters]``, ``paths``...).

    Site paths are relative to the grid file. Raises :class:`ConfigError` naming the file and key.
    """
    path = Path(path)
    try:
        grid = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: grid file not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    if not grid.get("sites"):
        raise ConfigError(f"{path}: sites: give at least one site file")
    grid["sites"] = [str((path.parent / s).resolve()) for s in grid["sites"]]
    for key in ("scenarios", "parameters"):
        if not isinstance(grid.get(key, {}), dict):
            raise ConfigError(f"{path}: {key}: must be a table")
    for name, values in grid.get("parameters", {}).items():
        if not isinstance(values, list) or not values:
            raise ConfigError(f"{path}: parameters.{name}: must be a non-empty list")
    return grid


def sweep(
    wh: Warehouse,
    grid: dict[str, Any],
    *,
    scheduler: str | None = None,
    serial: bool = False,
    n_workers: int = 2,
    progress: Progress | None = None,
) -> list[dict[str, Any]]:
    """Run a grid (:func:`load_grid`) of sites x scenarios x parameters on Dask.

    Parameters
    ----------
    wh
        Warehouse (calibration data; read on this process only).
    grid
        Parsed grid.
    scheduler
        Address of an existing Dask scheduler; None = a LocalCluster with ``n_workers`` workers.
    serial
        Run in this process without Dask (same numbers).
    n_workers
        Workers of the local cluster.
    progress
        ``progress(done, total)`` in chunks over all cases (``total = cases x chunks per case``),
        from the Monte Carlo runs only (:func:`~wattshift.valuation.sweep.run_sweep`); the
        calibration of each case before them is not counted.

    Returns
    -------
    list of dict
        One row per case (:func:`wattshift.valuation.sweep.run_sweep`).
    """
    from wattshift.config import load_site

    years = int(grid.get("years", 15))
    paths = int(grid.get("paths", 2000))
    seed = int(grid.get("seed", ValuationConfig().seed))
    chunk = int(grid.get("chunk_paths", 1024))
    scenarios: dict[str, dict[str, Any]] = grid.get("scenarios") or {"default": {}}
    cases = []
    for site_path in grid["sites"]:
        site = load_site(site_path)
        base = site_valuation_config(site)
        for sc_name, sc_over in scenarios.items():
            for params in parameter_grid(grid.get("parameters", {})):
                over = {f"scenario.{k}": v for k, v in sc_over.items()} | params
                cfg = apply_overrides(base, over)
                inputs, _ = build_inputs(wh, site, cfg, years=years)
                cases.append(Case(site=site.name, scenario=sc_name, params=params, inputs=inputs))
    if serial:
        return run_sweep(cases, paths=paths, seed=seed, chunk_paths=chunk, progress=progress)
    from distributed import Client, LocalCluster

    if scheduler is not None:
        with Client(scheduler) as client:  # type: ignore[no-untyped-call]
            return run_sweep(
                cases, paths=paths, seed=seed, chunk_paths=chunk, client=client, progress=progress
            )
    cluster = LocalCluster(  # type: ignore[no-untyped-call]
        n_workers=n_workers, threads_per_worker=1, processes=True, dashboard_address=None
    )
    with cluster, Client(cluster) as client:  # type: ignore[no-untyped-call]
        return run_sweep(cases, paths=paths, seed=seed, chunk_paths=chunk, client=client, progress=progress)
