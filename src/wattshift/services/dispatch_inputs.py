"""Warehouse → dispatch engine arrays: prices on a market's operating-day grid, values, forecasts.

Windows are the market's operating days (:data:`wattshift.markets.MARKETS`: local midnight to
midnight in its zone; ERCOT's is Central Prevailing Time, :data:`ERCOT_TZ`): for ERCOT
``--from 2023-08-01 --to 2023-09-01`` is August 1 00:00 CDT (05:00 UTC) to September 1 00:00 CDT.
The grid's interval is that of the settlement product held for the market (ERCOT real-time 15 min,
PJM/MISO/NYISO/ISO-NE hourly, SPP 5 min, CAISO 15 min, Nord Pool day-ahead hourly).

Products by market: a product the run needs and the market lacks is an error naming both
(:func:`require_product`). Settlement is on the market's real-time product, or its day-ahead one
where wattshift holds no real-time prices (Nord Pool: the spot price a Nordic site pays). Forecast
foresight without a day-ahead product (MISO, NYISO, ISO-NE, SPP, CAISO in the EIA files) decides
on a real-time profile: :func:`wattshift.dispatch.forecast.spread_forecast` with a zero day-ahead
price, i.e. the median real-time price per interval of day over the complete days before the
decision day ``d − 1`` plus AR(1) persistence of the deviations; the same information set as with
a day-ahead price, without it. Forecast foresight with only a day-ahead product decides on that
price itself (published the day before). EUR prices arrive converted to USD by the warehouse.

Every interval of the range must be in the warehouse (a hole is an error
naming the missing span; prices are never filled). One documented exception: the day-ahead files
hold a single 01:00 hour on a DST fall-back day, so the repeated local hour takes the held price of
the same clock hour (:func:`on_grid` with ``timezone``).
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any, Literal, Protocol

import numpy as np
import pandas as pd

from wattshift.dispatch.backtest import BacktestInputs
from wattshift.dispatch.calendar import day_numbers
from wattshift.dispatch.forecast import TRAIN_DAYS, spread_forecast
from wattshift.dispatch.spec import SiteSpec
from wattshift.dispatch.values import (
    daily_hashprice_usd_per_th_day,
    daily_to_intervals,
    fleet_values_usd_per_mwh,
)
from wattshift.errors import ConfigError, NotInWarehouseError
from wattshift.markets import MARKETS
from wattshift.markets import market as market_row
from wattshift.services.cp4 import with_cp4_groups

Market = Literal["rt", "da"]
Foresight = Literal["perfect", "day_ahead", "forecast"]
FloatArray = np.ndarray[Any, np.dtype[np.float64]]

#: Zone of ERCOT's operating day (Central Prevailing Time, CST/CDT).
ERCOT_TZ = "America/Chicago"


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


def day_start_utc(day: dt.date, timezone: str = ERCOT_TZ) -> pd.Timestamp:
    """Start of operating day ``day`` (local midnight in ``timezone``) as a UTC timestamp."""
    return pd.Timestamp(day.isoformat()).tz_localize(timezone).tz_convert("UTC")


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


def _repeated_hour(series: pd.Series, keys: pd.DatetimeIndex, timezone: str) -> FloatArray:
    """Price of the same local clock hour for keys inside a DST fall-back day's repeated hour (else NaN)."""
    hour = pd.Timedelta(hours=1)
    local = keys.tz_convert(timezone).tz_localize(None)
    repeated = np.asarray((keys - hour).tz_convert(timezone).tz_localize(None) == local) | np.asarray(
        (keys + hour).tz_convert(timezone).tz_localize(None) == local
    )
    by_local = series.copy()
    by_local.index = pd.DatetimeIndex(series.index).tz_convert(timezone).tz_localize(None)
    by_local = by_local[~by_local.index.duplicated(keep="first")]
    found = by_local.reindex(local).to_numpy(dtype=np.float64, na_value=np.nan)
    return np.where(repeated, found, np.nan)


def reindexed(frame: pd.DataFrame, grid: pd.DatetimeIndex) -> FloatArray:
    """Prices of ``frame`` at each start of ``grid``, NaN where missing (T,) [USD/MWh].

    A frame coarser than the grid covers the grid intervals inside its own interval (as
    :func:`on_grid`); unlike :func:`on_grid`, a hole is NaN, not an error (for history that may
    have gaps: the caller leaves those days out).
    """
    starts = pd.DatetimeIndex(frame["interval_start_utc"]).tz_convert("UTC")
    series = pd.Series(frame["price_usd_per_mwh"].to_numpy(dtype=np.float64), index=starts)
    series = series[~series.index.duplicated(keep="last")]
    step = pd.Timedelta(minutes=int(frame["interval_minutes"].max()))
    keys = grid.floor(step) if len(grid) > 1 and step > grid[1] - grid[0] else grid
    return np.array(series.reindex(keys).to_numpy(dtype=np.float64, na_value=np.nan))


def on_grid(
    frame: pd.DataFrame, grid: pd.DatetimeIndex, *, what: str, timezone: str | None = None
) -> FloatArray:
    """Values of an ISO price frame at each start of ``grid`` (T,) [USD/MWh or USD/MW-h].

    A frame coarser than the grid (hourly day-ahead on a 15-minute grid) applies each price to the
    grid intervals inside its own interval; this is the product's definition, not a fill. With
    ``timezone``, a grid interval in the repeated hour of a DST fall-back day that the frame lacks
    takes the price of the same local clock hour (the hourly files hold that hour once).

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
    values = np.array(series.reindex(keys).to_numpy(dtype=np.float64, na_value=np.nan))
    bad = np.isnan(values)
    if bad.any() and timezone is not None:
        values[bad] = _repeated_hour(series, keys[bad], timezone)
        bad = np.isnan(values)
    if bad.any():
        grid_step = grid[1] - grid[0] if len(grid) > 1 else step
        raise NotInWarehouseError(f"{what}: prices missing for {_spans(grid[bad], grid_step)}")
    return values


def require_product(iso: str, product: str, why: str) -> None:
    """Raise a :class:`ConfigError` naming ``product`` and ``iso`` if the market does not have it."""
    spec = market_row(iso)
    if product in ("rt", "da") and product not in spec.products:
        raise ConfigError(
            f"{spec.name} has no {product!r} prices in wattshift ({why}); its products: "
            f"{', '.join(spec.products)}"
        )


def settle_product(iso: str) -> Market:
    """The product a site in ``iso`` settles on: real-time if held, else day-ahead."""
    return "rt" if "rt" in market_row(iso).products else "da"


def prices(
    wh: DispatchSource,
    node: str,
    market: str,
    start: pd.Timestamp,
    end: pd.Timestamp,
    *,
    iso: str = "ERCOT",
) -> pd.DataFrame:
    """Price frame of ``node`` in product ``market`` of ``iso`` for [start, end) (UTC); empty is an error."""
    require_product(iso, market, f"{market} prices for {node}")
    frame = wh.iso_prices(node, market, start, end, iso=iso)
    if frame.empty:
        raise NotInWarehouseError(f"no {market} prices for {node} ({iso}) from {start} to {end}")
    return frame


def forecast_prices(
    wh: DispatchSource,
    node: str,
    grid: pd.DatetimeIndex,
    step_min: int,
    timezone: str = ERCOT_TZ,
    *,
    iso: str = "ERCOT",
) -> tuple[FloatArray, FloatArray]:
    """Walk-forward RT forecasts on ``grid``: (day-start, one-step) (T,) [USD/MWh].

    Uses up to :data:`~wattshift.dispatch.forecast.TRAIN_DAYS` operating days of history before the
    grid (fewer when the warehouse starts later or a day has a missing price; none: the day-ahead
    price alone). A market without
    day-ahead prices forecasts the real-time price itself (a zero day-ahead price; module docstring).
    """
    start, end = grid[0], grid[-1] + pd.Timedelta(minutes=step_min)
    first_day = start.tz_convert(timezone).date()
    want = day_start_utc(first_day - dt.timedelta(days=TRAIN_DAYS), timezone)
    rt_frame = prices(wh, node, "rt", want, end, iso=iso)
    has_da = "da" in MARKETS[iso].products
    da_frame = prices(wh, node, "da", want, end, iso=iso) if has_da else rt_frame
    held = pd.Timestamp(max(rt_frame["interval_start_utc"].min(), da_frame["interval_start_utc"].min()))
    held = held.tz_localize("UTC") if held.tzinfo is None else held.tz_convert("UTC")
    held_day = held.tz_convert(timezone).date()
    first_whole = day_start_utc(held_day, timezone)
    if first_whole < held:
        first_whole = day_start_utc(held_day + dt.timedelta(days=1), timezone)
    hist_start = min(max(want, first_whole), start)
    full = pd.date_range(hist_start, end, freq=pd.Timedelta(minutes=step_min), inclusive="left")
    decided = np.asarray(full >= start)
    rt, da = reindexed(rt_frame, full), np.zeros(len(full))
    rt[decided] = on_grid(rt_frame, full[decided], what=f"{iso} {node} rt")
    if has_da:
        da = reindexed(da_frame, full)
        da[decided] = on_grid(da_frame, full[decided], what=f"{iso} {node} da", timezone=timezone)
    day = day_numbers(full, timezone)
    # History days with a missing price are left out of the fit (never filled); decided days are complete.
    keep = ~np.isin(day, day[np.isnan(rt) | np.isnan(da)])
    full, rt, da, day = full[keep], rt[keep], da[keep], day[keep]
    first_index = np.searchsorted(day, day, side="left")
    slot = np.arange(len(full)) - first_index
    decide = int(day[full.get_loc(start)])
    fc = spread_forecast(rt, da, day, slot, first_decision_day=decide)
    return fc.day_start_usd_per_mwh, fc.one_step_usd_per_mwh


def _fleet_values(wh: DispatchSource, spec: SiteSpec, grid: pd.DatetimeIndex, *, lag_days: int) -> FloatArray:
    """Mining value per fleet (K, T) [USD/MWh], hashprice of each interval's UTC day − ``lag_days``."""
    if not spec.fleets.n:
        return np.zeros((0, len(grid)))
    lag = pd.Timedelta(days=lag_days)
    first = (grid[0] - lag).tz_convert("UTC").date()
    btc = wh.btc_daily(first, (grid[-1]).tz_convert("UTC").date())
    hashprice = daily_to_intervals(daily_hashprice_usd_per_th_day(btc), grid - lag, what="BTC hashprice")
    return fleet_values_usd_per_mwh(hashprice, spec.fleets.efficiency_j_per_th, pool_fee=spec.pool_fee)


def reserve_prices(
    wh: DispatchSource, spec: SiteSpec, grid: pd.DatetimeIndex, timezone: str, *, iso: str = "ERCOT"
) -> FloatArray:
    """Day-ahead clearing price of each offered product on ``grid`` (R, T) [USD/MW-h] (ERCOT only)."""
    if spec.reserves is None:
        return np.zeros((0, len(grid)))
    if iso != "ERCOT":
        raise ConfigError(f"reserves are ERCOT ancillary products; the site's market is {iso}")
    step = grid[1] - grid[0] if len(grid) > 1 else pd.Timedelta(minutes=15)
    lo, hi = grid[0], grid[-1] + step
    rows = [
        on_grid(prices(wh, p, "da_as", lo, hi), grid, what=f"{p} da_as", timezone=timezone)
        for p in spec.reserves.products
    ]
    return np.vstack(rows)


def _decision_prices(
    wh: DispatchSource,
    node: str,
    foresight: Foresight,
    settle_price: FloatArray,
    grid: pd.DatetimeIndex,
    step_min: int,
    timezone: str,
    iso: str,
) -> tuple[FloatArray, FloatArray | None]:
    """(day-start, one-step) decision prices (T,) [USD/MWh] of ``foresight`` (module docstring)."""
    settles_day_ahead = settle_product(iso) == "da"
    if foresight == "day_ahead" or (foresight == "forecast" and settles_day_ahead):
        da_frame = prices(wh, node, "da", grid[0], grid[-1] + pd.Timedelta(minutes=step_min), iso=iso)
        return on_grid(da_frame, grid, what=f"{iso} {node} da", timezone=timezone), None
    if foresight == "forecast":
        return forecast_prices(wh, node, grid, step_min, timezone, iso=iso)
    return settle_price, None


def load_inputs(
    wh: DispatchSource,
    spec: SiteSpec,
    *,
    node: str,
    market: Market,
    foresight: Foresight,
    start: dt.date,
    end: dt.date,
    timezone: str | None = None,
    iso: str = "ERCOT",
) -> BacktestInputs:
    """Engine inputs for the site ``spec`` over operating days [start, end) (see module docstring).

    ``perfect``: decided on the settlement prices themselves (upper bound). ``day_ahead``: decided on
    day-ahead prices, settled real-time. ``forecast``: decided on day-ahead prices plus a walk-forward
    spread forecast (:mod:`wattshift.dispatch.forecast`) and the previous UTC day's hashprice (a
    real-time profile where ``iso`` has no day-ahead product; the day-ahead price itself where it has
    no real-time one). ``timezone`` defaults to the market's.

    Raises
    ------
    ConfigError
        A product the run needs that ``iso`` lacks (named with the market), or reserves outside ERCOT.
    """
    if end <= start:
        raise ConfigError(f"--to {end} must be after --from {start}")
    timezone = timezone or market_row(iso).timezone
    lo, hi = day_start_utc(start, timezone), day_start_utc(end, timezone)
    settle_market: str = settle_product(iso) if foresight != "perfect" else market
    settle_frame = prices(wh, node, settle_market, lo, hi, iso=iso)
    step_min = int(settle_frame["interval_minutes"].iloc[0])
    grid = pd.date_range(lo, hi, freq=pd.Timedelta(minutes=step_min), inclusive="left")
    settle_price = on_grid(settle_frame, grid, what=f"{iso} {node} {settle_market}", timezone=timezone)
    decision, intraday = _decision_prices(wh, node, foresight, settle_price, grid, step_min, timezone, iso)
    reserve = reserve_prices(wh, spec, grid, timezone, iso=iso)
    values = _fleet_values(wh, spec, grid, lag_days=0)
    da_bought = None
    if spec.day_ahead_purchase:
        da_frame = prices(wh, node, "da", lo, hi, iso=iso)
        da_bought = on_grid(da_frame, grid, what=f"{iso} {node} da", timezone=timezone)
    ai = np.full(len(grid), spec.gpu.ai_value_usd_per_mwh if spec.gpu is not None else 0.0)
    inputs = BacktestInputs(
        interval_start_utc=grid,
        interval_minutes=float(step_min),
        decision_price_usd_per_mwh=decision,
        settle_price_usd_per_mwh=settle_price,
        fleet_value_usd_per_mwh=values,
        ai_value_usd_per_mwh=ai,
        reserve_price_usd_per_mw_h=reserve,
        timezone=timezone,
        intraday_price_usd_per_mwh=intraday,
        decision_fleet_value_usd_per_mwh=_fleet_values(wh, spec, grid, lag_days=1)
        if foresight == "forecast"
        else None,
        day_ahead_price_usd_per_mwh=da_bought,
    )
    return with_cp4_groups(wh, spec.peak, inputs, perfect=foresight == "perfect")
