"""Rolling-horizon backtest and the dispatch service on a tiny synthetic source."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pytest

from wattshift.config import SiteConfig, parse_site
from wattshift.dispatch.values import ai_value_usd_per_mwh, fleet_values_usd_per_mwh
from wattshift.errors import ConfigError, NotInWarehouseError
from wattshift.services import dispatch as service
from wattshift.services.dispatch import DispatchRun, gpu_ai_value_usd_per_mwh, result_dict
from wattshift.testing import tiny_dispatch_warehouse

D0, D2 = dt.date(2023, 8, 1), dt.date(2023, 8, 3)


def run_dispatch(*args: Any, **kw: Any) -> DispatchRun:
    """The service on the tiny source's UTC days, perfect foresight unless a test says otherwise."""
    kw.setdefault("foresight", "perfect")
    kw.setdefault("timezone", "UTC")
    return service.run_dispatch(*args, **kw)


def _site(**extra: object) -> SiteConfig:
    base: dict[str, object] = {
        "name": "tiny",
        "interconnect_mw": 20.0,
        "aux_mw": 0.5,
        "fleets": [
            {"name": "s21", "model": "Antminer S21 (200T)", "count": 2000},
            {"name": "old", "power_mw": 6.0, "efficiency_j_per_th": 34.0},
        ],
        "gpu": {"capacity_mw": 5.0, "firm_mw": 2.0, "spot_usd_per_gpu_hour": 1.7, "kw_per_gpu": 1.275},
    }
    base.update(extra)
    return parse_site(base)


def test_ai_value_from_gpu_hour_price() -> None:
    site = _site()
    # 1.70 USD/GPU-h / 1.275 kW = 1,333.33 USD/MWh at full utilisation.
    assert site.gpu is not None and gpu_ai_value_usd_per_mwh(site.gpu) == pytest.approx(1333.333, rel=1e-6)
    # at 60 % utilisation: 1.70 x 0.6 / 0.001275 = 800 USD/MWh
    assert ai_value_usd_per_mwh(1.7, 1.275, 0.6) == pytest.approx(800.0, rel=1e-12)


def test_mining_value_known_answer() -> None:
    # hashprice 0.06 USD/TH/day at 20 J/TH: 0.06 / (20 x 24e-6) = 125 USD/MWh; at 30 J/TH 83.33.
    v = fleet_values_usd_per_mwh(np.array([0.06, 0.03]), np.array([20.0, 30.0]))
    np.testing.assert_allclose(v, [[125.0, 62.5], [250.0 / 3, 125.0 / 3]])


def test_rolling_windows_equal_one_window_without_coupling() -> None:
    site = _site()
    a = run_dispatch(tiny_dispatch_warehouse(), site, start=D0, end=D2, window_days=1)
    b = run_dispatch(tiny_dispatch_warehouse(), site, start=D0, end=D2, window_days=None)
    assert a.result.solver == "merit" and a.result.windows == 2 and b.result.windows == 1
    assert a.result.totals["net_usd"] == pytest.approx(b.result.totals["net_usd"], rel=1e-12)


def test_energy_balance_and_accounting() -> None:
    site = _site(reserves={"products": ["REGUP", "RRS"], "max_mw": 3.0})
    run = run_dispatch(tiny_dispatch_warehouse(), site, start=D0, end=D2, solver="lp")
    frame = run.result.schedule
    load = frame["mw_s21"] + frame["mw_old"] + frame["mw_ai"] + 0.5
    assert np.allclose(frame["mw_load"], load)
    assert (frame["mw_load"] <= 20.0 + 1e-6).all()
    assert (frame["mw_ai"] >= 2.0 - 1e-9).all()
    up = frame["mw_reserve_REGUP"] + frame["mw_reserve_RRS"]
    assert (up <= 3.0 + 1e-6).all()
    assert (up <= frame["mw_mining"] + frame["mw_ai"] - 2.0 + 1e-6).all()
    t = run.result.totals
    # perfect foresight: the settled net equals the solver's objective
    assert run.result.objective_usd == pytest.approx(t["net_usd"], rel=1e-9)
    assert t["net_usd"] == pytest.approx(
        t["mining_usd"]
        + t["ai_usd"]
        + t["reserves_usd"]
        + t["sellback_usd"]
        - t["energy_cost_usd"]
        - t["charges_usd"]
    )
    assert t["reserves_usd"] > 0
    assert frame["value_usd"].sum() == pytest.approx(t["net_usd"])


def test_flexibility_never_loses_with_perfect_foresight() -> None:
    run = run_dispatch(tiny_dispatch_warehouse(), _site(), start=D0, end=D2)
    assert run.result.value_of_flexibility_usd >= -1e-6
    assert run.result.totals["hours_curtailed"] >= 1.0  # the 900 USD/MWh spike is curtailed


def test_day_ahead_decisions_do_not_beat_perfect_foresight() -> None:
    perfect = run_dispatch(tiny_dispatch_warehouse(), _site(), start=D0, end=D2)
    da = run_dispatch(tiny_dispatch_warehouse(), _site(), start=D0, end=D2, foresight="day_ahead")
    assert da.result.totals["net_usd"] <= perfect.result.totals["net_usd"] + 1e-6
    assert da.result.objective_usd != da.result.totals["net_usd"]


def test_ramp_and_min_up_hold_across_windows() -> None:
    site = _site(
        fleets=[
            {"name": "s21", "model": "Antminer S21 (200T)", "count": 2000, "ramp_mw_per_min": 0.05},
            {
                "name": "old",
                "power_mw": 6.0,
                "efficiency_j_per_th": 34.0,
                "min_on_minutes": 60,
                "min_off_minutes": 60,
                "min_load_fraction": 1.0,
            },
        ]
    )
    run = run_dispatch(tiny_dispatch_warehouse(), site, start=D0, end=D2)
    assert run.result.solver == "milp"
    s21 = run.result.schedule["mw_s21"].to_numpy()
    assert np.abs(np.diff(s21)).max() <= 0.05 * 15 + 1e-6  # 0.75 MW per 15-min interval, boundary included
    old = run.result.schedule["mw_old"].to_numpy()
    on = old > 1e-6
    starts = np.flatnonzero(np.diff(on.astype(int)) != 0) + 1
    runs = np.diff(np.concatenate([[0], starts, [on.size]]))
    assert runs[1:-1].min() >= 4  # every interior on/off run lasts ≥ 60 min


def test_4cp_top_price_rule_avoids_the_spike() -> None:
    site = _site(
        peak_charges={
            "rate_usd_per_kw_year": 100.0,
            "months": [8],
            "intervals_per_month": 4,
            "rule": "top_price",
        }
    )
    run = run_dispatch(tiny_dispatch_warehouse(), site, start=D0, end=D2)
    frame = run.result.schedule
    spike = frame["price_usd_per_mwh"].to_numpy() >= 900.0
    # at the flagged (highest-price) intervals only the firm GPU load and aux remain
    assert np.allclose(frame["mw_load"].to_numpy()[spike], 2.0 + 0.5)
    assert run.result.totals["charges_usd"] == pytest.approx(100.0 * 1000.0 * 2.5)


def test_price_hole_names_the_span() -> None:
    with pytest.raises(
        NotInWarehouseError,
        match=r"HB_WEST rt: prices missing for 2023-08-01T10:00:00\+00:00 \.\. "
        r"2023-08-01T10:30:00\+00:00 \(3 intervals\)",
    ):
        run_dispatch(tiny_dispatch_warehouse(drop_rt=slice(40, 43)), _site(), start=D0, end=D2)


def test_missing_ancillary_range_is_an_error() -> None:
    site = _site(reserves={"products": ["ECRS"], "max_mw": 3.0})
    with pytest.raises(NotInWarehouseError, match="no da_as prices for ECRS"):
        run_dispatch(tiny_dispatch_warehouse(), site, start=D0, end=D2)


def test_merit_solver_refused_for_coupled_site() -> None:
    site = _site(reserves={"products": ["REGUP"], "max_mw": 3.0})
    with pytest.raises(ConfigError, match="--solver merit"):
        run_dispatch(tiny_dispatch_warehouse(), site, start=D0, end=D2, solver="merit")


def test_result_dict_keys() -> None:
    doc = result_dict(run_dispatch(tiny_dispatch_warehouse(), _site(), start=D0, end=D2))
    for key in (
        "energy_cost_usd",
        "charges_usd",
        "net_usd",
        "hours_curtailed",
        "value_of_flexibility_usd",
        "objective_usd",
        "solver",
        "solve_seconds",
    ):
        assert key in doc
    assert set(doc["revenue_usd"]) == {"mining", "ai", "reserves", "sellback"}
    assert set(doc["mwh"]) == {"mining", "ai", "curtailed", "deployed"}
    assert doc["foresight"] == "perfect" and doc["regret_usd"] == 0.0
    assert doc["upper_bound_net_usd"] == doc["net_usd"] and doc["timezone"] == "UTC"


def test_4cp_given_peak_is_exact_in_merit_order() -> None:
    # The given peak 17:20 UTC falls in the 17:15 interval; a 1,000,000 USD/MW charge empties it.
    site = _site(
        peak_charges={
            "rate_usd_per_kw_year": 1000.0,
            "months": [8],
            "rule": "given",
            "peaks": ["2023-08-01T17:20:00Z"],
        }
    )
    run = run_dispatch(tiny_dispatch_warehouse(), site, start=D0, end=D2)
    assert run.result.solver == "merit"
    frame = run.result.schedule.set_index("interval_start_utc")
    assert frame.loc["2023-08-01 17:15:00+00:00", "mw_load"] == pytest.approx(2.5)  # firm GPU + aux
    assert frame["mw_load"].loc["2023-08-01 17:30:00+00:00"] > 2.5
    assert run.result.totals["charges_usd"] == pytest.approx(1000.0 * 1000.0 * 2.5)


@pytest.mark.parametrize(("window_days", "windows"), [(1, 2), (None, 1)])
def test_progress_counts_windows_and_changes_nothing(window_days: int | None, windows: int) -> None:
    site = _site(reserves={"products": ["REGUP"], "max_mw": 2.0})
    calls: list[tuple[int, int]] = []
    quiet = run_dispatch(
        tiny_dispatch_warehouse(), site, start=D0, end=D2, solver="lp", window_days=window_days
    )
    watched = run_dispatch(
        tiny_dispatch_warehouse(),
        site,
        start=D0,
        end=D2,
        solver="lp",
        window_days=window_days,
        progress=lambda done, total: calls.append((done, total)),
    )
    # once at 0, then after each window: 0..N in order, N == windows solved
    assert calls == [(k, windows) for k in range(windows + 1)]
    assert watched.result.windows == windows
    assert watched.result.schedule.equals(quiet.result.schedule)
    assert watched.result.totals == quiet.result.totals
    assert watched.result.objective_usd == quiet.result.objective_usd


def test_schedule_is_built_on_first_use_from_the_prices_of_the_run() -> None:
    import pickle

    import pandas as pd

    from wattshift.dispatch.backtest import BacktestInputs, run_backtest
    from wattshift.dispatch.settlement import schedule_frame
    from wattshift.dispatch.spec import FleetSpec, SiteSpec

    fleets = FleetSpec(
        names=("a",),
        power_mw=np.array([10.0]),
        efficiency_j_per_th=np.array([20.0]),
        ramp_mw_per_min=np.array([np.inf]),
        min_on_minutes=np.zeros(1),
        min_off_minutes=np.zeros(1),
        min_load_fraction=np.zeros(1),
    )
    spec = SiteSpec(name="t", interconnect_mw=10.0, fleets=fleets)
    # the DST night of 2024-11-03 in Chicago, negative prices included: mining pays 50 USD/MWh
    grid = pd.date_range("2024-11-03 04:00", periods=8, freq="h", tz="UTC")
    price = np.array([-20.0, 10.0, 80.0, 40.0, -5.0, 60.0, 49.0, 51.0])
    inputs = BacktestInputs(
        interval_start_utc=grid,
        interval_minutes=60.0,
        decision_price_usd_per_mwh=price,
        settle_price_usd_per_mwh=price,
        fleet_value_usd_per_mwh=np.full((1, 8), 50.0),
        ai_value_usd_per_mwh=np.zeros(8),
        reserve_price_usd_per_mw_h=np.zeros((0, 8)),
        timezone="America/Chicago",
    )
    result = run_backtest(spec, inputs, window_days=1)
    price[:] = 1e6  # the caller's array changing after the run leaves the schedule as it was
    frame = result.schedule
    assert frame is result.schedule  # built once
    on = np.array([10.0, 10.0, 0.0, 10.0, 10.0, 0.0, 10.0, 0.0])
    np.testing.assert_array_equal(frame["mw_a"].to_numpy(), on)
    settled = np.array([-20.0, 10.0, 80.0, 40.0, -5.0, 60.0, 49.0, 51.0])
    np.testing.assert_array_equal(frame["price_usd_per_mwh"].to_numpy(), settled)
    # mining 50 x 10 MWh, energy at the price, in the hours on: 700 + 400 + 100 + 550 + 10 = 1,760 USD
    assert frame["value_usd"].sum() == pytest.approx(1760.0, rel=1e-12)
    assert result.totals["net_usd"] == pytest.approx(1760.0, rel=1e-12)
    assert list(frame["interval_start_local"].dt.strftime("%H%z")[2:4]) == ["01-0500", "01-0600"]
    copy = pickle.loads(pickle.dumps(result))  # Dask tasks and report lanes ship results
    pd.testing.assert_frame_equal(copy.schedule, frame, check_exact=True)
    per = {
        "mining_mw": on,
        "curtailed_mw": 10.0 - on,
        "load_mw": on,
        "mining_usd": 50.0 * on,
        "ai_usd": np.zeros(8),
        "reserves_usd": np.zeros(8),
        "sellback_usd": np.zeros(8),
        "energy_cost_usd": settled * on,
    }
    eager = schedule_frame(
        grid, ["a"], on[None, :], np.zeros(8), [], np.zeros((0, 8)), settled, per, timezone="America/Chicago"
    )
    pd.testing.assert_frame_equal(frame, eager, check_exact=True)
