"""Daily mining economics from the canonical BTC daily frame (one row per day).

Which hashprice
---------------
The frame uses the **expected form**: ``86400e12 * (S + F) / (D * 2**32)`` BTC per TH/s per day,
with D the day's mean difficulty, S the consensus subsidy of the day
(:func:`wattshift.chain.subsidy_btc_on`) and F the day's mean fees per block. It is what an FPPS
pool pays for a TH/s (Hashrate Index methodology), it does not depend on the day's block luck, and
it halves exactly at a halving. The **realised form** ``(issuance_btc + fees_btc) / hashrate_ths``
agrees with it to 1e-9 on every day of the Coin Metrics history except the four halving days
(Coin Metrics' ``HashRate`` is itself derived from blocks × difficulty), and it is used as the
fallback on days without a difficulty (the Coin Metrics extension file has no block count, so no
difficulty): :func:`hashprice_source` says which form each day used. On 2024-04-01 both give
108.62 USD/PH/day against Luxor's published 108.6.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from wattshift.chain import subsidy_btc_on
from wattshift.mining.cost import CostAssumptions
from wattshift.mining.economics import ECONOMICS_VALUE_KEYS, economics_values
from wattshift.mining.hashprice import btc_per_th_day, btc_per_th_day_realised
from wattshift.units import TH_PER_PH, ehs_to_ths

FloatArray = npt.NDArray[np.float64]
HashpriceForm = Literal["expected", "realised", "missing"]

#: Columns of :func:`economics_frame`, in order.
ECONOMICS_COLUMNS: tuple[str, ...] = (
    "date",
    "price_usd",
    "difficulty",
    "hashrate_ehs",
    "fees_btc_per_block",
    *ECONOMICS_VALUE_KEYS,
)

_REQUIRED = ("date", "price_usd", "difficulty", "hashrate_ehs", "blocks", "fees_btc")


def _col(frame: pd.DataFrame, name: str) -> FloatArray:
    if name not in frame.columns:
        return np.full(len(frame), np.nan)
    return frame[name].to_numpy(dtype=np.float64, na_value=np.nan)


def _check(frame: pd.DataFrame) -> None:
    missing = [c for c in _REQUIRED if c not in frame.columns]
    if missing:
        raise ValueError(f"btc_daily lacks the column(s) {missing} of the BTC daily frame")


def network_btc_per_th_day(
    btc_daily: pd.DataFrame, *, fallback_to_realised: bool = True
) -> tuple[FloatArray, npt.NDArray[np.str_]]:
    """BTC per TH/s per day of each day, and the form used ("expected", "realised" or "missing").

    Parameters
    ----------
    btc_daily
        BTC daily frame (``wattshift.data.schema.BTC_DAILY_COLUMNS``; uses date, difficulty, blocks,
        fees_btc, hashrate_ehs, and for the fallback issuance_btc, price_usd, revenue_usd).
    fallback_to_realised
        Where the expected form cannot be computed (no difficulty or no block count), use the
        realised form ``(issuance_btc + fees_btc) / hashrate_ths``, or
        ``revenue_usd / price_usd / hashrate_ths`` when BTC amounts are missing.

    Returns
    -------
    (ndarray, ndarray of str)
        [BTC/TH/day] per day (NaN when neither form can be computed) and the form per day.

    Raises
    ------
    ValueError
        If a required column is missing.
    """
    _check(btc_daily)
    difficulty = _col(btc_daily, "difficulty")
    blocks = _col(btc_daily, "blocks")
    with np.errstate(divide="ignore", invalid="ignore"):
        fees_per_block = np.where(blocks > 0, _col(btc_daily, "fees_btc") / blocks, np.nan)
    dates = btc_daily["date"].to_numpy(dtype="datetime64[ns]")
    subsidy = np.asarray(subsidy_btc_on(dates), dtype=np.float64) if len(dates) else np.empty(0)
    expected = btc_per_th_day(difficulty, subsidy, fees_per_block)
    expected = np.where(np.isfinite(expected) & (difficulty > 0), expected, np.nan)
    form = np.where(np.isfinite(expected), "expected", "missing")
    if not fallback_to_realised:
        return expected, form
    reward_btc = _col(btc_daily, "issuance_btc") + _col(btc_daily, "fees_btc")
    with np.errstate(divide="ignore", invalid="ignore"):
        reward_from_usd = _col(btc_daily, "revenue_usd") / _col(btc_daily, "price_usd")
    reward_btc = np.where(np.isfinite(reward_btc), reward_btc, reward_from_usd)
    hashrate_ths = ehs_to_ths(_col(btc_daily, "hashrate_ehs"))
    realised = btc_per_th_day_realised(reward_btc, np.where(hashrate_ths > 0, hashrate_ths, np.nan))
    use_realised = ~np.isfinite(expected) & np.isfinite(realised)
    values = np.where(use_realised, realised, expected)
    form = np.where(use_realised, "realised", form)
    return values, form


def hashprice_source(btc_daily: pd.DataFrame) -> pd.Series:
    """Which hashprice form each day uses: "expected", "realised" (no difficulty) or "missing".

    Parameters
    ----------
    btc_daily
        BTC daily frame.

    Returns
    -------
    pandas.Series of str
        Indexed like ``btc_daily``.
    """
    _, form = network_btc_per_th_day(btc_daily)
    return pd.Series(form, index=btc_daily.index, name="hashprice_form", dtype="str")


def hashprice_usd_per_th_day(btc_daily: pd.DataFrame) -> pd.Series:
    """Hashprice of each day [USD/TH/day] (expected form, realised fallback; before pool fee).

    Parameters
    ----------
    btc_daily
        BTC daily frame.

    Returns
    -------
    pandas.Series of float64
        Indexed like ``btc_daily``; NaN before prices exist (2010-07-18).
    """
    values, _ = network_btc_per_th_day(btc_daily)
    hp = values * _col(btc_daily, "price_usd")
    return pd.Series(hp, index=btc_daily.index, name="hashprice_usd_per_th_day", dtype=np.float64)


def hashprice_realised_usd_per_ph_day(btc_daily: pd.DataFrame) -> pd.Series:
    """Realised hashprice [USD/PH/day] = revenue_usd / hashrate [PH/s] (``signals.md`` cross-check).

    Parameters
    ----------
    btc_daily
        BTC daily frame (revenue_usd, hashrate_ehs).

    Returns
    -------
    pandas.Series of float64
        Indexed like ``btc_daily``.
    """
    hashrate_phs = ehs_to_ths(_col(btc_daily, "hashrate_ehs")) / TH_PER_PH
    with np.errstate(divide="ignore", invalid="ignore"):
        hp = _col(btc_daily, "revenue_usd") / np.where(hashrate_phs > 0, hashrate_phs, np.nan)
    return pd.Series(hp, index=btc_daily.index, name="hashprice_realised_usd_per_ph_day", dtype=np.float64)


def economics_frame(
    btc_daily: pd.DataFrame,
    *,
    efficiency_j_per_th: float | FloatArray,
    power_usd_per_kwh: float | FloatArray,
    assumptions: CostAssumptions,
    fallback_to_realised: bool = True,
) -> pd.DataFrame:
    """Mining economics of each day for a machine of ``efficiency_j_per_th`` at ``power_usd_per_kwh``.

    Parameters
    ----------
    btc_daily
        BTC daily frame, one row per day.
    efficiency_j_per_th, power_usd_per_kwh
        Machine (or fleet) efficiency [J/TH] and power price at the meter [USD/kWh]: each a scalar
        or one value per day.
    assumptions
        Pool fee, uptime, PUE, opex, capex, life (:class:`~wattshift.mining.cost.CostAssumptions`;
        the services build it from :class:`wattshift.config.mining.MiningAssumptions`).
    fallback_to_realised
        Use the realised hashprice on days without difficulty (see :func:`network_btc_per_th_day`).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`ECONOMICS_COLUMNS`, with the index of ``btc_daily``:

        - ``price_usd`` [USD/BTC], ``difficulty`` [unitless], ``hashrate_ehs`` [EH/s] (inputs);
        - ``fees_btc_per_block`` [BTC/block] = fees_btc / blocks;
        - ``hashprice_usd_per_ph_day`` [USD/PH/day] and ``btc_per_ph_day`` [BTC/PH/day], before pool fee;
        - ``energy_kwh_per_btc`` [kWh/BTC] at the meter (× PUE);
        - ``energy_cost_usd_per_btc`` [USD/BTC] = kWh/BTC × USD/kWh;
        - ``all_in_cost_usd_per_btc`` [USD/BTC]: energy + opex + SG&A + depreciation, after pool fee
          (= the all-in breakeven BTC price);
        - ``breakeven_power_usd_per_kwh`` [USD/kWh]: revenue after pool fee = energy cost;
        - ``breakeven_price_usd`` [USD/BTC]: cash breakeven (energy + opex + SG&A, after pool fee);
        - ``mining_value_usd_per_mwh`` [USD/MWh] of site energy, after pool fee.

    Raises
    ------
    ValueError
        If a required column is missing or an array argument has the wrong length.
    """
    n = len(btc_daily)
    eff = _per_day(efficiency_j_per_th, n, "efficiency_j_per_th")
    power = _per_day(power_usd_per_kwh, n, "power_usd_per_kwh")
    btc_th_day, _ = network_btc_per_th_day(btc_daily, fallback_to_realised=fallback_to_realised)
    inputs = {
        "date": btc_daily["date"].to_numpy(dtype="datetime64[ns]"),
        "price_usd": _col(btc_daily, "price_usd"),
        "difficulty": _col(btc_daily, "difficulty"),
        "hashrate_ehs": _col(btc_daily, "hashrate_ehs"),
        "fees_btc_per_block": _fees_per_block(btc_daily),
    }
    derived = economics_values(btc_th_day, inputs["price_usd"], eff, power, assumptions)
    return pd.DataFrame(inputs | derived, index=btc_daily.index)


def _fees_per_block(btc_daily: pd.DataFrame) -> FloatArray:
    """Mean fees per block [BTC/block] = fees_btc / blocks (NaN on days without blocks)."""
    blocks = _col(btc_daily, "blocks")
    with np.errstate(divide="ignore", invalid="ignore"):
        fees: FloatArray = np.where(blocks > 0, _col(btc_daily, "fees_btc") / blocks, np.nan)
    return fees


def _per_day(value: float | FloatArray, n: int, name: str) -> FloatArray:
    arr = np.asarray(value, dtype=np.float64)
    if arr.ndim == 0:
        return np.full(n, float(arr))
    if arr.shape != (n,):
        raise ValueError(f"{name} has {arr.shape[0] if arr.ndim else 1} values for {n} days")
    return arr
