"""``wattshift plan`` with ERCOT 4CP peak charges, on the warehouse of the shared data.

The site is the ``fixed_block_700mw`` example with ``[peak_charges]`` at 60 USD/kW-year (the rate of
``tests/test_cp4.py``): one 4CP month costs 60,000 / 4 = 15,000 USD per MW. Alert intervals are
charged the expected share ``p / N`` = (4/76) / 12 of it: 65.79 USD/MW per 15-minute interval.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from wattshift.api.models import PlanOut
from wattshift.cli import app
from wattshift.config import PeakChargeConfig, SiteConfig, load_site
from wattshift.errors import NotInWarehouseError
from wattshift.services.dispatch_spec import site_spec
from wattshift.services.plan import make_plan, plan_dict
from wattshift.services.plan_cp4 import plan_peaks
from wattshift.services.sites import examples_dir, resolve_fleets

SITE_FILE = examples_dir() / "sites" / "fixed_block_700mw.toml"
TZ = "America/Chicago"
MONTH_USD_PER_MW = 60.0 * 1000.0 / 4  # 15,000 USD/MW
SHARE = (4 / 76) / 12  # alert_hit_probability over the 12 intervals of 15:00-18:00
FLEETS_MW = (58694 * 3068 + 20170 * 3010) / 1e6  # 240.78 MW (tests/test_plan.py)
AUX_MW = 10.0


def _site(**peak: Any) -> SiteConfig:
    plain = load_site(SITE_FILE)
    charges = PeakChargeConfig(rate_usd_per_kw_year=60.0, rate_source="test", **peak)
    return plain.model_copy(update={"peak_charges": charges})


def _window(doc: dict[str, Any]) -> list[dict[str, Any]]:
    return [r for r in doc["intervals"] if 15 <= int(r["start"][11:13]) < 18]


def test_real_4cp_day_alerts_and_curtails_in_the_window(warehouse: Any) -> None:
    # 2023-08-10: ERCOT's published 4CP interval of August 2023 starts 16:45 CDT.
    day = dt.date(2023, 8, 10)
    doc = plan_dict(make_plan(warehouse, _site(), day))
    plain = plan_dict(make_plan(warehouse, load_site(SITE_FILE), day))
    cp4 = doc["cp4"]
    # yesterday (Aug 9) peaked at 83,736 MW, the month to date (Aug 1-9) at 83,752 MW: 99.98 % >= 97 %
    assert cp4["alert"] is True and cp4["threshold_pct"] == 3.0 and cp4["window_local"] == "15:00-18:00"
    assert cp4["yesterday_peak_mw"] == pytest.approx(83_735.96, abs=0.01)
    assert cp4["month_to_date_peak_mw"] == pytest.approx(83_752.15, abs=0.01)
    assert cp4["charged_intervals"] == 12
    assert cp4["first_charged_start"] == "2023-08-10T15:00:00-05:00"
    assert cp4["last_charged_start"] == "2023-08-10T17:45:00-05:00"
    assert cp4["adder_usd_per_mwh"] == pytest.approx(MONTH_USD_PER_MW * SHARE / 0.25)  # 263.16
    # every fleet off in the window (the real 4CP interval 16:45 included); only aux pays
    window = _window(doc)
    assert len(window) == 12 and all(sum(r["mining_mw"].values()) < 1e-6 for r in window)
    assert all(r["curtailed_mw"] == pytest.approx(FLEETS_MW, abs=1e-6) for r in window)
    assert cp4["expected_charge_usd"] == pytest.approx(MONTH_USD_PER_MW * SHARE * 12 * AUX_MW)  # 7,894.74
    always = MONTH_USD_PER_MW * 4 / 76 * (FLEETS_MW + AUX_MW)  # 197,988 USD
    assert cp4["always_on_charge_usd"] == pytest.approx(always)
    assert cp4["charge_avoided_usd"] == pytest.approx(always - cp4["expected_charge_usd"])  # 190,093
    # without the rule the fleets stayed on for reserves: curtailing costs less than the charge,
    # so the expected net drops, by less than keeping the old schedule and paying would cost
    assert max(sum(r["mining_mw"].values()) for r in _window(plain)) > 200.0
    drop = plain["expected_net_usd"] - doc["expected_net_usd"]
    assert 0.0 < drop < always
    assert drop == pytest.approx(135_658, abs=1.0)  # measured: reserve margin given up in the window


@pytest.mark.parametrize(
    "start_local", ["2023-06-27 16:45", "2023-07-31 16:45", "2023-08-10 16:45", "2023-09-08 16:30"]
)
def test_every_2023_4cp_interval_is_charged_in_its_days_plan(warehouse: Any, start_local: str) -> None:
    """The four published 4CP intervals of 2023 lie in the charged window of their day's plan."""
    site = _site()
    spec = site_spec(site, resolve_fleets(site, warehouse.asic_models()))
    assert spec.peak is not None
    start = pd.Timestamp(start_local, tz=TZ)
    day = start.date()
    lo, hi = pd.Timestamp(day, tz=TZ), pd.Timestamp(day + dt.timedelta(days=1), tz=TZ)
    grid = pd.date_range(lo, hi, freq="15min", inclusive="left").tz_convert("UTC")
    peaks = plan_peaks(warehouse, spec.peak, day, grid, np.zeros(len(grid)), TZ)
    assert peaks.alert and peaks.n_groups == 12
    assert peaks.group[grid.get_loc(start.tz_convert("UTC"))] >= 0
    assert peaks.rate_usd_per_mw == pytest.approx(np.full(12, MONTH_USD_PER_MW * SHARE))


def test_non_alert_day_is_the_plain_plan(warehouse: Any) -> None:
    # 2023-08-16: yesterday peaked at 79,770 MW < 0.97 x 85,464 MW (Aug 10) = 82,900 MW
    day = dt.date(2023, 8, 16)
    doc = plan_dict(make_plan(warehouse, _site(), day))
    plain = plan_dict(make_plan(warehouse, load_site(SITE_FILE), day))
    cp4 = doc.pop("cp4")
    assert cp4["alert"] is False and cp4["charged_intervals"] == 0 and cp4["charge_avoided_usd"] == 0.0
    assert cp4["yesterday_peak_mw"] == pytest.approx(79_770.07, abs=0.01)
    assert cp4["month_to_date_peak_mw"] == pytest.approx(85_464.12, abs=0.01)
    assert cp4["yesterday_peak_mw"] < 0.97 * cp4["month_to_date_peak_mw"]
    assert doc == plain


def test_day_outside_the_4cp_months_is_the_plain_plan(warehouse: Any) -> None:
    day = dt.date(2023, 10, 10)
    doc = plan_dict(make_plan(warehouse, _site(), day))
    plain = plan_dict(make_plan(warehouse, load_site(SITE_FILE), day))
    assert "cp4" not in plain  # a site without [peak_charges]: the document as before
    cp4 = doc.pop("cp4")
    assert cp4["in_season"] is False and cp4["alert"] is False and cp4["threshold_pct"] == 3.0
    assert doc == plain


class _LoadChanged:
    """The warehouse with ERCOT native load replaced from ``cut`` on (scaled, or dropped)."""

    def __init__(self, wh: Any, cut: pd.Timestamp, factor: float | None) -> None:
        self.wh, self.cut, self.factor = wh, cut, factor

    def __getattr__(self, name: str) -> Any:
        return getattr(self.wh, name)

    def system_load(self, zone: str = "ERCOT", *, iso: str = "ERCOT") -> pd.DataFrame:
        frame: pd.DataFrame = self.wh.system_load(zone, iso=iso)
        late = pd.DatetimeIndex(frame["interval_start_utc"]) >= self.cut
        if self.factor is None:
            return frame[~late].reset_index(drop=True)
        frame = frame.copy()
        frame.loc[late, "load_mw"] *= self.factor
        return frame


def test_plan_reads_no_load_from_its_own_day(warehouse: Any) -> None:
    day = dt.date(2023, 8, 10)
    midnight = pd.Timestamp(day, tz=TZ).tz_convert("UTC")
    site = _site()
    base = plan_dict(make_plan(warehouse, site, day))
    for factor in (0.5, 1.5, None):  # the load of D and after halved, raised, or not yet published
        assert plan_dict(make_plan(_LoadChanged(warehouse, midnight, factor), site, day)) == base
    # the load of D - 1 does matter: at 90 % of itself the alert goes (the test can fail)
    yesterday = midnight - pd.Timedelta(days=1)
    quiet = plan_dict(make_plan(_Only(warehouse, yesterday, midnight, 0.9), site, day))
    assert quiet["cp4"]["alert"] is False


class _Only(_LoadChanged):
    """Load scaled by ``factor`` in [lo, hi) only."""

    def __init__(self, wh: Any, lo: pd.Timestamp, hi: pd.Timestamp, factor: float) -> None:
        super().__init__(wh, lo, factor)
        self.hi = hi

    def system_load(self, zone: str = "ERCOT", *, iso: str = "ERCOT") -> pd.DataFrame:
        frame: pd.DataFrame = self.wh.system_load(zone, iso=iso).copy()
        idx = pd.DatetimeIndex(frame["interval_start_utc"])
        frame.loc[(idx >= self.cut) & (idx < self.hi), "load_mw"] *= self.factor or 1.0
        return frame


def test_missing_load_of_the_day_before_is_an_error_naming_it(warehouse: Any) -> None:
    day = dt.date(2023, 8, 10)
    cut = pd.Timestamp(day - dt.timedelta(days=1), tz=TZ).tz_convert("UTC") + pd.Timedelta(hours=12)
    needed = r"ERCOT native load needed from 2023-07-31T05:00:00\+00:00"
    with pytest.raises(NotInWarehouseError, match=needed):
        make_plan(_LoadChanged(warehouse, cut, None), _site(), day)


def test_given_peak_is_charged_at_the_full_month_rate(warehouse: Any) -> None:
    site = _site(rule="given", peaks=[dt.datetime(2023, 8, 10, 21, 45, tzinfo=dt.UTC)])
    doc = plan_dict(make_plan(warehouse, site, dt.date(2023, 8, 10)))
    cp4 = doc["cp4"]
    assert cp4["rule"] == "given" and cp4["charged_intervals"] == 1
    assert cp4["first_charged_start"] == "2023-08-10T16:45:00-05:00"
    assert cp4["adder_usd_per_mwh"] == pytest.approx(MONTH_USD_PER_MW / 0.25)  # 60,000 USD/MWh
    row = next(r for r in doc["intervals"] if r["start"] == "2023-08-10T16:45:00-05:00")
    assert sum(row["mining_mw"].values()) < 1e-6
    assert cp4["expected_charge_usd"] == pytest.approx(MONTH_USD_PER_MW * AUX_MW)


def test_cli_table_says_alert_and_api_model_holds_cp4(
    warehouse: Any, warehouse_path: Path, tmp_path: Path
) -> None:
    path = tmp_path / "rockdale_4cp.toml"
    text = SITE_FILE.read_text(encoding="utf-8")
    path.write_text(text + '\n[peak_charges]\nrate_usd_per_kw_year = 60.0\nrate_source = "test"\n', "utf-8")
    args = ["plan", "--site", str(path), "--date", "2023-08-10", "--db", str(warehouse_path)]
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 0, res.output
    line = " ".join(res.stdout.split())
    assert "4CP alert day (yesterday's ERCOT peak 83,736 MW vs month-to-date peak 83,752 MW" in line
    assert "curtail 15:00-18:00 local; expected charge avoided [USD]: 190,093" in line
    doc = plan_dict(make_plan(warehouse, _site(), dt.date(2023, 8, 16)))
    model = PlanOut.model_validate(doc)
    assert model.cp4 is not None and model.cp4.alert is False


def test_top_price_charges_the_days_highest_price_intervals(warehouse: Any) -> None:
    # rule "top_price" on the plan's one-day grid: its 4 highest-price intervals, one group at the
    # full month's rate (the day may hold the month's peak: a conservative proxy)
    day = dt.date(2023, 8, 10)
    doc = plan_dict(make_plan(warehouse, _site(rule="top_price", intervals_per_month=4), day))
    cp4 = doc["cp4"]
    prices = np.array([r["price_usd_per_mwh"] for r in doc["intervals"]])
    top = {doc["intervals"][i]["start"] for i in np.argsort(-prices, kind="stable")[:4]}
    charged = [r for r in doc["intervals"] if r["start"] in top]
    assert cp4["rule"] == "top_price" and cp4["charged_intervals"] == 4 and cp4["alert"] is True
    assert cp4["yesterday_peak_mw"] is None and cp4["threshold_pct"] is None
    assert all(sum(r["mining_mw"].values()) < 1e-6 for r in charged)
    # one group: the charge is the month's rate on the largest load among the four (aux only)
    assert cp4["expected_charge_usd"] == pytest.approx(MONTH_USD_PER_MW * AUX_MW)


def test_api_plan_answers_cp4_for_a_site_with_peak_charges(
    warehouse_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fastapi.testclient import TestClient

    import wattshift.api.routers.plan as router
    from wattshift.api.app import create_app
    from wattshift.services.sites import example_sites

    sites = example_sites()
    rockdale = next(s for s in sites if s["id"] == "fixed_block_700mw")
    raw = dict(rockdale["site"]) | {"peak_charges": {"rate_usd_per_kw_year": 60.0, "rate_source": "test"}}
    extra = dict(rockdale) | {"id": "rockdale_4cp", "site": raw}
    monkeypatch.setattr(router, "example_sites", lambda: [*sites, extra])
    with TestClient(create_app(db_path=warehouse_path)) as client:
        res = client.get("/api/plan", params={"site": "rockdale_4cp", "date": "2023-08-10"})
        assert res.status_code == 200, res.text
        cp4 = PlanOut.model_validate(res.json()).cp4
        assert cp4 is not None and cp4.alert and cp4.charge_avoided_usd == pytest.approx(190_093.34, abs=0.01)
        plain = client.get("/api/plan", params={"site": "fixed_block_700mw", "date": "2023-08-10"})
        assert plain.status_code == 200 and "cp4" not in plain.json()


def test_plan_alert_days_of_2023_are_the_backtests(warehouse: Any) -> None:
    """Day by day, the plan's alert (load through D - 1 only) equals the backtest rule's over the
    whole series: 76 alert days in June-September 2023 (README, ``wattshift cp4 backtest``)."""
    from wattshift.dispatch.cp4 import AlertRule, alert_days, daily_peaks_mw

    site = _site()
    spec = site_spec(site, resolve_fleets(site, warehouse.asic_models()))
    assert spec.peak is not None
    load = warehouse.system_load("ERCOT")
    series = alert_days(
        daily_peaks_mw(load["load_mw"].to_numpy(), pd.DatetimeIndex(load["interval_start_utc"]), TZ),
        AlertRule(),
    )
    planned = []
    for day in pd.date_range("2023-06-01", "2023-09-30", freq="D").date:
        grid = pd.date_range(pd.Timestamp(day, tz=TZ), periods=4, freq="15min").tz_convert("UTC")
        planned.append(plan_peaks(warehouse, spec.peak, day, grid, np.zeros(4), TZ).alert)
    expected = series["2023-06-01":"2023-09-30"].to_numpy().tolist()
    assert planned == expected and sum(planned) == 76


def test_a_backtest_starting_mid_month_alerts_on_the_days_the_plan_does(warehouse: Any) -> None:
    """The month-to-date peak of a run starting on 2023-09-15 covers Sep 1-14, not Sep 14 alone:
    each day's alert is the same whether the backtest starts on the 1st, on the 15th, or is the plan.

    (Reading from the first day only, the run from the 15th alerted on 30 intervals of days the
    whole-month run and the plan do not alert: ERCOT's September 2023 peaks came early in the month.)"""
    from wattshift.services.cp4 import _alert_decisions

    site = _site()
    peak = site_spec(site, resolve_fleets(site, warehouse.asic_models())).peak
    assert peak is not None

    def grid(first: str) -> pd.DatetimeIndex:
        start = pd.Timestamp(first, tz=TZ).tz_convert("UTC")
        end = pd.Timestamp("2023-10-01", tz=TZ).tz_convert("UTC")
        return pd.date_range(start, end, freq="15min", inclusive="left")

    whole, mid = grid("2023-09-01"), grid("2023-09-15")
    alerted_whole = _alert_decisions(warehouse, peak, whole, TZ)[0] >= 0
    alerted_mid = _alert_decisions(warehouse, peak, mid, TZ)[0] >= 0
    assert np.array_equal(alerted_whole[len(whole) - len(mid) :], alerted_mid)
    assert not alerted_mid.any()  # no day of Sep 15-30 2023 reaches 97 % of the month to date
    for day in ("2023-09-15", "2023-09-16", "2023-09-21"):
        d = dt.date.fromisoformat(day)
        alert = plan_dict(make_plan(warehouse, _site(), d))["cp4"]["alert"]
        local = mid.tz_convert(TZ)
        assert bool(alerted_mid[local.normalize().tz_localize(None) == pd.Timestamp(day)].any()) is alert, day
