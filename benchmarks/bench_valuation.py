"""Valuation benchmarks (``make bench``): the per-MW Monte Carlo and a Dask sweep on 1 vs 2 workers.

Targets (issue): 100,000 paths x 180 months of the full per-MW cash-flow model (price + hashrate
scenarios, mining / AI / hybrid cash flows, NPV with terminal value) in <= 5 s on 2 cores, in chunks
(bounded memory); a sweep on 2 Dask workers >= 1.7x faster than on 1. Synthetic calibrated inputs.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np
import pandas as pd

from wattshift.chain import subsidy_btc
from wattshift.valuation.config import ValuationConfig
from wattshift.valuation.montecarlo import ValuationInputs, run
from wattshift.valuation.network import HashrateModel, subsidy_by_month
from wattshift.valuation.scenarios import PriceModel
from wattshift.valuation.sweep import Case, apply_overrides, run_sweep


def _inputs(cfg: ValuationConfig | None = None, months: int = 180) -> ValuationInputs:
    price = PriceModel(68_000.0, 0.1, 0.5, 0.03 * np.random.default_rng(0).standard_normal(1460),
                       pd.Timestamp("2022-03-22"), pd.Timestamp("2026-03-22"))  # fmt: skip
    network = HashrateModel(hashrate0_ths=1e9, growth_annual=0.4, vol_annual=0.16, fee_share=0.04)
    return ValuationInputs(
        price, network, subsidy_by_month(940_000, months, subsidy_btc), cfg or ValuationConfig(), 20.0, 45.0
    )


def test_bench_monte_carlo_100k_paths(benchmark: Any) -> None:
    inputs = _inputs()
    res = benchmark.pedantic(
        run,
        args=(inputs,),
        kwargs={"paths": 100_000, "seed": 1, "chunk_paths": 8192, "with_irr": False, "threads": 2},
        rounds=1,
        iterations=1,
    )
    assert res.npv_usd["ai"].shape == (100_000,)


def test_bench_irr_10k_paths(benchmark: Any) -> None:
    inputs = _inputs()
    benchmark.pedantic(
        run, args=(inputs,), kwargs={"paths": 10_000, "seed": 1, "with_irr": True}, rounds=1, iterations=1
    )


def _sweep_seconds(n_workers: int, cases: list[Case]) -> float:
    from distributed import Client, LocalCluster

    with (
        LocalCluster(
            n_workers=n_workers, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):
        run_sweep(cases[:1], paths=2048, seed=1, chunk_paths=1024, client=client)  # warm up workers
        t0 = time.perf_counter()
        run_sweep(cases, paths=40_000, seed=1, chunk_paths=2500, client=client)
        return time.perf_counter() - t0


def test_bench_sweep_speedup_2_workers() -> None:
    cases = [
        Case(
            "bench",
            "gbm",
            {"rate": r},
            _inputs(apply_overrides(ValuationConfig(), {"ai.rate_usd_per_kw_month": r})),
        )
        for r in (150.0, 184.0)
    ]
    one = _sweep_seconds(1, cases)
    two = _sweep_seconds(2, cases)
    print(f"\nsweep: 1 worker {one:.2f} s, 2 workers {two:.2f} s, speed-up {one / two:.2f}x")
