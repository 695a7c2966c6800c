"""Dispatch backtest as the CLI, the HTTP API and the report show it: warehouse → engine → result.

:func:`load_inputs` reads prices (any node, real-time or day-ahead), ancillary prices and the BTC
daily frame from the warehouse, checks that every interval of the range is there (a hole is an error
naming the missing span; prices are never filled) and lays them out as engine arrays.
:func:`run_dispatch` runs the rolling-horizon backtest and :func:`result_dict` turns it into the
JSON document of ``wattshift dispatch --format json``.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from typing import Any, Literal, Protocol

import numpy as np
import pandas as pd

from wattshift.config import UP_PRODUCTS, Fleet, GpuConfig, SiteConfig, resolve_fleets
from wattshift.dispatch.backtest import (
    BacktestInputs,
    BacktestResult,
    Progress,
    SolverName,
    run_backtest,
)
from wattshift.dispatch.spec import FleetSpec, GpuSpec, PeakSpec, ReserveSpec, SiteSpec
from wattshift.dispatch.values import (
    ai_value_usd_per_mwh,
    daily_hashprice_usd_per_th_day,
    daily_to_intervals,
    fleet_values_usd_per_mwh,
)
from wattshift.errors import ConfigError, NotInWarehouseError
from wattshift.units import kw_year_to_usd_per_mw

Market = Literal["rt", "da"]
Foresight = Literal["perfect", "day_ahead"]


class DispatchSource(Protocol):
    """What the dispatch service needs from a warehouse (``wattshift.warehouse.Warehouse`` has it)."""

    def iso_prices(self, node: str, market: str, start: Any, end: Any, *, iso: str = "ERCOT") -> pd.DataFrame:
        """ISO price frame for [start, end)."""
        ...

    def btc_daily(self, start: Any = None, end: Any = None) -> pd.DataFrame:
        """BTC daily frame, inclusive span."""
        ...

    def asic_models(self) -> pd.DataFrame:
        """ASIC catalogue frame."""
        ...


@dataclass(frozen=True)
class DispatchRun:
    """A finished backtest with what it was run on."""

    site: SiteConfig
    fleets: list[Fleet]
    node: str
    market: Market
    foresight: Foresight
    start: dt.date
    end: dt.date
    result: BacktestResult


def gpu_ai_value_usd_per_mwh(gpu: GpuConfig) -> float:
    """Gross AI revenue of one MWh in the GPU cluster [USD/MWh], given or from the GPU-hour price."""
    if gpu.value_usd_per_mwh is not None:
        return gpu.value_usd_per_mwh
    assert gpu.spot_usd_per_gpu_hour is not None and gpu.kw_per_gpu is not None
    return ai_value_usd_per_mwh(gpu.spot_usd_per_gpu_hour, gpu.kw_per_gpu, gpu.utilisation)


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
    gpu = site.gpu
    res = site.reserves
    pc = site.peak_charges
    return SiteSpec(
        name=site.name,
        interconnect_mw=site.interconnect_mw,
        fleets=_fleet_spec(fleets),
        aux_mw=site.aux_mw,
        gpu=None
        if gpu is None
        else GpuSpec(
            capacity_mw=gpu.capacity_mw,
            firm_mw=gpu.firm_mw,
            ai_value_usd_per_mwh=gpu_ai_value_usd_per_mwh(gpu),
            min_energy_mwh_per_day=gpu.min_energy_mwh_per_day,
        ),
        block_mw=site.contract.block_mw or 0.0,
        block_price_usd_per_mwh=site.contract.block_price_usd_per_mwh or 0.0,
        reserves=None
        if res is None
        else ReserveSpec(
            products=tuple(res.products),
            is_up=np.array([p in UP_PRODUCTS for p in res.products], dtype=bool),
            max_mw=res.max_mw,
        ),
        peak=None
        if pc is None
        else PeakSpec(
            rate_usd_per_mw_month=kw_year_to_usd_per_mw(pc.rate_usd_per_kw_year) / len(pc.months),
            months=tuple(pc.months),
            rule=pc.rule,
            peaks_utc=tuple(pc.peaks),
            intervals_per_month=pc.intervals_per_month,
        ),
        max_energy_mwh_per_day=site.max_energy_mwh_per_day or float("inf"),
    )


def _utc(day: dt.date) -> pd.Timestamp:
    return pd.Timestamp(day.isoformat()).tz_localize("UTC")


def _spans(missing: pd.DatetimeIndex, step: pd.Timedelta) -> str:
    """Contiguous runs of missing interval starts as ``a .. b (n intervals)``, first five."""
    if missing.empty:
        return ""
    gaps = np.flatnonzero(np.asarray(missing[1:] - missing[:-1]) != step.to_timedelta64()) + 1
    bounds = [0, *gaps.tolist(), len(missing)]
    runs = []
    for a, b in itertools.pairwise(bounds):
        unit = "interval" if b - a == 1 else "intervals"
        runs.append(f"{missing[a].isoformat()} .. {missing[b - 1].isoformat()} ({b - a} {unit})")
    more = f" and {len(runs) - 5} more spans" if len(runs) > 5 else ""
    return "; ".join(runs[:5]) + more


def on_grid(
    frame: pd.DataFrame, grid: pd.DatetimeIndex, *, what: str
) -> np.ndarray[Any, np.dtype[np.float64]]:
    """Values of an ISO price frame at each start of ``grid`` (T,) [USD/MWh or USD/MW-h].

    A frame coarser than the grid (hourly day-ahead on a 15-minute grid) applies each price to the
    grid intervals inside its own interval; this is the product's definition, not a fill.

    Raises
    ------
    NotInWarehouseError
        Some grid interval has no price; the message names the missing spans.
    """
    starts = pd.DatetimeIndex(frame["interval_start_utc"]).tz_convert("UTC")
    minutes = np.unique(frame["interval_minutes"].to_numpy())
    if minutes.size != 1:
        raise NotInWarehouseError(f"{what}: mixed interval lengths {minutes.tolist()} in the range")
    series = pd.Series(frame["price_usd_per_mwh"].to_numpy(dtype=np.float64), index=starts)
    series = series[~series.index.duplicated(keep="last")]
    step = pd.Timedelta(minutes=int(minutes[0]))
    keys = grid.floor(step) if step > (grid[1] - grid[0] if len(grid) > 1 else step) else grid
    values = series.reindex(keys).to_numpy(dtype=np.float64, na_value=np.nan)
    bad = np.isnan(values)
    if bad.any():
        grid_step = grid[1] - grid[0] if len(grid) > 1 else step
        raise NotInWarehouseError(f"{what}: prices missing for {_spans(grid[bad], grid_step)}")
    return values


def _prices(wh: DispatchSource, node: str, market: str, start: dt.date, end: dt.date) -> pd.DataFrame:
    frame = wh.iso_prices(node, market, start, end)
    if frame.empty:
        raise NotInWarehouseError(f"no {market} prices for {node} from {start} to {end}")
    return frame


def load_inputs(
    wh: DispatchSource,
    spec: SiteSpec,
    *,
    node: str,
    market: Market,
    foresight: Foresight,
    start: dt.date,
    end: dt.date,
) -> BacktestInputs:
    """Engine inputs for the site ``spec`` over [start, end) from the warehouse (see module docstring).

    With ``foresight = "day_ahead"`` the schedule is decided on day-ahead prices and settled on
    real-time prices (the grid is the real-time one); otherwise ``market`` is used for both.
    """
    if end <= start:
        raise ConfigError(f"--to {end} must be after --from {start}")
    settle_market: str = "rt" if foresight == "day_ahead" else market
    settle_frame = _prices(wh, node, settle_market, start, end)
    step_min = int(settle_frame["interval_minutes"].iloc[0])
    grid = pd.date_range(_utc(start), _utc(end), freq=pd.Timedelta(minutes=step_min), inclusive="left")
    settle_price = on_grid(settle_frame, grid, what=f"{node} {settle_market}")
    if foresight == "day_ahead":
        decision = on_grid(_prices(wh, node, "da", start, end), grid, what=f"{node} da")
    else:
        decision = settle_price
    if spec.reserves is not None:
        reserve = np.vstack(
            [
                on_grid(_prices(wh, p, "da_as", start, end), grid, what=f"{p} da_as")
                for p in spec.reserves.products
            ]
        )
    else:
        reserve = np.zeros((0, len(grid)))
    if spec.fleets.n:
        btc = wh.btc_daily(start, end)
        hashprice = daily_to_intervals(daily_hashprice_usd_per_th_day(btc), grid, what="BTC hashprice")
        values = fleet_values_usd_per_mwh(hashprice, spec.fleets.efficiency_j_per_th)
    else:
        values = np.zeros((0, len(grid)))
    ai = np.full(len(grid), spec.gpu.ai_value_usd_per_mwh if spec.gpu is not None else 0.0)
    return BacktestInputs(
        interval_start_utc=grid,
        interval_minutes=float(step_min),
        decision_price_usd_per_mwh=decision,
        settle_price_usd_per_mwh=settle_price,
        fleet_value_usd_per_mwh=values,
        ai_value_usd_per_mwh=ai,
        reserve_price_usd_per_mw_h=reserve,
    )


def run_dispatch(
    wh: DispatchSource,
    site: SiteConfig,
    *,
    start: dt.date | None = None,
    end: dt.date | None = None,
    node: str | None = None,
    market: Market | None = None,
    foresight: Foresight | None = None,
    solver: SolverName = "auto",
    window_days: int | None = 1,
    progress: Progress | None = None,
) -> DispatchRun:
    """Backtest ``site`` on warehouse prices; unset options come from the site's ``[backtest]`` table.

    ``progress(windows_done, windows_total)`` is passed to
    :func:`wattshift.dispatch.backtest.run_backtest`: called with 0 once the inputs are loaded and
    after each solved window (one per ``window_days`` days).

    Raises
    ------
    ConfigError
        No period given and none in the site file, or an option the site cannot use.
    NotInWarehouseError
        Prices, ancillary prices or BTC data missing for part of the range (the span is named).
    """
    bt = site.backtest
    start = start or (bt.start if bt else None)
    end = end or (bt.end if bt else None)
    if start is None or end is None:
        raise ConfigError("no period: pass --from and --to (or add a [backtest] table to the site file)")
    node = node or site.contract.node
    market = market or (bt.market if bt else "rt")
    foresight = foresight or (bt.foresight if bt else "perfect")
    if foresight == "day_ahead" and market != "rt":
        raise ConfigError(
            "foresight day_ahead decides on day-ahead and settles on real-time: use --market rt"
        )
    fleets = resolve_fleets(site, wh.asic_models()) if site.fleets else []
    spec = site_spec(site, fleets)
    inputs = load_inputs(wh, spec, node=node, market=market, foresight=foresight, start=start, end=end)
    result = run_backtest(spec, inputs, solver=solver, window_days=window_days, progress=progress)
    return DispatchRun(site, fleets, node, market, foresight, start, end, result)


def result_dict(run: DispatchRun) -> dict[str, Any]:
    """The JSON document of ``wattshift dispatch`` (keys fixed by the CLI contract)."""
    t = run.result.totals
    return {
        "site": run.site.name,
        "node": run.node,
        "market": run.market,
        "foresight": run.foresight,
        "from": run.start.isoformat(),
        "to": run.end.isoformat(),
        "intervals": len(run.result.schedule),
        "revenue_usd": {
            "mining": t["mining_usd"],
            "ai": t["ai_usd"],
            "reserves": t["reserves_usd"],
            "sellback": t["sellback_usd"],
        },
        "energy_cost_usd": t["energy_cost_usd"],
        "charges_usd": t["charges_usd"],
        "net_usd": t["net_usd"],
        "mwh": {"mining": t["mwh_mining"], "ai": t["mwh_ai"], "curtailed": t["mwh_curtailed"]},
        "hours_curtailed": t["hours_curtailed"],
        "value_of_flexibility_usd": run.result.value_of_flexibility_usd,
        "always_on_net_usd": run.result.always_on_totals["net_usd"],
        "objective_usd": run.result.objective_usd,
        "solver": run.result.solver,
        "solve_seconds": run.result.solve_seconds,
        "windows": run.result.windows,
    }
