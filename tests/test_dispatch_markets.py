"""Dispatch and plan in markets beyond ERCOT, on the real data (operating day, interval, products)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from wattshift.cli import app
from wattshift.config import parse_site
from wattshift.dispatch.forecast import TRAIN_DAYS
from wattshift.services.dispatch import run_dispatch
from wattshift.services.plan import make_plan
from wattshift.warehouse import Warehouse

runner = CliRunner()


def _site(market: str, node: str) -> dict[str, object]:
    return {
        "name": f"1 MW {market}",
        "interconnect_mw": 1.0,
        "fleets": [{"name": "f", "power_mw": 1.0, "efficiency_j_per_th": 20.0}],
        "contract": {"market": market, "node": node},
    }


def test_nordic_dispatch_runs_on_stockholm_days_and_day_ahead_prices(warehouse: Warehouse) -> None:
    site = parse_site(_site("NORDPOOL", "SE3"))
    run = run_dispatch(warehouse, site, start=dt.date(2024, 3, 30), end=dt.date(2024, 4, 1))
    # 2024-03-31 is the spring clock change in Stockholm: 24 + 23 hourly intervals, from 23:00 UTC
    assert run.market == "da" and run.timezone == "Europe/Stockholm" and len(run.result.schedule) == 47
    first = run.result.schedule.iloc[0]
    assert first["interval_start_utc"] == pd.Timestamp("2024-03-29 23:00", tz="UTC")
    assert first["interval_start_local"].hour == 0
    assert run.result.totals["net_usd"] == pytest.approx(run.upper_bound.totals["net_usd"])  # DA known


def test_miso_plan_is_the_real_time_profile_of_the_days_before(warehouse: Warehouse) -> None:
    """No day-ahead product: the plan's price is the median RT of each hour over the 28 days before D − 1."""
    day = dt.date(2024, 3, 15)
    plan = make_plan(warehouse, parse_site(_site("MISO", "Illinois Hub")), day)
    assert plan.timezone == "EST" and len(plan.interval_start) == 96
    lo = pd.Timestamp(day - dt.timedelta(days=TRAIN_DAYS + 1)).tz_localize("EST").tz_convert("UTC")
    hi = pd.Timestamp(day - dt.timedelta(days=1)).tz_localize("EST").tz_convert("UTC")
    rt = warehouse.iso_prices("Illinois Hub", "rt", lo, hi, iso="MISO")
    hour = pd.DatetimeIndex(rt["interval_start_utc"]).tz_convert("EST").hour
    median = rt.groupby(np.asarray(hour))["price_usd_per_mwh"].median()
    assert plan.price_usd_per_mwh[::4] == pytest.approx(median.to_numpy(), rel=1e-9)
    assert plan.price_usd_per_mwh[1::4] == pytest.approx(
        median.to_numpy(), rel=1e-9
    )  # 15-min plan, hourly prices


def test_cli_day_ahead_foresight_without_day_ahead_prices(tmp_path: Path, warehouse_path: Path) -> None:
    path = tmp_path / "miso.toml"
    path.write_text(
        'name = "m"\ninterconnect_mw = 1.0\n[[fleets]]\nname = "f"\npower_mw = 1.0\n'
        "efficiency_j_per_th = 20.0\n"
        '[contract]\nmarket = "MISO"\nnode = "Texas Hub"\n',
        encoding="utf-8",
    )
    args = [
        "dispatch",
        "--site",
        str(path),
        "--from",
        "2024-03-01",
        "--to",
        "2024-03-02",
        "--db",
        str(warehouse_path),
    ]
    res = runner.invoke(app, [*args, "--foresight", "day-ahead"])
    assert res.exit_code == 3 and "MISO has no 'da' prices" in res.output


def test_forecast_history_with_a_gap_leaves_those_days_out(warehouse: Warehouse) -> None:
    """MISO misses 2024-02-02 .. 02-17 (EIA): March 1 still decides, on the complete days before it."""
    from wattshift.services.dispatch_inputs import load_inputs
    from wattshift.services.market_flex import one_mw_spec

    inputs = load_inputs(
        warehouse,
        one_mw_spec(20.0, 0.0),
        node="Illinois Hub",
        market="rt",
        foresight="forecast",
        start=dt.date(2024, 3, 1),
        end=dt.date(2024, 3, 3),
        iso="MISO",
    )
    assert len(inputs.interval_start_utc) == 48 and inputs.interval_minutes == 60.0
    assert np.isfinite(inputs.decision_price_usd_per_mwh).all()
    assert not np.array_equal(inputs.decision_price_usd_per_mwh, np.zeros(48))  # a profile, not "no history"
