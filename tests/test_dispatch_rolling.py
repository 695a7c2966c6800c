"""The rolling horizon: a backtest the merit order solves window by window is solved in one piece, with
the same schedule to the last bit; sites with coupling, reserves or peak charges keep their windows."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wattshift.dispatch.backtest import BacktestInputs, run_backtest
from wattshift.dispatch.calendar import day_numbers, windows
from wattshift.dispatch.rolling import Solved, SolverName, solve_windows, window_by_window
from wattshift.dispatch.spec import FleetSpec, GpuSpec, PeakSpec, ReserveSpec, SiteSpec
from wattshift.errors import ConfigError

#: First days of grids over Chicago's DST days (23 and 25 hours) and an ordinary day [local].
STARTS = ("2024-03-09", "2024-11-02", "2024-07-01")


def _spec(k: int, gpu: bool, aux_mw: float, block_mw: float, ramp: float = np.inf) -> SiteSpec:
    fleets = FleetSpec(
        names=tuple(f"f{i}" for i in range(k)),
        power_mw=np.array([10.0, 6.0, 4.0][:k]),
        efficiency_j_per_th=np.array([17.0, 21.5, 29.5][:k]),
        ramp_mw_per_min=np.full(k, ramp),
        min_on_minutes=np.zeros(k),
        min_off_minutes=np.zeros(k),
        min_load_fraction=np.zeros(k),
    )
    g = GpuSpec(capacity_mw=3.0, firm_mw=1.0, ai_value_usd_per_mwh=90.0) if gpu else None
    # an interconnect below the loads, so the merit order's room binds in some intervals
    return SiteSpec(name="t", interconnect_mw=15.0, fleets=fleets, aux_mw=aux_mw, gpu=g, block_mw=block_mw)


def _inputs(
    spec: SiteSpec, start: str, step_min: int, days: int, rng: np.random.Generator, intraday: bool, da: bool
) -> BacktestInputs:
    """Prices with negative and spiking intervals over ``days`` local days from ``start``."""
    lo = pd.Timestamp(start, tz="America/Chicago").tz_convert("UTC")
    hi = (pd.Timestamp(start) + pd.Timedelta(days=days)).tz_localize("America/Chicago").tz_convert("UTC")
    grid = pd.date_range(lo, hi, freq=f"{step_min}min", inclusive="left")
    T, K = len(grid), spec.fleets.n

    def price() -> np.ndarray:
        p = rng.normal(45.0, 30.0, T)
        p[rng.random(T) < 0.05] = rng.choice([-250.0, -0.01, 0.0, 1500.0])
        return p

    values = rng.normal(55.0, 5.0, (K, T))
    return BacktestInputs(
        interval_start_utc=grid,
        interval_minutes=float(step_min),
        decision_price_usd_per_mwh=price(),
        settle_price_usd_per_mwh=price(),
        fleet_value_usd_per_mwh=values,
        ai_value_usd_per_mwh=np.full(T, 90.0),
        reserve_price_usd_per_mw_h=np.zeros((0, T)),
        timezone="America/Chicago",
        intraday_price_usd_per_mwh=price() if intraday else None,
        decision_fleet_value_usd_per_mwh=values - 1.0,
        day_ahead_price_usd_per_mwh=price() if da else None,
    )


def _both(
    spec: SiteSpec, inputs: BacktestInputs, solver: SolverName, window_days: int
) -> tuple[Solved, Solved, list[tuple[int, int]], list[tuple[int, int]]]:
    """(Solved as the backtest solves it, solved window by window, progress calls of each)."""
    day = day_numbers(inputs.interval_start_utc, inputs.timezone)
    cuts = windows(day, window_days)
    fast: list[tuple[int, int]] = []
    slow: list[tuple[int, int]] = []
    a = solve_windows(spec, inputs, solver, day, cuts, (None, 0), lambda d, n: fast.append((d, n)))
    b = window_by_window(spec, inputs, solver, day, cuts, (None, 0), lambda d, n: slow.append((d, n)))
    return a, b, fast, slow


@settings(max_examples=40, deadline=None)
@given(
    k=st.integers(1, 3),
    gpu=st.booleans(),
    aux_mw=st.sampled_from([0.0, 0.5]),
    block_mw=st.sampled_from([0.0, 8.0]),
    start=st.sampled_from(STARTS),
    step_min=st.sampled_from([5, 15, 60]),
    days=st.integers(3, 4),
    window_days=st.integers(1, 2),
    intraday=st.booleans(),
    da=st.booleans(),
    solver=st.sampled_from(["auto", "merit"]),
    seed=st.integers(0, 2**32 - 1),
)
def test_one_piece_is_the_windows_schedule_bit_for_bit(
    k: int,
    gpu: bool,
    aux_mw: float,
    block_mw: float,
    start: str,
    step_min: int,
    days: int,
    window_days: int,
    intraday: bool,
    da: bool,
    solver: SolverName,
    seed: int,
) -> None:
    spec = _spec(k, gpu, aux_mw, block_mw)
    inputs = _inputs(spec, start, step_min, days, np.random.default_rng(seed), intraday, da)
    a, b, fast, slow = _both(spec, inputs, solver, window_days)
    np.testing.assert_array_equal(a.fleet_mw, b.fleet_mw, strict=True)
    np.testing.assert_array_equal(a.gpu_mw, b.gpu_mw, strict=True)
    np.testing.assert_array_equal(a.planned_load_mw, b.planned_load_mw, strict=True)
    assert a.reserve_mw.shape == b.reserve_mw.shape == (0, len(inputs.interval_start_utc))
    assert a.solvers == b.solvers == {"merit"} and a.windows == b.windows >= 2
    assert fast == slow == [(d, a.windows) for d in range(a.windows + 1)]
    # the interconnect binds somewhere (the fleets, GPUs and aux exceed 15 MW when all run)
    load = a.fleet_mw.sum(axis=0) + a.gpu_mw + aux_mw
    assert load.max() <= 15.0 + 1e-9


def test_backtest_totals_equal_window_by_window(monkeypatch: pytest.MonkeyPatch) -> None:
    # a 3-day ERCOT-like run over the fall-back day (25 h): every total and the schedule frame equal
    spec = _spec(3, True, 0.5, 8.0)
    inputs = _inputs(spec, "2024-11-02", 15, 3, np.random.default_rng(7), True, True)
    one = run_backtest(spec, inputs, window_days=1)
    day = day_numbers(inputs.interval_start_utc, inputs.timezone)
    cuts = windows(day, 1)
    assert [c.stop - c.start for c in cuts] == [96, 100, 96]
    calls: list[int] = []

    def each_window(*args: Any) -> Solved:
        calls.append(len(args[4]))
        return window_by_window(*args)

    monkeypatch.setattr("wattshift.dispatch.backtest.solve_windows", each_window)
    each = run_backtest(spec, inputs, window_days=1)
    assert calls == [3]
    assert one.totals == each.totals and one.always_on_totals == each.always_on_totals
    assert one.objective_usd == each.objective_usd and one.windows == each.windows == 3
    pd.testing.assert_frame_equal(one.schedule, each.schedule, check_exact=True)


def test_coupled_reserve_and_peak_sites_keep_their_windows() -> None:
    rng = np.random.default_rng(3)
    ramped = _spec(2, False, 0.0, 0.0, ramp=0.05)
    inputs = _inputs(ramped, "2024-07-01", 60, 2, rng, False, False)
    a, b, _, _ = _both(ramped, inputs, "auto", 1)
    assert a.solvers == b.solvers == {"lp"}  # each window its own LP, not the merit order
    np.testing.assert_array_equal(a.fleet_mw, b.fleet_mw)
    with pytest.raises(ConfigError, match="--solver merit"):
        _both(ramped, inputs, "merit", 1)
    reserves = ReserveSpec(products=("REGUP",), is_up=np.array([True]), max_mw=2.0)
    spec = _spec(2, False, 0.0, 0.0)
    with_reserves = SiteSpec(name="r", interconnect_mw=15.0, fleets=spec.fleets, reserves=reserves)
    T = len(inputs.interval_start_utc)
    priced = BacktestInputs(**{**inputs.__dict__, "reserve_price_usd_per_mw_h": np.full((1, T), 5.0)})
    day = day_numbers(priced.interval_start_utc, priced.timezone)
    got = solve_windows(with_reserves, priced, "auto", day, windows(day, 1), (None, 0), None)
    assert got.reserve_mw.shape == (1, T) and got.reserve_mw.max() > 0  # solved window by window
    peak = PeakSpec(rate_usd_per_mw_month=5000.0, months=(7,), rule="top_price", intervals_per_month=2)
    peaked = SiteSpec(name="p", interconnect_mw=15.0, fleets=spec.fleets, peak=peak)
    result = run_backtest(peaked, inputs, window_days=1)
    assert result.windows == 2 and result.totals["charges_usd"] >= 0.0
