"""Revenue side of mining: BTC per TH/s per day, hashprice, mining value of a MWh, breakeven power price.

All functions are pure and vectorised: each argument may be a float, a NumPy array or a pandas Series
(broadcast together); the result has the kind of the first array-like argument.

Notation (as in ``signals.md``, "Mining economics formulas"): D difficulty, S block subsidy [BTC],
F mean fees per block [BTC], P BTC price [USD], e efficiency [J/TH], p power price [USD/kWh].

References
----------
.. [1] Bitcoin Core ``GetDifficulty`` / ``GetNetworkHashPS``: a block at difficulty D takes D·2^32
   hashes on average, so 1 TH/s finds ``86400 * 1e12 / (D * 2**32)`` blocks per day.
.. [2] Hashrate Index (Luxor), "Methodology: Hashprice (USD/TH/s/Day)", hashrateindex.com/methodology:
   hashprice is the expected FPPS value of a unit of hashrate per day (block subsidy + fees) × price.
.. [3] Coin Metrics community data: ``HashRate`` [TH/s] is itself estimated from blocks and difficulty,
   so the realised form ``revenue / HashRate`` equals the expected form whenever the subsidy of the day
   is the realised one (checked in ``tests/test_mining.py``).
"""

from __future__ import annotations

from wattshift.mining._types import Values, quiet_division
from wattshift.units import HASHES_PER_TH, HOURS_PER_DAY, SECONDS_PER_DAY, TWO_POW_32, W_PER_KW, W_PER_MW

#: kWh per (J/TH · TH/s · day) = 24 h / 1000: one TH/s at e J/TH draws e W, i.e. e·0.024 kWh per day.
KWH_PER_DAY_PER_W = HOURS_PER_DAY / W_PER_KW
#: MWh per (J/TH · TH/s · day) = 24 h / 1e6.
MWH_PER_DAY_PER_W = HOURS_PER_DAY / W_PER_MW


def btc_per_th_day(
    difficulty: Values, subsidy_btc: Values | float, fees_btc_per_block: Values | float
) -> Values:
    """Expected BTC earned per TH/s per day (before pool fee).

    ``86400 * 1e12 * (S + F) / (D * 2**32)`` [1]_.

    Parameters
    ----------
    difficulty
        Network difficulty D [unitless].
    subsidy_btc
        Block subsidy S [BTC/block] (:func:`wattshift.chain.subsidy_btc_on` for a day).
    fees_btc_per_block
        Mean transaction fees per block F [BTC/block].

    Returns
    -------
    Values
        BTC per (TH/s) per day [BTC/TH/day]; inf where D is 0, NaN where an input is NaN.
    """
    with quiet_division():
        return (
            SECONDS_PER_DAY * HASHES_PER_TH * (subsidy_btc + fees_btc_per_block) / (difficulty * TWO_POW_32)
        )


def btc_per_th_day_realised(reward_btc: Values, hashrate_ths: Values | float) -> Values:
    """Realised BTC per TH/s per day: all the day's miner revenue over the day's network hashrate.

    ``(issuance_btc + fees_btc) / hashrate_ths`` [3]_.

    Parameters
    ----------
    reward_btc
        BTC paid to miners that day, subsidy plus fees [BTC/day].
    hashrate_ths
        Network hashrate that day [TH/s].

    Returns
    -------
    Values
        [BTC/TH/day]; NaN where the hashrate is 0 or missing.
    """
    with quiet_division():
        out: Values = reward_btc / hashrate_ths
    return out


def hashprice_usd_per_th_day_from(btc_per_th_day_: Values, price_usd: Values | float) -> Values:
    """Hashprice [USD/TH/day] = BTC per TH/s per day × BTC price [2]_.

    Parameters
    ----------
    btc_per_th_day_
        [BTC/TH/day] (:func:`btc_per_th_day`).
    price_usd
        BTC price [USD/BTC].

    Returns
    -------
    Values
        Hashprice [USD/TH/day] (× 1000 for the industry's USD/PH/day).
    """
    return btc_per_th_day_ * price_usd


def mining_value_usd_per_mwh(
    hashprice_usd_per_th_day: Values,
    efficiency_j_per_th: Values | float,
    *,
    pue: float = 1.0,
    pool_fee: float = 0.0,
) -> Values:
    """Mining revenue earned per MWh of site energy [USD/MWh].

    ``hashprice [USD/TH/day] * (1 - pool_fee) / (e * 24e-6 * PUE)``: one TH/s at e J/TH uses
    ``e * 24e-6`` MWh per day at the machine, ``× PUE`` at the meter (``signals.md``; with the
    defaults ``pue=1, pool_fee=0`` it is exactly the formula sheet's ``hashprice / (e * 24e-6)``).

    Parameters
    ----------
    hashprice_usd_per_th_day
        [USD/TH/day].
    efficiency_j_per_th
        Machine efficiency e [J/TH] (= W per TH/s).
    pue
        Power usage effectiveness [ratio ≥ 1]: site energy / machine energy.
    pool_fee
        Pool fee [fraction of revenue].

    Returns
    -------
    Values
        [USD/MWh] of site energy. Comparable directly with a power price in USD/MWh: mining pays for
        its energy when this exceeds the price.
    """
    with quiet_division():
        out: Values = (
            hashprice_usd_per_th_day * (1.0 - pool_fee) / (efficiency_j_per_th * MWH_PER_DAY_PER_W * pue)
        )
    return out


def breakeven_power_usd_per_kwh(
    hashprice_usd_per_th_day: Values,
    efficiency_j_per_th: Values | float,
    *,
    pue: float = 1.0,
    pool_fee: float = 0.0,
) -> Values:
    """Power price at which a machine's revenue (after pool fee) just pays its energy [USD/kWh].

    ``hashprice [USD/TH/day] * (1 - pool_fee) / (0.024 * e * PUE)`` (``signals.md``; DESIGN §3).
    Equal to :func:`mining_value_usd_per_mwh` / 1000. At this price the energy cost per BTC
    (:func:`wattshift.mining.cost.energy_cost_usd_per_btc`) equals ``P * (1 - pool_fee)``.

    Parameters
    ----------
    hashprice_usd_per_th_day
        [USD/TH/day].
    efficiency_j_per_th
        e [J/TH].
    pue
        [ratio ≥ 1].
    pool_fee
        [fraction].

    Returns
    -------
    Values
        Breakeven (energy-only, "shut-down") power price [USD/kWh].
    """
    with quiet_division():
        out: Values = (
            hashprice_usd_per_th_day * (1.0 - pool_fee) / (KWH_PER_DAY_PER_W * efficiency_j_per_th * pue)
        )
    return out
