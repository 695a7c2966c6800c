"""The walk-forward spread forecast from one day × slot sort equals one fit per day, bit for bit.

:func:`wattshift.dispatch.forecast.spread_forecast` takes every decision day's per-slot medians
from one sorted table (``_slot_medians``) where each ``(day, slot)`` holds one spread; the
reference below is the per-day loop it replaced (:func:`fit_spread` on each day's training
window), kept here as the oracle. Grids with 23- and 25-hour days, missing days and partial days,
negative and capped prices, ties and zeros of both signs.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from wattshift.dispatch.forecast import SpreadForecast, fit_spread, spread_forecast
from wattshift.dispatch.problem import FloatArray, IntArray


def _reference(
    rt: FloatArray, da: FloatArray, day: IntArray, slot: IntArray, first_decision_day: int, train_days: int
) -> SpreadForecast:
    """The per-day loop (wattshift 0.1.0 before the table): one :func:`fit_spread` per decision day."""
    spread = rt - da
    rank = np.empty(spread.size, dtype=np.int64)
    rank[np.argsort(spread, kind="stable")] = np.arange(spread.size)
    n_slots = int(slot.max()) + 1
    keep = day >= first_decision_day
    start_f = np.array(da[keep], dtype=np.float64)
    step_f = start_f.copy()
    offset = int(np.flatnonzero(keep)[0]) if keep.any() else 0
    bounds = np.searchsorted(day, np.arange(int(day.min()), int(day.max()) + 2))
    first_day = int(day.min())
    for d in range(first_decision_day, int(day.max()) + 1):
        a, b = int(bounds[d - first_day]), int(bounds[d - first_day + 1])
        if a == b:
            continue
        cut = int(bounds[max(d - 1, first_day) - first_day])
        lo = int(bounds[max(d - 1 - train_days, first_day) - first_day])
        if lo >= cut:
            continue
        mu, phi = fit_spread(spread[lo:cut], slot[lo:cut], n_slots, rank[lo:cut])
        e_last = spread[a - 1] - mu[slot[a - 1]]
        start_f[a - offset : b - offset] += mu[slot[a:b]]
        e_prev = np.concatenate(([e_last], spread[a : b - 1] - mu[slot[a : b - 1]]))
        step_f[a - offset : b - offset] += mu[slot[a:b]] + phi * e_prev
    return SpreadForecast(start_f, step_f)


def _same_bits(a: SpreadForecast, b: SpreadForecast) -> bool:
    return (
        a.day_start_usd_per_mwh.tobytes() == b.day_start_usd_per_mwh.tobytes()
        and a.one_step_usd_per_mwh.tobytes() == b.one_step_usd_per_mwh.tobytes()
    )


# prices as ISOs publish them: negative, capped at 5,000 USD/MWh, often repeated, zeros of both signs
_PRICE = st.one_of(
    st.sampled_from([-0.0, 0.0, 5000.0, -250.0, 21.5]),
    st.floats(-500.0, 5000.0, allow_nan=False).map(lambda x: round(x, 2)),
)


@st.composite
def _grids(draw: st.DrawFn) -> tuple[FloatArray, FloatArray, IntArray, IntArray, int, int]:
    per_hour = draw(st.sampled_from([1, 2, 4]))
    n_days = draw(st.integers(1, 9))
    day_parts, slot_parts = [], []
    first = draw(st.integers(0, 3))
    for d in range(first, first + n_days):
        hours = draw(st.sampled_from([24, 24, 24, 23, 25, 0, 7]))  # DST days, a missing and a partial day
        n = hours * per_hour
        day_parts.append(np.full(n, d, dtype=np.int64))
        slot_parts.append(np.arange(n, dtype=np.int64))
    day, slot = np.concatenate(day_parts), np.concatenate(slot_parts)
    if day.size == 0:
        day, slot = np.zeros(1, dtype=np.int64), np.zeros(1, dtype=np.int64)
    rt = np.array(draw(st.lists(_PRICE, min_size=day.size, max_size=day.size)))
    da = np.array(draw(st.lists(_PRICE, min_size=day.size, max_size=day.size)))
    decide = draw(st.integers(int(day.min()), int(day.max()) + 1))
    return rt, da, day, slot, decide, draw(st.integers(1, 5))


@settings(max_examples=200, deadline=None)
@given(_grids())
def test_the_table_gives_the_per_day_fits_bit_for_bit(
    grid: tuple[FloatArray, FloatArray, IntArray, IntArray, int, int],
) -> None:
    rt, da, day, slot, decide, train = grid
    got = spread_forecast(rt, da, day, slot, first_decision_day=decide, train_days=train)
    assert _same_bits(got, _reference(rt, da, day, slot, decide, train))


def test_repeated_slots_and_nan_spreads_fall_back_to_one_fit_per_day() -> None:
    """Slot = hour of day on a 15-minute grid (four values per slot and day), and a NaN spread."""
    rng = np.random.default_rng(7)
    day = np.repeat(np.arange(6), 96)
    slot = (np.arange(day.size) % 96) // 4
    rt, da = rng.normal(30.0, 40.0, day.size).round(2), rng.normal(30.0, 5.0, day.size).round(2)
    got = spread_forecast(rt, da, day, slot, first_decision_day=3, train_days=2)
    assert _same_bits(got, _reference(rt, da, day, slot, 3, 2))
    rt[10] = np.nan  # in history only: the fit of day 2 onwards sees it
    got = spread_forecast(rt, da, day, slot % 24, first_decision_day=3, train_days=2)
    assert _same_bits(got, _reference(rt, da, day, slot % 24, 3, 2))


def test_a_15_minute_year_matches_the_per_day_fits() -> None:
    """A 15-minute year with a spring-forward and a fall-back day, on synthetic heavy-tailed prices
    (the property test covers shapes; this one covers a full year's size and the chunking)."""
    rng = np.random.default_rng(2024)
    lengths = np.full(400, 96)
    lengths[[68, 306]] = [92, 100]  # 2024-03-10 and 2024-11-03 in America/Chicago
    day = np.repeat(np.arange(400), lengths)
    slot = np.arange(day.size) - np.searchsorted(day, day, side="left")
    da = rng.gamma(2.0, 15.0, day.size).round(2)
    rt = np.clip(da + rng.standard_t(2.5, day.size) * 8.0, -250.0, 5000.0).round(2)
    got = spread_forecast(rt, da, day, slot, first_decision_day=35, train_days=28)
    assert _same_bits(got, _reference(rt, da, day, slot, 35, 28))
    assert got.day_start_usd_per_mwh.size == int((day >= 35).sum())
