"""LP / MILP: one tiny hand-solvable case per constraint family."""

from __future__ import annotations

import numpy as np
import pytest

from _dispatch_helpers import problem
from wattshift.dispatch.lp import build_lp, solve_lp
from wattshift.dispatch.merit import solve_merit
from wattshift.dispatch.problem import InitialState, objective_usd


def _init(mw: float, on: bool = True, n: int = 100) -> InitialState:
    return InitialState(np.array([mw]), np.array([on]), np.array([n], dtype=np.int64))


def test_ramp_up_from_zero() -> None:
    # Ramp 2 MW per interval from 0 MW: 2 then 4 MW, each earning 50 USD/MWh at price 0.
    p = problem(
        [0.0, 0.0], [[50.0, 50.0]], [10.0], ramp_mw_per_interval=np.array([2.0]), initial=_init(0.0, False)
    )
    s = solve_lp(p)
    np.testing.assert_allclose(s.fleet_mw[0], [2.0, 4.0], atol=1e-7)
    assert s.objective_usd == pytest.approx(300.0)


def test_ramp_down_forces_running_at_a_loss() -> None:
    # From 10 MW with a 2 MW/interval ramp, facing a margin of −100 USD/MWh at t=1: the fleet ramps
    # down already at t0 (8 MW, +400) to reach 6 MW at t1 (−600); the best is −200.
    p = problem(
        [0.0, 150.0], [[50.0, 50.0]], [10.0], ramp_mw_per_interval=np.array([2.0]), initial=_init(10.0)
    )
    s = solve_lp(p)
    np.testing.assert_allclose(s.fleet_mw[0], [8.0, 6.0], atol=1e-7)
    assert s.objective_usd == pytest.approx(-200.0)


def test_min_up_time() -> None:
    # Without min on time: run t0, t2, t3 (3 x 500). Starting from off with 2 intervals min on, t0
    # alone is not allowed and t0-t1 costs 1,500 at t1: best is t2-t3 = 1,000.
    base = problem([0.0, 200.0, 0.0, 0.0], [[50.0] * 4], [10.0])
    assert solve_merit(base).objective_usd == pytest.approx(1500.0)
    p = problem(
        [0.0, 200.0, 0.0, 0.0],
        [[50.0] * 4],
        [10.0],
        min_on_intervals=np.array([2]),
        min_off_intervals=np.array([0]),
        min_load_fraction=np.array([1.0]),
        initial=_init(0.0, False),
    )
    s = solve_lp(p)
    assert s.solver == "milp"
    assert s.objective_usd == pytest.approx(1000.0)
    np.testing.assert_allclose(s.fleet_mw[0], [0.0, 0.0, 10.0, 10.0], atol=1e-7)
    # With a free initial state the fleet may have been on already: stopping at t1 is allowed.
    free = problem(
        [0.0, 200.0, 0.0, 0.0],
        [[50.0] * 4],
        [10.0],
        min_on_intervals=np.array([2]),
        min_off_intervals=np.array([0]),
        min_load_fraction=np.array([1.0]),
    )
    assert solve_lp(free).objective_usd == pytest.approx(1500.0)


def test_min_down_time() -> None:
    # on-off-on needs a 2-interval off period: only one of t0 / t2 can run (500).
    p = problem(
        [0.0, 200.0, 0.0],
        [[50.0] * 3],
        [10.0],
        min_on_intervals=np.array([0]),
        min_off_intervals=np.array([2]),
        min_load_fraction=np.array([1.0]),
    )
    assert solve_lp(p).objective_usd == pytest.approx(500.0)


def test_min_up_time_carried_from_previous_window() -> None:
    # The fleet has been on for 1 of 3 required intervals: it must stay on for t0, t1.
    p = problem(
        [100.0, 100.0, 100.0],
        [[50.0] * 3],
        [10.0],
        min_on_intervals=np.array([3]),
        min_off_intervals=np.array([0]),
        min_load_fraction=np.array([1.0]),
        initial=_init(10.0, True, 1),
    )
    s = solve_lp(p)
    np.testing.assert_allclose(s.fleet_mw[0], [10.0, 10.0, 0.0], atol=1e-7)


def test_up_reserve_needs_running_load() -> None:
    # Mining loses 10 USD/MWh but each running MW can be offered as 30 USD/MW-h up reserve (cap 5 MW).
    p = problem(
        [50.0],
        [[40.0]],
        [10.0],
        reserve_price_usd_per_mw_h=np.array([[30.0]]),
        reserve_is_up=np.array([True]),
        reserve_max_mw=5.0,
    )
    s = solve_lp(p)
    assert s.fleet_mw[0, 0] == pytest.approx(5.0)
    assert s.reserve_mw[0, 0] == pytest.approx(5.0)
    assert s.objective_usd == pytest.approx(100.0)  # 5 x (−10) + 5 x 30


def test_down_reserve_needs_headroom() -> None:
    # Interconnect 8 MW: m + r_dn ≤ 8, r_dn ≤ 5: 10 m + 30 r is best at r = 5, m = 3 (180).
    p = problem(
        [50.0],
        [[60.0]],
        [10.0],
        interconnect_mw=8.0,
        reserve_price_usd_per_mw_h=np.array([[30.0]]),
        reserve_is_up=np.array([False]),
        reserve_max_mw=5.0,
    )
    s = solve_lp(p)
    assert s.objective_usd == pytest.approx(180.0)
    assert s.fleet_mw[0, 0] == pytest.approx(3.0)


def test_firm_gpu_load_cannot_be_offered_as_reserve() -> None:
    p = problem(
        [50.0],
        [[0.0]],
        [1.0],
        ai=[0.0],
        gpu_capacity_mw=6.0,
        gpu_firm_mw=6.0,
        reserve_price_usd_per_mw_h=np.array([[100.0]]),
        reserve_is_up=np.array([True]),
        reserve_max_mw=10.0,
    )
    s = solve_lp(p)
    # Only the 1 MW fleet is curtailable: run it at a loss of 50 to earn 100.
    assert s.reserve_mw[0, 0] == pytest.approx(1.0)
    assert s.objective_usd == pytest.approx(-6 * 50.0 - 50.0 + 100.0)


def test_peak_charge_on_the_largest_candidate_load() -> None:
    # Candidates t0, t1 (one group, 80 USD/MW on the larger load): running all pays 1,500 − 800 = 700,
    # better than per-interval avoidance (only t2: 500).
    p = problem(
        [0.0, 0.0, 0.0],
        [[50.0] * 3],
        [10.0],
        peak_group=np.array([0, 0, -1]),
        peak_rate_usd_per_mw=np.array([80.0]),
        peak_floor_mw=np.zeros(1),
    )
    assert not p.merit_is_exact()
    s = solve_lp(p)
    assert s.objective_usd == pytest.approx(700.0)
    assert objective_usd(p, s.fleet_mw, s.gpu_mw, s.reserve_mw) == pytest.approx(700.0)


def test_peak_floor_from_earlier_windows() -> None:
    # 10 MW already set this month's peak: running at a candidate costs nothing more.
    p = problem(
        [0.0],
        [[50.0]],
        [10.0],
        peak_group=np.array([0]),
        peak_rate_usd_per_mw=np.array([80.0]),
        peak_floor_mw=np.array([10.0]),
    )
    s = solve_lp(p)
    assert s.fleet_mw[0, 0] == pytest.approx(10.0)
    assert s.objective_usd == pytest.approx(500.0 - 800.0)


def test_daily_energy_cap_fills_cheapest_hours() -> None:
    price = [float(h) for h in range(24)]
    p = problem(
        price, [[50.0] * 24], [10.0], max_energy_mwh_per_day=15.0, day_index=np.zeros(24, dtype=np.int64)
    )
    s = solve_lp(p)
    assert s.fleet_mw.sum() == pytest.approx(15.0)
    assert s.objective_usd == pytest.approx(10 * 50.0 + 5 * 49.0)


def test_gpu_min_energy_sla() -> None:
    # Spot compute loses 10 USD/MWh but 48 MWh a day must be served.
    p = problem(
        [30.0] * 24,
        [[0.0] * 24],
        [1.0],
        ai=[20.0] * 24,
        gpu_capacity_mw=10.0,
        gpu_min_energy_mwh_per_day=48.0,
        day_index=np.zeros(24, dtype=np.int64),
    )
    s = solve_lp(p)
    assert s.gpu_mw.sum() == pytest.approx(48.0)
    assert s.objective_usd == pytest.approx(-480.0)


def test_matrix_shape_and_no_dense_blowup() -> None:
    T = 96
    p = problem(
        [10.0] * T, [[50.0] * T] * 3, [5.0, 5.0, 5.0], ramp_mw_per_interval=np.array([1.0, 1.0, np.inf])
    )
    m = build_lp(p)
    # columns: 3 fleets + GPU per interval; rows: interconnect + ramp of 2 limited fleets
    assert m.matrix.shape == (T + 2 * (T - 1), 4 * T)
    assert m.matrix.nnz == 4 * T + 4 * (T - 1)


def test_reserve_goes_to_best_paid_product_and_caps_are_shared() -> None:
    # Two up products (20 and 30 USD/MW-h) and one down product (25), total cap 4 MW, fleet 10 MW
    # earning its price exactly (margin 0), interconnect 10 MW. Each MW of load can back 1 MW up;
    # each MW of headroom 1 MW down; the shared cap makes 4 MW at 30 the best (120).
    p = problem(
        [50.0],
        [[50.0]],
        [10.0],
        interconnect_mw=10.0,
        reserve_price_usd_per_mw_h=np.array([[20.0], [30.0], [25.0]]),
        reserve_is_up=np.array([True, True, False]),
        reserve_max_mw=4.0,
    )
    s = solve_lp(p)
    np.testing.assert_allclose(s.reserve_mw[:, 0], [0.0, 4.0, 0.0], atol=1e-7)
    assert s.objective_usd == pytest.approx(120.0)


_THREADS_CHILD = r"""
import sys
sys.path.insert(0, sys.argv[1])
import highspy
import numpy as np
from _dispatch_helpers import problem
from wattshift.dispatch.lp import solve_lp

first = highspy.Highs()  # another HiGHS user starts the process's thread pool at its default size
first.setOptionValue("output_flag", False)
first.setOptionValue("threads", 2)
first.addVar(0.0, 1.0)
first.changeColCost(0, -1.0)
assert first.run() == highspy.HighsStatus.kOk
s = solve_lp(problem([0.0, 0.0], [[50.0, 50.0]], [10.0], ramp_mw_per_interval=np.array([2.0])))
print(s.objective_usd)
"""


def test_dispatch_solves_after_another_highs_user_sized_the_thread_pool() -> None:
    # HiGHS keeps one thread pool per process; a run asking for another size fails with kError
    # ("Not Set") instead of solving. A fresh process (the pool is per process) in which a
    # two-thread HiGHS run goes first must still solve the dispatch LP:
    # 10 MW x 2 hourly intervals x 50 USD/MWh.
    import subprocess
    import sys
    from pathlib import Path

    done = subprocess.run(
        [sys.executable, "-c", _THREADS_CHILD, str(Path(__file__).parent)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert float(done.stdout.strip().splitlines()[-1]) == pytest.approx(1000.0)
