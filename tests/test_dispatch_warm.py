"""Warm starts across rolling windows: the same optimum as a cold solve, and HiGHS reused in place."""

from __future__ import annotations

import numpy as np
import pytest

from _dispatch_helpers import problem
from wattshift.dispatch.lp import WarmStart, solve_lp
from wattshift.dispatch.problem import DispatchProblem, InitialState


def _window(rng: np.random.Generator, T: int, initial_mw: float) -> DispatchProblem:
    """Two ramp-limited fleets, a GPU and an up reserve with hourly awards (couples intervals)."""
    return problem(
        rng.normal(40.0, 80.0, T).tolist(),
        rng.uniform(0.0, 120.0, (2, T)).tolist(),
        [30.0, 20.0],
        interconnect_mw=45.0,
        interval_hours=0.25,
        ai=rng.uniform(0.0, 300.0, T).tolist(),
        gpu_capacity_mw=10.0,
        gpu_firm_mw=5.0,
        ramp_mw_per_interval=np.array([6.0, 4.0]),
        reserve_price_usd_per_mw_h=rng.uniform(0.0, 60.0, (1, T)),
        reserve_is_up=np.array([True]),
        reserve_max_mw=8.0,
        reserve_hour=np.arange(T) // 4,
        initial=InitialState(np.array([initial_mw, 0.0]), np.array([True, False]), np.array([9, 9])),
    )


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_warm_windows_equal_cold(seed: int) -> None:
    rng = np.random.default_rng(seed)
    warm = WarmStart()
    highs = None
    for day in range(6):
        p = _window(rng, 96, initial_mw=float(day))  # same matrix, new costs and bounds
        cold, hot = solve_lp(p), solve_lp(p, warm=warm)
        assert hot.objective_usd == pytest.approx(cold.objective_usd, rel=1e-9, abs=1e-6)
        step = np.diff(hot.fleet_mw, axis=1)
        assert np.all(np.abs(step) <= np.array([[6.0], [4.0]]) + 1e-7)
        if highs is not None:
            assert warm._highs is highs  # changed in place, not rebuilt
        highs = warm._highs


def test_other_shape_is_passed_whole() -> None:
    rng = np.random.default_rng(7)
    warm = WarmStart()
    solve_lp(_window(rng, 96, 0.0), warm=warm)
    first = warm._highs
    short = _window(rng, 92, 0.0)  # a 23-hour DST day: another matrix
    assert solve_lp(short, warm=warm).objective_usd == pytest.approx(solve_lp(short).objective_usd)
    assert warm._highs is not first
