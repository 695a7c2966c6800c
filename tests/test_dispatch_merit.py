"""Merit order: hand-solved cases, vector == scalar loop, and equality with the LP (hypothesis)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from _dispatch_helpers import problem
from wattshift.dispatch.lp import solve_lp
from wattshift.dispatch.merit import merit_allocation, solve_merit


def test_two_fleets_interconnect_binding() -> None:
    # room = 10 − 1 aux = 9 MW: the 60 USD/MWh fleet gets 5 MW, the 40 USD/MWh fleet the other 4.
    p = problem([30.0], [[60.0], [40.0]], [5.0, 6.0], interconnect_mw=10.0, aux_mw=1.0, interval_hours=0.25)
    s = solve_merit(p)
    np.testing.assert_allclose(s.fleet_mw[:, 0], [5.0, 4.0])
    # 0.25 h x [(60−30) x 5 + (40−30) x 4] − 0.25 h x 30 x 1 MW aux = 47.5 − 7.5
    assert s.objective_usd == pytest.approx(40.0)


def test_curtails_when_price_above_value() -> None:
    s = solve_merit(problem([50.0], [[60.0], [40.0]], [5.0, 6.0], interconnect_mw=10.0))
    np.testing.assert_allclose(s.fleet_mw[:, 0], [5.0, 0.0])


def test_block_contract_adds_sellback_constant() -> None:
    # Block of 4 MW at 20 USD/MWh, price 30, nothing runs (value 10): sell back 4 MWh x (30 − 20) = 40.
    s = solve_merit(problem([30.0], [[10.0]], [5.0], block_mw=4.0, block_price_usd_per_mwh=20.0))
    assert s.fleet_mw.sum() == 0.0
    assert s.objective_usd == pytest.approx(40.0)


def test_gpu_firm_served_and_spot_first() -> None:
    # AI value 1000 beats mining 60; firm 2 MW is served even at a price of 2000.
    p = problem(
        [30.0, 2000.0],
        [[60.0, 60.0]],
        [10.0],
        interconnect_mw=12.0,
        ai=[1000.0, 1000.0],
        gpu_capacity_mw=5.0,
        gpu_firm_mw=2.0,
    )
    s = solve_merit(p)
    np.testing.assert_allclose(s.gpu_mw, [5.0, 2.0])
    np.testing.assert_allclose(s.fleet_mw[0], [7.0, 0.0])


def test_single_peak_interval_is_a_price_adder() -> None:
    # 4CP charge of 60 USD/MW at t=1 makes mining (margin 50 − 0 − 60) lose there.
    p = problem(
        [0.0, 0.0],
        [[50.0, 50.0]],
        [10.0],
        peak_group=np.array([-1, 0]),
        peak_rate_usd_per_mw=np.array([60.0]),
        peak_floor_mw=np.zeros(1),
    )
    s = solve_merit(p)
    np.testing.assert_allclose(s.fleet_mw[0], [10.0, 0.0])
    assert s.objective_usd == pytest.approx(500.0)
    assert solve_lp(p).objective_usd == pytest.approx(500.0)


def test_merit_refuses_coupled_problem() -> None:
    p = problem([0.0, 0.0], [[50.0, 50.0]], [10.0], ramp_mw_per_interval=np.array([1.0]))
    with pytest.raises(ValueError, match="merit order is exact only"):
        solve_merit(p)


def _scalar_merit(margin: np.ndarray, cap: np.ndarray, room: np.ndarray) -> np.ndarray:
    out = np.zeros_like(margin)
    for t in range(margin.shape[1]):
        left = room[t]
        for i in sorted(range(cap.size), key=lambda i: (-margin[i, t], i)):
            if margin[i, t] > 0:
                out[i, t] = min(cap[i], max(left, 0.0))
                left -= out[i, t]
    return out


def test_vector_equals_scalar_loop() -> None:
    rng = np.random.default_rng(7)
    margin = rng.normal(0, 20, (5, 300))
    margin[1, :50] = margin[2, :50]  # ties
    cap = rng.uniform(1, 10, 5)
    room = rng.uniform(0, 40, 300)
    np.testing.assert_allclose(merit_allocation(margin, cap, room), _scalar_merit(margin, cap, room))


floats = st.floats(allow_nan=False, allow_infinity=False)


@st.composite
def separable_problems(draw: st.DrawFn) -> object:
    K = draw(st.integers(1, 4))
    T = draw(st.integers(1, 30))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    caps = rng.uniform(0.5, 50.0, K)
    gpu_cap = float(draw(st.sampled_from([0.0, 5.0, 20.0])))
    firm = gpu_cap * float(draw(st.sampled_from([0.0, 0.5, 1.0])))
    aux = float(draw(st.floats(0.0, 3.0)))
    interconnect = aux + firm + float(draw(st.floats(0.1, 150.0)))
    price = rng.normal(40.0, 80.0, T)
    values = rng.uniform(0.0, 120.0, (K, T))
    peak = None
    rates = np.zeros(0)
    if draw(st.booleans()):
        peak = np.full(T, -1, dtype=np.int64)
        peak[rng.integers(0, T)] = 0
        rates = np.array([float(draw(st.floats(0.0, 500.0)))])
    block = float(draw(st.sampled_from([0.0, 10.0])))
    return problem(
        price.tolist(),
        values.tolist(),
        caps.tolist(),
        interconnect_mw=interconnect,
        interval_hours=float(draw(st.sampled_from([1 / 12, 0.25, 1.0]))),
        ai=rng.uniform(0, 300, T).tolist(),
        gpu_capacity_mw=gpu_cap,
        gpu_firm_mw=firm,
        aux_mw=aux,
        block_mw=block,
        block_price_usd_per_mwh=35.0,
        peak_group=peak,
        peak_rate_usd_per_mw=rates,
        peak_floor_mw=np.zeros(rates.size),
    )


@settings(max_examples=50, deadline=None)
@given(separable_problems())
def test_merit_equals_lp_objective(p: object) -> None:
    from wattshift.dispatch.problem import DispatchProblem

    assert isinstance(p, DispatchProblem)
    merit, lp = solve_merit(p), solve_lp(p)
    assert merit.objective_usd == pytest.approx(lp.objective_usd, rel=1e-6, abs=1e-6)
    load = merit.fleet_mw.sum(axis=0) + merit.gpu_mw + p.aux_mw
    assert np.all(load <= p.interconnect_mw + 1e-9)
    assert np.all(merit.gpu_mw >= p.gpu_firm_mw - 1e-12)
