"""Dispatch of a site over one's own price series (no warehouse).

:func:`dispatch` lays a pandas Series of prices out as the engine's inputs
(:class:`wattshift.dispatch.backtest.BacktestInputs`) and runs the same rolling-horizon backtest as
``wattshift dispatch`` (:func:`wattshift.dispatch.backtest.run_backtest`) on the site's frozen spec
(:func:`wattshift.services.dispatch_spec.site_spec`).

Information set: with only ``prices_usd_per_mwh`` the schedule is decided on the prices it is
settled at, i.e. **perfect foresight, an upper bound** of what the site could earn. Pass
``decision_prices_usd_per_mwh`` (e.g. day-ahead prices, or one's own forecast) to decide on what
was known in advance and settle on ``prices_usd_per_mwh``; the result says which it was.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from wattshift.config import SiteConfig
from wattshift.dispatch.backtest import BacktestInputs, BacktestResult, SolverName, run_backtest
from wattshift.dispatch.spec import SiteSpec
from wattshift.dispatch.values import daily_to_intervals, fleet_values_usd_per_mwh
from wattshift.errors import ConfigError
from wattshift.services.dispatch_spec import site_spec
from wattshift.services.sites import load_site, resolve_fleets
from wattshift.units import TH_PER_PH

FloatArray = npt.NDArray[np.float64]
Foresight = Literal["perfect", "given"]


@dataclass(frozen=True)
class SeriesDispatch:
    """A backtest over given prices and the information set it was decided on.

    Attributes
    ----------
    foresight
        ``"perfect"``: decided on the settlement prices (upper bound); ``"given"``: decided on the
        ``decision_prices_usd_per_mwh`` passed.
    result
        The engine's result: ``totals`` [USD, MWh, h], the per-interval ``schedule`` [MW],
        ``value_of_flexibility_usd`` and the always-on reference.
    """

    foresight: Foresight
    result: BacktestResult

    @property
    def totals(self) -> dict[str, float]:
        """Revenue by stream, energy cost, charges and net [USD]; MWh by use; hours curtailed."""
        return self.result.totals

    @property
    def schedule(self) -> pd.DataFrame:
        """Per-interval MW per fleet, GPU MW, curtailed MW, price and value per stream."""
        return self.result.schedule


def _grid(prices: pd.Series) -> tuple[pd.DatetimeIndex, float, str]:
    """UTC interval starts, interval length [min] and time zone of a price Series."""
    index = prices.index
    if not isinstance(index, pd.DatetimeIndex) or index.tz is None:
        raise ValueError("prices_usd_per_mwh needs a tz-aware DatetimeIndex of interval starts")
    if len(index) < 2:
        raise ValueError("prices_usd_per_mwh needs at least two intervals")
    steps = pd.TimedeltaIndex(index[1:] - index[:-1]).unique()
    if len(steps) != 1 or steps[0] <= pd.Timedelta(0):
        raise ValueError("prices_usd_per_mwh must be evenly spaced and increasing (no gaps)")
    if prices.isna().any():
        raise ValueError(
            f"prices_usd_per_mwh has {int(prices.isna().sum())} missing values; gaps are never filled"
        )
    minutes = float(steps[0] / pd.Timedelta(minutes=1))
    return pd.DatetimeIndex(index.tz_convert("UTC")), minutes, str(index.tz)


def _aligned(series: pd.Series, grid: pd.DatetimeIndex, what: str) -> FloatArray:
    """``series`` on ``grid`` [its unit]: a coarser series (hourly on a 15-minute grid) applies each
    value to the grid intervals inside its own interval; nothing is filled.

    Raises
    ------
    ValueError
        ``series`` is not tz-aware or lacks a value for some grid interval.
    """
    index = series.index
    if not isinstance(index, pd.DatetimeIndex) or index.tz is None:
        raise ValueError(f"{what} needs a tz-aware DatetimeIndex of interval starts")
    s = pd.Series(series.to_numpy(dtype=np.float64), index=index.tz_convert("UTC"))
    grid_step = grid[1] - grid[0]
    step = pd.TimedeltaIndex(s.index[1:] - s.index[:-1]).min() if len(s) > 1 else grid_step
    keys = grid.floor(step) if step > grid_step else grid
    values = s.reindex(keys).to_numpy(dtype=np.float64, na_value=np.nan)
    if np.isnan(values).any():
        first = grid[np.flatnonzero(np.isnan(values))[0]]
        raise ValueError(
            f"{what} has no value for the interval starting {first.isoformat()} (gaps are never filled)"
        )
    return np.asarray(values, dtype=np.float64)


def _hashprice_th(hashprice_usd_per_ph_day: float | pd.Series, grid: pd.DatetimeIndex) -> FloatArray:
    """Hashprice of each interval's UTC day [USD/TH/day]."""
    if isinstance(hashprice_usd_per_ph_day, pd.Series):
        daily = hashprice_usd_per_ph_day / TH_PER_PH
        index = pd.DatetimeIndex(daily.index)
        daily.index = (
            index.tz_convert("UTC").tz_localize(None) if index.tz is not None else index
        ).normalize()
        return daily_to_intervals(daily, grid, what="hashprice_usd_per_ph_day")
    return np.full(len(grid), float(hashprice_usd_per_ph_day) / TH_PER_PH)


def _reserve_prices(spec: SiteSpec, given: Mapping[str, pd.Series], grid: pd.DatetimeIndex) -> FloatArray:
    """Clearing price of each product the site offers on ``grid`` (R, T) [USD/MW-h].

    Raises
    ------
    ConfigError
        A product the site offers has no price series.
    """
    products = spec.reserves.products if spec.reserves is not None else ()
    missing = [p for p in products if p not in given]
    if missing:
        raise ConfigError(
            f"site {spec.name!r} offers reserves {missing}: pass reserve_prices_usd_per_mw_h for them"
        )
    if not products:
        return np.zeros((0, len(grid)))
    return np.vstack([_aligned(given[p], grid, f"{p} prices") for p in products])


def dispatch(
    site: SiteConfig | str | Path,
    prices_usd_per_mwh: pd.Series,
    *,
    hashprice_usd_per_ph_day: float | pd.Series,
    decision_prices_usd_per_mwh: pd.Series | None = None,
    reserve_prices_usd_per_mw_h: Mapping[str, pd.Series] | None = None,
    day_ahead_prices_usd_per_mwh: pd.Series | None = None,
    asic_models: pd.DataFrame | None = None,
    solver: SolverName = "auto",
    window_days: int | None = 1,
) -> SeriesDispatch:
    """Schedule a site's interconnect over a price Series: MW per fleet, GPU, reserves, curtailment.

    Parameters
    ----------
    site
        A :class:`~wattshift.config.SiteConfig`, a site TOML file or an example's name.
    prices_usd_per_mwh
        Settlement (real-time) price per interval [USD/MWh], tz-aware DatetimeIndex of interval starts,
        evenly spaced; its time zone is the operating day's (windows, daily budgets).
    hashprice_usd_per_ph_day
        Hashprice [USD/PH/day]: one number, or a Series per UTC day (:func:`hashprice_usd_per_ph_day`).
    decision_prices_usd_per_mwh
        Prices the schedule is decided on [USD/MWh]; None = the settlement prices (perfect foresight).
    reserve_prices_usd_per_mw_h
        Clearing price per reserve product the site offers [USD/MW-h] (needed when it offers any).
    day_ahead_prices_usd_per_mwh
        Day-ahead prices [USD/MWh] (needed when the contract buys its planned load day-ahead).
    asic_models
        ASIC catalogue for fleets given by model and count (columns ``model, hashrate_ths, power_w``).
    solver, window_days
        As ``wattshift dispatch --solver`` and ``--window-days``.

    Raises
    ------
    ValueError
        A Series is not tz-aware, evenly spaced and complete.
    ConfigError
        The site needs prices that were not given, or names a model not in ``asic_models``.
    """
    config = site if isinstance(site, SiteConfig) else load_site(site)
    fleets = resolve_fleets(config, asic_models if asic_models is not None else pd.DataFrame())
    spec = site_spec(config, fleets)
    grid, minutes, zone = _grid(prices_usd_per_mwh)
    settle = prices_usd_per_mwh.to_numpy(dtype=np.float64)
    decision = (
        settle
        if decision_prices_usd_per_mwh is None
        else _aligned(decision_prices_usd_per_mwh, grid, "decision prices")
    )
    reserve = _reserve_prices(spec, reserve_prices_usd_per_mw_h or {}, grid)
    if spec.day_ahead_purchase and day_ahead_prices_usd_per_mwh is None:
        raise ConfigError(f"site {config.name!r} buys day-ahead: pass day_ahead_prices_usd_per_mwh")
    inputs = BacktestInputs(
        interval_start_utc=grid,
        interval_minutes=minutes,
        decision_price_usd_per_mwh=decision,
        settle_price_usd_per_mwh=settle,
        fleet_value_usd_per_mwh=fleet_values_usd_per_mwh(
            _hashprice_th(hashprice_usd_per_ph_day, grid),
            spec.fleets.efficiency_j_per_th,
            pool_fee=spec.pool_fee,
        ),
        ai_value_usd_per_mwh=np.full(
            len(grid), spec.gpu.ai_value_usd_per_mwh if spec.gpu is not None else 0.0
        ),
        reserve_price_usd_per_mw_h=reserve,
        timezone=zone,
        day_ahead_price_usd_per_mwh=None
        if day_ahead_prices_usd_per_mwh is None
        else _aligned(day_ahead_prices_usd_per_mwh, grid, "day-ahead prices"),
    )
    result = run_backtest(spec, inputs, solver=solver, window_days=window_days)
    return SeriesDispatch("perfect" if decision_prices_usd_per_mwh is None else "given", result)
