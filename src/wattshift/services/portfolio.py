"""Dispatch portfolio: many sites x market nodes x years, serially or on Dask, same numbers.

``wattshift dispatch portfolio --grid FILE`` (:mod:`wattshift.config.portfolio`). The warehouse is
read here, in this process (I/O at the edge: DuckDB is one process's file): each case's engine
inputs are loaded by :func:`wattshift.services.dispatch_inputs.load_inputs` on the market's
operating days, then the pure engine :func:`wattshift.dispatch.backtest.run_backtest` runs each
case, here (``client=None``) or as one task per case on a ``distributed.Client`` (a LocalCluster by
default, :func:`dask_client`: scheduler, workers and HTTP endpoint on 127.0.0.1 only). The engine
is deterministic, so a case gives the same numbers wherever it runs (a test).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from wattshift.config import SiteConfig, parse_site
from wattshift.config.portfolio import PortfolioGrid
from wattshift.dispatch.backtest import BacktestInputs, BacktestResult, SolverName, run_backtest
from wattshift.dispatch.spec import SiteSpec
from wattshift.markets import market as market_row
from wattshift.services.dispatch_inputs import DispatchSource, Foresight, load_inputs, settle_product
from wattshift.services.dispatch_spec import site_spec
from wattshift.services.sites import load_site, resolve_fleets

#: Keys of each result row, in order.
PORTFOLIO_KEYS: tuple[str, ...] = (
    "site",
    "market",
    "node",
    "year",
    "foresight",
    "intervals",
    "net_usd",
    "always_on_net_usd",
    "value_of_flexibility_usd",
    "mwh_mining",
    "hours_curtailed",
    "solver",
)


@dataclass(frozen=True)
class PortfolioCase:
    """One case: a site (contract at ``market``/``node``) over the operating days of ``year``."""

    site_name: str
    market: str
    node: str
    year: int
    spec: SiteSpec
    inputs: BacktestInputs


@dataclass(frozen=True)
class PortfolioRow:
    """Outcome of one case (fields :data:`PORTFOLIO_KEYS`; USD, MWh, h)."""

    site: str
    market: str
    node: str
    year: int
    foresight: str
    intervals: int
    net_usd: float
    always_on_net_usd: float
    value_of_flexibility_usd: float
    mwh_mining: float
    hours_curtailed: float
    solver: str


def _at_node(site: SiteConfig, market: str, node: str, source: str) -> SiteConfig:
    """``site`` with its contract moved to ``market``/``node`` (validated again: ERCOT-only parts)."""
    data = site.model_dump(exclude_none=True)
    data["contract"] = {**data.get("contract", {}), "market": market, "node": node}
    return parse_site(data, source=f"{source} at {market} {node}")


def _site_path(name: str, grid_dir: Path | None) -> str | Path:
    if grid_dir is not None and name.endswith(".toml") and (grid_dir / name).exists():
        return grid_dir / name
    return name


def load_cases(
    wh: DispatchSource, grid: PortfolioGrid, *, grid_dir: Path | None = None
) -> list[PortfolioCase]:
    """Engine inputs of every case of ``grid``, read from ``wh`` (sites x nodes x years).

    Raises
    ------
    ConfigError
        A site that cannot be moved to a node (unknown node, reserves outside ERCOT …).
    NotInWarehouseError
        A case whose prices or BTC data are missing (the message names the span).
    """
    foresight: Foresight = grid.foresight
    cases = []
    for name in grid.sites:
        site = load_site(_site_path(name, grid_dir))
        nodes = [(n.market, n.node) for n in grid.nodes] or [(site.contract.market, site.contract.node)]
        fleets = resolve_fleets(site, wh.asic_models()) if site.fleets else []
        for market, node in nodes:
            moved = _at_node(site, market, node, name)
            spec = site_spec(moved, fleets)
            iso = moved.contract.market
            product = settle_product(iso)
            for year in grid.years:
                inputs = load_inputs(
                    wh,
                    spec,
                    node=moved.contract.node,
                    market=product,
                    foresight=foresight,
                    start=dt.date(year, 1, 1),
                    end=dt.date(year + 1, 1, 1),
                    timezone=market_row(iso).timezone,
                    iso=iso,
                )
                cases.append(PortfolioCase(name, iso, moved.contract.node, year, spec, inputs))
    return cases


def run_case(spec: SiteSpec, inputs: BacktestInputs, solver: SolverName) -> BacktestResult:
    """One case on the engine (what a Dask task runs; pure)."""
    return run_backtest(spec, inputs, solver=solver, window_days=1)


def _row(case: PortfolioCase, foresight: str, result: BacktestResult) -> PortfolioRow:
    t = result.totals
    return PortfolioRow(
        case.site_name,
        case.market,
        case.node,
        case.year,
        foresight,
        len(case.inputs.interval_start_utc),
        t["net_usd"],
        result.always_on_totals["net_usd"],
        result.value_of_flexibility_usd,
        t["mwh_mining"],
        t["hours_curtailed"],
        result.solver,
    )


def case_row(case: PortfolioCase, foresight: str, solver: SolverName) -> PortfolioRow:
    """Backtest one case and keep its row (what a Dask worker sends back: a row, not the schedules)."""
    return _row(case, foresight, run_case(case.spec, case.inputs, solver))


def run_portfolio(
    cases: list[PortfolioCase],
    *,
    foresight: str,
    solver: SolverName = "auto",
    client: Any | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[PortfolioRow]:
    """Run every case: here (``client=None``) or one task per case on ``client`` (``distributed.Client``).

    The rows come back in the order of ``cases`` whatever the backend; ``progress(done, total)`` is
    called after each finished case. On Dask each worker builds its case's row, so only the row
    travels back: the client process, which shares the machine with the workers, deserialises a
    dozen numbers per case instead of its interval schedules (megabytes per site-year).
    """
    total = len(cases)
    if client is None:
        rows = []
        for i, case in enumerate(cases):
            rows.append(case_row(case, foresight, solver))
            if progress is not None:
                progress(i + 1, total)
        return rows
    from distributed import as_completed

    futures = [client.submit(case_row, c, foresight, solver, pure=False) for c in cases]
    index = {f.key: i for i, f in enumerate(futures)}
    found: list[PortfolioRow | None] = [None] * total
    for done, future in enumerate(as_completed(futures), start=1):  # type: ignore[no-untyped-call]
        found[index[future.key]] = future.result()
        if progress is not None:
            progress(done, total)
    return [row for row in found if row is not None]


@contextmanager
def dask_client(scheduler: str | None = None, *, n_workers: int = 2) -> Iterator[Any]:
    """A ``distributed.Client`` of ``scheduler``, or of a new LocalCluster of ``n_workers``
    single-threaded processes listening on loopback only (closed on exit)."""
    from distributed import Client, LocalCluster

    if scheduler is not None:
        with Client(scheduler) as client:  # type: ignore[no-untyped-call]
            yield client
        return
    cluster = LocalCluster(  # type: ignore[no-untyped-call]
        n_workers=n_workers,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address="127.0.0.1:0",
    )
    with cluster, Client(cluster) as client:  # type: ignore[no-untyped-call]
        yield client
