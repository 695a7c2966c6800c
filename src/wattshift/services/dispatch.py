"""Dispatch backtest as the CLI, the HTTP API and the report show it: warehouse → engine → result.

:func:`~wattshift.services.dispatch_inputs.load_inputs` reads prices on an ERCOT operating-day grid,
ancillary prices and the BTC daily frame and lays them out as engine arrays;
:func:`~wattshift.services.dispatch_spec.site_spec` turns the site config into the engine's spec.
:func:`run_dispatch` runs the rolling-horizon backtest with the chosen foresight (``forecast`` by
default) and, beside it, the perfect-foresight upper bound; :func:`result_dict` turns both into the
JSON document of ``wattshift dispatch --format json``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any

from wattshift.config import Fleet, SiteConfig
from wattshift.dispatch.backtest import BacktestResult, Progress, SolverName, run_backtest
from wattshift.errors import ConfigError
from wattshift.markets import MARKETS, check_node
from wattshift.services.dispatch_inputs import (
    ERCOT_TZ,
    DispatchSource,
    Foresight,
    Market,
    load_inputs,
    on_grid,
    settle_product,
)
from wattshift.services.dispatch_spec import gpu_ai_value_usd_per_mwh, site_spec
from wattshift.services.sites import resolve_fleets

__all__ = [
    "ERCOT_TZ",
    "DispatchRun",
    "DispatchSource",
    "Foresight",
    "Market",
    "gpu_ai_value_usd_per_mwh",
    "on_grid",
    "result_dict",
    "run_dispatch",
    "site_spec",
]


@dataclass(frozen=True)
class DispatchRun:
    """A finished backtest with what it was run on, and its perfect-foresight upper bound."""

    site: SiteConfig
    fleets: list[Fleet]
    node: str
    market: Market
    foresight: Foresight
    start: dt.date
    end: dt.date
    result: BacktestResult
    upper_bound: BacktestResult
    timezone: str = ERCOT_TZ


def run_dispatch(
    wh: DispatchSource,
    site: SiteConfig,
    *,
    start: dt.date | None = None,
    end: dt.date | None = None,
    node: str | None = None,
    market: Market | None = None,
    foresight: Foresight | None = None,
    solver: SolverName = "auto",
    window_days: int | None = 1,
    progress: Progress | None = None,
    timezone: str | None = None,
) -> DispatchRun:
    """Backtest ``site`` on warehouse prices; unset options come from the site's ``[backtest]`` table.

    ``progress(windows_done, windows_total)`` is passed to
    :func:`wattshift.dispatch.backtest.run_backtest`: called with 0 once the inputs are loaded and
    after each solved window (one per ``window_days`` days). ``timezone`` is the zone of the
    operating days (default: that of the contract's market, ``site.contract.market``).

    Raises
    ------
    ConfigError
        No period given and none in the site file, or an option the site cannot use.
    NotInWarehouseError
        Prices, ancillary prices or BTC data missing for part of the range (the span is named).
    """
    bt = site.backtest
    start = start or (bt.start if bt else None)
    end = end or (bt.end if bt else None)
    if start is None or end is None:
        raise ConfigError("no period: pass --from and --to (or add a [backtest] table to the site file)")
    node = node or site.contract.node
    iso = site.contract.market
    check_node(iso, node)
    timezone = timezone or MARKETS[iso].timezone
    market = market or (bt.market if bt else settle_product(iso))
    foresight = foresight or (bt.foresight if bt else "forecast")
    if foresight != "perfect" and market != settle_product(iso):
        raise ConfigError(
            f"foresight {foresight} decides before real time and settles on {iso}'s "
            f"{settle_product(iso)!r} prices: use --market {settle_product(iso)}"
        )
    if foresight == "forecast" and window_days != 1:
        raise ConfigError("foresight forecast decides one operating day at a time: use --window-days 1")
    fleets = resolve_fleets(site, wh.asic_models()) if site.fleets else []
    spec = site_spec(site, fleets)
    inputs = load_inputs(
        wh,
        spec,
        node=node,
        market=market,
        foresight=foresight,
        start=start,
        end=end,
        timezone=timezone,
        iso=iso,
    )
    result = run_backtest(spec, inputs, solver=solver, window_days=window_days, progress=progress)
    if foresight == "perfect":
        bound = result
    else:
        hindsight = replace(
            inputs,
            decision_price_usd_per_mwh=inputs.settle_price_usd_per_mwh,
            intraday_price_usd_per_mwh=None,
            decision_fleet_value_usd_per_mwh=None,
            peak_decision_groups=inputs.peak_settlement_groups or inputs.peak_decision_groups,
            peak_decision_rate_share=1.0,
        )
        bound = run_backtest(spec, hindsight, solver=solver, window_days=window_days)
    return DispatchRun(site, fleets, node, market, foresight, start, end, result, bound, timezone)


def result_dict(run: DispatchRun) -> dict[str, Any]:
    """The JSON document of ``wattshift dispatch`` (keys fixed by the CLI contract)."""
    t = run.result.totals
    bound = run.upper_bound.totals["net_usd"]
    return {
        "site": run.site.name,
        "node": run.node,
        "market": run.market,
        "foresight": run.foresight,
        "timezone": run.timezone,
        "from": run.start.isoformat(),
        "to": run.end.isoformat(),
        "intervals": len(run.result.schedule),
        "revenue_usd": {
            "mining": t["mining_usd"],
            "ai": t["ai_usd"],
            "reserves": t["reserves_usd"],
            "sellback": t["sellback_usd"],
        },
        "energy_cost_usd": t["energy_cost_usd"],
        "charges_usd": t["charges_usd"],
        "gpu_capital_cost_usd": t["gpu_capital_cost_usd"],
        "net_usd": t["net_usd"],
        "upper_bound_net_usd": bound,
        "regret_usd": bound - t["net_usd"],
        "mwh": {
            "mining": t["mwh_mining"],
            "ai": t["mwh_ai"],
            "curtailed": t["mwh_curtailed"],
            "deployed": t["mwh_deployed"],
        },
        "hours_curtailed": t["hours_curtailed"],
        "value_of_flexibility_usd": run.result.value_of_flexibility_usd,
        "always_on_net_usd": run.result.always_on_totals["net_usd"],
        "objective_usd": run.result.objective_usd,
        "solver": run.result.solver,
        "solve_seconds": run.result.solve_seconds,
        "windows": run.result.windows,
    }
