"""Cash flows, Monte Carlo reproducibility, planner, treasury, and serial == Dask sweeps."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pytest

from wattshift.chain import subsidy_btc
from wattshift.config.valuation import AiTerms, MiningTerms, ValuationConfig, apply_overrides
from wattshift.services.valuation_inputs import valuation_spec
from wattshift.valuation.cashflows import ai_cash_flows, draw_ai_events, mining_cash_flows, refresh_months
from wattshift.valuation.conversion import plan_conversion
from wattshift.valuation.execution import run
from wattshift.valuation.montecarlo import ValuationInputs
from wattshift.valuation.network import HashrateModel, subsidy_by_month
from wattshift.valuation.scenarios import PriceModel
from wattshift.valuation.specs import AiSpec, MiningSpec
from wattshift.valuation.sweep import Case, run_sweep
from wattshift.valuation.treasury import fund_with_treasury


def _inputs(cfg: ValuationConfig | None = None, months: int = 60) -> ValuationInputs:
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
    return ValuationInputs(
        price=price,
        network=network,
        subsidy_btc_per_block=subsidy_by_month(930_000, months, subsidy_btc),
        spec=valuation_spec(cfg or ValuationConfig()),
        efficiency_j_per_th=17.5,
        power_usd_per_mwh=45.0,
    )


def _mining(terms: MiningTerms) -> MiningSpec:
    """The engine's spec of ``terms`` (as the service builds it)."""
    return valuation_spec(ValuationConfig(mining=terms)).mining


def _ai(terms: AiTerms) -> AiSpec:
    return valuation_spec(ValuationConfig(ai=terms)).ai


def test_mining_cash_flow_by_hand() -> None:
    # 0.05 USD/TH/day hashprice (btc/TH/day 1e-6 x 50,000 USD), 20 J/TH, PUE 1, fee 0, uptime 1:
    # value = 0.05 / (20 x 24e-6) = 104.1667 USD/MWh; margin (104.1667 - 40) x 730 = 46,841.67 USD;
    # minus opex 5,000 -> 41,841.67 USD in every month.
    terms = _mining(
        MiningTerms(uptime=1.0, pue=1.0, pool_fee=0.0, opex_usd_per_mw_month=5000.0, fleet_age_years=1.0)
    )
    price = np.full((2, 24), 50_000.0)
    btc = np.full((2, 24), 1e-6)
    cf = mining_cash_flows(
        price, btc, terms, efficiency_j_per_th=20.0, power_usd_per_mwh=40.0, efficiency_gain_annual=0.0
    )
    assert cf.ebitda_usd == pytest.approx(np.full((2, 24), (0.05 / (20 * 24e-6) - 40.0) * 730 - 5000.0))
    # fleet refresh after 5 - 1 = 4 years (month 48): none within 24 months
    assert (cf.capex_usd == 0).all()
    # power above the mining value: the fleet is switched off, only opex is paid
    off = mining_cash_flows(
        price, btc, terms, efficiency_j_per_th=20.0, power_usd_per_mwh=200.0, efficiency_gain_annual=0.0
    )
    assert off.ebitda_usd == pytest.approx(np.full((2, 24), -5000.0))


def test_fleet_refresh_months_and_capex() -> None:
    assert list(refresh_months(180, 5.0, 5.0)) == [0, 60, 120]  # refresh due now
    assert list(refresh_months(180, 5.0, 7.5)) == [0, 60, 120]  # overdue: now, not in 2.5 years
    assert list(refresh_months(180, 5.0, 0.0)) == [60, 120]  # a new fleet in service: no purchase now
    assert list(refresh_months(180, 4.0, 1.0)) == [36, 84, 132]
    terms = _mining(MiningTerms(pue=1.0, capex_usd_per_th=20.0, fleet_age_years=5.0))
    cf = mining_cash_flows(
        np.full((1, 72), 1.0),
        np.zeros((1, 72)),
        terms,
        efficiency_j_per_th=20.0,
        power_usd_per_mwh=0.0,
        efficiency_gain_annual=0.1,
    )
    # 1 MW at 20 J/TH = 50,000 TH/s x 20 USD/TH; after 5 years at 20 x 0.9^5 J/TH
    assert cf.capex_usd[0, 0] == pytest.approx(1e6)
    assert cf.capex_usd[0, 60] == pytest.approx(20.0 * 1e6 / (20.0 * 0.9**5))


def test_ai_cash_flow_by_hand() -> None:
    # A level lease that always renews (no default): no random event can happen.
    terms = _ai(AiTerms(
        capex_usd_m_per_mw=9.0, build_months=6, rate_usd_per_kw_month=150.0, escalator_annual=0.03,
        market_growth_annual=0.03, term_years=2.0, renewal_probability=1.0, default_probability_annual=0.0,
        pue=1.25, opex_usd_per_mw_month=20_000.0,
    ))  # fmt: skip
    leases = draw_ai_events(terms, 2, np.random.default_rng(0), 48)
    cf = ai_cash_flows(terms, leases, 48, start_month=12)
    it_mw = 1 / 1.25
    # capex 9 M/MW x 0.8 IT MW over months 12..17
    assert cf.capex_usd[0, 12:18] == pytest.approx(np.full(6, 9e6 * it_mw / 6))
    assert cf.capex_usd[0].sum() == pytest.approx(9e6 * it_mw)
    assert (cf.ebitda_usd[:, :18] == 0).all()
    # lease starts month 18: 150 USD/kW-month x 800 kW - 16,000 opex; +3 % from lease month 12;
    # the renewal at lease month 24 resets to the market rent, 3 %/year from lease start: 1.03^2
    assert cf.ebitda_usd[0, 18] == pytest.approx(150 * 800 - 16_000)
    assert cf.ebitda_usd[0, 30] == pytest.approx(150 * 1.03 * 800 - 16_000)
    assert cf.ebitda_usd[0, 42] == pytest.approx(150 * 1.03**2 * 800 - 16_000)


def test_ai_lease_with_vacancy_and_reletting_by_hand() -> None:
    # Never renews: 24 months let, 12 months empty (opex only), then a new tenant at the market rent
    # (2 %/year from lease start) who costs 6 months of that rent to sign.
    terms = _ai(AiTerms(
        capex_usd_m_per_mw=0.0, build_months=0, rate_usd_per_kw_month=100.0, escalator_annual=0.0,
        market_growth_annual=0.02, term_years=2.0, renewal_probability=0.0, default_probability_annual=0.0,
        re_lease_months=12, reletting_cost_months_of_rent=6.0, pue=1.0, opex_usd_per_mw_month=10_000.0,
    ))  # fmt: skip
    leases = draw_ai_events(terms, 3, np.random.default_rng(1), 60)
    cf = ai_cash_flows(terms, leases, 60)
    assert cf.ebitda_usd[:, :24] == pytest.approx(np.full((3, 24), 100_000.0 - 10_000.0))
    assert cf.ebitda_usd[:, 24:36] == pytest.approx(np.full((3, 12), -10_000.0))
    market = 100_000.0 * 1.02**3  # month 36 = 3 years after lease start
    assert cf.ebitda_usd[0, 36] == pytest.approx(market - 10_000.0 - 6 * market)
    assert cf.ebitda_usd[0, 37] == pytest.approx(market - 10_000.0)
    assert leases.events.tolist() == [2, 2, 2]  # the second lease also ends unrenewed, in month 59


def test_same_seed_same_numbers_and_chunking_is_bounded() -> None:
    inputs = _inputs()
    a = run(inputs, paths=300, seed=5, chunk_paths=128, start_years=2)
    b = run(inputs, paths=300, seed=5, chunk_paths=128, start_years=2)
    c = run(inputs, paths=300, seed=6, chunk_paths=128, start_years=2)
    for k in ("mining", "ai", "hybrid"):
        assert np.array_equal(a.npv_usd[k], b.npv_usd[k])
        assert a.npv_usd[k].shape == (300,)
    assert not np.array_equal(a.npv_usd["mining"], c.npv_usd["mining"])
    assert np.array_equal(a.npv_switch_usd, b.npv_switch_usd)
    # the hybrid is the blend of the two businesses, path by path
    w = inputs.spec.treasury.hybrid_ai_fraction
    assert a.npv_usd["hybrid"] == pytest.approx((1 - w) * a.npv_usd["mining"] + w * a.npv_usd["ai"], rel=1e-9)
    # converting in year 0 is the AI business itself
    assert a.npv_switch_usd[:, 0] == pytest.approx(a.npv_usd["ai"], rel=1e-9)


def test_planner_lp_by_hand() -> None:
    gains = np.array([2e6, 3e6, -1e6, 1e6])
    plan = plan_conversion(
        gains, site_mw=100.0, capex_usd_per_mw=5e6, capex_budget_usd=300e6, max_mw_per_year=40.0
    )
    # budget buys 60 MW: 40 MW in the best year (1), the remaining 20 MW in year 0
    assert plan.mw_by_year == pytest.approx([20.0, 40.0, 0.0, 0.0], abs=1e-6)
    assert plan.expected_gain_usd == pytest.approx(20 * 2e6 + 40 * 3e6)
    assert plan_conversion(-np.abs(gains), site_mw=100.0, capex_usd_per_mw=5e6).mw_by_year.sum() == 0.0
    full = plan_conversion(gains, site_mw=100.0, capex_usd_per_mw=5e6)
    assert full.mw_by_year.sum() == pytest.approx(100.0)


def test_treasury_sells_btc_only_for_deficits() -> None:
    cash = np.array([[-100.0, 50.0, -200.0, 0.0]])
    price = np.array([[10.0, 20.0, 25.0, 40.0]])
    f = fund_with_treasury(cash, price, treasury_btc=6.0, cash_usd=40.0)
    # month 0: cash 40 - 100 -> sell 6 BTC at 10 = 60; month 1 balance 50; month 2: -150 needed, no BTC left
    assert f.btc_sold[0] == pytest.approx([6.0, 0.0, 0.0, 0.0])
    assert f.shortfall_usd[0] == pytest.approx([0.0, 0.0, 150.0, 0.0])
    assert f.btc_left[0] == 0.0


def test_apply_overrides() -> None:
    cfg = apply_overrides(
        ValuationConfig(), {"ai.rate_usd_per_kw_month": 150.0, "scenario.price_model": "bootstrap"}
    )
    assert cfg.ai.rate_usd_per_kw_month == 150.0 and cfg.scenario.price_model == "bootstrap"
    from wattshift.errors import ConfigError

    with pytest.raises(ConfigError, match="unknown field"):
        apply_overrides(ValuationConfig(), {"ai.rate": 1.0})


def test_serial_and_dask_sweeps_are_equal() -> None:
    from distributed import Client, LocalCluster

    cases = [
        Case(
            "s",
            "base",
            {"r": r},
            _inputs(apply_overrides(ValuationConfig(), {"ai.rate_usd_per_kw_month": r}), 36),
        )
        for r in (150.0, 184.0)
    ]
    serial_seen: list[tuple[int, int]] = []
    dask_seen: list[tuple[int, int]] = []
    serial = run_sweep(cases, paths=200, seed=3, chunk_paths=64)
    assert run_sweep(cases, paths=200, seed=3, chunk_paths=64, progress=_record(serial_seen)) == serial
    # 2 cases x 4 chunks (64, 64, 64, 8 paths): one report per chunk, then the total
    assert serial_seen == [(k, 8) for k in range(9)]
    with (
        LocalCluster(  # type: ignore[no-untyped-call]
            n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,  # type: ignore[no-untyped-call]
    ):
        dask = run_sweep(cases, paths=200, seed=3, chunk_paths=64, client=client, progress=_record(dask_seen))
    assert serial == dask
    # one report per finished task (its chunks at once), counting up to every chunk of every case
    done = [d for d, _ in dask_seen]
    assert dask_seen[0] == (0, 8) and dask_seen[-1] == (8, 8) and done == sorted(set(done))
    assert {t for _, t in dask_seen} == {8}
    assert serial[1]["npv_ai_mean"] > serial[0]["npv_ai_mean"]  # higher rent, higher value


def _record(seen: list[tuple[int, int]]) -> Callable[[int, int], None]:
    """A progress callback that appends every ``(done, total)`` it is given to ``seen``."""
    return lambda done, total: seen.append((done, total))


def test_progress_counts_chunks_and_keeps_the_numbers() -> None:
    inputs = _inputs(months=24)
    kwargs: dict[str, Any] = {"paths": 300, "seed": 2, "chunk_paths": 128, "start_years": 2, "keep_paths": 10}
    plain = run(inputs, **kwargs)
    seen: list[tuple[int, int]] = []
    watched = run(inputs, **kwargs, progress=_record(seen))
    assert seen == [(0, 3), (1, 3), (2, 3), (3, 3)]  # chunks of 128, 128 and 44 paths
    threaded: list[tuple[int, int]] = []
    on_threads = run(inputs, **kwargs, threads=2, progress=_record(threaded))
    assert threaded == seen  # reports are serialised: done only goes up, whichever thread ends first
    for res in (watched, on_threads):
        for key in ("npv_usd", "irr_annual", "payback_months", "fwd_ebitda_usd", "cum_pv_usd"):
            for b in ("mining", "ai", "hybrid"):
                assert np.array_equal(getattr(res, key)[b], getattr(plain, key)[b], equal_nan=True), (key, b)
        assert np.array_equal(res.npv_switch_usd, plain.npv_switch_usd)


def test_threaded_chunks_equal_serial() -> None:
    inputs = _inputs(months=24)
    a = run(inputs, paths=500, seed=8, chunk_paths=128, with_irr=False)
    b = run(inputs, paths=500, seed=8, chunk_paths=128, with_irr=False, threads=2)
    assert all(np.array_equal(a.npv_usd[k], b.npv_usd[k]) for k in a.npv_usd)


@pytest.mark.parametrize("model", ["gbm", "bootstrap"])
def test_blocks_inside_a_chunk_do_not_change_numbers(model: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # Values a chunk of 193 paths (a 1-path tail for 64-path blocks) in blocks of 64 paths and in
    # one block: the cache blocking must give the same bits (matrix-vector NPVs included).
    from wattshift.valuation import execution

    inputs = _inputs(apply_overrides(ValuationConfig(), {"scenario.price_model": model}), months=36)
    kwargs: dict[str, Any] = {"paths": 193, "seed": 4, "chunk_paths": 193, "start_years": 3, "keep_paths": 70}
    for name in ("BLOCK_PATH_MONTHS", "BLOCK_PATH_MONTHS_PINNED_MALLOC"):
        monkeypatch.setattr(execution, name, 64 * 36)
    small = run(inputs, **kwargs)
    for name in ("BLOCK_PATH_MONTHS", "BLOCK_PATH_MONTHS_PINNED_MALLOC"):
        monkeypatch.setattr(execution, name, 10**9)
    whole = run(inputs, **kwargs)
    assert execution.block_bounds(193, 64) == [(0, 64), (64, 128), (128, 193)]
    for key in ("npv_usd", "payback_months", "fwd_ebitda_usd", "cum_pv_usd"):
        for b in ("mining", "ai", "hybrid"):
            assert np.array_equal(getattr(small, key)[b], getattr(whole, key)[b], equal_nan=True), (key, b)
    assert np.array_equal(small.npv_switch_usd, whole.npv_switch_usd)
    assert small.irr_annual["ai"] == pytest.approx(whole.irr_annual["ai"], abs=1e-12, nan_ok=True)


def test_treasury_funds_the_conversion_not_asic_refreshes() -> None:
    from wattshift.valuation.strategies import PLAN, strategies_of_paths

    # A refresh is due now (fleet at the end of its life); mining never loses money (no opex).
    terms = {
        "treasury.treasury_btc": 100.0,
        "mining.fleet_age_years": 5.0,
        "mining.opex_usd_per_mw_month": 0.0,
    }
    inputs = _inputs(apply_overrides(ValuationConfig(), terms), months=36)
    res = run(inputs, paths=64, seed=3, chunk_paths=64, keep_flows=True)
    keep = strategies_of_paths(inputs, res.flows[0], site_mw=10.0, mw_by_year=np.zeros(3))
    assert keep.refresh_capex_usd[PLAN] > 0 and keep.conversion_capex_usd[PLAN] == 0.0
    assert (keep.btc_sold[PLAN] == 0).all()  # the refresh did not sell BTC
    convert = strategies_of_paths(inputs, res.flows[0], site_mw=10.0, mw_by_year=np.array([4.0, 0.0, 0.0]))
    capex_per_mw = inputs.spec.ai.capex_usd_m_per_mw * 1e6 / inputs.spec.ai.pue
    assert convert.conversion_capex_usd[PLAN] == pytest.approx(4.0 * capex_per_mw)
    assert (convert.btc_sold[PLAN] > 0).all()
    # the 6 MW still mining keep their refresh, outside what the treasury funds
    assert convert.refresh_capex_usd[PLAN] == pytest.approx(0.6 * keep.refresh_capex_usd[PLAN])
