"""Network side of the scenarios: halving schedule, fee share, and hashrate that responds to hashprice.

Model (monthly). Installed hashrate ``K`` [TH/s] follows an error-correction process towards the
capacity that network revenue can pay for,
``ln K_m = ln K_{m-1} + kappa dt (ln K*_m - ln K_{m-1}) + g dt + s sqrt(dt) z_m``, with
``K*_m = K_0 (R_m / R_0) (a_0 / a_m)`` (capacity grows with miner revenue ``R`` [USD/day] and with
machine efficiency), ``kappa`` the adjustment speed [1/year], ``g`` an optional extra drift
[1/year] (0 by default) and ``s`` the volatility of monthly hashrate growth calibrated on the
window. The installed base is spread
uniformly in efficiency between ``a_m`` (best) and ``b_m`` (worst) [J/TH], both improving by
``efficiency_gain_annual``. A machine of efficiency ``e`` hashes only when hashprice covers its
power, ``hp >= 0.024 e p`` [USD per TH/s per day] (DESIGN.md §3 breakeven). With network revenue
``R`` and ``H = f K`` online, ``hp = R / H``; the breakeven efficiency is ``e* = x / f``
with ``x = R / (0.024 p K)``, and the online fraction solves ``f = (e* - a) / (b - a)``:

``(b - a) f^2 + a f - x = 0  =>  f = (-a + sqrt(a^2 + 4 (b - a) x)) / (2 (b - a))``, capped at 1.

So the least efficient machines switch off first, ``f`` is increasing in price, and so is
``H = f K`` (a test). Miners' BTC per TH/s per day is ``144 S / (1 - phi) / H``
(realised form of DESIGN.md §3; ``phi`` = fee share of revenue).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from wattshift.errors import ConfigError
from wattshift.mining.hashprice import btc_per_th_day_realised
from wattshift.units import DAYS_PER_MONTH, HOURS_PER_DAY, MONTHS_PER_YEAR, W_PER_KW, ehs_to_ths
from wattshift.valuation.scenarios import window

FloatArray = npt.NDArray[np.float64]

#: Target block interval is 600 s (Bitcoin consensus): 144 blocks a day.
BLOCKS_PER_DAY = 144.0
BLOCKS_PER_MONTH = BLOCKS_PER_DAY * DAYS_PER_MONTH
#: kWh per day drawn by 1 TH/s at 1 J/TH: 24 h x 1 W / 1000 [kWh/(J/TH)/(TH/s)/day].
KWH_PER_DAY_PER_J_PER_TH = HOURS_PER_DAY / W_PER_KW


@dataclass(frozen=True)
class HashrateModel:
    """Calibrated network model.

    Attributes
    ----------
    hashrate0_ths
        Network hashrate now (mean of the last 30 days) [TH/s].
    growth_annual
        Historical log growth of hashrate in the window [1/year] (reported, not simulated).
    vol_annual
        Volatility of monthly hashrate growth [1/sqrt(year)].
    fee_share
        Fees as a share of miner revenue [fraction].
    """

    hashrate0_ths: float
    growth_annual: float
    vol_annual: float
    fee_share: float


def calibrate_hashrate(
    btc_daily: pd.DataFrame,
    *,
    years: float,
    growth_annual: float | None = None,
    vol_annual: float | None = None,
    fee_share: float | None = None,
) -> HashrateModel:
    """Calibrate the hashrate model on the last ``years`` of the BTC daily frame.

    Daily hashrate estimates are noisy (±10 %, signals.md), so growth is measured on 30.4375-day
    means: ``g = mean(Δ ln H) * 12``, ``s = std(Δ ln H) * sqrt(12)``;
    ``fee_share = sum(fees_usd) / sum(revenue_usd)``.

    Parameters
    ----------
    btc_daily
        BTC daily frame (``date``, ``price_usd``, ``hashrate_ehs`` [EH/s], ``fees_usd``,
        ``revenue_usd`` [USD]).
    years
        Window [years].
    growth_annual, vol_annual, fee_share
        Overrides; None = calibrated.
    """
    frame = window(btc_daily, years, column="hashrate_ehs").merge(
        btc_daily[["date", "price_usd", "fees_usd", "revenue_usd"]], on="date", how="left"
    )
    months = ((frame["date"] - frame["date"].iloc[0]).dt.days // DAYS_PER_MONTH).astype(int)
    monthly = frame.groupby(months)[["hashrate_ehs"]].mean()
    if len(monthly) < 4:
        raise ConfigError("valuation.scenario.calibration_years: need at least 4 months of hashrate")
    d_log_h = np.diff(np.log(monthly["hashrate_ehs"].to_numpy(dtype=np.float64)))
    g = float(d_log_h.mean() * MONTHS_PER_YEAR) if growth_annual is None else float(growth_annual)
    s = float(d_log_h.std(ddof=1) * np.sqrt(MONTHS_PER_YEAR)) if vol_annual is None else float(vol_annual)
    if fee_share is None:
        rev = frame["revenue_usd"].sum()
        fee_share = float(frame["fees_usd"].sum() / rev) if rev > 0 else 0.0
    last = frame.loc[frame["date"] > frame["date"].iloc[-1] - pd.Timedelta(days=30), "hashrate_ehs"]
    return HashrateModel(
        hashrate0_ths=float(ehs_to_ths(float(last.mean()))),
        growth_annual=g,
        vol_annual=s,
        fee_share=float(fee_share),
    )


def subsidy_by_month(
    height0: int,
    months: int,
    subsidy_btc: Callable[[npt.NDArray[np.int64]], FloatArray],
    *,
    samples_per_month: int = 31,
) -> FloatArray:
    """Mean block subsidy [BTC/block] in each month, from block height ``height0`` now.

    Heights advance at 144 blocks a day (600 s target, Bitcoin consensus), so height 1,050,000
    falls in 2028 and 1,260,000 in 2032. The subsidy is averaged over ``samples_per_month`` evenly
    spaced heights of the month, so a halving inside a month is pro-rated.

    Parameters
    ----------
    height0
        Block height now.
    months
        Months to cover.
    subsidy_btc
        Vectorised subsidy of blocks at heights [BTC] (``wattshift.chain.subsidy_btc``).
    """
    offsets = np.arange(months)[:, None] + (np.arange(samples_per_month)[None, :] + 0.5) / samples_per_month
    heights = (height0 + offsets * BLOCKS_PER_MONTH).astype(np.int64)
    out: FloatArray = np.asarray(subsidy_btc(heights), dtype=np.float64).mean(axis=1)
    return out


def efficiency_band(
    best_j_per_th: float, worst_j_per_th: float, gain_annual: float, months: int
) -> tuple[FloatArray, FloatArray]:
    """Best and worst installed efficiency [J/TH] in each month, improving by ``gain_annual`` a year."""
    factor = (1.0 - gain_annual) ** (np.arange(months) / MONTHS_PER_YEAR)
    return best_j_per_th * factor, worst_j_per_th * factor


def online_fraction(
    x_j_per_th: FloatArray,
    best_j_per_th: FloatArray,
    worst_j_per_th: FloatArray,
    *,
    out: FloatArray | None = None,
) -> FloatArray:
    """Fraction of installed hashrate that is profitable, ``f`` of the module docstring [fraction].

    ``f = min(1, (-a + sqrt(a^2 + 4 (b - a) max(x, 0))) / (2 (b - a)))``.

    Parameters
    ----------
    x_j_per_th
        Breakeven efficiency if every installed machine hashed, ``R / (0.024 p K)`` [J/TH].
    best_j_per_th, worst_j_per_th
        Efficiency band of the installed base [J/TH] (broadcast against ``x``).
    out
        Array to write the result into (may be ``x_j_per_th``); None = a new array.
    """
    span = worst_j_per_th - best_j_per_th
    # In place, each step in the order of the formula (same rounding as the one-line expression).
    f: FloatArray = np.maximum(x_j_per_th, 0.0, out=out)
    f *= 4.0 * span
    f += best_j_per_th**2
    np.sqrt(f, out=f)
    f += -best_j_per_th
    f /= 2.0 * span
    np.minimum(f, 1.0, out=f)
    return f


def installed_hashrate0_ths(
    hashrate0_ths: float, revenue0_usd_per_day: float, power_usd_per_kwh: float, best: float, worst: float
) -> float:
    """Installed hashrate [TH/s] consistent with the online hashrate now.

    From ``(b - a) f^2 + a f = x`` with ``f = H/K`` and ``x = R/(cK)``:
    ``K = (b - a) H^2 / (R/c - a H)``, at least ``H``.

    Raises
    ------
    ConfigError
        If even the best machines would not cover ``power_usd_per_kwh`` today.
    """
    budget = revenue0_usd_per_day / (KWH_PER_DAY_PER_J_PER_TH * power_usd_per_kwh)
    if budget <= best * hashrate0_ths:
        raise ConfigError(
            "valuation.scenario.network_power_usd_per_kwh / network_best_j_per_th: at today's hashprice "
            "even the best machines lose money; lower the network power price or the best efficiency"
        )
    return max(hashrate0_ths, (worst - best) * hashrate0_ths**2 / (budget - best * hashrate0_ths))


def network_hashrate_ths(
    log_price: FloatArray,
    subsidy_btc_per_block: FloatArray,
    model: HashrateModel,
    *,
    shocks: FloatArray,
    power_usd_per_kwh: float,
    best_j_per_th: FloatArray,
    worst_j_per_th: FloatArray,
    log_price0: float,
    adjustment_annual: float = 1.0,
    extra_growth_annual: float = 0.0,
) -> FloatArray:
    """Online network hashrate paths [TH/s], shape ``(paths, months)`` (module docstring).

    Parameters
    ----------
    log_price
        ``ln`` BTC price at each month end [ln USD], shape ``(paths, months)``.
    subsidy_btc_per_block
        Mean subsidy of each month [BTC/block], shape ``(months,)``.
    model
        Calibrated :class:`HashrateModel`.
    shocks
        Standard normal draws for installed-hashrate growth, shape ``(paths, months)``.
    power_usd_per_kwh
        Marginal network miner's power price [USD/kWh].
    best_j_per_th, worst_j_per_th
        Efficiency band per month [J/TH], shape ``(months,)``.
    log_price0
        ``ln`` price now [ln USD].
    adjustment_annual, extra_growth_annual
        Speed ``kappa`` towards ``K*`` and extra log drift ``g`` of installed capacity [1/year].
    """
    dt = 1.0 / MONTHS_PER_YEAR
    revenue_factor = BLOCKS_PER_DAY / (1.0 - model.fee_share)
    c = KWH_PER_DAY_PER_J_PER_TH * power_usd_per_kwh
    revenue0 = revenue_factor * float(subsidy_btc_per_block[0]) * float(np.exp(log_price0))
    best0 = float(best_j_per_th[0])
    k0 = installed_hashrate0_ths(
        model.hashrate0_ths, revenue0, power_usd_per_kwh, best0, float(worst_j_per_th[0])
    )
    log_revenue = np.log(revenue_factor * subsidy_btc_per_block)[None, :] + log_price
    # u = kappa dt ln K* + g dt + s sqrt(dt) z, built in place in the order of that sum, with
    # ln K* = ((ln K0 + ln R) - ln R0) + ln(a0 / a).
    u = log_revenue + np.log(k0)
    u -= np.log(revenue0)
    u += np.log(best0 / best_j_per_th)[None, :]
    u *= adjustment_annual * dt
    u += extra_growth_annual * dt
    scratch = np.multiply(shocks, model.vol_annual * np.sqrt(dt))
    u += scratch
    a = 1.0 - adjustment_annual * dt
    installed = ar1_filter(u, a, np.full(log_price.shape[0], a * np.log(k0)))
    np.exp(installed, out=installed)
    x = np.exp(log_revenue, out=log_revenue)
    x /= np.multiply(installed, c, out=scratch)
    out: FloatArray = online_fraction(x, best_j_per_th[None, :], worst_j_per_th[None, :], out=x)
    out *= installed
    return out


def ar1_filter(u: FloatArray, a: float, carry0: FloatArray) -> FloatArray:
    """``y_m = u_m + a y_{m-1}`` along the months of ``u`` ``(paths, months)``, with ``a y_{-1} = carry0``.

    The first-order recursion of ``scipy.signal.lfilter([1], [1, -a], u, axis=1, zi=carry0)``
    (direct form II transposed: ``y_m = u_m + z``, ``z = a y_m``), in the same floating-point
    operations, so the numbers are the same bits; without importing ``scipy.signal`` (seconds of
    start-up). ``u`` is not written to.

    Parameters
    ----------
    u
        Input, ``(paths, months)``.
    a
        Coefficient [unitless].
    carry0
        ``a y_{-1}`` of each path, ``(paths,)``.

    Returns
    -------
    numpy.ndarray
        ``y``, ``(paths, months)``, C order.
    """
    by_month = np.ascontiguousarray(u.T)
    carry = np.array(carry0, dtype=np.float64)
    for row in by_month:  # month by month, each month's paths contiguous; rows of the copy, in place
        np.add(row, carry, out=row)
        np.multiply(row, a, out=carry)
    out: FloatArray = np.ascontiguousarray(by_month.T)
    return out


def btc_per_th_day(
    subsidy_btc_per_block: FloatArray,
    fee_share: float,
    hashrate_ths: FloatArray,
    *,
    overwrite_hashrate: bool = False,
) -> FloatArray:
    """Miner revenue [BTC per TH/s per day]: ``144 S / (1 - phi) / H``.

    The realised form ``reward / hashrate`` (:func:`wattshift.mining.hashprice.btc_per_th_day_realised`,
    DESIGN.md §3) with the day's reward = 144 blocks x subsidy grossed up by the fee share.
    ``overwrite_hashrate=True`` writes the result into ``hashrate_ths`` (no new array).
    """
    reward_btc_per_day = BLOCKS_PER_DAY * subsidy_btc_per_block / (1.0 - fee_share)
    if overwrite_hashrate:
        with np.errstate(divide="ignore", invalid="ignore"):
            in_place: FloatArray = np.divide(reward_btc_per_day[None, :], hashrate_ths, out=hashrate_ths)
        return in_place
    out: FloatArray = btc_per_th_day_realised(reward_btc_per_day[None, :], hashrate_ths)
    return out
