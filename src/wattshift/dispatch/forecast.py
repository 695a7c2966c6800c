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
    e = spread - mu[slot]
    if e.size < 3:
        return mu, 0.0
    x, y = e[:-1], e[1:]
    denom = float(x @ x)
    phi = float(x @ y) / denom if denom > 0 else 0.0
    return mu, float(np.clip(phi, 0.0, 0.999))


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
    rank = np.empty(spread.size, dtype=np.int64)
    rank[np.argsort(spread, kind="stable")] = np.arange(spread.size)
    n_slots = int(slot.max()) + 1 if slot.size else 1
    keep = day >= first_decision_day
    start_f = np.array(da_usd_per_mwh[keep], dtype=np.float64)
    step_f = start_f.copy()
    offset = int(np.flatnonzero(keep)[0]) if keep.any() else 0
    bounds = np.searchsorted(day, np.arange(int(day.min()), int(day.max()) + 2)) if day.size else np.zeros(1)
    first_day = int(day.min()) if day.size else 0
    for d in range(first_decision_day, int(day.max()) + 1 if day.size else 0):
        a, b = int(bounds[d - first_day]), int(bounds[d - first_day + 1])
        if a == b:
            continue
        # Fitted when the day-ahead market for d clears, on d − 1: complete days before d − 1 only.
        cut = int(bounds[max(d - 1, first_day) - first_day])
        lo = int(bounds[max(d - 1 - train_days, first_day) - first_day])
        if lo >= cut:  # no history: the day-ahead price alone
            continue
        mu, phi = fit_spread(spread[lo:cut], slot[lo:cut], n_slots, rank[lo:cut])
        e_last = spread[a - 1] - mu[slot[a - 1]]
        start_f[a - offset : b - offset] += mu[slot[a:b]]
        e_prev = np.concatenate(([e_last], spread[a : b - 1] - mu[slot[a : b - 1]]))
        step_f[a - offset : b - offset] += mu[slot[a:b]] + phi * e_prev
    return SpreadForecast(start_f, step_f)
