"""Sweep service: a grid of sites x scenarios x parameters (``wattshift value sweep``).

Calibrates every case on this process, then values them serially, on threads or on a Dask
cluster (:mod:`wattshift.valuation.cluster` picks by the grid's size; the numbers are the same).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from wattshift.config import load_site
from wattshift.config.valuation import SweepGrid, ValuationConfig, apply_overrides
from wattshift.services.valuation_inputs import SiteFigures, build_inputs, site_figures
from wattshift.units import MONTHS_PER_YEAR
from wattshift.valuation.cluster import Backend as Backend  # re-exported for the edges
from wattshift.valuation.cluster import choose_backend, dask_client
from wattshift.valuation.execution import Progress, default_threads
from wattshift.valuation.sweep import Case, parameter_grid, run_sweep

if TYPE_CHECKING:
    from wattshift.warehouse import Warehouse


def sweep_cases(wh: Warehouse, grid: SweepGrid) -> list[Case]:
    """The calibrated cases of a grid: sites x scenarios x parameter combinations."""
    cases = []
    btc = wh.btc_daily()  # read once for every case
    figures: dict[tuple[Path, float | None, float | None, float], SiteFigures] = {}
    for site_path in grid.sites:
        site = load_site(site_path)
        base = site.valuation or ValuationConfig()
        for sc_name, sc_over in grid.scenarios.items():
            for params in parameter_grid(grid.parameters):
                cfg = apply_overrides(base, {f"scenario.{k}": v for k, v in sc_over.items()} | params)
                # The site's power price and efficiency change only with these three fields.
                key = (site_path, cfg.mining.power_usd_per_mwh, cfg.mining.efficiency_j_per_th,
                       cfg.scenario.network_best_j_per_th)  # fmt: skip
                if key not in figures:
                    figures[key] = site_figures(wh, site, cfg)
                inputs, _ = build_inputs(wh, site, cfg, years=grid.years, btc_daily=btc, figures=figures[key])
                cases.append(Case(site=site.name, scenario=sc_name, params=params, inputs=inputs))
    return cases


def sweep(
    wh: Warehouse,
    grid: SweepGrid,
    *,
    backend: Backend | None = None,
    scheduler: str | None = None,
    n_workers: int = 2,
    progress: Progress | None = None,
) -> list[dict[str, Any]]:
    """Run a grid (:func:`wattshift.config.valuation.load_grid`) of sites x scenarios x parameters.

    Parameters
    ----------
    wh
        Warehouse (calibration data; read on this process only).
    grid
        The grid.
    backend
        ``"serial"``, ``"threads"`` or ``"dask"``; None = by the grid's size
        (:func:`~wattshift.valuation.cluster.choose_backend`). Every backend gives the same numbers.
    scheduler
        Address of an existing Dask scheduler; None = a local cluster of ``n_workers`` workers.
    n_workers
        Workers of the local cluster.
    progress
        ``progress(done, total)`` in chunks over all cases (``total = cases x chunks per case``),
        from the Monte Carlo runs only; the calibration of each case before them is not counted.

    Returns
    -------
    list of dict
        One row per case (:func:`wattshift.valuation.sweep.run_sweep`).
    """
    cases = sweep_cases(wh, grid)
    threads = default_threads()
    if backend is None:
        months = grid.years * MONTHS_PER_YEAR
        backend = choose_backend(
            cases=len(cases), paths=grid.paths, months=months, threads=threads, scheduler=scheduler
        )
    kwargs: dict[str, Any] = {"paths": grid.paths, "seed": grid.seed, "chunk_paths": grid.chunk_paths}
    if backend != "dask":
        return run_sweep(cases, threads=threads if backend == "threads" else 1, progress=progress, **kwargs)
    with dask_client(scheduler, n_workers=n_workers) as client:
        return run_sweep(cases, client=client, progress=progress, **kwargs)
