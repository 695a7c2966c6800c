"""Bitcoin consensus facts: block subsidy, halvings, block height by date, difficulty ↔ hashrate.

Pure functions, vectorised over NumPy arrays (and anything ``np.asarray`` accepts: lists, pandas
Series, DatetimeIndex). No I/O.

References
----------
.. [1] Bitcoin Core, ``src/validation.cpp``, ``GetBlockSubsidy``: ``nSubsidy = 50 * COIN`` shifted
   right once per ``consensus.nSubsidyHalvingInterval`` (210,000) blocks; zero once the shift
   reaches 64 (``halvings >= 64``).
.. [2] Bitcoin Core, ``src/chainparams.cpp``: ``nPowTargetSpacing = 10 * 60`` (600 s per block).
.. [3] Bitcoin Core, ``src/rpc/mining.cpp``, ``GetNetworkHashPS`` / ``GetDifficulty``: one block at
   difficulty ``D`` takes ``D * 2**32`` hashes on average (difficulty 1 = target ``0x1d00ffff``).
.. [4] Block timestamps of the halving blocks (block headers, any block explorer): 210,000 at
   2012-11-28 15:24:38 UTC; 420,000 at 2016-07-09 16:46:13 UTC; 630,000 at 2020-05-11 19:23:43 UTC;
   840,000 at 2024-04-20 00:09:27 UTC. Genesis block: 2009-01-03 18:15:05 UTC.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, overload

import numpy as np
import numpy.typing as npt
import pandas as pd

from wattshift.units import HASHES_PER_TH, TWO_POW_32

#: Satoshi per BTC (``COIN`` in Bitcoin Core).
SAT_PER_BTC = 100_000_000
#: Initial block subsidy [sat].
INITIAL_SUBSIDY_SAT = 50 * SAT_PER_BTC
#: Blocks between halvings (``nSubsidyHalvingInterval``).
HALVING_INTERVAL_BLOCKS = 210_000
#: Target block interval [s] (``nPowTargetSpacing``).
TARGET_BLOCK_SECONDS = 600.0

#: Genesis block time (UTC, naive).
GENESIS_TIME = pd.Timestamp("2009-01-03 18:15:05")

#: Observed halving blocks: height → block time (UTC, naive) [4]_.
HALVING_TIMES: Mapping[int, pd.Timestamp] = MappingProxyType(
    {
        210_000: pd.Timestamp("2012-11-28 15:24:38"),
        420_000: pd.Timestamp("2016-07-09 16:46:13"),
        630_000: pd.Timestamp("2020-05-11 19:23:43"),
        840_000: pd.Timestamp("2024-04-20 00:09:27"),
    }
)

#: Observed halvings: height → UTC date of the halving block.
HALVINGS: Mapping[int, dt.date] = MappingProxyType({h: t.date() for h, t in HALVING_TIMES.items()})

_LAST_HEIGHT, _LAST_TIME = max(HALVING_TIMES.items())
_SECONDS_PER_HALVING = HALVING_INTERVAL_BLOCKS * TARGET_BLOCK_SECONDS

#: Next halving, **estimated**: block 840,000's time + 210,000 blocks × 600 s (≈ 2028-04-17 UTC).
#: Blocks have come faster than 600 s while hashrate grew, so the real date is likely earlier.
NEXT_HALVING_HEIGHT = _LAST_HEIGHT + HALVING_INTERVAL_BLOCKS
NEXT_HALVING_TIME_ESTIMATED = _LAST_TIME + pd.Timedelta(seconds=_SECONDS_PER_HALVING)
HALVINGS_ESTIMATED: Mapping[int, dt.date] = MappingProxyType(
    {NEXT_HALVING_HEIGHT: NEXT_HALVING_TIME_ESTIMATED.date()}
)

#: Halvings until the subsidy is zero (``50 * COIN >> 33 == 0``); Core's explicit cutoff is 64.
_MAX_HALVINGS = 64

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


# --------------------------------------------------------------------------------------------------
# subsidy by height
# --------------------------------------------------------------------------------------------------
@overload
def subsidy_sat(height: int) -> int: ...
@overload
def subsidy_sat(height: npt.ArrayLike) -> IntArray: ...
def subsidy_sat(height: Any) -> Any:
    """Block subsidy [sat] at ``height``, in integer arithmetic as Bitcoin Core's ``GetBlockSubsidy``.

    Parameters
    ----------
    height
        Block height(s) [blocks], ``>= 0``.

    Returns
    -------
    int or ndarray of int64
        ``(50 * 100_000_000) >> (height // 210_000)`` [sat]; 0 once ``height // 210_000 >= 64``
        (in practice 0 from height 6,930,000, the 33rd halving, where the shift empties the value).

    Raises
    ------
    ValueError
        If a height is negative.

    References
    ----------
    Bitcoin Core ``GetBlockSubsidy`` (see module references [1]).
    """
    scalar = np.ndim(height) == 0
    heights = np.asarray(height, dtype=np.int64)
    if np.any(heights < 0):
        raise ValueError("block height must be >= 0")
    halvings = heights // HALVING_INTERVAL_BLOCKS
    shift = np.minimum(halvings, _MAX_HALVINGS - 1)
    sat = np.where(halvings >= _MAX_HALVINGS, 0, np.right_shift(np.int64(INITIAL_SUBSIDY_SAT), shift))
    if scalar:
        return int(sat)
    return sat.astype(np.int64)


@overload
def subsidy_btc(height: int) -> float: ...
@overload
def subsidy_btc(height: npt.ArrayLike) -> FloatArray: ...
def subsidy_btc(height: Any) -> Any:
    """Block subsidy [BTC] at ``height``: :func:`subsidy_sat` / 1e8 (exact in float64).

    Parameters
    ----------
    height
        Block height(s) [blocks], ``>= 0``.

    Returns
    -------
    float or ndarray of float64
        50 BTC halved every 210,000 blocks [BTC]: 6.25 for heights 630,000..839,999, 3.125 from
        840,000, 0 from 6,930,000.
    """
    sat = subsidy_sat(height)
    if isinstance(sat, int):
        return sat / SAT_PER_BTC
    return sat.astype(np.float64) / SAT_PER_BTC


# --------------------------------------------------------------------------------------------------
# by date
# --------------------------------------------------------------------------------------------------
def _to_datetime64(date: Any) -> npt.NDArray[np.datetime64]:
    """Dates / timestamps / strings → naive UTC ``datetime64[ns]`` array (tz-aware input is converted)."""
    if isinstance(date, pd.Series | pd.DatetimeIndex) and isinstance(date.dtype, pd.DatetimeTZDtype):
        return pd.DatetimeIndex(date).tz_convert(None).to_numpy(dtype="datetime64[ns]")
    arr = np.atleast_1d(np.asarray(date))
    if np.issubdtype(arr.dtype, np.datetime64):  # naive datetime64 = UTC already: no parsing
        return arr.astype("datetime64[ns]")
    idx = pd.DatetimeIndex(pd.to_datetime(np.atleast_1d(np.asarray(date, dtype=object)), utc=True))
    return idx.tz_convert(None).to_numpy(dtype="datetime64[ns]")


def _halving_times_ns(n_halvings: int) -> npt.NDArray[np.int64]:
    """Times [ns since epoch] of halvings 1..n: observed ones, then estimated at 600 s per block."""
    observed = [t.value for _, t in sorted(HALVING_TIMES.items())]
    step_ns = int(_SECONDS_PER_HALVING * 1e9)
    extra = [_LAST_TIME.value + k * step_ns for k in range(1, n_halvings - len(observed) + 1)]
    return np.asarray(observed + extra, dtype=np.int64)


# Enough halving times to reach a zero subsidy (33 halvings ≈ year 2140).
_HALVING_NS = _halving_times_ns(34)
_DAY_NS = 86_400 * 10**9


def subsidy_btc_on(date: Any) -> Any:
    """Mean block subsidy [BTC] of the blocks expected on each UTC calendar day.

    Parameters
    ----------
    date
        A date, timestamp or string, or an array / Series / DatetimeIndex of them (UTC days; any time
        of day is ignored: the whole UTC day is used).

    Returns
    -------
    float or ndarray of float64
        The subsidy of the day [BTC]; NaN for days before the genesis block (2009-01-03).

    Notes
    -----
    Convention on a halving day: the **time-weighted mean** of the old and the new subsidy, split at
    the halving block's timestamp, i.e. ``f * S_old + (1 - f) * S_new`` with ``f`` = fraction of the
    UTC day before the block. On 2024-04-20 (block 840,000 at 00:09:27 UTC) that is 3.1455 BTC; on
    2012-11-28 (15:24:38 UTC) 41.05 BTC. Days after the last observed halving use the halving
    schedule estimated at 600 s per block (:data:`NEXT_HALVING_TIME_ESTIMATED`).
    Coin Metrics' realised ``IssTotNtv / BlkCnt`` on halving days differs from this expectation by
    up to ~3 % (2016-07-09), because blocks do not arrive evenly through a day; on every other day
    it equals the schedule exactly (``tests/test_chain.py``).
    """
    scalar = np.ndim(date) == 0
    start_ns = _to_datetime64(date).astype("datetime64[D]").astype("datetime64[ns]").astype(np.int64)
    end_ns = start_ns + _DAY_NS
    # Halvings completed before the day starts / ends.
    n_start = np.searchsorted(_HALVING_NS, start_ns, side="right")
    n_end = np.searchsorted(_HALVING_NS, end_ns, side="right")
    s_old = subsidy_btc(n_start.astype(np.int64) * HALVING_INTERVAL_BLOCKS)
    s_new = subsidy_btc(n_end.astype(np.int64) * HALVING_INTERVAL_BLOCKS)
    # Fraction of the day before a halving that falls inside the day (only one halving per day).
    inside = n_end > n_start
    t_half = _HALVING_NS[np.minimum(n_start, len(_HALVING_NS) - 1)]
    frac_before = np.where(inside, (t_half - start_ns) / _DAY_NS, 1.0)
    subsidy = frac_before * s_old + (1.0 - frac_before) * s_new
    genesis_day = GENESIS_TIME.normalize().value
    subsidy = np.where(start_ns < genesis_day, np.nan, subsidy)
    return float(subsidy[0]) if scalar else subsidy


def block_height_estimate(date: Any) -> Any:
    """Estimated block height at a time: piecewise linear between known blocks, then 600 s per block.

    Parameters
    ----------
    date
        Timestamp(s) (UTC; a bare date means 00:00 UTC of that day): scalar, array, Series or
        DatetimeIndex.

    Returns
    -------
    float or ndarray of float64
        Height [blocks], interpolated between the genesis block and the halving blocks (whose times
        are known), extrapolated at 600 s per block after block 840,000; NaN before the genesis block.
        An estimate: real block times vary (the 2009–2012 epoch was slower, recent ones faster).
    """
    scalar = np.ndim(date) == 0
    t_ns = _to_datetime64(date).astype(np.int64).astype(np.float64)
    anchors_t = np.asarray(
        [GENESIS_TIME.value] + [t.value for _, t in sorted(HALVING_TIMES.items())], dtype=np.float64
    )
    anchors_h = np.asarray([0.0] + [float(h) for h in sorted(HALVING_TIMES)], dtype=np.float64)
    height = np.interp(t_ns, anchors_t, anchors_h)
    after = t_ns > anchors_t[-1]
    height = np.where(after, anchors_h[-1] + (t_ns - anchors_t[-1]) / 1e9 / TARGET_BLOCK_SECONDS, height)
    height = np.where(t_ns < anchors_t[0], np.nan, height)
    return float(height[0]) if scalar else height


# --------------------------------------------------------------------------------------------------
# difficulty ↔ hashrate
# --------------------------------------------------------------------------------------------------
def difficulty_to_hashrate_ths(difficulty: Any) -> Any:
    """Network hashrate [TH/s] implied by ``difficulty`` at one block per 600 s.

    ``hashrate = D * 2**32 / 600 / 1e12`` (one block at difficulty D takes D·2^32 hashes [3]_).

    Parameters
    ----------
    difficulty
        Difficulty [unitless]: scalar, array or Series.

    Returns
    -------
    float or ndarray or Series (same shape as the input)
        Hashrate [TH/s].
    """
    return difficulty * TWO_POW_32 / TARGET_BLOCK_SECONDS / HASHES_PER_TH


def hashrate_ths_to_difficulty(hashrate_ths: Any) -> Any:
    """Difficulty [unitless] at which ``hashrate_ths`` finds one block per 600 s.

    Inverse of :func:`difficulty_to_hashrate_ths`: ``D = H * 1e12 * 600 / 2**32``.

    Parameters
    ----------
    hashrate_ths
        Hashrate [TH/s].

    Returns
    -------
    float or ndarray or Series
        Difficulty [unitless].
    """
    return hashrate_ths * HASHES_PER_TH * TARGET_BLOCK_SECONDS / TWO_POW_32
