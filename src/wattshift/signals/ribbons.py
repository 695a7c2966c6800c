"""Hash Ribbons (Charles Edwards, Capriole, 2019): miner capitulation and the buy that follows it.

Daily state (:func:`hash_ribbons`) and the table of capitulation episodes
(:func:`ribbon_episodes`). Definitions, with the published dates they reproduce, are in
``signals.md``:

1. ``hr30 = SMA30(hash rate)``, ``hr60 = SMA60(hash rate)`` - simple, daily, calendar days;
2. capitulation while ``hr30 < hr60``; "recovering" while in capitulation with ``hr30`` rising;
3. recovery: ``hr30`` back at or above ``hr60``;
4. buy: the first day on or after a recovery (and before the next capitulation) on which
   ``SMA10(price) > SMA20(price)`` - a state test, one buy per capitulation episode;
5. capitulations broken by a recovery of at most ``merge_gap_days`` days are one episode.

Buys in a merged episode (the rule, stated once): a buy that fires during a whipsaw recovery stands
(it was signalled on that day with what was known then) and is the episode's *early buy*. When
capitulation resumes within ``merge_gap_days`` the episode goes on and its buy is re-armed, so the
buy test after the episode's *final* recovery fires too: that is the episode's ``buy``. Both are buy
days of :func:`hash_ribbons` (and of the backtest); ``last_buy`` is the latest of either. Examples on
the shared data: the 2025-01-31 episode has an early buy on 2025-02-02 and no buy after its final
recovery of 2025-02-07 (the price test fails until the next capitulation, 2025-03-17); the
2025-11-25 episode has an early buy on 2026-01-04 and its buy on 2026-03-05, after the final
recovery of 2026-02-26.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from wattshift.signals._frame import daily_series_frame
from wattshift.signals.backtest import DEFAULT_HORIZONS_DAYS, forward_returns

#: Hash-rate moving averages [days].
HASHRATE_FAST_DAYS = 30
HASHRATE_SLOW_DAYS = 60
#: Price moving averages of the buy test [days].
PRICE_FAST_DAYS = 10
PRICE_SLOW_DAYS = 20
#: A recovery lasting at most this many days before capitulation resumes is a whipsaw [days].
MERGE_GAP_DAYS = 2

STATE_CAPITULATION = "capitulation"
STATE_RECOVERING = "recovering"
STATE_RECOVERED = "recovered"


def hash_ribbons(
    btc_daily: pd.DataFrame,
    *,
    hashrate_fast_days: int = HASHRATE_FAST_DAYS,
    hashrate_slow_days: int = HASHRATE_SLOW_DAYS,
    price_fast_days: int = PRICE_FAST_DAYS,
    price_slow_days: int = PRICE_SLOW_DAYS,
    merge_gap_days: int = MERGE_GAP_DAYS,
    use_previous_day_hashrate: bool = False,
) -> pd.DataFrame:
    """Hash Ribbons state per day.

    Every column on day ``d`` uses data up to ``d`` only (the frame never looks ahead): a
    recovery that later proves to be a whipsaw is ``recovered`` while it lasts, and the merge only
    shows once capitulation resumes (``episode_start`` then keeps the earlier start).

    Parameters
    ----------
    btc_daily
        BTC daily frame; uses ``date``, ``hashrate_ehs`` [EH/s] and ``price_usd`` [USD].
    hashrate_fast_days, hashrate_slow_days
        Windows of the hash-rate simple moving averages [days] (30 and 60).
    price_fast_days, price_slow_days
        Windows of the price simple moving averages of the buy test [days] (10 and 20).
    merge_gap_days
        Capitulations separated by a recovery of at most this many days are one episode
        (0 disables merging) [days].
    use_previous_day_hashrate
        Use yesterday's hash rate on each day (Capriole's script does): dates shift by one day.

    Returns
    -------
    pandas.DataFrame
        One row per calendar day: ``date``, ``price_usd``, ``hashrate_sma_fast_ehs``,
        ``hashrate_sma_slow_ehs`` [EH/s], ``price_sma_fast_usd``, ``price_sma_slow_usd`` [USD],
        ``capitulation`` (nullable boolean), ``state`` (``capitulation``, ``recovering``,
        ``recovered``; missing in the warm-up), ``since`` (start of the current state's episode:
        the capitulation start - merged - while in capitulation or recovering, the recovery date
        while recovered), ``episode_start`` (start of the latest capitulation episode),
        ``buy`` (bool), ``last_buy`` (date of the latest buy up to the day).

    Raises
    ------
    DataError
        If a column is missing or dates repeat.

    References
    ----------
    .. [1] C. Edwards, "Hash Ribbons", Capriole Investments, 2019 (updated 2020, 2022).
    """
    data = daily_series_frame(btc_daily, ["hashrate_ehs", "price_usd"], name="btc_daily")
    hashrate_ehs = data["hashrate_ehs"].shift(1) if use_previous_day_hashrate else data["hashrate_ehs"]
    fast = hashrate_ehs.rolling(hashrate_fast_days, min_periods=hashrate_fast_days).mean()
    slow = hashrate_ehs.rolling(hashrate_slow_days, min_periods=hashrate_slow_days).mean()
    price_usd = data["price_usd"]
    price_fast = price_usd.rolling(price_fast_days, min_periods=price_fast_days).mean()
    price_slow = price_usd.rolling(price_slow_days, min_periods=price_slow_days).mean()

    fast_v = fast.to_numpy()
    slow_v = slow.to_numpy()
    valid = ~(np.isnan(fast_v) | np.isnan(slow_v))
    capitulation = valid & (fast_v < slow_v)
    rising = np.zeros(len(fast_v), dtype=bool)
    rising[1:] = fast_v[1:] > fast_v[:-1]
    momentum = (price_fast > price_slow).to_numpy()

    columns = _walk_states(
        valid, capitulation, rising, momentum, pd.DatetimeIndex(data.index), merge_gap_days
    )
    cap_col = pd.array(capitulation, dtype="boolean")
    cap_col[~valid] = pd.NA
    return pd.DataFrame(
        {
            "date": data.index,
            "price_usd": price_usd.to_numpy(),
            "hashrate_sma_fast_ehs": fast_v,
            "hashrate_sma_slow_ehs": slow_v,
            "price_sma_fast_usd": price_fast.to_numpy(),
            "price_sma_slow_usd": price_slow.to_numpy(),
            "capitulation": cap_col,
            **columns,
        }
    )


def _walk_states(
    valid: np.ndarray,
    capitulation: np.ndarray,
    rising: np.ndarray,
    momentum: np.ndarray,
    dates: pd.DatetimeIndex,
    merge_gap_days: int,
) -> dict[str, object]:
    """Day-by-day state machine of :func:`hash_ribbons` (causal: day ``i`` sees days ``<= i``)."""
    n = len(valid)
    state = np.full(n, None, dtype=object)
    since = np.full(n, -1, dtype=np.int64)
    episode = np.full(n, -1, dtype=np.int64)
    buy = np.zeros(n, dtype=bool)
    last_buy = np.full(n, -1, dtype=np.int64)

    episode_start = -1  # index of the current (merged) capitulation start
    recovery = -1  # index of the latest recovery
    run_start = -1  # index of the first day of the current valid run
    bought = False
    in_capitulation = False
    latest_buy = -1
    for i in range(n):
        if not valid[i]:
            # warm-up or a hole in the data: the state is unknown and episodes restart
            episode_start, recovery, run_start, bought, in_capitulation = -1, -1, -1, False, False
            last_buy[i] = latest_buy
            continue
        if run_start < 0:
            run_start = i
        if capitulation[i]:
            if not in_capitulation:
                whipsaw = episode_start >= 0 and recovery >= 0 and i - recovery <= merge_gap_days
                if not whipsaw:
                    episode_start = i
                # a new episode, or a whipsaw merged into the current one: the next recovery gets a buy
                bought = False
                in_capitulation = True
            state[i] = STATE_RECOVERING if rising[i] else STATE_CAPITULATION
            since[i] = episode_start
        else:
            if in_capitulation:
                recovery = i
                in_capitulation = False
            state[i] = STATE_RECOVERED
            since[i] = recovery if recovery >= 0 else run_start
            if episode_start >= 0 and not bought and momentum[i]:
                buy[i], bought, latest_buy = True, True, i
        episode[i] = episode_start
        last_buy[i] = latest_buy

    return {
        "state": pd.array(state, dtype="string"),
        "since": _index_dates(since, dates),
        "episode_start": _index_dates(episode, dates),
        "buy": buy,
        "last_buy": _index_dates(last_buy, dates),
    }


def _index_dates(index: np.ndarray, dates: pd.DatetimeIndex) -> pd.DatetimeIndex:
    """``dates[index]`` per day, NaT where ``index`` is -1 (no such day)."""
    n = len(dates)
    picked = dates[np.clip(index, 0, max(n - 1, 0))] if n else dates
    return pd.DatetimeIndex(np.where(index >= 0, picked, np.datetime64("NaT")))


def ribbon_episodes(
    ribbons_daily: pd.DataFrame,
    *,
    horizons_days: Sequence[int] = DEFAULT_HORIZONS_DAYS,
) -> pd.DataFrame:
    """Table of capitulation episodes from :func:`hash_ribbons`'s daily frame.

    Parameters
    ----------
    ribbons_daily
        Output of :func:`hash_ribbons` (one row per calendar day).
    horizons_days
        Forward-return horizons after the buy [days].

    Returns
    -------
    pandas.DataFrame
        One row per (merged) episode, oldest first: ``capitulation_start``, ``recovery`` (the final
        recovery; NaT while the capitulation lasts), ``buy`` (the first buy on or after the final
        recovery; NaT until the buy test passes), ``early_buy`` (the first buy fired during a whipsaw
        recovery of the episode, NaT if none),
        ``price_at_buy_usd`` [USD], ``duration_days`` (start to final recovery [days]),
        ``whipsaws`` (number of short recoveries merged in), and ``return_{h}d`` [fraction] -
        the BTC return from the buy to ``h`` days later (NaN if that day is not in the data yet).

    Notes
    -----
    A buy fired during a whipsaw recovery stands (it was signalled on that day): it is the episode's
    ``early_buy``. The episode's ``buy``, whose price and forward returns the row reports, is the
    buy after the final recovery (see the module docstring for the rule).
    """
    frame = ribbons_daily.reset_index(drop=True)
    dates = pd.DatetimeIndex(frame["date"])
    episode = pd.DatetimeIndex(frame["episode_start"]).asi8
    in_episode = ~pd.isna(frame["episode_start"]).to_numpy()
    capitulation = frame["capitulation"].to_numpy(dtype=bool, na_value=False)
    buy = frame["buy"].to_numpy(dtype=bool)
    price = frame["price_usd"].to_numpy(dtype="float64")
    returns = forward_returns(frame[["date", "price_usd"]], horizons_days=horizons_days)
    return_values = {h: returns[f"return_{h}d"].to_numpy() for h in horizons_days}

    # an episode's days are contiguous: split the in-episode rows where the episode start changes
    rows_in = np.flatnonzero(in_episode)
    breaks = np.flatnonzero(np.diff(episode[rows_in]) != 0) + 1
    rows: list[dict[str, object]] = []
    for block in np.split(rows_in, breaks) if len(rows_in) else []:
        first, last = int(block[0]), int(block[-1])
        cap = capitulation[first : last + 1]
        last_cap = first + int(np.flatnonzero(cap)[-1])
        start = dates[first]
        recovery = dates[last_cap + 1] if last_cap < last else None
        buys = first + np.flatnonzero(buy[first : last + 1])
        final = buys[buys > last_cap]
        early = buys[buys < last_cap]
        at = int(final[0]) if len(final) else -1
        row: dict[str, object] = {
            "capitulation_start": start,
            "recovery": recovery if recovery is not None else pd.NaT,
            "buy": dates[at] if at >= 0 else pd.NaT,
            "early_buy": dates[int(early[0])] if len(early) else pd.NaT,
            "price_at_buy_usd": float(price[at]) if at >= 0 else np.nan,
            "duration_days": float((recovery - start).days) if recovery is not None else np.nan,
            "whipsaws": int(np.sum(cap[1:] & ~cap[:-1])),
        }
        for h in horizons_days:
            row[f"return_{h}d"] = float(return_values[h][at]) if at >= 0 else np.nan
        rows.append(row)
    columns = [
        "capitulation_start",
        "recovery",
        "buy",
        "early_buy",
        "price_at_buy_usd",
        "duration_days",
        "whipsaws",
        *(f"return_{h}d" for h in horizons_days),
    ]
    table = pd.DataFrame(rows, columns=columns)
    for col in ("capitulation_start", "recovery", "buy", "early_buy"):
        table[col] = pd.to_datetime(table[col])
    return table
