"""ERCOT rules by hand: hourly reserve awards, deployment, GPU capital cost, pool fee, DST days."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd
import pytest

from _dispatch_helpers import problem
from wattshift.config import parse_site
from wattshift.dispatch.lp import solve_lp
from wattshift.dispatch.settlement import SettlementInputs, settle
from wattshift.dispatch.values import gpu_cost_usd_per_gpu_hour
from wattshift.services.dispatch import result_dict, run_dispatch
from wattshift.services.dispatch_spec import gpu_capital_cost_usd_per_hour
from wattshift.units import capital_recovery_factor


def _hour(rho: float, hourly: bool) -> float:
    # One hour of four 15-min intervals; a 10 MW fleet worth 50 USD/MWh; the last interval costs 100.
    kw: dict[str, Any] = {"reserve_hour": np.zeros(4, dtype=np.int64)} if hourly else {}
    p = problem(
        [20.0, 20.0, 20.0, 100.0],
        [[50.0] * 4],
        [10.0],
        interval_hours=0.25,
        reserve_price_usd_per_mw_h=np.full((1, 4), rho),
        reserve_is_up=np.array([True]),
        reserve_max_mw=10.0,
        **kw,
    )
    return solve_lp(p).objective_usd


def test_hourly_award_by_hand() -> None:
    # Per interval: three intervals run with 10 MW of reserve, off in the last:
    # 3 x 30 x 2.5 + 10 x 10 x 0.75 = 300.
    assert _hour(10.0, hourly=False) == pytest.approx(300.0)
    # Hourly: the award needs load in all four intervals. Off at 100 USD/MWh and no award: 225;
    # running through it with the award: 225 − 125 + 100 = 200 < 225.
    assert _hour(10.0, hourly=True) == pytest.approx(225.0)
    # At 20 USD/MW-h the award pays: 225 − 125 + 200 = 300.
    assert _hour(20.0, hourly=True) == pytest.approx(300.0)


def test_deployment_curtails_the_award_by_hand() -> None:
    # 10 MW mining at 50 USD/MWh, price 20, 10 MW RRS at 8 USD/MW-h, 10 % deployed, one hour.
    inputs = SettlementInputs(
        interval_hours=1.0,
        price_usd_per_mwh=np.array([20.0]),
        fleet_value_usd_per_mwh=np.array([[50.0]]),
        ai_value_usd_per_mwh=np.zeros(1),
        reserve_price_usd_per_mw_h=np.array([[8.0]]),
        aux_mw=0.0,
        block_mw=0.0,
        block_price_usd_per_mwh=0.0,
        deliverable_mw=10.0,
        peak_group=None,
        peak_rate_usd_per_mw=np.zeros(0),
        reserve_is_up=np.array([True]),
        deployment_share=0.1,
    )
    _, t = settle(inputs, np.array([[10.0]]), np.zeros(1), np.array([[10.0]]))
    assert t["mwh_deployed"] == pytest.approx(1.0)
    assert t["mining_usd"] == pytest.approx(9.0 * 50.0)  # 1 MW off while deployed
    assert t["energy_cost_usd"] == pytest.approx(9.0 * 20.0)
    assert t["reserves_usd"] == pytest.approx(80.0)  # capacity paid on the whole award, once
    assert t["net_usd"] == pytest.approx(450.0 - 180.0 + 80.0)


def test_gpu_cost_per_hour_by_hand() -> None:
    # 30,000 USD per GPU over 5 years at 8 %: crf = 0.08 x 1.08^5 / (1.08^5 − 1) = 0.2504565.
    assert capital_recovery_factor(0.08, 5.0) == pytest.approx(0.2504565, rel=1e-6)
    assert gpu_cost_usd_per_gpu_hour(30_000.0, 5.0, 0.08) == pytest.approx(
        30_000 * 0.2504565 / 8760, rel=1e-6
    )
    # Without financing, straight line: 30,000 / 5 / 8,760 = 0.6849 USD/GPU-h.
    assert gpu_cost_usd_per_gpu_hour(30_000.0, 5.0, 0.0) == pytest.approx(0.684932, rel=1e-5)
    site = parse_site(
        {
            "name": "g",
            "interconnect_mw": 20.0,
            "gpu": {
                "capacity_mw": 1.275,
                "spot_usd_per_gpu_hour": 2.0,
                "kw_per_gpu": 1.275,
                "capex_usd_per_gpu": 30_000.0,
                "life_years": 5.0,
            },
        }
    )
    assert site.gpu is not None
    # 1.275 MW / 1.275 kW = 1,000 GPUs
    assert gpu_capital_cost_usd_per_hour(site.gpu) == pytest.approx(1000 * 0.684932, rel=1e-5)


def test_colocation_is_a_firm_tenant_paying_per_kw_month() -> None:
    from wattshift.services.dispatch_spec import site_spec

    site = parse_site(
        {
            "name": "c",
            "interconnect_mw": 30.0,
            "gpu": {"capacity_mw": 20.0, "business": "colocation", "hosting_usd_per_kw_month": 146.0},
        }
    )
    spec = site_spec(site, [])
    assert spec.gpu is not None and spec.gpu.firm_mw == 20.0 and spec.gpu.capital_cost_usd_per_hour == 0.0
    # 146 USD/kW-month x 1000 kW/MW / 730 h = 200 USD/MWh
    assert spec.gpu.ai_value_usd_per_mwh == pytest.approx(200.0)


def test_old_site_files_still_load() -> None:
    site = parse_site(
        {
            "name": "old",
            "interconnect_mw": 10.0,
            "fleets": [{"name": "a", "power_mw": 5.0, "efficiency_j_per_th": 20.0}],
            "backtest": {"start": "2024-01-01", "end": "2024-02-01", "foresight": "perfect"},
        }
    )
    assert site.pool_fee is None and site.backtest is not None and site.backtest.foresight == "perfect"


class _DstSource:
    """HB_WEST around the 2024-11-03 fall-back: 15-min RT, hourly DA holding 01:00 once (as the files do)."""

    def __init__(self) -> None:
        rt_idx = pd.date_range("2024-10-01", "2024-11-06", freq="15min", tz="UTC", inclusive="left")
        rng = np.random.default_rng(1)
        rt = 30 + 20 * np.sin(np.arange(rt_idx.size) / 96 * 2 * np.pi) + rng.normal(0, 5, rt_idx.size)
        da_idx = pd.date_range("2024-10-01", "2024-11-06", freq="h", tz="UTC", inclusive="left")
        da_idx = da_idx[da_idx != pd.Timestamp("2024-11-03T07:00", tz="UTC")]  # the repeated 01:00 CST
        self.frames = {
            "rt": self._frame(rt_idx, rt, 15),
            "da": self._frame(da_idx, 30 + 20 * np.sin(np.arange(da_idx.size) / 24 * 2 * np.pi), 60),
        }

    @staticmethod
    def _frame(idx: pd.DatetimeIndex, values: np.ndarray, minutes: int) -> pd.DataFrame:
        return pd.DataFrame(
            {"interval_start_utc": idx, "interval_minutes": minutes, "price_usd_per_mwh": values}
        )

    def iso_prices(self, node: str, market: str, start: Any, end: Any, *, iso: str = "ERCOT") -> pd.DataFrame:
        f = self.frames[market]
        lo, hi = pd.Timestamp(start), pd.Timestamp(end)
        return f[(f["interval_start_utc"] >= lo) & (f["interval_start_utc"] < hi)].reset_index(drop=True)

    def btc_daily(self, start: Any = None, end: Any = None) -> pd.DataFrame:
        days = pd.date_range("2024-09-01", "2024-11-10", freq="D")
        return pd.DataFrame(
            {
                "date": days,
                "price_usd": 68_000.0,
                "difficulty": 95e12,
                "blocks": 144.0,
                "issuance_btc": 450.0,
                "fees_btc": 10.0,
                "hashrate_ehs": 700.0,
            }
        )

    def asic_models(self) -> pd.DataFrame:
        return pd.DataFrame(columns=["model", "hashrate_ths", "power_w"])


@pytest.mark.parametrize("foresight", ["perfect", "day_ahead", "forecast"])
def test_fall_back_day_in_every_mode(foresight: Any) -> None:
    site = parse_site(
        {
            "name": "d",
            "interconnect_mw": 20.0,
            "fleets": [{"name": "a", "power_mw": 10.0, "efficiency_j_per_th": 20.0}],
        }
    )
    run = run_dispatch(
        _DstSource(), site, start=dt.date(2024, 11, 1), end=dt.date(2024, 11, 5), foresight=foresight
    )
    frame = run.result.schedule
    assert len(frame) == 4 * 96 + 4  # November 3 has 25 hours
    local = frame["interval_start_local"].astype(str)
    assert (local == "2024-11-03 01:00:00-05:00").sum() == 1 and (
        local == "2024-11-03 01:00:00-06:00"
    ).sum() == 1
    assert str(frame["interval_start_local"].iloc[0]) == "2024-11-01 00:00:00-05:00"
    doc = result_dict(run)
    assert doc["regret_usd"] >= -1e-6 and doc["timezone"] == "America/Chicago"


def test_mining_value_equals_wattshift_mining(warehouse: Any) -> None:
    """Dispatch's value of a MWh in a fleet equals ``wattshift mining``'s for the day, pool fee included.

    Dispatch models the site's overhead as ``aux_mw``, so the comparison is at PUE 1.
    """
    from wattshift.services.asics import asic_table
    from wattshift.services.dispatch_inputs import load_inputs
    from wattshift.services.dispatch_spec import site_spec
    from wattshift.services.sites import resolve_fleets

    model = "Antminer S19 XP (140T)"
    site = parse_site(
        {"name": "m", "interconnect_mw": 50.0, "fleets": [{"name": "xp", "model": model, "count": 1000}]}
    )
    spec = site_spec(site, resolve_fleets(site, warehouse.asic_models()))
    inputs = load_inputs(
        warehouse,
        spec,
        node="HB_WEST",
        market="rt",
        foresight="perfect",
        start=dt.date(2024, 8, 14),
        end=dt.date(2024, 8, 16),
    )
    day = dt.date(2024, 8, 15)
    at = np.flatnonzero(inputs.interval_start_utc.tz_convert("UTC").date == day)[0]
    table = asic_table(warehouse, day, pue=1.0)
    expected = float(table.loc[table["model"] == model, "mining_value_usd_per_mwh"].iloc[0])
    assert spec.pool_fee == 0.02
    assert inputs.fleet_value_usd_per_mwh[0, at] == pytest.approx(expected, rel=1e-9)


def test_day_ahead_purchase_settles_deviations_at_real_time_by_hand() -> None:
    # Planned 10 MW bought day-ahead at 30 USD/MWh; 10 % of a 10 MW award deployed, so 9 MW used;
    # real-time 100 USD/MWh: cost = 10 x 30 + 100 x (9 − 10) = 200 USD for the hour.
    inputs = SettlementInputs(
        interval_hours=1.0,
        price_usd_per_mwh=np.array([100.0]),
        fleet_value_usd_per_mwh=np.array([[50.0]]),
        ai_value_usd_per_mwh=np.zeros(1),
        reserve_price_usd_per_mw_h=np.array([[8.0]]),
        aux_mw=0.0,
        block_mw=0.0,
        block_price_usd_per_mwh=0.0,
        deliverable_mw=10.0,
        peak_group=None,
        peak_rate_usd_per_mw=np.zeros(0),
        reserve_is_up=np.array([True]),
        deployment_share=0.1,
        day_ahead_price_usd_per_mwh=np.array([30.0]),
        planned_load_mw=np.array([10.0]),
    )
    _, t = settle(inputs, np.array([[10.0]]), np.zeros(1), np.array([[10.0]]))
    assert t["energy_cost_usd"] == pytest.approx(200.0)
    # without the day-ahead position the 9 MW are bought real-time: 900 USD
    _, rt = settle(
        replace(inputs, day_ahead_price_usd_per_mwh=None), np.array([[10.0]]), np.zeros(1), np.array([[10.0]])
    )
    assert rt["energy_cost_usd"] == pytest.approx(900.0)


def test_day_ahead_purchase_through_the_service() -> None:
    site = {
        "name": "d",
        "interconnect_mw": 20.0,
        "fleets": [{"name": "a", "power_mw": 10.0, "efficiency_j_per_th": 20.0}],
    }
    day = {"start": dt.date(2024, 11, 1), "end": dt.date(2024, 11, 2), "foresight": "forecast"}
    plain = run_dispatch(_DstSource(), parse_site(site), **day)  # type: ignore[arg-type]
    hedged = run_dispatch(
        _DstSource(),
        parse_site({**site, "contract": {"day_ahead_purchase": True}}),
        **day,  # type: ignore[arg-type]
    )
    # same decisions, different settlement of the energy
    assert hedged.result.totals["mwh_mining"] == pytest.approx(plain.result.totals["mwh_mining"])
    assert hedged.result.totals["energy_cost_usd"] != pytest.approx(plain.result.totals["energy_cost_usd"])
