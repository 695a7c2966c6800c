"""Real-time price forecast from information available at decision time (walk-forward, pure).

The real-time price of interval ``t`` of operating day ``d`` is forecast as the day-ahead price
(known since the day-ahead market cleared on ``d − 1``) plus a forecast of the real-time minus
day-ahead spread ``s = RT − DA`` [USD/MWh]::

    ŝ[t] = μ[h(t)]                                 (day-ahead forecast, made when the DAM for d clears)
    ŝ[t] = μ[h(t)] + φ e[t − 1]                    (one step ahead, RT known up to t − 1)
    e[t] = s[t] − μ[h(t)]

``μ[h]`` is the median spread at interval-of-day ``h`` over the ``train_days`` complete operating
days before ``d − 1`` (the day-ahead market for ``d`` clears on ``d − 1``, before that day's
real-time prices are all known) and ``φ`` the least-squares AR(1) coefficient of the deviations
``e`` over the same days (clipped to [0, 1)). Both are refit for every day (walk-forward). The
day-ahead forecast decides what is fixed day-ahead (reserve awards, commitment, the day's LP); the
one-step forecast decides each interval of a separable window.

Why this model and not a forecasting library: the decision needs the *spread* over a price already
known, whose predictable part is a time-of-day profile and short persistence of real-time events
(an hour-of-day profile plus AR(1) is the classic baseline of the electricity price forecasting
literature [1]_); a median profile is robust to the scarcity spikes that dominate ERCOT real-time
prices. Refitting a general model (ARIMA, gradient boosting) for each of 365 days would cost far
more than the dispatch itself, outside the 3x budget of ``make bench``, for no demonstrated gain on
a spread that is mostly noise.

References
----------
.. [1] R. Weron, "Electricity price forecasting: A review of the state-of-the-art with a look into
   the future", International Journal of Forecasting 30(4), 1030-1081, 2014, section 3.3.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from wattshift.dispatch.problem import FloatArray, IntArray

#: Operating days of history each daily refit uses [days].
TRAIN_DAYS = 28


@dataclass(frozen=True)
class SpreadForecast:
    """Decision prices from the forecast (T,) [USD/MWh].

    Attributes
    ----------
    day_start_usd_per_mwh
        DA + spread profile: uses only data published before the day-ahead market of each day.
    one_step_usd_per_mwh
        DA + one-step spread forecast: uses RT up to the previous interval.
    """

    day_start_usd_per_mwh: FloatArray
    one_step_usd_per_mwh: FloatArray


def fit_spread(
    spread: FloatArray, slot: IntArray, n_slots: int, rank: IntArray | None = None
) -> tuple[FloatArray, float]:
    """Median spread per slot (n_slots,) [USD/MWh] and AR(1) coefficient of deviations [unitless].

    ``rank`` (optional) is each value's rank in a sort of a longer series that contains them (a
    walk-forward caller sorts once); it only makes the per-slot sort cheaper.
    """
    # Medians of all slots at once: sort by (slot, value), then pick the middle of each slot's run.
    if rank is None:
        rank = np.argsort(np.argsort(spread, kind="stable"), kind="stable")
    size = int(rank.max()) + 1
    order = np.argsort(slot.astype(np.int64) * size + rank)
    ordered = spread[order]
    counts = np.bincount(slot, minlength=n_slots)
    first = np.concatenate(([0], np.cumsum(counts)[:-1]))
    held = counts > 0
    lo = first[held] + (counts[held] - 1) // 2
    hi = first[held] + counts[held] // 2
    mu = np.zeros(n_slots)
    mu[held] = (ordered[lo] + ordered[hi]) / 2.0
    return mu, _ar1(spread - mu[slot])


def spread_forecast(
    rt_usd_per_mwh: FloatArray,
    da_usd_per_mwh: FloatArray,
    day: IntArray,
    slot: IntArray,
    *,
    first_decision_day: int,
    train_days: int = TRAIN_DAYS,
) -> SpreadForecast:
    """Walk-forward forecast of the RT price for every interval of the decision days.

    Each day's profile is :func:`fit_spread` on its training days, value for value. Where every
    ``(day, slot)`` holds one finite spread (the callers' grids: slot = position in the day), the
    per-slot medians of all days are taken from one sort of a day × slot table instead of one fit
    per day (:func:`_slot_medians`); otherwise each day is fitted on its own.

    Parameters
    ----------
    rt_usd_per_mwh, da_usd_per_mwh
        Real-time and day-ahead prices (N,) [USD/MWh], history first, in time order.
    day
        Operating day of each interval (N,), non-decreasing integers.
    slot
        Interval of the operating day (N,), e.g. 0..95 for 15-minute intervals.
    first_decision_day
        First day whose intervals are decided; earlier days are history only.
    train_days
        Days of history each refit uses.

    Returns
    -------
    SpreadForecast
        Forecast prices for the intervals with ``day >= first_decision_day``.
    """
    spread = rt_usd_per_mwh - da_usd_per_mwh
    n_slots = int(slot.max()) + 1 if slot.size else 1
    keep = day >= first_decision_day
    start_f = np.array(da_usd_per_mwh[keep], dtype=np.float64)
    step_f = start_f.copy()
    if not day.size:
        return SpreadForecast(start_f, step_f)
    offset = int(np.flatnonzero(keep)[0]) if keep.any() else 0
    first_day, last_day = int(day.min()), int(day.max())
    bounds = np.searchsorted(day, np.arange(first_day, last_day + 2))
    decided = range(max(first_decision_day, first_day), last_day + 1)
    medians = _slot_medians(spread, day - first_day, slot, n_slots, decided.start - first_day, train_days)
    rank: IntArray | None = None
    if medians is None:  # a repeated (day, slot) or a NaN spread: one fit per day
        rank = np.empty(spread.size, dtype=np.int64)
        rank[np.argsort(spread, kind="stable")] = np.arange(spread.size)
    for d in decided:
        a, b = int(bounds[d - first_day]), int(bounds[d - first_day + 1])
        if a == b:
            continue
        # Fitted when the day-ahead market for d clears, on d − 1: complete days before d − 1 only.
        cut = int(bounds[max(d - 1, first_day) - first_day])
        lo = int(bounds[max(d - 1 - train_days, first_day) - first_day])
        if lo >= cut:  # no history: the day-ahead price alone
            continue
        if medians is None:
            mu, phi = fit_spread(
                spread[lo:cut], slot[lo:cut], n_slots, rank[lo:cut] if rank is not None else None
            )
        else:
            mu = medians[d - decided.start]
            phi = _ar1(spread[lo:cut] - mu[slot[lo:cut]])
        e_last = spread[a - 1] - mu[slot[a - 1]]
        start_f[a - offset : b - offset] += mu[slot[a:b]]
        e_prev = np.concatenate(([e_last], spread[a : b - 1] - mu[slot[a : b - 1]]))
        step_f[a - offset : b - offset] += mu[slot[a:b]] + phi * e_prev
    return SpreadForecast(start_f, step_f)


def _ar1(e: FloatArray) -> float:
    """Least-squares AR(1) coefficient of deviations ``e`` in time order, clipped to [0, 0.999]
    (0 for fewer than three values)."""
    if e.size < 3:
        return 0.0
    x, y = e[:-1], e[1:]
    denom = float(x @ x)
    phi = float(x @ y) / denom if denom > 0 else 0.0
    return float(np.clip(phi, 0.0, 0.999))


#: Decision days whose training windows are sorted at once (bounds the day × slot × window table).
_DAYS_PER_SORT = 64


def _slot_medians(
    spread: FloatArray, day: IntArray, slot: IntArray, n_slots: int, first: int, train_days: int
) -> FloatArray | None:
    """Median spread per slot over each decision day's training days, (days, n_slots) [USD/MWh].

    Row ``i`` is for day ``first + i`` (days counted from 0): the spreads of days
    ``[first + i − 1 − train_days, first + i − 1)`` (those held), per slot, with
    :func:`fit_spread`'s median (the mean of the two middle values; 0 for a slot with none) and the
    same bits. Each slot's values are sorted; stably, in time order as ``fit_spread``'s sort leaves
    equal values, where the order of equal values can change a bit (a -0.0 beside a 0.0). None
    when a ``(day, slot)`` holds two values or a spread is NaN (a table cannot hold them; the
    caller then fits day by day).
    """
    n_days = int(day[-1]) + 1
    key = day * n_slots + slot
    if np.isnan(spread).any() or np.bincount(key, minlength=n_days * n_slots).max() > 1:
        return None
    # day × slot table with train_days empty days in front, so every window has train_days rows
    table = np.full((train_days + n_days, n_slots), np.nan)
    table.reshape(-1)[key + train_days * n_slots] = spread
    windows = np.lib.stride_tricks.sliding_window_view(table, train_days, axis=0)  # (k, slots, train)
    # Sorted values differ only in the order of equal ones, and of equal floats only -0.0 and 0.0
    # have different bits: a stable sort (6x slower on these short rows) only where a -0.0 is held.
    kind: Literal["stable"] | None = "stable" if bool(np.any(np.signbit(spread) & (spread == 0.0))) else None
    days = max(n_days - first, 0)
    out = np.zeros((days, n_slots))
    for c in range(0, days, _DAYS_PER_SORT):
        # the window of day first + i starts at day first + i − 1 − train_days: table row first + i − 1
        rows = np.arange(first + c, min(first + c + _DAYS_PER_SORT, n_days)) - 1
        block = np.sort(windows[np.maximum(rows, 0)], axis=2, kind=kind)  # NaN (no value) last
        held = (~np.isnan(block)).sum(axis=2)
        held[rows < 0] = 0  # day 0 has no day before it
        lo = np.take_along_axis(block, np.maximum(held - 1, 0)[..., None] // 2, axis=2)[..., 0]
        hi = np.take_along_axis(block, (held // 2)[..., None], axis=2)[..., 0]
        out[c : c + rows.size] = np.where(held > 0, (lo + hi) / 2.0, 0.0)
    return out
