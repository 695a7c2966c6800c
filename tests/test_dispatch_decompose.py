"""Ramp-window decomposition: hand-solved windows, window growth, fallbacks, and the full LP's optimum
on random sites (hypothesis) and on the benchmark year (real ERCOT prices)."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from _dispatch_helpers import problem
from wattshift.dispatch import backtest
from wattshift.dispatch.decompose import Decomposition, decomposable, decompose
from wattshift.dispatch.links import violated_links
from wattshift.dispatch.lp import solve_lp
from wattshift.dispatch.problem import DispatchProblem, InitialState, Schedule


def assert_feasible(p: DispatchProblem, s: Schedule, tol: float = 1e-6) -> None:
    """Energy balance and every row of the LP: capacity, interconnect, firm GPU, reserves, hourly
    awards, ramps."""
    load = s.fleet_mw.sum(axis=0) + s.gpu_mw
    assert np.all(s.fleet_mw >= -tol) and np.all(s.fleet_mw <= p.fleet_capacity_mw[:, None] + tol)
    assert np.all(load + p.aux_mw <= p.interconnect_mw + tol)
    assert np.all(s.gpu_mw >= p.gpu_firm_mw - tol) and np.all(s.gpu_mw <= p.gpu_capacity_mw + tol)
    offered = s.reserve_mw.sum(axis=0) if s.reserve_mw.size else np.zeros(p.n_intervals)
    assert np.all(offered >= -tol) and np.all(offered <= p.reserve_max_mw + tol)
    assert np.all(offered <= load - p.gpu_firm_mw + tol)
    if p.reserve_hour is not None and p.n_products:
        tied = p.reserve_hour[1:] == p.reserve_hour[:-1]
        assert np.all(np.abs(np.diff(offered))[tied] <= tol)
    ramp_mw = p.ramp_mw_per_interval
    ramp = (np.full(p.n_fleets, np.inf) if ramp_mw is None else ramp_mw)[:, None]
    assert np.all(np.abs(np.diff(s.fleet_mw, axis=1)) <= ramp + tol)
    if p.initial is not None:
        prev = p.initial.fleet_mw
        known = np.isfinite(prev)
        assert np.all(np.abs(s.fleet_mw[known, 0] - prev[known]) <= ramp[known, 0] + tol)


def _spike(price_at_spike: float, T: int, at: int, ramp: float) -> DispatchProblem:
    """One 10 MW fleet worth 50 USD/MWh, price 0 except ``price_at_spike`` at ``at`` (1 h intervals)."""
    price = [0.0] * T
    price[at] = price_at_spike
    return problem(price, [[50.0] * T], [10.0], ramp_mw_per_interval=np.array([ramp]))


def test_one_window_around_a_price_spike() -> None:
    # Relaxed: 10 MW except 0 at t4 (margin −150), breaking the 5 MW ramp twice. In the LP the fleet
    # stops at t4 and runs 5 MW at t3 and t5 (losing 2·5·50 = 500 USD; running 5 MW through the
    # spike instead loses 5·150 = 750): 10,10,10,5,0,5,10,10 is worth 5·500 + 2·250 = 3,000 USD.
    p = _spike(200.0, 8, 4, 5.0)
    assert violated_links(p, np.array([[10.0, 10, 10, 10, 0, 10, 10, 10]])).tolist() == [4, 5]
    d = decompose(p, max_share=1.0)  # a window of 5 of 8 intervals (the default falls back above half)
    assert (d.method, d.rounds, d.windows) == ("windows", 1, 1)
    np.testing.assert_allclose(d.schedule.fleet_mw[0], [10, 10, 10, 5, 0, 5, 10, 10], atol=1e-7)
    assert d.schedule.objective_usd == pytest.approx(3000.0)
    assert d.schedule.objective_usd == pytest.approx(solve_lp(p).objective_usd, rel=1e-12)


def test_window_grows_while_its_boundary_ramp_rows_bind() -> None:
    # Ramp 4 MW, margin −1000 at t5: the optimum is 10,10,10,8,4,0,4,8,10,10,10 (3,000 + 800 + 400 =
    # 4,200 USD). Started with one interval each side, the window [4, 6] must leave t3 and t7 at 10 MW
    # (neighbours fixed at the relaxed 10 MW): its boundary rows bind (HiGHS's dual puts the price on
    # one side of this symmetric case at a time), so it grows until it holds [3, 7].
    p = _spike(1050.0, 11, 5, 4.0)
    d = decompose(p, pad=1, max_share=1.0)
    assert d.method == "windows" and d.rounds >= 2 and d.lp_intervals >= 5
    np.testing.assert_allclose(d.schedule.fleet_mw[0], [10, 10, 10, 8, 4, 0, 4, 8, 10, 10, 10], atol=1e-7)
    assert d.schedule.objective_usd == pytest.approx(4200.0)
    # Without growth (one round) the same start would stop short of the optimum: a real fallback.
    short = decompose(p, pad=1, max_rounds=1, max_share=1.0)
    assert short.method == "full" and "no convergence" in short.fallback
    assert short.schedule.objective_usd == pytest.approx(4200.0)


def test_relaxed_solution_within_ramps_is_the_lp_optimum() -> None:
    p = _spike(20.0, 6, 2, 5.0)  # margin still positive at the "spike": no switching, no window
    d = decompose(p)
    assert d.method == "merit" and d.rounds == 0
    assert d.schedule.objective_usd == pytest.approx(solve_lp(p).objective_usd, rel=1e-12)


def test_initial_load_is_a_ramp_link() -> None:
    # From 0 MW before the window, ramp 2 MW: 2 then 4 MW (the LP test's known answer, 300 USD).
    init = InitialState(np.array([0.0]), np.array([False]), np.array([100], dtype=np.int64))
    p = problem([0.0, 0.0], [[50.0, 50.0]], [10.0], ramp_mw_per_interval=np.array([2.0]), initial=init)
    d = decompose(p, max_share=1.0)
    assert d.method == "windows"
    np.testing.assert_allclose(d.schedule.fleet_mw[0], [2.0, 4.0], atol=1e-7)
    assert d.schedule.objective_usd == pytest.approx(300.0)


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"min_on_intervals": np.array([3]), "min_off_intervals": np.array([0])}, "not the only coupling"),
        ({"max_energy_mwh_per_day": 50.0}, "not the only coupling"),
        ({"ramp_mw_per_interval": None}, "no binding ramp limit"),
    ],
)
def test_other_coupling_falls_back_to_the_full_lp(change: dict[str, object], reason: str) -> None:
    base = _spike(200.0, 8, 4, 5.0)
    p = replace(base, min_load_fraction=np.array([1.0]), **change)  # type: ignore[arg-type]
    d = decompose(p)
    assert d.method == "full" and reason in d.fallback
    assert not decomposable(p)
    assert d.schedule.objective_usd == pytest.approx(solve_lp(p).objective_usd, rel=1e-12)


def test_hourly_awards_are_links_and_down_reserves_fall_back() -> None:
    # No ramp limit: the only coupling is the hourly award (offer equal over each 4-interval hour).
    # Relaxed, the offer follows the curtailable load (10, 10, 10, 10, 10, 0, 10, 10): the second
    # hour's award row breaks at t5, so that whole hour is a window.
    p = replace(
        _spike(200.0, 8, 5, 10.0),
        ramp_mw_per_interval=None,
        reserve_price_usd_per_mw_h=np.full((1, 8), 30.0),
        reserve_is_up=np.array([True]),
        reserve_max_mw=10.0,
        reserve_hour=np.repeat(np.arange(2), 4),
    )
    assert decomposable(p)
    d = decompose(p, max_share=1.0)
    assert d.method == "windows" and d.lp_intervals == 4
    lp = solve_lp(p)
    assert d.schedule.objective_usd == pytest.approx(lp.objective_usd, rel=1e-12)
    offered = d.schedule.reserve_mw.sum(axis=0)
    assert np.ptp(offered[:4]) < 1e-9 and np.ptp(offered[4:]) < 1e-9
    down = replace(p, reserve_is_up=np.array([False]))
    assert not decomposable(down)
    assert decompose(down).method == "full"


def test_windows_covering_too_much_fall_back() -> None:
    d = decompose(_spike(200.0, 8, 4, 5.0), max_share=0.1)
    assert d.method == "full" and "cover more than" in d.fallback
    assert d.schedule.objective_usd == pytest.approx(3000.0)


def test_backtest_auto_uses_the_decomposition(monkeypatch: pytest.MonkeyPatch) -> None:
    p = _spike(200.0, 8, 4, 5.0)
    expected = backtest.solve(p, "lp").objective_usd

    def no_full_lp(*args: object, **kwargs: object) -> Schedule:
        raise AssertionError("auto solved the whole LP")

    monkeypatch.setattr("wattshift.dispatch.rolling.solve_lp", no_full_lp)  # where backtest.solve lives
    auto = backtest.solve(p, "auto")
    assert auto.solver == "lp"
    assert auto.objective_usd == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("window_days", [1, None])
def test_backtest_auto_equals_the_lp_across_windows(window_days: int | None) -> None:
    # Five days of 15-minute intervals, a ramp-limited fleet beside an unlimited one; the fleet state
    # is carried from day to day, so each day's first ramp row links to the day before.
    import pandas as pd

    from wattshift.dispatch.backtest import BacktestInputs, run_backtest
    from wattshift.dispatch.spec import FleetSpec, SiteSpec

    T = 96 * 5
    rng = np.random.default_rng(5)
    price = np.repeat(rng.normal(40.0, 60.0, T // 8), 8)
    price[rng.random(T) < 0.03] = 5000.0
    fleets = FleetSpec(
        names=("a", "b"),
        power_mw=np.array([30.0, 20.0]),
        efficiency_j_per_th=np.array([15.0, 25.0]),
        ramp_mw_per_min=np.array([0.4, np.inf]),
        min_on_minutes=np.zeros(2),
        min_off_minutes=np.zeros(2),
        min_load_fraction=np.zeros(2),
    )
    spec = SiteSpec(name="t", interconnect_mw=45.0, fleets=fleets)
    inputs = BacktestInputs(
        interval_start_utc=pd.date_range("2024-03-01", periods=T, freq="15min", tz="UTC"),
        interval_minutes=15.0,
        decision_price_usd_per_mwh=price,
        settle_price_usd_per_mwh=price,
        fleet_value_usd_per_mwh=np.vstack([np.full(T, 60.0), np.full(T, 41.0)]),
        ai_value_usd_per_mwh=np.zeros(T),
        reserve_price_usd_per_mw_h=np.zeros((0, T)),
    )
    auto = run_backtest(spec, inputs, solver="auto", window_days=window_days)
    lp = run_backtest(spec, inputs, solver="lp", window_days=window_days)
    assert auto.solver == "lp"
    assert auto.objective_usd == pytest.approx(lp.objective_usd, rel=1e-9)
    mw_a = auto.schedule["mw_a"].to_numpy()
    assert np.all(np.abs(np.diff(mw_a)) <= 6.0 + 1e-7)  # 0.4 MW/min over 15 minutes, across days too
    assert np.all(auto.schedule["mw_a"] + auto.schedule["mw_b"] <= 45.0 + 1e-7)


@st.composite
def ramp_sites(draw: st.DrawFn) -> DispatchProblem:
    """Random sites: prices with runs, negative prices and 5,000 USD/MWh caps; random fleets, ramps,
    GPU, up reserves (hourly awards or not), initial state, block contract, single-interval peak
    charges (synthetic inputs)."""
    K = draw(st.integers(1, 3))
    T = draw(st.integers(2, 120))
    R = draw(st.integers(0, 3))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    price = np.repeat(rng.normal(30.0, 60.0, T), rng.integers(1, 6, T))[:T]
    price[rng.random(T) < 0.05] = 5000.0
    caps = rng.uniform(1.0, 40.0, K)
    ramp = caps * rng.uniform(0.05, 1.2, K)
    gpu = float(draw(st.sampled_from([0.0, 10.0])))
    firm = gpu * float(draw(st.sampled_from([0.0, 0.5])))
    aux = float(draw(st.floats(0.0, 3.0)))
    room = float(draw(st.floats(1.0, 120.0)))
    prev = caps * rng.uniform(0.0, 1.0, K)
    prev *= min(1.0, room / max(float(prev.sum()), 1e-9))  # the initial load fits the interconnect
    init = draw(st.sampled_from([None, InitialState(prev, prev > 0, np.full(K, 100, dtype=np.int64))]))
    # ERCOT 4CP with one candidate interval per group (a price adder: still only ramps couple).
    per_hour = draw(st.sampled_from([0, 1, 4, 12]))  # 0: no market hours; else intervals per award
    n_peaks = draw(st.integers(0, 2))
    peak_group = np.full(T, -1, dtype=np.int64)
    peak_group[rng.choice(T, size=min(n_peaks, T), replace=False)] = np.arange(min(n_peaks, T))
    return problem(
        price.tolist(),
        rng.uniform(0.0, 120.0, (K, T)).round(0).tolist(),
        caps.tolist(),
        interconnect_mw=aux + firm + room,
        interval_hours=float(draw(st.sampled_from([1 / 12, 0.25, 1.0]))),
        ai=rng.uniform(0.0, 300.0, T).tolist(),
        gpu_capacity_mw=gpu,
        gpu_firm_mw=firm,
        aux_mw=aux,
        reserve_price_usd_per_mw_h=rng.uniform(-10.0, 150.0, (R, T)),
        reserve_is_up=np.ones(R, dtype=bool),
        reserve_max_mw=float(draw(st.floats(0.0, 50.0))) if R else 0.0,
        ramp_mw_per_interval=ramp,
        initial=init,
        block_mw=float(draw(st.sampled_from([0.0, 15.0]))),
        block_price_usd_per_mwh=45.0,
        peak_group=peak_group if n_peaks else None,
        peak_rate_usd_per_mw=rng.uniform(0.0, 20000.0, min(n_peaks, T)),
        peak_floor_mw=np.zeros(min(n_peaks, T)),
        reserve_hour=np.arange(T) // per_hour if per_hour else None,
    )


def _check(p: DispatchProblem, d: Decomposition, lp: Schedule) -> None:
    # 1e-6 relative to the objective, or to the site's gross energy and peak-charge spend when the net
    # is near zero: HiGHS holds rows to 1e-7 MW, which moves a 20,000 USD/MW peak charge by ~1e-5 USD.
    gross = p.interconnect_mw * (p.interval_hours * float(np.abs(p.price_usd_per_mwh).sum()))
    gross += p.interconnect_mw * float(p.peak_rate_usd_per_mw.sum())
    scale = max(1.0, abs(lp.objective_usd), gross)
    assert abs(d.schedule.objective_usd - lp.objective_usd) <= 1e-6 * scale, d
    assert_feasible(p, d.schedule)


@settings(max_examples=60, deadline=None)
@given(ramp_sites())
def test_decomposition_equals_the_full_lp(p: DispatchProblem) -> None:
    lp = solve_lp(p)
    _check(p, decompose(p), lp)
    # Windows everywhere they are needed (no coverage fallback), also from too-small first windows
    # (more rounds); an infeasible first window falls back, still to the LP's optimum.
    _check(p, decompose(p, max_share=1.0, max_rounds=200), lp)
    for pad in (1, 2):
        _check(p, decompose(p, max_share=1.0, max_rounds=200, pad=pad), lp)


@pytest.mark.slow
@pytest.mark.shared_data
def test_benchmark_year_matches_the_full_lp(shared_data_dir: Path) -> None:
    # 35,040 intervals of real HB_WEST prices, 3 ramp-limited fleets, GPU, 3 up-reserve products.
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
    from bench_dispatch import load_bench

    p = load_bench(15).problem
    d, lp = decompose(p), solve_lp(p)
    assert d.method == "windows" and d.lp_intervals < p.n_intervals / 5
    assert d.schedule.objective_usd == pytest.approx(lp.objective_usd, rel=1e-6)
    assert_feasible(p, d.schedule)
