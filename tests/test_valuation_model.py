"""The valuation model is pure and the strategies reuse the run's paths.

- no model function writes into its arguments (explicit copies compared, over hypothesis-drawn
  terms, seeds and sizes);
- the strategies pass simulates nothing: it runs on the price and mining EBITDA the Monte Carlo
  kept, which are exactly the paths of each chunk's random stream;
- execution choices (threads, slices, block sizes) never change a number;
- the hand-written AR(1) recursion and the HiGHS planner equal the SciPy routines they replace.
"""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wattshift.chain import subsidy_btc
from wattshift.config.valuation import ValuationConfig, apply_overrides
from wattshift.services.valuation_inputs import valuation_spec
from wattshift.valuation import execution, montecarlo, strategies
from wattshift.valuation.cashflows import draw_ai_events
from wattshift.valuation.cluster import choose_backend
from wattshift.valuation.dcf import discount_factors, monthly_rate
from wattshift.valuation.execution import block_bounds, row_slices, run
from wattshift.valuation.montecarlo import ValuationInputs, chunk_rng, draw_scenario, scenario_from_draws
from wattshift.valuation.network import HashrateModel, ar1_filter, subsidy_by_month
from wattshift.valuation.pathvalue import mining_flows, value_block
from wattshift.valuation.scenarios import PriceModel
from wattshift.valuation.strategies import merge_strategies, strategies_of_paths
from wattshift.valuation.treasury import fund_with_treasury


def _inputs(overrides: dict[str, Any] | None = None, months: int = 36) -> ValuationInputs:
    """Synthetic calibrated inputs (no market data): price 68k, 1,000 EH/s, 3 % fees."""
    rng = np.random.default_rng(0)
    price = PriceModel(
        price0_usd=68_000.0,
        drift_annual=0.1,
        vol_annual=0.5,
        daily_log_returns=0.03 * rng.standard_normal(1000),
        window_start=pd.Timestamp("2022-01-01"),
        window_end=pd.Timestamp("2026-01-01"),
    )
    network = HashrateModel(hashrate0_ths=1e9, growth_annual=0.3, vol_annual=0.15, fee_share=0.03)
    cfg = apply_overrides(ValuationConfig(), overrides or {})
    return ValuationInputs(
        price=price,
        network=network,
        subsidy_btc_per_block=subsidy_by_month(930_000, months, subsidy_btc),
        spec=valuation_spec(cfg),
        efficiency_j_per_th=17.5,
        power_usd_per_mwh=45.0,
    )


def _snapshot(value: Any) -> Any:
    """A deep copy (arrays included) to compare an argument with after a call."""
    return copy.deepcopy(value)


def _same(a: Any, b: Any) -> bool:
    """Equal dataclass trees of arrays (bit for bit, NaN equal to NaN)."""
    if isinstance(a, np.ndarray):
        return bool(np.array_equal(a, b, equal_nan=a.dtype.kind == "f"))
    if isinstance(a, tuple | list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if hasattr(a, "__dataclass_fields__"):
        return all(_same(getattr(a, k), getattr(b, k)) for k in a.__dataclass_fields__)
    return bool(a == b)


MODEL_TERMS = st.fixed_dictionaries(
    {
        "scenario.price_model": st.sampled_from(["gbm", "bootstrap"]),
        "ai.build_months": st.integers(0, 18),
        "ai.power_pass_through": st.booleans(),
        "terminal.method": st.sampled_from(["exit_cap", "gordon", "none"]),
        "treasury.treasury_btc": st.sampled_from([0.0, 50.0]),
        "treasury.cash_usd": st.sampled_from([0.0, 1e6]),
    }
)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(terms=MODEL_TERMS, seed=st.integers(0, 2**32 - 1), paths=st.integers(2, 70))
def test_model_functions_never_write_into_their_arguments(
    terms: dict[str, Any], seed: int, paths: int
) -> None:
    inputs = _inputs(terms, months=36)
    rng = chunk_rng(seed, 0)
    draws = draw_scenario(inputs, paths, rng)
    ai_draws = draw_ai_events(inputs.spec.ai, paths, rng, inputs.months)
    disc = discount_factors(monthly_rate(inputs.spec.dcf.discount_rate_annual), inputs.months)
    before = _snapshot((inputs, draws, ai_draws, disc))

    scenario = scenario_from_draws(inputs, draws)  # 'gbm' used to overwrite the normals
    scenario_before = _snapshot(scenario)
    values = value_block(
        inputs, scenario, ai_draws, disc, with_irr=True, start_years=3, keep_paths=paths, keep_flows=True
    )
    assert values.flows is not None
    flows_before = _snapshot(values.flows)
    result = strategies_of_paths(inputs, values.flows, site_mw=10.0, mw_by_year=np.array([2.0, 0.0, 3.0]))

    assert _same((inputs, draws, ai_draws, disc), before)
    assert _same(scenario, scenario_before)
    assert _same(values.flows, flows_before)
    # The kept arrays are the block's own paths: the terminal value went into the NPVs, not into
    # the mining flows (it used to be added in place after the conversion NPVs had read them).
    assert np.array_equal(values.flows.price_usd, scenario.price_usd)
    assert np.array_equal(values.flows.mining_ebitda_usd, mining_flows(inputs, scenario).ebitda_usd)
    assert result.value_usd["hold_and_mine"].shape == (paths,)


@given(
    flows=st.lists(st.floats(-1e6, 1e6), min_size=6, max_size=6),
    prices=st.lists(st.floats(1.0, 1e5), min_size=6, max_size=6),
    treasury=st.floats(0.0, 100.0),
)
def test_funding_keeps_its_inputs_and_sells_only_what_it_has(
    flows: list[float], prices: list[float], treasury: float
) -> None:
    cash = np.array([flows, flows[::-1]])
    price = np.array([prices, prices[::-1]])
    before = (cash.copy(), price.copy())
    f = fund_with_treasury(cash, price, treasury_btc=treasury, cash_usd=1e5)
    assert np.array_equal(cash, before[0]) and np.array_equal(price, before[1])
    assert np.all(f.btc_sold >= 0.0) and np.all(f.btc_sold.sum(axis=1) <= treasury * (1 + 1e-12))
    assert f.btc_left == pytest.approx(treasury - f.btc_sold.sum(axis=1), abs=1e-9)


def test_strategies_simulate_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    # The run values 300 paths in chunks of 128 (3 chunks; blocks of 64 paths x 36 months: 2 + 2 + 1
    # blocks): scenario_from_draws runs once per block, and not once more for the strategies.
    calls: list[int] = []
    real = montecarlo.scenario_from_draws

    def counted(*args: Any, **kwargs: Any) -> montecarlo.Scenario:
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(execution, "scenario_from_draws", counted)
    monkeypatch.setattr(montecarlo, "scenario_from_draws", counted)
    monkeypatch.setattr(execution, "BLOCK_PATH_MONTHS", 64 * 36)
    monkeypatch.setattr(execution, "BLOCK_PATH_MONTHS_PINNED_MALLOC", 64 * 36)
    inputs = _inputs(months=36)
    res = run(inputs, paths=300, seed=9, chunk_paths=128, start_years=3, keep_flows=True)
    blocks = sum(len(block_bounds(n, 64)) for n in (128, 128, 44))
    assert len(calls) == blocks == 5
    parts = [
        strategies_of_paths(inputs, f, site_mw=10.0, mw_by_year=np.array([0.0, 4.0, 0.0]))
        for f in row_slices(res.flows, 64)
    ]
    merged = merge_strategies(parts)
    assert len(calls) == blocks  # no scenario simulated for the strategies
    assert merged.value_usd["sell_and_convert"].shape == (300,)
    # nothing in the strategies module can simulate a market
    assert not any(hasattr(strategies, name) for name in ("simulate_scenario", "draw_scenario", "chunk_rng"))


def test_kept_paths_are_those_of_each_chunk_stream() -> None:
    # What the strategies see equals a fresh simulation of each chunk from its own seed stream.
    inputs = _inputs({"scenario.price_model": "bootstrap"}, months=24)
    res = run(inputs, paths=200, seed=4, chunk_paths=128, keep_flows=True)
    price = np.concatenate([f.price_usd for f in res.flows])
    ebitda = np.concatenate([f.mining_ebitda_usd for f in res.flows])
    starts = np.concatenate([f.ai_draws.lease_start for f in res.flows])
    for k, (start, n) in enumerate(((0, 128), (128, 72))):
        rng = chunk_rng(4, k)
        scenario = montecarlo.simulate_scenario(inputs, n, rng)
        assert np.array_equal(price[start : start + n], scenario.price_usd)
        assert np.array_equal(ebitda[start : start + n], mining_flows(inputs, scenario).ebitda_usd)
        assert np.array_equal(
            starts[start : start + n], draw_ai_events(inputs.spec.ai, n, rng, inputs.months).lease_start
        )


def test_strategies_do_not_depend_on_threads_or_slices() -> None:
    inputs = _inputs({"treasury.treasury_btc": 20.0}, months=36)
    res = run(inputs, paths=256, seed=2, chunk_paths=128, keep_flows=True)
    plan = np.array([3.0, 0.0, 2.0])

    def strategies_on(rows: int, threads: int) -> Any:
        pieces = row_slices(res.flows, rows)
        return merge_strategies(
            execution.map_chunks(
                lambda k: strategies_of_paths(inputs, pieces[k], site_mw=10.0, mw_by_year=plan),
                len(pieces),
                threads=threads,
            )
        )

    a, b = strategies_on(64, 1), strategies_on(128, 2)
    for name in strategies.STRATEGIES:
        assert np.array_equal(a.value_usd[name], b.value_usd[name])
        assert np.array_equal(a.btc_sold[name], b.btc_sold[name])
    assert np.array_equal(a.plan_btc_sold_by_year, b.plan_btc_sold_by_year)
    assert a.plan_btc_sold_by_year.shape == (256, 3)
    assert a.plan_btc_sold_by_year.sum(axis=1) == pytest.approx(a.btc_sold["sell_and_convert"])


def test_ar1_filter_is_lfilter_bit_for_bit() -> None:
    from scipy.signal import lfilter

    rng = np.random.default_rng(3)
    u = rng.standard_normal((37, 50))
    a, z0 = 1.0 - 1.0 / 12.0, rng.standard_normal(37)
    before = u.copy()
    expected, _ = lfilter([1.0], [1.0, -a], u, axis=1, zi=z0[:, None])
    assert np.array_equal(ar1_filter(u, a, z0), expected)
    assert np.array_equal(u, before)


@pytest.mark.parametrize("budget", [None, 25e6])
def test_planner_equals_scipy_linprog(budget: float | None) -> None:
    from scipy.optimize import linprog

    from wattshift.valuation.conversion import plan_conversion

    gains = np.array([2e6, -1e6, 3e6, 3e6, 5e5])
    plan = plan_conversion(
        gains, site_mw=40.0, capex_usd_per_mw=1e6, capex_budget_usd=budget, max_mw_per_year=15.0
    )
    a_ub = [np.ones(5)] + ([np.full(5, 1e6)] if budget is not None else [])
    b_ub = [40.0] + ([budget] if budget is not None else [])
    ref = linprog(-(gains / 3e6) - 1e-9 * np.arange(5, 0, -1), A_ub=np.vstack(a_ub), b_ub=b_ub,
                  bounds=[(0.0, 15.0)] * 5, method="highs")  # fmt: skip
    assert plan.mw_by_year == pytest.approx(np.where(gains > 0, ref.x, 0.0), abs=1e-9)
    # by hand: 15 MW (the pace) in each of the two 3 M years, then 10 MW in the 2 M year (site cap
    # 40 MW); with a 25 M budget at 1 M/MW only 25 MW, all in the two 3 M years (either split)
    mw = plan.mw_by_year
    if budget is None:
        assert mw == pytest.approx([10.0, 0.0, 15.0, 15.0, 0.0], abs=1e-9)
    else:
        assert mw[2] + mw[3] == pytest.approx(25.0) and max(mw[2], mw[3]) <= 15.0 + 1e-9
        assert mw[[0, 1, 4]] == pytest.approx([0.0, 0.0, 0.0], abs=1e-9)
    assert plan.expected_gain_usd == pytest.approx(float(gains @ mw))


def test_backend_follows_the_grid_size() -> None:
    assert choose_backend(cases=1, paths=1000, months=180, threads=2) == "serial"
    assert choose_backend(cases=8, paths=2000, months=180, threads=2) == "threads"
    assert choose_backend(cases=8, paths=2000, months=180, threads=1) == "serial"
    assert choose_backend(cases=100, paths=20_000, months=180, threads=2) == "dask"
    assert choose_backend(cases=1, paths=100, months=12, threads=2, scheduler="tcp://x:8786") == "dask"


@pytest.mark.parametrize(
    "terms",
    [
        {},
        {"ai.build_months": 0},
        {"ai.build_months": 18},
        {"terminal.method": "none"},
        {"terminal.method": "gordon"},
    ],
)
def test_switch_npvs_from_prefix_sums_equal_one_horizon_per_start(terms: dict[str, Any]) -> None:
    from wattshift.valuation.pathvalue import business_flows, switch_npv, switch_npvs

    inputs = _inputs(terms, months=60)
    rng = chunk_rng(1, 0)
    draws = draw_scenario(inputs, 150, rng)
    flows = business_flows(
        inputs, scenario_from_draws(inputs, draws), draw_ai_events(inputs.spec.ai, 150, rng, inputs.months)
    )
    disc = discount_factors(monthly_rate(inputs.spec.dcf.discount_rate_annual), inputs.months)
    fast = switch_npvs(inputs, flows, disc, 5)
    mining_cash = flows.mining.cash_usd
    slow = np.stack([switch_npv(inputs, flows, mining_cash, 12 * y, disc) for y in range(5)], axis=1)
    # NPVs of about USD 1-10 M per MW: equal to a micro-dollar
    assert fast == pytest.approx(slow, rel=1e-12, abs=1e-6)


def test_typed_results_shape_into_the_documented_json() -> None:
    import datetime as dt

    from wattshift.jsonable import to_jsonable
    from wattshift.services.valuation_results import Calibration, FlexSource

    day = dt.date(2026, 3, 1)
    source = FlexSource("dispatch backtest", day, day + dt.timedelta(days=7), "HB_WEST", "rt", "perfect",
                        1e5, 2e4, 3e3, 78.0, 7 * 24 / 730)  # fmt: skip
    doc = to_jsonable(source)
    assert list(doc)[:3] == ["kind", "from", "to"] and doc["to"] == "2026-03-08"
    cal = Calibration(
        day,
        (day, day),
        1.0,
        0.1,
        "calibrated",
        (day, day),
        0.5,
        "gbm",
        900.0,
        0.3,
        0.1,
        0.01,
        940_000,
        20.0,
        2.0,
        "fleets",
        45.0,
        "default",
    )
    assert "flex_source" not in to_jsonable(cal) and "flex_revenue_usd_per_mw_month" not in to_jsonable(cal)
    with_flex = to_jsonable(
        Calibration(**{**cal.__dict__, "flex_revenue_usd_per_mw_month": 12.0, "flex_source": source})
    )
    assert (
        with_flex["flex_source"]["from"] == "2026-03-01"
        and with_flex["flex_revenue_usd_per_mw_month"] == 12.0
    )
    assert with_flex["window"] == ["2026-03-01", "2026-03-01"]
