"""Tomorrow's operating plan: ``wattshift plan --site S --date D`` and ``GET /api/plan``.

The plan for operating day ``D`` of the contract's market (ERCOT unless ``contract.market`` says
otherwise; its zone from :data:`wattshift.markets.MARKETS`) is made as an operator makes it, the
afternoon before, after the day-ahead market has cleared, from data available then only:

- the day-ahead energy and ancillary prices of ``D`` (published on ``D − 1``);
- a real-time price forecast: DA plus the median RT − DA spread of each interval of the day over the
  :data:`~wattshift.dispatch.forecast.TRAIN_DAYS` operating days before ``D``
  (:func:`wattshift.dispatch.forecast.fit_spread`; the plan is made before ``D − 1`` ends, so no
  persistence term); a market without day-ahead prices (MISO, NYISO, ISO-NE, SPP, CAISO in
  wattshift) plans on the median RT price of each interval of the day over those days instead
  (the same information set, DA = 0), one without real-time prices (Nord Pool) on its DA price;
- the hashprice of the last complete UTC day before the plan (``D − 2``), net of the pool fee.

Each fleet's **curtailment strike price** is its mining value per MWh at that hashprice, net of
pool fee [USD/MWh]: above it a MWh of that fleet costs more than it earns. Ramp limits and minimum
on/off times are honoured by the schedule itself (LP/MILP); the strike applies to a price expected
to last at least the fleet's minimum off time.

A site with ``[peak_charges]`` (ERCOT 4CP) has its charge in the plan (:mod:`wattshift.services.plan_cp4`:
the 4CP-day alert rule from ERCOT's native load through ``D − 1``, decided at ``D``'s midnight). On a
charged interval the strike keeps its meaning but is compared with the price **plus** the charge
adder ``rate x share / Δt`` [USD/MWh] (``cp4.adder_usd_per_mwh`` of the JSON): a fleet mines there only
if its strike exceeds both. A site without peak charges, or a day outside the charged months, gets
the same schedule as before.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from wattshift.config import SiteConfig
from wattshift.dispatch.backtest import solve
from wattshift.dispatch.calendar import hour_numbers
from wattshift.dispatch.forecast import TRAIN_DAYS, fit_spread
from wattshift.dispatch.problem import FloatArray, build_problem
from wattshift.dispatch.settlement import SettlementInputs, always_on, settle
from wattshift.dispatch.spec import SiteSpec
from wattshift.dispatch.values import daily_hashprice_usd_per_th_day, fleet_values_usd_per_mwh
from wattshift.errors import NotInWarehouseError
from wattshift.markets import MARKETS, check_node
from wattshift.services.dispatch_inputs import (
    DispatchSource,
    day_start_utc,
    on_grid,
    prices,
    reserve_prices,
)
from wattshift.services.dispatch_spec import site_spec
from wattshift.services.plan_cp4 import PlanPeaks, cp4_block, plan_peaks
from wattshift.services.sites import resolve_fleets
from wattshift.units import minutes_to_hours

#: Interval of the plan [min] (ERCOT real-time settlement interval).
PLAN_INTERVAL_MINUTES = 15


@dataclass(frozen=True)
class Plan:
    """The operating plan of one site for one operating day.

    Attributes
    ----------
    date, site, timezone
        Operating day, site name, zone of the interval starts.
    interval_start
        Interval starts (T,), tz-aware in ``timezone``.
    fleet_names, product_names
        Fleet and reserve product labels.
    fleet_mw
        Planned load of each fleet (K, T) [MW].
    gpu_mw
        Planned GPU load (T,) [MW].
    reserve_mw
        Reserve offers per product (R, T) [MW], constant within each hour.
    curtailed_mw
        Deliverable power not used (T,) [MW].
    price_usd_per_mwh
        Price the plan used: DA + forecast spread (T,) [USD/MWh].
    strike_usd_per_mwh
        Curtailment strike price of each fleet (K,) [USD/MWh].
    expected_net_usd
        Net at the prices used, expected peak charges deducted [USD].
    peaks
        The day's peak charges (sites with ``[peak_charges]``; else None).
    load_mw
        Site load of each interval as settled (T,) [MW]: fleets, GPUs and aux, after the reserve
        calls the settlement expects (the load its peak charges are taken on).
    always_on_mw
        The always-on site load (every machine on, aux included) [MW].
    """

    date: dt.date
    site: str
    timezone: str
    interval_start: pd.DatetimeIndex
    fleet_names: tuple[str, ...]
    product_names: tuple[str, ...]
    fleet_mw: FloatArray
    gpu_mw: FloatArray
    reserve_mw: FloatArray
    curtailed_mw: FloatArray
    price_usd_per_mwh: FloatArray
    strike_usd_per_mwh: FloatArray
    expected_net_usd: float
    peaks: PlanPeaks | None = None
    load_mw: FloatArray | None = None
    always_on_mw: float = 0.0


def _held_span(wh: DispatchSource, node: str, iso: str = "ERCOT") -> str:
    """The span of day-ahead prices the warehouse holds for ``node`` (for the error message)."""
    try:
        frame = wh.iso_prices(
            node, "da", pd.Timestamp("2000-01-01", tz="UTC"), pd.Timestamp("2100-01-01", tz="UTC"), iso=iso
        )
    except NotInWarehouseError:
        return "none"
    if frame.empty:
        return "none"
    starts = pd.DatetimeIndex(frame["interval_start_utc"]).tz_convert(MARKETS[iso].timezone)
    return f"{starts.min().date().isoformat()} to {starts.max().date().isoformat()}"


def _day_ahead(
    wh: DispatchSource, node: str, grid: pd.DatetimeIndex, day: dt.date, iso: str = "ERCOT"
) -> FloatArray:
    """Day-ahead price of ``day`` on ``grid``; zero where ``iso`` has no day-ahead product (module doc)."""
    if "da" not in MARKETS[iso].products:
        return np.zeros(len(grid))
    lo, hi = grid[0], grid[-1] + pd.Timedelta(minutes=PLAN_INTERVAL_MINUTES)
    try:
        frame = wh.iso_prices(node, "da", lo, hi, iso=iso)
    except NotInWarehouseError:
        frame = pd.DataFrame()
    if frame.empty:
        raise NotInWarehouseError(
            f"no day-ahead prices for {node} on operating day {day.isoformat()}; "
            f"the warehouse holds {node} da for {_held_span(wh, node, iso)} ({iso})"
        )
    return on_grid(frame, grid, what=f"{iso} {node} da", timezone=MARKETS[iso].timezone)


def _spread_profile(
    wh: DispatchSource, node: str, day: dt.date, n_slots: int, iso: str = "ERCOT"
) -> FloatArray:
    """Median RT − DA spread per interval of the day over the days before ``day`` (n_slots,) [USD/MWh].

    Without a day-ahead product: the median RT price itself; without a real-time one: zero.
    """
    tz = MARKETS[iso].timezone
    if "rt" not in MARKETS[iso].products:
        return np.zeros(n_slots)
    lo = day_start_utc(day - dt.timedelta(days=TRAIN_DAYS + 1), tz)
    hi = day_start_utc(day - dt.timedelta(days=1), tz)  # RT of D − 1 is not complete when the plan is made
    try:
        rt = prices(wh, node, "rt", lo, hi, iso=iso)
        da = prices(wh, node, "da", lo, hi, iso=iso) if "da" in MARKETS[iso].products else None
    except NotInWarehouseError:
        return np.zeros(n_slots)
    grid = pd.DatetimeIndex(rt["interval_start_utc"]).tz_convert("UTC")
    grid = grid[(grid >= lo) & (grid < hi)]
    if len(grid) == 0:
        return np.zeros(n_slots)
    da_on = np.zeros(len(grid)) if da is None else on_grid(da, grid, what=f"{iso} {node} da", timezone=tz)
    local = grid.tz_convert(tz)
    slot = np.asarray((local.hour * 60 + local.minute) // PLAN_INTERVAL_MINUTES, dtype=np.int64)
    spread = rt["price_usd_per_mwh"].to_numpy(dtype=np.float64)[: len(grid)] - da_on
    n = max(n_slots, int(slot.max()) + 1)
    mu, _ = fit_spread(spread, slot, n)
    # Hourly prices hold slots 0, 4, 8 …: a slot without a price takes that of the interval holding it.
    held = np.bincount(slot, minlength=n) > 0
    return mu[np.maximum.accumulate(np.where(held, np.arange(n), 0))]


def _hashprice_before(wh: DispatchSource, day: dt.date) -> float:
    """Hashprice of the last complete UTC day before the plan is made (day − 2) [USD/TH/day]."""
    last = day - dt.timedelta(days=2)
    btc = wh.btc_daily(last - dt.timedelta(days=7), last)
    series = daily_hashprice_usd_per_th_day(btc).dropna()
    series = series[series.index <= pd.Timestamp(last)]
    if series.empty:
        raise NotInWarehouseError(f"no BTC data in the week before {last.isoformat()} for the hashprice")
    return float(series.iloc[-1])


def make_plan(wh: DispatchSource, site: SiteConfig, day: dt.date, *, node: str | None = None) -> Plan:
    """The operating plan of ``site`` for ERCOT operating day ``day`` (module docstring).

    Raises
    ------
    NotInWarehouseError
        No day-ahead prices for ``day`` (the message names the span held), or no BTC data.
    """
    node = node or site.contract.node
    iso = site.contract.market
    check_node(iso, node)
    tz = MARKETS[iso].timezone
    spec = site_spec(site, resolve_fleets(site, wh.asic_models()) if site.fleets else [])
    step = pd.Timedelta(minutes=PLAN_INTERVAL_MINUTES)
    grid = pd.date_range(
        day_start_utc(day, tz), day_start_utc(day + dt.timedelta(days=1), tz), freq=step, inclusive="left"
    )
    da = _day_ahead(wh, node, grid, day, iso)
    local = grid.tz_convert(tz)
    slot = np.asarray((local.hour * 60 + local.minute) // PLAN_INTERVAL_MINUTES, dtype=np.int64)
    price = da + _spread_profile(wh, node, day, 96, iso)[slot]
    strike = fleet_values_usd_per_mwh(
        np.array([_hashprice_before(wh, day)]) if spec.fleets.n else np.zeros(1),
        spec.fleets.efficiency_j_per_th,
        pool_fee=spec.pool_fee,
    )[:, 0]
    peaks = (
        None if spec.peak is None else plan_peaks(wh, spec.peak, day, grid, price, tz, PLAN_INTERVAL_MINUTES)
    )
    return _solve_plan(wh, spec, day, grid, price, strike, node, iso, peaks)


def _solve_plan(
    wh: DispatchSource,
    spec: SiteSpec,
    day: dt.date,
    grid: pd.DatetimeIndex,
    price: FloatArray,
    strike: FloatArray,
    node: str,
    iso: str = "ERCOT",
    peaks: PlanPeaks | None = None,
) -> Plan:
    T = len(grid)
    groups = (None, 0) if peaks is None else (peaks.group, peaks.n_groups)
    decide = spec if peaks is None else peaks.decision_spec(spec)
    values = np.repeat(strike[:, None], T, axis=1)
    ai = np.full(T, spec.gpu.ai_value_usd_per_mwh if spec.gpu is not None else 0.0)
    tz = MARKETS[iso].timezone
    reserve = reserve_prices(wh, spec, grid, tz, iso=iso)
    problem = build_problem(
        decide,
        interval_minutes=PLAN_INTERVAL_MINUTES,
        price_usd_per_mwh=price,
        fleet_value_usd_per_mwh=values,
        ai_value_usd_per_mwh=ai,
        reserve_price_usd_per_mw_h=reserve if spec.reserves is not None else None,
        day_index=np.zeros(T, dtype=np.int64),
        reserve_hour=hour_numbers(grid),
        peak_group=groups[0],
        n_peak_groups=groups[1],
    )
    sched = solve(problem, "auto")
    per, totals = settle(
        _at_prices(spec, price, values, ai, reserve, peaks),
        sched.fleet_mw,
        sched.gpu_mw,
        sched.reserve_mw,
    )
    fl = spec.fleets
    base_fleet, base_gpu = always_on(
        fl.power_mw, fl.efficiency_j_per_th, spec.gpu_capacity_mw, spec.interconnect_mw - spec.aux_mw, 1
    )
    return Plan(
        date=day,
        site=spec.name,
        timezone=tz,
        interval_start=grid.tz_convert(tz),
        fleet_names=spec.fleets.names,
        product_names=spec.reserves.products if spec.reserves is not None else (),
        fleet_mw=sched.fleet_mw,
        gpu_mw=sched.gpu_mw,
        reserve_mw=sched.reserve_mw,
        curtailed_mw=per["curtailed_mw"],
        price_usd_per_mwh=price,
        strike_usd_per_mwh=strike,
        expected_net_usd=totals["net_usd"],
        peaks=peaks,
        load_mw=per["load_mw"],
        always_on_mw=float(base_fleet.sum() + base_gpu.sum()) + spec.aux_mw,
    )


def _at_prices(
    spec: SiteSpec,
    price: FloatArray,
    values: FloatArray,
    ai: FloatArray,
    reserve: FloatArray,
    peaks: PlanPeaks | None = None,
) -> SettlementInputs:
    """Settlement of the plan at the prices it used, expected peak charges included (expected net)."""
    return SettlementInputs(
        interval_hours=minutes_to_hours(PLAN_INTERVAL_MINUTES),
        price_usd_per_mwh=price,
        fleet_value_usd_per_mwh=values,
        ai_value_usd_per_mwh=ai,
        reserve_price_usd_per_mw_h=reserve,
        aux_mw=spec.aux_mw,
        block_mw=spec.block_mw,
        block_price_usd_per_mwh=spec.block_price_usd_per_mwh,
        deliverable_mw=spec.deliverable_mw,
        peak_group=None if peaks is None else peaks.group,
        peak_rate_usd_per_mw=np.zeros(0) if peaks is None else peaks.rate_usd_per_mw,
        reserve_is_up=spec.reserves.is_up if spec.reserves is not None else np.zeros(0, dtype=bool),
        deployment_share=spec.reserves.deployment_share if spec.reserves is not None else 0.0,
        gpu_capital_cost_usd_per_hour=spec.gpu.capital_cost_usd_per_hour if spec.gpu is not None else 0.0,
    )


def plan_dict(plan: Plan) -> dict[str, Any]:
    """The JSON document of ``wattshift plan --format json`` (keys fixed: ``fleet apply --plan`` reads it)."""
    intervals = [
        {
            "start": plan.interval_start[t].isoformat(),
            "mining_mw": {name: float(plan.fleet_mw[k, t]) for k, name in enumerate(plan.fleet_names)},
            "gpu_mw": float(plan.gpu_mw[t]),
            "reserves_mw": {name: float(plan.reserve_mw[r, t]) for r, name in enumerate(plan.product_names)},
            "curtailed_mw": float(plan.curtailed_mw[t]),
            "price_usd_per_mwh": float(plan.price_usd_per_mwh[t]),
        }
        for t in range(len(plan.interval_start))
    ]
    doc: dict[str, Any] = {
        "date": plan.date.isoformat(),
        "site": plan.site,
        "timezone": plan.timezone,
        "intervals": intervals,
        "strike_prices_usd_per_mwh": {
            n: float(v) for n, v in zip(plan.fleet_names, plan.strike_usd_per_mwh, strict=True)
        },
        "expected_net_usd": plan.expected_net_usd,
    }
    if plan.peaks is not None and plan.load_mw is not None:  # sites with [peak_charges] only
        doc["cp4"] = cp4_block(
            plan.peaks, plan.interval_start, plan.load_mw, plan.always_on_mw, PLAN_INTERVAL_MINUTES
        )
    return doc


def plan_frame(plan: Plan) -> pd.DataFrame:
    """One row per interval (the CSV of ``wattshift plan --format csv``)."""
    cols: dict[str, object] = {"start": plan.interval_start}
    for k, name in enumerate(plan.fleet_names):
        cols[f"mining_mw_{name}"] = plan.fleet_mw[k]
    cols["gpu_mw"] = plan.gpu_mw
    for r, name in enumerate(plan.product_names):
        cols[f"reserves_mw_{name}"] = plan.reserve_mw[r]
    cols["curtailed_mw"] = plan.curtailed_mw
    cols["price_usd_per_mwh"] = plan.price_usd_per_mwh
    return pd.DataFrame(cols)
