"""Closed-form merit order with up reserves paid per interval: hand-solved cases and equality with
the LP on random sites (hypothesis)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from _dispatch_helpers import problem
from wattshift.dispatch.lp import solve_lp
from wattshift.dispatch.merit import reserves_are_separable, solve_merit
from wattshift.dispatch.problem import DispatchProblem


def test_reserve_keeps_a_losing_fleet_running() -> None:
    # One 10 MW fleet, margin -20 USD/MWh, up reserve paid 50 USD/MW-h up to 6 MW: running 6 MW
    # earns 6 x (50 - 20) = 180 USD in the hour; running more loses 20 USD/MWh. Without the reserve: 0.
    p = problem(
        [70.0],
        [[50.0]],
        [10.0],
        reserve_price_usd_per_mw_h=np.array([[50.0]]),
        reserve_is_up=np.array([True]),
        reserve_max_mw=6.0,
    )
    s = solve_merit(p)
    np.testing.assert_allclose(s.fleet_mw, [[6.0]])
    np.testing.assert_allclose(s.reserve_mw, [[6.0]])
    assert s.objective_usd == pytest.approx(180.0)
    assert solve_lp(p).objective_usd == pytest.approx(180.0)


def test_reserve_goes_to_the_best_product_and_stops_at_the_cap() -> None:
    # Margin +10 on 10 MW: runs at capacity; reserve min(R_max = 4, L = 10) = 4 MW in the product
    # paid 30 (not 20): 10 x 10 + 4 x 30 = 220 USD.
    p = problem(
        [40.0],
        [[50.0]],
        [10.0],
        reserve_price_usd_per_mw_h=np.array([[20.0], [30.0]]),
        reserve_is_up=np.array([True, True]),
        reserve_max_mw=4.0,
    )
    s = solve_merit(p)
    np.testing.assert_allclose(s.reserve_mw, [[0.0], [4.0]])
    assert s.objective_usd == pytest.approx(220.0)


def test_hourly_awards_and_down_reserves_are_not_separable() -> None:
    def two(is_up: bool, hour: list[int] | None = None) -> DispatchProblem:
        return problem(
            [0.0, 0.0],
            [[1.0, 1.0]],
            [5.0],
            reserve_price_usd_per_mw_h=np.array([[5.0, 5.0]]),
            reserve_max_mw=3.0,
            reserve_is_up=np.array([is_up]),
            reserve_hour=None if hour is None else np.array(hour),
        )

    assert reserves_are_separable(two(True))
    assert reserves_are_separable(two(True, [0, 1]))
    hourly, down = two(True, [0, 0]), two(False)
    assert not reserves_are_separable(hourly)
    assert not reserves_are_separable(down)
    with pytest.raises(ValueError, match="merit order is exact only"):
        solve_merit(down)


@st.composite
def reserve_problems(draw: st.DrawFn) -> DispatchProblem:
    K = draw(st.integers(1, 4))
    T = draw(st.integers(1, 30))
    R = draw(st.integers(1, 3))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    gpu_cap = float(draw(st.sampled_from([0.0, 5.0, 20.0])))
    firm = gpu_cap * float(draw(st.sampled_from([0.0, 0.5, 1.0])))
    aux = float(draw(st.floats(0.0, 3.0)))
    return problem(
        rng.normal(40.0, 80.0, T).tolist(),
        rng.uniform(0.0, 120.0, (K, T)).tolist(),
        rng.uniform(0.5, 50.0, K).tolist(),
        interconnect_mw=aux + firm + float(draw(st.floats(0.1, 150.0))),
        interval_hours=float(draw(st.sampled_from([1 / 12, 0.25, 1.0]))),
        ai=rng.uniform(0, 300, T).tolist(),
        gpu_capacity_mw=gpu_cap,
        gpu_firm_mw=firm,
        aux_mw=aux,
        # Some negative reserve prices (never offered) and prices large enough to run at a loss.
        reserve_price_usd_per_mw_h=rng.uniform(-10.0, 150.0, (R, T)),
        reserve_is_up=np.ones(R, dtype=bool),
        reserve_max_mw=float(draw(st.floats(0.0, 120.0))),
    )


@settings(max_examples=60, deadline=None)
@given(reserve_problems())
def test_merit_with_reserves_equals_lp(p: DispatchProblem) -> None:
    merit, lp = solve_merit(p), solve_lp(p)
    assert merit.objective_usd == pytest.approx(lp.objective_usd, rel=1e-6, abs=1e-6)
    # Feasible: interconnect, firm GPU, reserve within curtailable load and the cap.
    load = merit.fleet_mw.sum(axis=0) + merit.gpu_mw
    assert np.all(load + p.aux_mw <= p.interconnect_mw + 1e-9)
    assert np.all(merit.gpu_mw >= p.gpu_firm_mw - 1e-12)
    offered = merit.reserve_mw.sum(axis=0) if merit.reserve_mw.size else np.zeros(p.n_intervals)
    assert np.all(offered <= load - p.gpu_firm_mw + 1e-9)
    assert np.all(offered <= p.reserve_max_mw + 1e-9)


def test_backtest_auto_takes_the_closed_form_for_hourly_up_reserves() -> None:
    from wattshift.dispatch.backtest import solve

    rng = np.random.default_rng(11)
    T = 48  # hourly intervals: each is its own reserve hour, so awards do not tie intervals
    p = problem(
        rng.normal(40.0, 80.0, T).tolist(),
        rng.uniform(0.0, 120.0, (2, T)).tolist(),
        [30.0, 20.0],
        interconnect_mw=45.0,
        reserve_price_usd_per_mw_h=rng.uniform(0.0, 60.0, (2, T)),
        reserve_is_up=np.array([True, True]),
        reserve_max_mw=10.0,
        reserve_hour=np.arange(T),
    )
    auto, lp = solve(p, "auto"), solve(p, "lp")
    assert auto.solver == "merit"
    assert auto.objective_usd == pytest.approx(lp.objective_usd, rel=1e-9)
