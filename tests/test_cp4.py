"""ERCOT 4CP: published intervals settle the charge, the 4CP-day rule decides without hindsight."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from wattshift.cli import app
from wattshift.config import PeakChargeConfig, SiteConfig, parse_site
from wattshift.dispatch.cp4 import (
    CP4_MONTHS,
    DEFAULT_THRESHOLD_PCT,
    DEFAULT_WINDOW_LOCAL_HOURS,
    AlertRule,
    alert_days,
    alert_groups,
    alert_intervals,
    alert_rate_share,
    daily_peaks_mw,
    official_groups,
    score_months,
)
from wattshift.dispatch.settlement import SettlementInputs, settle
from wattshift.errors import NotInWarehouseError
from wattshift.services.cp4 import backtest_rule, official_starts
from wattshift.services.dispatch import DispatchRun, run_dispatch
from wattshift.testing import FakeWarehouse, tiny_dispatch_warehouse
from wattshift.warehouse import Warehouse

TZ = "America/Chicago"
D0, D2 = dt.date(2023, 8, 1), dt.date(2023, 8, 3)


# --- the rule (engine) ------------------------------------------------------------------------------


def _peaks(values: dict[str, float]) -> pd.Series:
    return pd.Series(list(values.values()), index=pd.DatetimeIndex(list(values)))


def test_alert_days_known_answer() -> None:
    # 3 %: alert when yesterday's peak >= 0.97 x the month's peak through yesterday.
    peaks = _peaks(
        {
            "2023-05-31": 80.0,  # not a 4CP month: never an alert
            "2023-06-01": 100.0,  # first day: yesterday is May, its own peak is the reference -> alert
            "2023-06-02": 90.0,  # yesterday 100 >= 0.97 x 100 -> alert
            "2023-06-03": 99.0,  # yesterday 90 < 97 -> no
            "2023-06-04": 101.0,  # yesterday 99 >= 97 -> alert
            "2023-06-05": 95.0,  # yesterday 101 is the new peak -> alert
            "2023-06-06": 50.0,  # yesterday 95 < 0.97 x 101 = 97.97 -> no
            "2023-06-08": 99.0,  # no load for June 7: no information -> no alert
        }
    )
    alerts = alert_days(peaks, AlertRule(threshold_pct=3.0))
    assert alerts.reindex(peaks.index).tolist() == [False, True, True, False, True, True, False, False]
    # the days after known days are decided too, before any of their own load: June 7 (yesterday
    # 50 < 97.97) no, June 9 (yesterday 99 >= 97.97) alert
    assert alerts[pd.Timestamp("2023-06-07")] == False  # noqa: E712
    assert alerts[pd.Timestamp("2023-06-09")] == True  # noqa: E712
    # 6 %: June 3 (90 >= 94? no) stays quiet, June 6 (95 >= 94.94) now alerts
    wider = alert_days(peaks, AlertRule(threshold_pct=6.0))
    assert wider.reindex(peaks.index).tolist() == [False, True, True, False, True, True, True, False]


def test_alert_intervals_cover_the_local_window_of_alert_days() -> None:
    grid = pd.date_range("2023-06-01 05:00", "2023-06-03 05:00", freq="15min", inclusive="left", tz="UTC")
    alerts = pd.Series([True, False], index=pd.DatetimeIndex(["2023-06-01", "2023-06-02"]))
    flagged = alert_intervals(grid, alerts, AlertRule(window_local_hours=(15, 18)), TZ)
    local = grid[flagged].tz_convert(TZ)
    assert flagged.sum() == 12  # 3 h of 15-min intervals, June 1 only
    assert local[0].isoformat() == "2023-06-01T15:00:00-05:00"
    assert local[-1].isoformat() == "2023-06-01T17:45:00-05:00"
    group, n = alert_groups(flagged)
    assert n == 12 and sorted(group[flagged].tolist()) == list(range(12)) and (group[~flagged] == -1).all()


def test_alert_rate_share_is_hit_probability_over_window_intervals() -> None:
    rule = AlertRule(window_local_hours=(15, 18))
    assert alert_rate_share(rule, 4 / 76, 15.0) == pytest.approx(4 / 76 / 12)
    assert alert_rate_share(rule, 0.5, 60.0) == pytest.approx(0.5 / 3)


def test_official_groups_pick_the_interval_holding_the_4cp_start() -> None:
    cp = pd.DatetimeIndex(["2023-08-10 21:45", "2023-09-08 21:30"], tz="UTC")
    grid15 = pd.date_range("2023-08-10 20:00", periods=16, freq="15min", tz="UTC")
    group, n = official_groups(grid15, cp)
    assert n == 1 and np.flatnonzero(group >= 0).tolist() == [7]  # 21:45
    hourly = pd.date_range("2023-08-10 00:00", periods=24, freq="h", tz="UTC")
    group, n = official_groups(hourly, cp)
    assert n == 1 and np.flatnonzero(group >= 0).tolist() == [21]  # the 21:00 hour holds 21:45


def test_score_months_counts_hits_and_false_alarms() -> None:
    alerts = pd.Series(
        [True, True, False, True],
        index=pd.DatetimeIndex(["2023-08-09", "2023-08-10", "2023-08-11", "2023-08-12"]),
    )
    rule = AlertRule(window_local_hours=(15, 18))
    hit = score_months(alerts, pd.DatetimeIndex(["2023-08-10 21:45"], tz="UTC"), rule, TZ)[0]
    assert (hit.alert_days, hit.hit, hit.false_alarms, hit.hours_curtailed) == (3, True, 2, 9.0)
    miss = score_months(alerts, pd.DatetimeIndex(["2023-08-11 21:45"], tz="UTC"), rule, TZ)[0]
    assert (miss.hit, miss.false_alarms) == (False, 3)
    late = score_months(alerts, pd.DatetimeIndex(["2023-08-10 23:30"], tz="UTC"), rule, TZ)[0]
    assert late.hit is False  # 18:30 CDT: the alert day's window missed the interval


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), cut=st.integers(0, 24 * 12 - 1), threshold=st.floats(0.0, 5.0))
def test_no_look_ahead(seed: int, cut: int, threshold: float) -> None:
    # Changing the load from hour `cut` on changes no decision of an interval starting before it.
    rng = np.random.default_rng(seed)
    hours = pd.date_range("2023-06-25 05:00", periods=24 * 12, freq="h", tz="UTC")
    grid = pd.date_range(hours[0], hours[-1], freq="15min", tz="UTC")
    rule = AlertRule(threshold_pct=threshold)
    # days of different levels (hot and mild days), hours of different loads within each
    base = np.repeat(rng.uniform(55_000, 85_000, 12), 24) * rng.uniform(0.8, 1.0, hours.size)
    changed = base.copy()
    changed[cut:] = np.repeat(rng.uniform(55_000, 85_000, 12), 24)[cut:] * rng.uniform(
        0.8, 1.0, hours.size - cut
    )

    def decisions(load: np.ndarray[Any, np.dtype[np.float64]]) -> np.ndarray[Any, np.dtype[np.bool_]]:
        return alert_intervals(grid, alert_days(daily_peaks_mw(load, hours, TZ), rule), rule, TZ)

    before = grid < hours[cut]
    np.testing.assert_array_equal(decisions(base)[before], decisions(changed)[before])


# --- the charge -------------------------------------------------------------------------------------


def test_charge_by_hand_at_the_official_interval() -> None:
    # 4 intervals of 15 min, load 5, 7, 3, 9 MW (+ 1 MW aux); the 4CP interval is the second.
    grid = pd.date_range("2023-08-10 21:15", periods=4, freq="15min", tz="UTC")
    group, n = official_groups(grid, pd.DatetimeIndex(["2023-08-10 21:30"], tz="UTC"))
    rate_per_mw_month = 60.0 * 1000.0 / 4  # 60 USD/kW-year, one of four 4CP months: 15,000 USD/MW
    inputs = SettlementInputs(
        interval_hours=0.25,
        price_usd_per_mwh=np.full(4, 50.0),
        fleet_value_usd_per_mwh=np.full((1, 4), 80.0),
        ai_value_usd_per_mwh=np.zeros(4),
        reserve_price_usd_per_mw_h=np.zeros((0, 4)),
        aux_mw=1.0,
        block_mw=0.0,
        block_price_usd_per_mwh=0.0,
        deliverable_mw=10.0,
        peak_group=group,
        peak_rate_usd_per_mw=np.full(n, rate_per_mw_month),
    )
    _, totals = settle(inputs, np.array([[5.0, 7.0, 3.0, 9.0]]), np.zeros(4), np.zeros((0, 4)))
    assert totals["charges_usd"] == pytest.approx(15_000.0 * 8.0)  # (7 + 1) MW x 15,000 USD/MW


class _Cp4Fake(FakeWarehouse):
    """The tiny dispatch source plus a 4CP table and an hourly system load (synthetic)."""

    def __init__(self, cp4_start_utc: list[str], years: list[int] | None = None) -> None:
        self.__dict__.update(tiny_dispatch_warehouse().__dict__)
        starts = pd.DatetimeIndex(cp4_start_utc, tz="UTC")
        self._cp4 = pd.DataFrame(
            {
                "year": years or [t.year for t in starts],
                "month": [t.month for t in starts],
                "interval_start_utc": starts,
                "interval_minutes": 15,
                "total_4cp_mw": 80_000.0,
                "annual_average_4cp_mw": 80_000.0,
            }
        )
        hours = pd.date_range("2023-07-30", "2023-08-04", freq="h", inclusive="left", tz="UTC")
        self._load = pd.DataFrame(
            {"interval_start_utc": hours, "interval_minutes": 60, "load_mw": 60_000.0 + 100.0 * hours.hour}
        )

    def cp4_intervals(self) -> pd.DataFrame:
        return self._cp4.copy()

    def system_load(self, zone: str = "ERCOT", *, iso: str = "ERCOT") -> pd.DataFrame:
        return self._load.copy()


def _site(rate: float = 1000.0, **peak: object) -> SiteConfig:
    return parse_site(
        {
            "name": "tiny",
            "interconnect_mw": 20.0,
            "aux_mw": 0.5,
            "fleets": [
                {"name": "s21", "model": "Antminer S21 (200T)", "count": 2000},
                {"name": "old", "power_mw": 6.0, "efficiency_j_per_th": 34.0},
            ],
            "gpu": {"capacity_mw": 5.0, "firm_mw": 2.0, "spot_usd_per_gpu_hour": 1.7, "kw_per_gpu": 1.275},
            "peak_charges": {
                "rate_usd_per_kw_year": rate,
                "rate_source": "test",
                "alert_window_local_hours": [15, 18],
                **peak,
            },
        }
    )


def _run(wh: FakeWarehouse, site: SiteConfig, foresight: str) -> DispatchRun:
    return run_dispatch(wh, site, start=D0, end=D2, foresight=foresight, timezone="UTC")  # type: ignore[arg-type]


def test_perfect_curtails_the_real_interval_and_pays_on_it() -> None:
    run = _run(_Cp4Fake(["2023-08-01 20:00"]), _site(), "perfect")
    month = 1000.0 * 1000.0 / 4  # 1,000 USD/kW-year over four 4CP months [USD/MW]
    load = run.result.schedule.set_index("interval_start_utc")["mw_load"]
    assert load["2023-08-01 20:00:00+00:00"] == pytest.approx(2.5)  # firm GPU 2 + aux 0.5
    assert run.result.totals["charges_usd"] == pytest.approx(month * 2.5)
    # always-on pays on everything: 7 MW S21 + 6 MW old + 5 MW GPU + 0.5 MW aux
    assert run.result.always_on_totals["charges_usd"] == pytest.approx(month * 18.5)


@pytest.mark.parametrize("foresight", ["forecast", "day_ahead"])
def test_forecast_decides_on_alerts_and_settles_on_the_real_interval(foresight: str) -> None:
    # The 4CP interval (20:00 UTC) lies outside the alert window (15:00-18:00): the rule cannot see
    # it, so the load runs there and pays; inside the window every curtailable MW is off.
    wh = _Cp4Fake(["2023-08-01 20:00"])
    run = _run(wh, _site(), foresight)
    month = 1000.0 * 1000.0 / 4
    frame = run.result.schedule.set_index("interval_start_utc")
    paid_mw = float(frame["mw_load"].loc["2023-08-01 20:00:00+00:00"])
    assert paid_mw > 2.5 and run.result.totals["charges_usd"] == pytest.approx(month * paid_mw)
    window = pd.DatetimeIndex(frame.index).hour.isin(
        [15, 16, 17]
    )  # both days are alert days (see _Cp4Fake's load)
    np.testing.assert_allclose(frame.loc[window, "mw_load"], 2.5)
    assert run.upper_bound.totals["charges_usd"] == pytest.approx(month * 2.5)


def test_year_without_intervals_is_an_error_naming_the_years_held() -> None:
    wh = _Cp4Fake(["2022-08-02 21:45"])
    with pytest.raises(
        NotInWarehouseError, match=r"no published ERCOT 4CP intervals for 2023; years held: 2022"
    ):
        _run(wh, _site(), "perfect")
    proxy = _run(wh, _site(missing_years="top_price"), "perfect")  # the user's explicit fallback
    assert proxy.result.totals["charges_usd"] > 0


def test_config_defaults_match_the_engine_and_old_files_load() -> None:
    pc = PeakChargeConfig(rate_usd_per_kw_year=60.0)
    assert pc.rule == "ercot_4cp" and pc.missing_years == "error" and tuple(pc.months) == CP4_MONTHS
    assert pc.alert_threshold_pct == DEFAULT_THRESHOLD_PCT
    assert pc.alert_window_local_hours == DEFAULT_WINDOW_LOCAL_HOURS
    old = PeakChargeConfig.model_validate(
        {"rate_usd_per_kw_year": 60.0, "rule": "top_price", "intervals_per_month": 4}
    )
    assert old.rule == "top_price" and old.intervals_per_month == 4
    with pytest.raises(ValueError, match="alert_window_local_hours"):
        PeakChargeConfig.model_validate({"rate_usd_per_kw_year": 60.0, "alert_window_local_hours": [18, 15]})


# --- real data --------------------------------------------------------------------------------------


def test_4cp_day_is_the_monthly_hourly_peak_day_except_september_2024(warehouse: Warehouse) -> None:
    starts = official_starts(warehouse, [2023, 2024], CP4_MONTHS)
    load = warehouse.system_load("ERCOT")
    peaks = daily_peaks_mw(load["load_mw"].to_numpy(), pd.DatetimeIndex(load["interval_start_utc"]), TZ)
    differ = []
    for ts in starts:
        day = pd.Timestamp(ts.tz_convert(TZ).date())
        days = pd.DatetimeIndex(peaks.index)
        sel = (days.year == day.year) & (days.month == day.month)
        top = days[sel][int(np.argmax(peaks.to_numpy()[sel]))]
        if top != day:
            differ.append((day.date().isoformat(), top.date().isoformat()))
    assert len(starts) == 8
    assert differ == [("2024-09-20", "2024-09-19")]  # power/README.md


@pytest.mark.parametrize(
    ("year", "threshold", "alert_days", "hits"),
    [
        (2023, 3.0, [22, 22, 23, 9], [1, 1, 1, 1]),
        (2024, 3.0, [23, 9, 20, 15], [1, 1, 1, 1]),
        (2023, 1.0, None, None),
        (2024, 1.0, None, None),
    ],
)
def test_backtest_counts_on_the_real_intervals(
    warehouse: Warehouse, year: int, threshold: float, alert_days: list[int] | None, hits: list[int] | None
) -> None:
    result = backtest_rule(warehouse, year, AlertRule(threshold_pct=threshold), 60.0)
    rows = result.rows()
    totals = result.totals()
    if alert_days is not None and hits is not None:
        assert [r["alert_days"] for r in rows] == alert_days
        assert [r["hits"] for r in rows] == hits
        assert totals["charge_avoided_usd"] == pytest.approx(60_000.0)  # 60 USD/kW-yr x 1,000 kW
        assert totals["hours_curtailed"] == 3.0 * sum(alert_days)
    else:
        assert (totals["alert_days"], totals["hits"]) == ((50.0, 3.0) if year == 2023 else (50.0, 4.0))
    assert totals["false_alarms"] == totals["alert_days"] - totals["hits"]


def test_cli_backtest_json_and_missing_year(warehouse_path: Path) -> None:
    runner = CliRunner()
    args = ["cp4", "backtest", "--year", "2024", "--rate-usd-per-kw-year", "60", "--db", str(warehouse_path)]
    res = runner.invoke(app, [*args, "--format", "json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["totals"]["hits"] == 4.0 and doc["totals"]["alert_days"] == 67.0
    assert doc["months"][3]["cp4_interval_start_utc"] == "2024-09-20T20:45:00+00:00"
    table = runner.invoke(app, args)
    assert table.exit_code == 0 and "60,000 of 60,000" in table.stdout
    missing = runner.invoke(
        app,
        ["cp4", "backtest", "--year", "2021", "--rate-usd-per-kw-year", "60", "--db", str(warehouse_path)],
    )
    assert missing.exit_code == 4
    assert "years held: 2022, 2023, 2024, 2025" in " ".join(missing.output.split())


def test_backtest_scores_the_months_with_load_and_lists_the_others(warehouse: Warehouse) -> None:
    # Native load ends 2025-08-31: September 2025 cannot be scored (out of sample: 3 of 3 hit).
    result = backtest_rule(warehouse, 2025, AlertRule(), 60.0)
    assert [m.month for m in result.months] == [6, 7, 8] and result.skipped == ["2025-09"]
    assert [m.alert_days for m in result.months] == [23, 22, 19] and all(m.hit for m in result.months)
