"""Value of flexibility per MW-year at one market node, from the dispatch engine without hindsight.

For the siting table (``wattshift markets compare``): a 1 MW fleet of efficiency ``e`` [J/TH] (times
the site PUE: the energy per TH including cooling) on a 1 MW interconnect, dispatched by
:func:`wattshift.dispatch.backtest.run_backtest` with the merit-order solver (one window per run of
complete days: the same schedule as one operating day at a time), in forecast foresight (the
information set of :mod:`wattshift.services.dispatch_inputs`):

- markets with real-time and day-ahead prices (ERCOT, PJM): day-ahead price + walk-forward spread
  forecast (:func:`wattshift.dispatch.forecast.spread_forecast`), settled real-time;
- real-time only (MISO, NYISO, ISO-NE, SPP, CAISO; and a node whose day-ahead series is not held
  in the year, e.g. PJM-RTO 2024): the same forecast with a zero day-ahead price, i.e. a real-time
  profile of the days before ``d − 1`` plus AR(1) persistence;
- day-ahead only (Nord Pool): decided and settled on the day-ahead price (known the day before);

with the mining value of the previous UTC day's hashprice at decision time. The flexibility value
is the engine's net minus always-on mining on the same settlement prices
(:attr:`~wattshift.dispatch.backtest.BacktestResult.value_of_flexibility_usd`).

Gaps are never filled: an operating day with any missing price is left out (of the history too),
the engine runs on each run of consecutive complete days, and the sum is scaled to the year by
days in the year / days used (``days_used`` says how many; a partial year is an estimate).
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass

import numpy as np
import pandas as pd

from wattshift.config import parse_site
from wattshift.dispatch.backtest import BacktestInputs, run_backtest
from wattshift.dispatch.calendar import day_numbers
from wattshift.dispatch.forecast import TRAIN_DAYS, spread_forecast
from wattshift.dispatch.problem import FloatArray
from wattshift.dispatch.spec import SiteSpec
from wattshift.dispatch.values import daily_to_intervals, fleet_values_usd_per_mwh
from wattshift.errors import NotInWarehouseError
from wattshift.markets import MARKETS
from wattshift.services.dispatch_inputs import DispatchSource, day_start_utc, reindexed, settle_product
from wattshift.services.dispatch_spec import site_spec
from wattshift.services.sites import resolve_fleets


@dataclass(frozen=True)
class FlexValue:
    """Flexibility value of 1 MW at a node over a year [USD/MW-year] and the complete days it used."""

    usd_per_mw_year: float
    days_used: int
    days_in_year: int


def one_mw_spec(efficiency_j_per_th: float, pool_fee: float) -> SiteSpec:
    """Spec of a 1 MW fleet of ``efficiency_j_per_th`` [J/TH] on a 1 MW interconnect."""
    site = parse_site(
        {
            "name": "1 MW",
            "interconnect_mw": 1.0,
            "fleets": [{"name": "fleet", "power_mw": 1.0, "efficiency_j_per_th": efficiency_j_per_th}],
            "pool_fee": pool_fee,
        }
    )
    return site_spec(site, resolve_fleets(site, pd.DataFrame()))


def _held(
    wh: DispatchSource, iso: str, node: str, product: str, lo: pd.Timestamp, hi: pd.Timestamp
) -> pd.DataFrame:
    """Prices of one series in [lo, hi), empty when the warehouse holds none there."""
    try:
        return wh.iso_prices(node, product, lo, hi, iso=iso)
    except NotInWarehouseError:
        return pd.DataFrame()


def _complete(day: np.ndarray, *arrays: FloatArray) -> np.ndarray:
    """Mask of the intervals whose operating day has every price in every array."""
    missing = np.zeros(day.size, dtype=bool)
    for a in arrays:
        missing |= np.isnan(a)
    bad_days = np.unique(day[missing])
    return ~np.isin(day, bad_days)


def _runs(day: np.ndarray) -> list[slice]:
    """Slices of consecutive operating days in a non-decreasing day array."""
    breaks = np.flatnonzero(np.diff(day) > 1) + 1
    bounds = [0, *breaks.tolist(), day.size]
    return [slice(a, b) for a, b in itertools.pairwise(bounds) if b > a]


@dataclass(frozen=True)
class _Prices:
    grid: pd.DatetimeIndex
    step_min: int
    settle: FloatArray
    decision: FloatArray
    intraday: FloatArray | None


@dataclass(frozen=True)
class FlexPrices:
    """What :func:`flex_value` reads of a node: its settlement product over the year and the
    :data:`~wattshift.dispatch.forecast.TRAIN_DAYS` + 1 days before (``settle``, never empty) and,
    where the forecast uses it, the day-ahead series over the same span (``day_ahead``, else empty)."""

    iso: str
    node: str
    year: int
    product: str
    settle: pd.DataFrame
    day_ahead: pd.DataFrame


def _year_span(iso: str, year: int) -> tuple[pd.Timestamp, pd.Timestamp, pd.Timestamp]:
    """Start of the history, of the year and of the next year (local midnights, UTC)."""
    tz = MARKETS[iso].timezone
    lo, hi = day_start_utc(dt.date(year, 1, 1), tz), day_start_utc(dt.date(year + 1, 1, 1), tz)
    return day_start_utc(dt.date(year, 1, 1) - dt.timedelta(days=TRAIN_DAYS + 1), tz), lo, hi


def read_flex_prices(wh: DispatchSource, iso: str, node: str, year: int) -> FlexPrices:
    """The prices :func:`flex_value` decides and settles on (module docstring).

    Raises
    ------
    NotInWarehouseError
        No prices of the settlement product in the year or the history before it.
    """
    hist, _, hi = _year_span(iso, year)
    product = settle_product(iso)
    frame = wh.iso_prices(node, product, hist, hi, iso=iso)
    if frame.empty:
        raise NotInWarehouseError(f"no {iso} {node} {product!r} prices in {year}")
    da = pd.DataFrame()
    if product == "rt" and "da" in MARKETS[iso].products:
        da = _held(wh, iso, node, "da", hist, hi)
    return FlexPrices(iso, node, year, product, frame, da)


def _prices(held: FlexPrices) -> _Prices:
    """Settlement and forecast decision prices of the complete days of the year (module docstring)."""
    iso, node, year, product, frame = held.iso, held.node, held.year, held.product, held.settle
    tz = MARKETS[iso].timezone
    hist, lo, hi = _year_span(iso, year)
    step_min = int(frame["interval_minutes"].min())
    grid = pd.date_range(hist, hi, freq=pd.Timedelta(minutes=step_min), inclusive="left")
    settle = reindexed(frame, grid)
    da = np.zeros(len(grid))
    if product == "rt" and "da" in MARKETS[iso].products:
        da = da if held.day_ahead.empty else reindexed(held.day_ahead, grid)
    day = day_numbers(grid, tz)
    keep = _complete(day, settle, da)
    grid, settle, da, day = grid[keep], settle[keep], da[keep], day[keep]
    in_year = np.asarray(grid >= lo)
    if not in_year.any():
        raise NotInWarehouseError(f"{iso} {node}: no complete operating day in {year}")
    if product == "da":
        return _Prices(grid[in_year], step_min, settle[in_year], settle[in_year], None)
    slot = np.arange(day.size) - np.searchsorted(day, day, side="left")
    fc = spread_forecast(settle, da, day, slot, first_decision_day=int(day[in_year][0]))
    day_start, one_step = fc.day_start_usd_per_mwh, fc.one_step_usd_per_mwh
    return _Prices(grid[in_year], step_min, settle[in_year], day_start, one_step)


def flex_value(
    wh: DispatchSource, iso: str, node: str, year: int, spec: SiteSpec, hashprice: pd.Series
) -> FlexValue:
    """Flexibility value of ``spec`` (a 1 MW fleet) at ``node`` of ``iso`` in ``year`` [USD/MW-year].

    ``hashprice`` is the daily hashprice [USD/TH/day] indexed by UTC date.

    Raises
    ------
    NotInWarehouseError
        No prices for the node in the year, or no complete operating day.
    """
    return flex_value_of(read_flex_prices(wh, iso, node, year), spec, hashprice)


def flex_value_of(held: FlexPrices, spec: SiteSpec, hashprice: pd.Series) -> FlexValue:
    """:func:`flex_value` on prices already read (:func:`read_flex_prices`).

    Raises
    ------
    NotInWarehouseError
        No complete operating day in the year.
    """
    year = held.year
    p = _prices(held)
    tz = MARKETS[held.iso].timezone
    day = day_numbers(p.grid, tz)
    eff, fee = spec.fleets.efficiency_j_per_th, spec.pool_fee
    # mining value (K, T) [USD/MWh] on the day's hashprice and, at decision time, the day before's
    now = daily_to_intervals(hashprice, p.grid, what="BTC hashprice")
    known = daily_to_intervals(hashprice, p.grid - pd.Timedelta(days=1), what="BTC hashprice")
    value = fleet_values_usd_per_mwh(now, eff, pool_fee=fee)
    decision_value = fleet_values_usd_per_mwh(known, eff, pool_fee=fee)
    total = 0.0
    for run in _runs(day):
        grid = p.grid[run]
        inputs = BacktestInputs(
            interval_start_utc=grid,
            interval_minutes=float(p.step_min),
            decision_price_usd_per_mwh=p.decision[run],
            settle_price_usd_per_mwh=p.settle[run],
            fleet_value_usd_per_mwh=value[:, run],
            ai_value_usd_per_mwh=np.zeros(len(grid)),
            reserve_price_usd_per_mw_h=np.zeros((0, len(grid))),
            timezone=tz,
            intraday_price_usd_per_mwh=None if p.intraday is None else p.intraday[run],
            decision_fleet_value_usd_per_mwh=decision_value[:, run],
        )
        # One merit-order window per run of days: nothing couples intervals (a 1 MW fleet without
        # ramps, min on/off, reserves or peak charges) and every decision price is fixed before the
        # run (day-start forecast, one-step price), so the closed form over the run is the
        # day-by-day schedule, interval for interval, without a window's overhead per day.
        total += run_backtest(spec, inputs, solver="merit", window_days=None).value_of_flexibility_usd
    days_used = int(np.unique(day).size)
    days_in_year = (dt.date(year + 1, 1, 1) - dt.date(year, 1, 1)).days
    return FlexValue(total * days_in_year / days_used, days_used, days_in_year)
