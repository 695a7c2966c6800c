"""Links between consecutive intervals of the dispatch LP, and windows of intervals around them.

A *link* ``t`` is every row tying interval ``t − 1`` to interval ``t``: the ramp rows of the fleets with
a binding ramp limit (``t = 0``: from the initial load; :func:`wattshift.dispatch.rows.ramp_rows`) and,
with hourly reserve awards, the equal-offer rows of intervals sharing a market hour
(:func:`wattshift.dispatch.rows.hourly_reserve_rows`). Without its links the problem separates by
interval. The helpers here find the links a schedule violates and keep the windows of
:mod:`wattshift.dispatch.decompose` (closed intervals ``[start, end]``): padded, widened to whole
market hours, merged when they touch, and laid end to end with their fixed neighbours.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from wattshift.dispatch.problem import BoolArray, DispatchProblem, FloatArray, IntArray

#: Ramp or award violations of a schedule at or below this are none [MW].
LINK_TOL_MW = 1e-9


def relax_links(p: DispatchProblem) -> DispatchProblem:
    """``p`` without its coupling rows between consecutive intervals (ramps, hourly reserve awards)."""
    return replace(p, ramp_mw_per_interval=None, reserve_hour=None)


def violated_links(
    p: DispatchProblem, fleet_mw: FloatArray, reserve_mw: FloatArray | None = None
) -> IntArray:
    """Intervals ``t`` whose link to ``t − 1`` a schedule violates, sorted.

    A link is the ramp rows from ``t − 1`` to ``t`` (``t = 0``: from the initial load) and, with hourly
    awards, the equal-offer row when ``t − 1`` and ``t`` share a market hour (``reserve_mw`` (R, T) [MW]).
    """
    links = [np.zeros(0, dtype=np.int64)]
    lim = p.ramp_limited_fleets
    if lim.size:
        assert p.ramp_mw_per_interval is not None
        ramp = p.ramp_mw_per_interval[lim][:, None]
        step = np.abs(np.diff(fleet_mw[lim], axis=1)) > ramp + LINK_TOL_MW
        links.append(np.flatnonzero(step.any(axis=0)) + 1)
        init = p.initial
        if init is not None:
            prev = init.fleet_mw[lim]
            first = np.where(np.isfinite(prev), prev, fleet_mw[lim, 0])
            if np.any(np.abs(fleet_mw[lim, 0] - first) > ramp[:, 0] + LINK_TOL_MW):
                links.append(np.zeros(1, dtype=np.int64))
    if reserve_mw is not None and p.hourly_reserve_awards:
        assert p.reserve_hour is not None
        tied = p.reserve_hour[1:] == p.reserve_hour[:-1]
        offered = reserve_mw.sum(axis=0)
        links.append(np.flatnonzero(tied & (np.abs(np.diff(offered)) > LINK_TOL_MW)) + 1)
    return np.unique(np.concatenate(links)).astype(np.int64)


def hour_runs(p: DispatchProblem) -> tuple[IntArray, IntArray] | None:
    """First and last interval of each interval's market hour (T,) each, with hourly awards; else None."""
    if not p.hourly_reserve_awards:
        return None
    assert p.reserve_hour is not None
    hour, T = p.reserve_hour, p.n_intervals
    new = np.ones(T, dtype=bool)
    new[1:] = hour[1:] != hour[:-1]
    first = np.flatnonzero(new)
    last = np.append(first[1:] - 1, T - 1)
    run = np.cumsum(new) - 1
    return first[run], last[run]


def snap_to_hours(
    starts: IntArray, ends: IntArray, runs: tuple[IntArray, IntArray] | None
) -> tuple[IntArray, IntArray]:
    """Windows widened to whole market hours, so no hourly award row crosses a window boundary."""
    if runs is None:
        return starts, ends
    return runs[0][starts], runs[1][ends]


def merge_windows(starts: IntArray, ends: IntArray, done: BoolArray) -> tuple[IntArray, IntArray, BoolArray]:
    """Sort windows and merge those that overlap or touch (no outside interval between them).

    A merged window is pending (``done`` False) unless it is one final window unchanged.
    """
    order = np.argsort(starts, kind="stable")
    s, e, d = starts[order], ends[order], done[order]
    reach = np.maximum.accumulate(e)
    new = np.ones(s.size, dtype=bool)
    new[1:] = s[1:] > reach[:-1] + 1
    first = np.flatnonzero(new)
    count = np.diff(np.append(first, s.size))
    merged_done = np.logical_and.reduceat(d, first) & (count == 1)
    return s[first], np.maximum.reduceat(e, first), merged_done


def segments(
    p: DispatchProblem, starts: IntArray, ends: IntArray
) -> tuple[IntArray, IntArray, IntArray, BoolArray]:
    """Concatenated intervals of the windows with their fixed neighbours.

    Returns the interval of each position (S,), each segment's first position and length (W,), and
    which positions are fixed neighbours (S,).
    """
    T = p.n_intervals
    has_left, has_right = starts > 0, ends < T - 1
    first_t = starts - has_left
    length = ends + has_right - first_t + 1
    seg_pos = np.concatenate(([0], np.cumsum(length)[:-1])).astype(np.int64)
    total = int(length.sum())
    idx = np.arange(total) - np.repeat(seg_pos, length) + np.repeat(first_t, length)
    fixed = np.zeros(total, dtype=bool)
    fixed[seg_pos[has_left]] = True
    fixed[(seg_pos + length - 1)[has_right]] = True
    return idx.astype(np.int64), seg_pos, length.astype(np.int64), fixed


def segment_hours(p: DispatchProblem, idx: IntArray, length: IntArray) -> IntArray | None:
    """Market hour of each position, distinct between segments (no award row joins two windows)."""
    if not p.hourly_reserve_awards:
        return None
    assert p.reserve_hour is not None
    hour = p.reserve_hour[idx]
    low = int(hour.min())
    span = int(hour.max()) - low + 2
    segment = np.repeat(np.arange(length.shape[0], dtype=np.int64), length)
    return segment * span + (hour - low)


def initial_windows(p: DispatchProblem, links: IntArray, pad: int) -> tuple[IntArray, IntArray]:
    """Windows ``[t − pad, t + pad − 1]`` around each violated link ``t``, clipped, in whole market
    hours (hourly awards) and merged."""
    T = p.n_intervals
    starts = np.maximum(links - pad, 0)
    ends = np.minimum(links + pad - 1, T - 1)
    starts, ends = snap_to_hours(starts, ends, hour_runs(p))
    s, e, _ = merge_windows(starts, ends, np.zeros(links.shape[0], dtype=bool))
    return s, e


def ramp_pad(p: DispatchProblem) -> int:
    """Intervals to ramp the largest fleet fully: ``max_k ⌈M_k / R_k⌉`` (at least 1)."""
    lim = p.ramp_limited_fleets
    if lim.size == 0 or p.ramp_mw_per_interval is None:
        return 1
    steps = np.ceil(p.fleet_capacity_mw[lim] / p.ramp_mw_per_interval[lim])
    return max(1, int(steps.max()))
