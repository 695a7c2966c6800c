"""BTC price scenarios: GBM calibrated on a history window, and a moving-block bootstrap.

Paths are monthly arrays of shape ``(paths, months)``; column ``m`` is the value at the *end* of
month ``m`` (month 0 ends one month from now). A "month" is 365.25/12 = 30.4375 days.

References
----------
.. [1] Hull, J. C., *Options, Futures and Other Derivatives*, 10th ed., ch. 15: under GBM,
   ``ln S_T ~ N(ln S_0 + (mu - sigma^2/2) T, sigma^2 T)``.
.. [2] Künsch, H. R. (1989). The jackknife and the bootstrap for general stationary observations.
   *Annals of Statistics* 17(3), 1217-1241 (moving-block bootstrap).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from wattshift.errors import ConfigError
from wattshift.units import DAYS_PER_MONTH, DAYS_PER_YEAR, MONTHS_PER_YEAR

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class PriceModel:
    """Calibrated BTC price model.

    Attributes
    ----------
    price0_usd
        Price at the valuation date [USD].
    drift_annual
        Drift of the log price ``m = mu - sigma^2/2`` [1/year].
    vol_annual
        Volatility of the log price [1/sqrt(year)].
    daily_log_returns
        Daily log returns of the calibration window [unitless] (used by the bootstrap).
    window_start, window_end
        First and last day of the calibration window.
    """

    price0_usd: float
    drift_annual: float
    vol_annual: float
    daily_log_returns: FloatArray
    window_start: pd.Timestamp
    window_end: pd.Timestamp


def window(btc_daily: pd.DataFrame, years: float, column: str = "price_usd") -> pd.DataFrame:
    """The last ``years`` of ``btc_daily`` with a value in ``column`` (rows sorted by date).

    Raises
    ------
    ConfigError
        If the window holds fewer than 60 valued days.
    """
    frame = btc_daily.loc[btc_daily[column].notna() & (btc_daily[column] > 0), ["date", column]]
    frame = frame.sort_values("date")
    if frame.empty:
        raise ConfigError(f"valuation.scenario.calibration_years: no {column} in the BTC daily data")
    end = frame["date"].iloc[-1]
    start = end - pd.Timedelta(days=round(years * DAYS_PER_YEAR))
    out: pd.DataFrame = frame.loc[frame["date"] >= start]
    if len(out) < 60:
        raise ConfigError(
            f"valuation.scenario.calibration_years: only {len(out)} days of {column} in the window "
            f"{start.date()}..{end.date()} (need ≥ 60)"
        )
    return out


def calibrate_price(
    btc_daily: pd.DataFrame,
    *,
    years: float,
    drift_annual: float | None = None,
    vol_annual: float | None = None,
) -> PriceModel:
    """Calibrate the log-price drift and volatility on the last ``years`` of daily prices.

    ``m = mean(r) * 365.25`` and ``sigma = std(r, ddof=1) * sqrt(365.25)`` for daily log returns
    ``r_d = ln(P_d / P_{d-1})`` (consecutive calendar days; Bitcoin trades every day).

    Parameters
    ----------
    btc_daily
        BTC daily frame (``date``, ``price_usd`` [USD]).
    years
        Window length [years] ending at the last priced day.
    drift_annual, vol_annual
        Overrides [1/year], [1/sqrt(year)]; None = calibrated.
    """
    frame = window(btc_daily, years)
    price = frame["price_usd"].to_numpy(dtype=np.float64)
    returns = np.diff(np.log(price))
    m = float(returns.mean() * DAYS_PER_YEAR) if drift_annual is None else float(drift_annual)
    s = float(returns.std(ddof=1) * np.sqrt(DAYS_PER_YEAR)) if vol_annual is None else float(vol_annual)
    return PriceModel(
        price0_usd=float(price[-1]),
        drift_annual=m,
        vol_annual=s,
        daily_log_returns=returns,
        window_start=pd.Timestamp(frame["date"].iloc[0]),
        window_end=pd.Timestamp(frame["date"].iloc[-1]),
    )


def gbm_log_price(
    log_price0: float,
    drift_annual: float,
    vol_annual: float,
    shocks: FloatArray,
    *,
    out: FloatArray | None = None,
) -> FloatArray:
    """Monthly log-price paths of a geometric Brownian motion.

    ``ln P_{m} = ln P_0 + sum_{k<=m} (drift dt + vol sqrt(dt) z_k)``, ``dt = 1/12`` year, so that at
    horizon ``T`` years ``E[ln P_T] = ln P_0 + drift T`` and ``Var[ln P_T] = vol^2 T`` [1]_.

    Parameters
    ----------
    log_price0
        ``ln`` of the price now [ln USD].
    drift_annual
        Log-price drift ``mu - vol^2/2`` [1/year].
    vol_annual
        Log-price volatility [1/sqrt(year)].
    shocks
        Standard normal draws, shape ``(paths, months)``.
    out
        Array to write the result into (may be ``shocks`` itself, which then is overwritten);
        None = a new array.

    Returns
    -------
    numpy.ndarray
        ``ln`` price at the end of each month, shape ``(paths, months)`` [ln USD].
    """
    dt = 1.0 / MONTHS_PER_YEAR
    # In place, in the order of ``drift dt + (vol sqrt(dt)) z``, then the running sum.
    steps: FloatArray = np.multiply(shocks, vol_annual * np.sqrt(dt), out=out)
    steps += drift_annual * dt
    np.cumsum(steps, axis=1, out=steps)
    steps += log_price0
    return steps


def month_end_days(months: int) -> npt.NDArray[np.int64]:
    """Day index (1-based count of days elapsed) at the end of each month: ``round(30.4375 (m+1))``."""
    out: npt.NDArray[np.int64] = np.rint(DAYS_PER_MONTH * np.arange(1, months + 1)).astype(np.int64)
    return out


def bootstrap_block_starts(
    n_returns: int, paths: int, days: int, block_days: int, rng: np.random.Generator
) -> npt.NDArray[np.int64]:
    """Random start indices of the moving blocks [2]_, shape ``(paths, ceil(days / block_days))``.

    Raises
    ------
    ConfigError
        If the history is shorter than one block.
    """
    if n_returns < block_days:
        raise ConfigError(
            f"valuation.scenario.block_days: {block_days} days is longer than the {n_returns}-day history"
        )
    n_blocks = -(-days // block_days)
    return rng.integers(0, n_returns - block_days + 1, size=(paths, n_blocks), dtype=np.int64)


def bootstrap_daily_log_returns(
    daily_log_returns: FloatArray, starts: npt.NDArray[np.int64], days: int, block_days: int
) -> FloatArray:
    """Daily log-return paths made of consecutive blocks of history (moving-block bootstrap [2]_).

    Every simulated day is a historical day, so the one-day return distribution is the
    historical one; within a block the historical order (and volatility clustering) is kept.

    Parameters
    ----------
    daily_log_returns
        Historical daily log returns, shape ``(n,)``.
    starts
        Block starts from :func:`bootstrap_block_starts`, shape ``(paths, n_blocks)``.
    days
        Days to simulate.
    block_days
        Block length [days].

    Returns
    -------
    numpy.ndarray
        Shape ``(paths, days)``.
    """
    index = starts[:, :, None] + np.arange(block_days)[None, None, :]
    flat = index.reshape(starts.shape[0], -1)[:, :days]
    out: FloatArray = daily_log_returns[flat]
    return out


def bootstrap_log_price(
    log_price0: float,
    daily_log_returns: FloatArray,
    starts: npt.NDArray[np.int64],
    months: int,
    block_days: int,
) -> FloatArray:
    """Monthly log-price paths of the moving-block bootstrap, without materialising daily paths.

    With prefix sums ``C_k = sum_{j<k} r_j`` of the history, a block starting at ``s`` adds
    ``C_{s+L} - C_s``; the cumulative return after ``d`` days is the sum of the first ``d // L``
    block sums plus the partial block ``C_{s_b + d % L} - C_{s_b}``. Equals the month-end values of
    ``cumsum(bootstrap_daily_log_returns(...))`` exactly (up to float rounding).

    Parameters
    ----------
    log_price0
        ``ln`` price now [ln USD].
    daily_log_returns
        Historical daily log returns, shape ``(n,)``.
    starts
        Block starts, shape ``(paths, n_blocks)``; must cover ``month_end_days(months)[-1]`` days.
    months
        Months to simulate.
    block_days
        Block length ``L`` [days].

    Returns
    -------
    numpy.ndarray
        ``ln`` price at each month end, shape ``(paths, months)`` [ln USD].
    """
    prefix = np.concatenate(([0.0], np.cumsum(daily_log_returns)))
    block_sums = prefix[starts + block_days] - prefix[starts]
    cum_blocks = np.concatenate((np.zeros((starts.shape[0], 1)), np.cumsum(block_sums, axis=1)), axis=1)
    day = month_end_days(months)
    full, part = np.divmod(day, block_days)
    rows = np.arange(starts.shape[0])[:, None]
    start_of_partial = starts[rows, np.minimum(full, starts.shape[1] - 1)[None, :]]
    partial = np.where(
        part[None, :] > 0, prefix[start_of_partial + part[None, :]] - prefix[start_of_partial], 0.0
    )
    # C order whatever layout NumPy picks for the gathers (it depends on the number of paths), so
    # that sums over months add in the same order for any chunking of the paths.
    out: FloatArray = np.ascontiguousarray(log_price0 + cum_blocks[:, full] + partial)
    return out


def bootstrap_returns(model: PriceModel) -> FloatArray:
    """Daily log returns the bootstrap draws from [unitless], shape ``(n,)``.

    With a drift override, the historical returns are shifted so that their mean matches the
    override (the shape of the distribution is kept).
    """
    returns = model.daily_log_returns
    hist_drift = float(returns.mean() * DAYS_PER_YEAR)
    if not np.isclose(hist_drift, model.drift_annual):
        returns = returns + (model.drift_annual - hist_drift) / DAYS_PER_YEAR
    return returns


def draw_log_price(
    model: PriceModel,
    *,
    kind: str,
    paths: int,
    months: int,
    rng: np.random.Generator,
    block_days: int = 30,
) -> npt.NDArray[np.float64] | npt.NDArray[np.int64]:
    """The random numbers of :func:`simulate_log_price`, drawn from ``rng`` in its order.

    Returns
    -------
    numpy.ndarray
        'gbm': standard normals ``(paths, months)``; 'bootstrap': block starts
        ``(paths, n_blocks)`` (:func:`bootstrap_block_starts`).

    Raises
    ------
    ConfigError
        If ``kind`` is neither 'gbm' nor 'bootstrap'.
    """
    if kind == "gbm":
        normals: FloatArray = rng.standard_normal((paths, months))
        return normals
    if kind == "bootstrap":
        days = int(month_end_days(months)[-1])
        return bootstrap_block_starts(len(model.daily_log_returns), paths, days, block_days, rng)
    raise ConfigError(f"valuation.scenario.price_model: unknown model {kind!r} (use 'gbm' or 'bootstrap')")


def log_price_from_draws(
    model: PriceModel,
    draws: npt.NDArray[np.float64] | npt.NDArray[np.int64],
    *,
    kind: str,
    months: int,
    block_days: int = 30,
    returns: FloatArray | None = None,
) -> FloatArray:
    """Monthly ``ln`` price paths [ln USD] from the draws of :func:`draw_log_price` (any rows of them).

    Rows are independent, so the paths of a slice of ``draws`` are the same slice of the paths of
    all ``draws``. For 'gbm' the normals are overwritten by the result (no copy).

    Parameters
    ----------
    model
        Calibrated price model.
    draws
        Output of :func:`draw_log_price` (or rows of it).
    kind
        'gbm' or 'bootstrap'.
    months
        Months to simulate.
    block_days
        Bootstrap block length [days].
    returns
        :func:`bootstrap_returns` of ``model`` if already computed (None = computed here).
    """
    log_p0 = float(np.log(model.price0_usd))
    if kind == "gbm":
        normals = np.asarray(draws, dtype=np.float64)
        return gbm_log_price(log_p0, model.drift_annual, model.vol_annual, normals, out=normals)
    if kind == "bootstrap":
        history = bootstrap_returns(model) if returns is None else returns
        return bootstrap_log_price(log_p0, history, np.asarray(draws, dtype=np.int64), months, block_days)
    raise ConfigError(f"valuation.scenario.price_model: unknown model {kind!r} (use 'gbm' or 'bootstrap')")


def simulate_log_price(
    model: PriceModel,
    *,
    kind: str,
    paths: int,
    months: int,
    rng: np.random.Generator,
    block_days: int = 30,
) -> FloatArray:
    """Monthly ``ln`` BTC price paths ``(paths, months)`` [ln USD] from ``model`` ('gbm' or 'bootstrap').

    For 'bootstrap' with a drift override, the bootstrapped returns are shifted so that their
    mean matches the override (:func:`bootstrap_returns`).
    """
    draws = draw_log_price(model, kind=kind, paths=paths, months=months, rng=rng, block_days=block_days)
    return log_price_from_draws(model, draws, kind=kind, months=months, block_days=block_days)
