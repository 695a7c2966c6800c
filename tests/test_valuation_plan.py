"""Robust conversion plan: its margin over the next-best plan by hand, and stability across seeds."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from test_valuation_model import _inputs
from wattshift.valuation.conversion import plan_conversion, plan_margin, switch_gains
from wattshift.valuation.execution import run


def test_margin_over_the_next_best_plan_by_hand() -> None:
    # gains 3, 2, 1 USD/MW; 15 MW at most 10 a year: plan 10, 5, 0 worth 40. Without year 0:
    # 0, 10, 5 = 25; without year 1: 10, 0, 5 = 35 (the next best): margin 5 USD.
    rng = np.random.default_rng(0)
    noise = rng.standard_normal((400, 1))  # common to every year: the paired differences are exact
    by_path = np.array([3.0, 2.0, 1.0]) + noise - noise.mean()
    gains = switch_gains(by_path, np.zeros(400))
    limits: dict[str, Any] = {"site_mw": 15.0, "capex_usd_per_mw": 1.0, "max_mw_per_year": 10.0}
    plan = plan_conversion(gains, **limits)
    assert plan.mw_by_year == pytest.approx([10.0, 5.0, 0.0])
    margin = plan_margin(by_path, plan, **limits)
    assert margin.next_best_mw_by_year == pytest.approx([10.0, 0.0, 5.0])
    assert margin.margin_usd == pytest.approx(5.0)
    assert margin.se_usd == pytest.approx(0.0, abs=1e-12) and not margin.tied
    # nothing worth converting: compared with converting the best year's most
    none = plan_conversion(-np.array([1.0, 2.0, 3.0]), **limits)
    m = plan_margin(np.tile(-np.array([1.0, 2.0, 3.0]), (5, 1)), none, **limits)
    assert m.next_best_mw_by_year == pytest.approx([10.0, 0.0, 0.0]) and m.margin_usd == pytest.approx(10.0)


def test_plans_agree_across_seeds_unless_tied_within_the_standard_error() -> None:
    inputs = _inputs({"ai.build_months": 6, "treasury.max_conversion_mw_per_year": 4.0}, months=60)
    limits: dict[str, Any] = {
        "site_mw": 10.0,
        "capex_usd_per_mw": 7e6,
        "capex_budget_usd": 5e7,
        "max_mw_per_year": 4.0,
    }
    plans = []
    for seed in range(1, 6):
        res = run(inputs, paths=2000, seed=seed, chunk_paths=1024, with_irr=False, start_years=5)
        by_path = res.npv_switch_usd - res.npv_usd["mining"][:, None]
        plan = plan_conversion(by_path.mean(axis=0), **limits)
        plans.append((plan.mw_by_year, plan_margin(by_path, plan, **limits)))
    first = plans[0][0]
    assert first.sum() > 0
    for mw, margin in plans:
        assert np.allclose(mw, first) or margin.tied, (mw, first, margin)
        assert margin.margin_usd >= 0
