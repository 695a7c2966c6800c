"""``POST /api/dispatch``: backtest a site's hybrid dispatch on warehouse prices.

The body is a site config (the TOML site file's tables as JSON); the query parameters are the
CLI's options. The response is the JSON document of ``wattshift dispatch --format json``
(:func:`wattshift.services.dispatch.result_dict`), plus, with ``schedule=true``, the per-interval
schedule (the rows of ``--format csv``) under ``schedule``.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from wattshift.api.deps import encode, json_response, read_warehouse
from wattshift.api.jsonify import bad_param, records
from wattshift.config import SiteConfig
from wattshift.services import dispatch as service
from wattshift.warehouse import Warehouse

router = APIRouter(prefix="/api/dispatch", tags=["dispatch"])

#: Longest period one request may backtest [days]; longer runs belong to the CLI.
MAX_PERIOD_DAYS = 731


@router.post("", summary="Backtest a site's dispatch: revenue by stream, MWh by use, flexibility value")
def run_dispatch(
    site: SiteConfig,
    wh: Annotated[Warehouse, Depends(read_warehouse)],
    start: Annotated[
        dt.date | None, Query(alias="from", description="First day, UTC [default: the site's [backtest]].")
    ] = None,
    end: Annotated[
        dt.date | None, Query(alias="to", description="Day after the last (UTC, exclusive).")
    ] = None,
    node: Annotated[
        str | None, Query(min_length=1, max_length=64, description="Price node [default: the contract's].")
    ] = None,
    market: Annotated[Literal["rt", "da"] | None, Query(description="Energy market.")] = None,
    foresight: Annotated[
        Literal["perfect", "day_ahead"] | None, Query(description="Decision prices.")
    ] = None,
    solver: Annotated[Literal["auto", "merit", "lp"], Query(description="Solver.")] = "auto",
    window_days: Annotated[int, Query(ge=1, le=366, description="Rolling-horizon window [days].")] = 1,
    schedule: Annotated[bool, Query(description="Include the per-interval schedule.")] = False,
) -> Response:
    """Revenue by stream [USD], energy cost, charges, net, MWh by use, hours curtailed, value of
    flexibility vs always-on mining, solver and timing. 404 names any missing price span.
    """
    period_start = start or (site.backtest.start if site.backtest else None)
    period_end = end or (site.backtest.end if site.backtest else None)
    if period_start is not None and period_end is not None:
        if period_end <= period_start:
            raise bad_param("to", f"must be after from ({period_start.isoformat()})")
        if (period_end - period_start).days > MAX_PERIOD_DAYS:
            raise bad_param("to", f"the period is limited to {MAX_PERIOD_DAYS} days per request")
    run = service.run_dispatch(
        wh,
        site,
        start=start,
        end=end,
        node=node,
        market=market,
        foresight=foresight,
        solver=solver,
        window_days=window_days,
    )
    doc: dict[str, Any] = service.result_dict(run)
    if schedule:
        doc["schedule"] = records(run.result.schedule)
    return json_response(encode(doc))
