"""``POST /api/dispatch`` and ``POST /api/jobs/dispatch``: backtest a site's hybrid dispatch.

The body is a site config (the TOML site file's tables as JSON); the query parameters are the
CLI's options. ``POST /api/dispatch`` answers with the JSON document of
``wattshift dispatch --format json`` (:func:`wattshift.services.dispatch.result_dict`), plus, with
``schedule=true``, the per-interval schedule (the rows of ``--format csv``) under ``schedule``.

``POST /api/jobs/dispatch`` takes the same body and query, answers ``202 {job_id, status_url}`` at
once and runs the backtest in the background (:mod:`wattshift.api.jobs`); ``GET status_url``
reports the windows solved so far and, when done, the same document under ``result``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from wattshift.api import jobs
from wattshift.api.deps import encode, json_response, short_reads
from wattshift.api.jsonify import bad_param, records
from wattshift.api.models import DispatchOut
from wattshift.config import SiteConfig
from wattshift.services import dispatch as service
from wattshift.services.dispatch import DispatchSource
from wattshift.services.store import Warehouse

#: The dispatch endpoints. It also carries the generic ``GET`` and ``DELETE /api/jobs/{job_id}`` of
#: :mod:`wattshift.api.jobs`.
router = APIRouter(tags=["dispatch"])
router.include_router(jobs.router)

#: Longest period one request may backtest [days]; longer runs belong to the CLI.
MAX_PERIOD_DAYS = 731


@dataclass(frozen=True)
class DispatchOptions:
    """The query parameters of both dispatch endpoints (the CLI's options)."""

    start: dt.date | None
    end: dt.date | None
    node: str | None
    market: Literal["rt", "da"] | None
    foresight: Literal["perfect", "day_ahead", "forecast"] | None
    solver: Literal["auto", "merit", "lp"]
    window_days: int
    schedule: bool


def dispatch_options(
    start: Annotated[
        dt.date | None,
        Query(alias="from", description="First ERCOT operating day [default: the site's [backtest]]."),
    ] = None,
    last: Annotated[
        dt.date | None,
        Query(alias="to", description="Last operating day (inclusive, as every `to` of wattshift)."),
    ] = None,
    until: Annotated[
        dt.date | None,
        Query(description="Operating day after the last (exclusive; what `to` meant before); not with `to`."),
    ] = None,
    node: Annotated[
        str | None, Query(min_length=1, max_length=64, description="Price node [default: the contract's].")
    ] = None,
    market: Annotated[Literal["rt", "da"] | None, Query(description="Energy market.")] = None,
    foresight: Annotated[
        Literal["perfect", "day_ahead", "forecast"] | None,
        Query(description="Information decisions use [default: the site's, else forecast]."),
    ] = None,
    solver: Annotated[Literal["auto", "merit", "lp"], Query(description="Solver.")] = "auto",
    window_days: Annotated[int, Query(ge=1, le=366, description="Rolling-horizon window [days].")] = 1,
    schedule: Annotated[bool, Query(description="Include the per-interval schedule.")] = False,
) -> DispatchOptions:
    """FastAPI dependency: the dispatch query parameters (``end``: the exclusive end the services take)."""
    if last is not None and until is not None:
        raise bad_param("until", "give to (last day, inclusive) or until (day after the last), not both")
    end = last + dt.timedelta(days=1) if last is not None else until
    return DispatchOptions(start, end, node, market, foresight, solver, window_days, schedule)


Options = Annotated[DispatchOptions, Depends(dispatch_options)]


def check_period(site: SiteConfig, opts: DispatchOptions) -> None:
    """422 for an empty or reversed period, or one longer than :data:`MAX_PERIOD_DAYS`."""
    period_start = opts.start or (site.backtest.start if site.backtest else None)
    period_end = opts.end or (site.backtest.end if site.backtest else None)
    if period_start is not None and period_end is not None:
        if period_end <= period_start:
            raise bad_param("to", f"must be after from ({period_start.isoformat()})")
        if (period_end - period_start).days > MAX_PERIOD_DAYS:
            raise bad_param("to", f"the period is limited to {MAX_PERIOD_DAYS} days per request")


def dispatch_document(
    wh: DispatchSource,
    site: SiteConfig,
    opts: DispatchOptions,
    progress: jobs.ProgressCallback | None = None,
) -> dict[str, Any]:
    """The response document: :func:`~wattshift.services.dispatch.result_dict` (+ ``schedule``)."""
    run = service.run_dispatch(
        wh,
        site,
        start=opts.start,
        end=opts.end,
        node=opts.node,
        market=opts.market,
        foresight=opts.foresight,
        solver=opts.solver,
        window_days=opts.window_days,
        progress=progress,
    )
    doc: dict[str, Any] = service.result_dict(run)
    if opts.schedule:
        doc["schedule"] = records(run.result.schedule)
    return doc


@router.post(
    "/api/dispatch",
    summary="Backtest a site's dispatch: revenue by stream, MWh by use, flexibility value",
    response_model=DispatchOut,
)
def run_dispatch(
    request: Request, site: SiteConfig, wh: Annotated[Warehouse, Depends(short_reads)], opts: Options
) -> Response:
    """Revenue by stream [USD], energy cost, charges, net, MWh by use, hours curtailed, value of
    flexibility vs always-on mining, solver and timing. 404 names any missing price span.
    """
    check_period(site, opts)
    return json_response(encode(dispatch_document(wh, site, opts, jobs.stop_check(request))))


@router.post(
    "/api/jobs/dispatch",
    **jobs.route("Start a dispatch backtest in the background; poll its status URL for progress"),
)
def start_dispatch_job(site: SiteConfig, submit: jobs.Submit, opts: Options) -> Response:
    """Same body and query as ``POST /api/dispatch``. ``GET status_url`` gives ``progress`` (daily
    windows solved / windows in all) while it runs and, when done, the ``POST /api/dispatch``
    document under ``result``; a failure (a missing price span, a site the solver refuses) gives
    ``state: error`` with the synchronous endpoint's message and status under ``error``.
    """
    check_period(site, opts)
    return submit.start("dispatch", lambda wh, progress: dispatch_document(wh, site, opts, progress))
