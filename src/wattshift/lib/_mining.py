"""Hashprice and cost per BTC from plain numbers, NumPy arrays or pandas Series (no warehouse).

Thin wrappers over the pure formulas of :mod:`wattshift.mining` with the sourced defaults of
:class:`wattshift.config.mining.MiningAssumptions`. The block subsidy is taken from the halving
schedule (:func:`wattshift.chain.subsidy_btc_on`) for ``date``, or from the DatetimeIndex of a
Series argument, unless ``subsidy_btc`` is given.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from wattshift.chain import subsidy_btc_on
from wattshift.config.mining import MiningAssumptions
from wattshift.mining import btc_per_th_day, cost_components_usd_per_btc, energy_kwh_per_btc
from wattshift.mining.hashprice import breakeven_power_usd_per_kwh, mining_value_usd_per_mwh
from wattshift.services.mining import cost_assumptions
from wattshift.units import TH_PER_PH

#: A number, an array or a Series; results keep the kind of ``difficulty``.
Numbers = Any


def _subsidy(difficulty: Numbers, subsidy_btc: Numbers | None, date: Any) -> Numbers:
    """Subsidy per block [BTC]: given, of ``date``, or of each day of ``difficulty``'s DatetimeIndex."""
    if subsidy_btc is not None:
        return subsidy_btc
    if date is not None:
        return subsidy_btc_on(date)
    if isinstance(difficulty, pd.Series) and isinstance(difficulty.index, pd.DatetimeIndex):
        index = difficulty.index
        days = index.tz_convert("UTC").tz_localize(None) if index.tz is not None else index
        return pd.Series(np.asarray(subsidy_btc_on(days.to_numpy()), dtype=np.float64), index=index)
    raise ValueError("give subsidy_btc, a date, or difficulty as a Series with a DatetimeIndex of UTC days")


def btc_per_ph_day(
    difficulty: Numbers,
    *,
    fees_btc_per_block: Numbers = 0.0,
    subsidy_btc: Numbers | None = None,
    date: Any = None,
) -> Numbers:
    """Expected BTC earned per PH/s per day, before pool fee [BTC/PH/day].

    ``86400 * 1e15 * (S + F) / (D * 2**32)`` (Bitcoin Core ``GetNetworkHashPS``; DESIGN §3).

    Parameters
    ----------
    difficulty
        Network difficulty D [unitless]: a number, an array or a Series.
    fees_btc_per_block
        Mean transaction fees per block F [BTC/block].
    subsidy_btc
        Block subsidy S [BTC/block]; default: the halving schedule's for ``date`` or for each day of
        ``difficulty``'s DatetimeIndex.
    date
        UTC day(s) of the subsidy when ``subsidy_btc`` is not given.
    """
    subsidy = _subsidy(difficulty, subsidy_btc, date)
    return btc_per_th_day(difficulty, subsidy, fees_btc_per_block) * TH_PER_PH


def hashprice_usd_per_ph_day(
    difficulty: Numbers,
    price_usd: Numbers,
    *,
    fees_btc_per_block: Numbers = 0.0,
    subsidy_btc: Numbers | None = None,
    date: Any = None,
) -> Numbers:
    """Hashprice [USD/PH/day]: expected BTC per PH/s per day × BTC price (Hashrate Index methodology).

    Parameters
    ----------
    difficulty, fees_btc_per_block, subsidy_btc, date
        As in :func:`btc_per_ph_day`.
    price_usd
        BTC price [USD/BTC].
    """
    per_ph = btc_per_ph_day(
        difficulty, fees_btc_per_block=fees_btc_per_block, subsidy_btc=subsidy_btc, date=date
    )
    return per_ph * price_usd


@dataclass(frozen=True)
class CostPerBtc:
    """Cost of one BTC and the breakevens of a machine, each of the kind given (number, array, Series).

    Attributes
    ----------
    energy_kwh
        Site energy per BTC [kWh/BTC] (PUE included).
    energy_usd, cash_usd, all_in_usd
        Energy-only, cash (energy + opex + SG&A, after pool fee) and all-in (adds depreciation) cost
        per BTC received [USD/BTC] (CoinShares' Mining Report definitions).
    breakeven_power_usd_per_kwh
        Power price at which revenue after pool fee pays the energy [USD/kWh].
    mining_value_usd_per_mwh
        Mining revenue per MWh of site energy [USD/MWh].
    assumptions
        Pool fee, uptime, PUE, opex, capex and life used.
    """

    energy_kwh: Numbers
    energy_usd: Numbers
    cash_usd: Numbers
    all_in_usd: Numbers
    breakeven_power_usd_per_kwh: Numbers
    mining_value_usd_per_mwh: Numbers
    assumptions: MiningAssumptions


def cost_per_btc(
    difficulty: Numbers,
    price_usd: Numbers,
    *,
    efficiency_j_per_th: Numbers,
    power_usd_per_kwh: Numbers,
    fees_btc_per_block: Numbers = 0.0,
    subsidy_btc: Numbers | None = None,
    date: Any = None,
    assumptions: MiningAssumptions | None = None,
) -> CostPerBtc:
    """Energy, cash and all-in cost per BTC of a machine, and its breakeven power price.

    Same formulas and defaults as ``wattshift mining`` (DESIGN §3;
    :func:`wattshift.mining.cost_components_usd_per_btc`).

    Parameters
    ----------
    difficulty, price_usd, fees_btc_per_block, subsidy_btc, date
        As in :func:`hashprice_usd_per_ph_day`.
    efficiency_j_per_th
        Machine efficiency e [J/TH].
    power_usd_per_kwh
        Power price at the meter p [USD/kWh].
    assumptions
        Pool fee, uptime, PUE, opex, SG&A, capex and life; default
        :class:`~wattshift.config.mining.MiningAssumptions` (each default with its source).
    """
    used = assumptions if assumptions is not None else MiningAssumptions()
    spec = cost_assumptions(used)
    per_th = btc_per_ph_day(
        difficulty, fees_btc_per_block=fees_btc_per_block, subsidy_btc=subsidy_btc, date=date
    )
    per_th = per_th / TH_PER_PH
    parts = cost_components_usd_per_btc(per_th, efficiency_j_per_th, power_usd_per_kwh, spec)
    hashprice_th = per_th * price_usd
    return CostPerBtc(
        energy_kwh=energy_kwh_per_btc(per_th, efficiency_j_per_th, pue=used.pue),
        energy_usd=parts["energy"],
        cash_usd=parts["cash"],
        all_in_usd=parts["all_in"],
        breakeven_power_usd_per_kwh=breakeven_power_usd_per_kwh(
            hashprice_th, efficiency_j_per_th, pue=used.pue, pool_fee=used.pool_fee
        ),
        mining_value_usd_per_mwh=mining_value_usd_per_mwh(
            hashprice_th, efficiency_j_per_th, pue=used.pue, pool_fee=used.pool_fee
        ),
        assumptions=used,
    )
