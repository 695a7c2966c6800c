"""Valuation benchmarks (``make bench``): the per-MW Monte Carlo, IRRs, and a Dask sweep on 1 vs 2 workers.

Targets (issue): 100,000 paths x 180 months of the full per-MW cash-flow model (price + hashrate
scenarios, mining / AI / hybrid cash flows, NPV with terminal value) in <= 5 s on 2 cores, in chunks
(bounded memory); a sweep on 2 Dask workers >= 1.7x faster than on 1. Synthetic calibrated inputs.

Each benchmark prints CPU time (``time.process_time``, all threads of the process, or the sum over
the Dask workers) next to wall time and the load average: on a shared machine wall time measures
the neighbours as much as the code, CPU time does not.
"""

from __future__ import annotations

import os
import time
from typing import Any

import numpy as np
import pandas as pd

from wattshift.chain import subsidy_btc
from wattshift.config.valuation import ValuationConfig, apply_overrides
from wattshift.services.valuation_inputs import valuation_spec
from wattshift.valuation.execution import run
from wattshift.valuation.montecarlo import ValuationInputs
from wattshift.valuation.network import HashrateModel, subsidy_by_month
from wattshift.valuation.scenarios import PriceModel
from wattshift.valuation.sweep import Case, run_sweep


def _inputs(cfg: ValuationConfig | None = None, months: int = 180) -> ValuationInputs:
    price = PriceModel(68_000.0, 0.1, 0.5, 0.03 * np.random.default_rng(0).standard_normal(1460),
                       pd.Timestamp("2022-03-22"), pd.Timestamp("2026-03-22"))  # fmt: skip
    network = HashrateModel(hashrate0_ths=1e9, growth_annual=0.4, vol_annual=0.16, fee_share=0.04)
    return ValuationInputs(
        price,
        network,
        subsidy_by_month(940_000, months, subsidy_btc),
        valuation_spec(cfg or ValuationConfig()),
        20.0,
        45.0,
    )


def _timed(label: str, func: Any, *args: Any, **kwargs: Any) -> Any:
    cpu0, wall0 = time.process_time(), time.perf_counter()
    out = func(*args, **kwargs)
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    print(f"\n{label}: CPU {cpu:.2f} s, wall {wall:.2f} s (load average {os.getloadavg()[0]:.1f})")
    return out


def test_bench_monte_carlo_100k_paths(benchmark: Any) -> None:
    inputs = _inputs()
    run(inputs, paths=1024, seed=1, chunk_paths=1024, with_irr=False)  # imports, first-call costs
    kwargs = {"paths": 100_000, "seed": 1, "chunk_paths": 8192, "with_irr": False, "threads": 2}
    res = benchmark.pedantic(
        _timed, args=("100k paths x 180 months", run, inputs), kwargs=kwargs, rounds=1, iterations=1
    )
    assert res.npv_usd["ai"].shape == (100_000,)


def test_bench_irr_10k_paths(benchmark: Any) -> None:
    inputs = _inputs()
    run(inputs, paths=1024, seed=1, chunk_paths=1024, with_irr=True)
    _timed("10k paths without IRR", run, inputs, paths=10_000, seed=1, with_irr=False)
    benchmark.pedantic(
        _timed,
        args=("10k paths with IRR (3 businesses)", run, inputs),
        kwargs={"paths": 10_000, "seed": 1, "with_irr": True},
        rounds=1,
        iterations=1,
    )


def _sweep_seconds(n_workers: int, cases: list[Case]) -> tuple[float, float]:
    """Wall time and workers' CPU time [s] of the sweep on ``n_workers`` single-threaded processes."""
    from distributed import Client, LocalCluster

    with (
        LocalCluster(  # type: ignore[no-untyped-call]
            n_workers=n_workers, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,  # type: ignore[no-untyped-call]
    ):
        run_sweep(cases[:1], paths=2048, seed=1, chunk_paths=1024, client=client)  # warm up workers
        cpu0 = sum(client.run(time.process_time).values())
        t0 = time.perf_counter()
        run_sweep(cases, paths=40_000, seed=1, chunk_paths=2500, client=client)
        wall = time.perf_counter() - t0
        return wall, sum(client.run(time.process_time).values()) - cpu0


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
    one, one_cpu = _sweep_seconds(1, cases)
    two, two_cpu = _sweep_seconds(2, cases)
    print(
        f"\nsweep 2 cases x 40k paths: 1 worker {one:.2f} s (CPU {one_cpu:.2f} s), 2 workers {two:.2f} s "
        f"(CPU {two_cpu:.2f} s), speed-up {one / two:.2f}x (load average {os.getloadavg()[0]:.1f}; "
        "2 workers can only reach 2x on 2 otherwise idle cores)"
    )
