"""``POST /api/value`` and ``POST /api/jobs/value``: value each MW of a site as mining, AI hosting
and hybrid; plan the conversion.

The body is a site config (its ``[valuation]`` table optional); ``paths``, ``years``, ``seed``,
``flex_from``, ``flex_to``, ``flex_node`` and ``flex_market`` are the CLI's options (with
``flex_from`` and ``flex_to``, the mining flex revenue comes from a dispatch backtest over that
span: :func:`wattshift.services.valuation_inputs.flex_usd_per_mw_month_from_dispatch`). ``POST /api/value``
answers with the JSON of ``wattshift value --format json``
(:func:`wattshift.services.valuation.value_site`), plus, with ``fan=true``, the percentiles of the
cumulative NPV per MW by month under ``fan`` (for a fan chart).

``POST /api/jobs/value`` takes the same body and query, answers ``202 {job_id, status_url, state}``
at once and runs the Monte Carlo in the background (:mod:`wattshift.api.jobs`); ``GET status_url``
reports the chunks of paths valued so far and, when done, the same document under ``result``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Literal

import numpy as np
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from wattshift.api import jobs
from wattshift.api.deps import encode, json_response, short_reads
from wattshift.api.jsonify import bad_param, jsonable
from wattshift.api.routers.dispatch import MAX_PERIOD_DAYS
from wattshift.config import SiteConfig
from wattshift.services import valuation as service
from wattshift.services.store import Warehouse

router = APIRouter(tags=["value"])

#: Most Monte Carlo paths one request may ask for; bigger runs belong to the CLI or a sweep.
MAX_PATHS = 20_000

#: Percentiles of the fan chart, as returned by :func:`wattshift.services.valuation.value_site`.
FAN_PERCENTILES: tuple[int, ...] = service.FAN_PERCENTILES


@dataclass(frozen=True)
class ValueOptions:
    """The query parameters of both valuation endpoints (the CLI's options; None = the site's)."""

    paths: int | None
    years: int | None
    seed: int | None
    fan: bool
    flex_span: tuple[dt.date, dt.date] | None = None
    flex_node: str | None = None
    flex_market: Literal["rt", "da"] = "rt"
    sensitivity: bool = False


def value_options(
    paths: Annotated[
        int | None, Query(ge=10, le=MAX_PATHS, description="Monte Carlo paths [default: the site's].")
    ] = None,
    years: Annotated[int | None, Query(ge=1, le=30, description="Horizon [years].")] = None,
    seed: Annotated[int | None, Query(ge=0, le=2**32 - 1, description="Random seed.")] = None,
    fan: Annotated[bool, Query(description="Include the cumulative-NPV fan (percentiles by month).")] = False,
    flex_from: Annotated[
        dt.date | None,
        Query(
            description="First day (UTC) of a dispatch backtest whose value of flexibility becomes the "
            "mining flex revenue [USD/MW-month]; give flex_to too."
        ),
    ] = None,
    flex_to: Annotated[
        dt.date | None, Query(description="Day after the last of that backtest (UTC, exclusive).")
    ] = None,
    flex_node: Annotated[
        str | None,
        Query(
            min_length=1, max_length=64, description="Price node of that backtest [default: the contract's]."
        ),
    ] = None,
    flex_market: Annotated[Literal["rt", "da"], Query(description="Energy market of that backtest.")] = "rt",
    sensitivity: Annotated[
        bool,
        Query(description="Include the tornado of p50 NPVs (11 inputs low/high, common random numbers)."),
    ] = False,
) -> ValueOptions:
    """FastAPI dependency: the valuation query parameters.

    422 naming ``flex_from`` or ``flex_to`` when only one is given, when the span does not move
    forward or when it is longer than the dispatch endpoint's limit (``MAX_PERIOD_DAYS``).
    """
    span: tuple[dt.date, dt.date] | None = None
    if flex_from is not None or flex_to is not None:
        if flex_from is None:
            raise bad_param("flex_from", "missing: give flex_from and flex_to together")
        if flex_to is None:
            raise bad_param("flex_to", "missing: give flex_from and flex_to together")
        if flex_to <= flex_from:
            raise bad_param("flex_to", f"must be after flex_from ({flex_from.isoformat()})")
        if (flex_to - flex_from).days > MAX_PERIOD_DAYS:
            raise bad_param("flex_to", f"the flex backtest is limited to {MAX_PERIOD_DAYS} days per request")
        span = (flex_from, flex_to)
    return ValueOptions(paths, years, seed, fan, span, flex_node, flex_market, sensitivity)


Options = Annotated[ValueOptions, Depends(value_options)]


def check_body_caps(site: SiteConfig) -> None:
    """422 naming ``valuation.paths`` or ``valuation.chunk_paths`` when the body asks for more than
    :data:`MAX_PATHS` (the query's cap applies to the body too; ``years`` is capped by the config).
    """
    valuation = site.valuation
    if valuation is None:
        return
    for field in ("paths", "chunk_paths"):
        if getattr(valuation, field) > MAX_PATHS:
            raise bad_param(
                f"valuation.{field}",
                f"at most {MAX_PATHS} paths per request (got {getattr(valuation, field)}); "
                "bigger runs belong to the CLI or a sweep",
                where="body",
            )


def fan_document(fan: Mapping[str, np.ndarray[Any, np.dtype[np.float64]]]) -> dict[str, Any]:
    """``{"month": [1..M], "<business>": {"p5": [...], ..., "p95": [...]}}`` [USD per MW]."""
    months = next(iter(fan.values())).shape[1] if fan else 0
    doc: dict[str, Any] = {"month": list(range(1, months + 1))}
    for business, bands in fan.items():
        doc[business] = {f"p{p}": bands[i].tolist() for i, p in enumerate(FAN_PERCENTILES)}
    return doc


def value_document(
    wh: Warehouse, site: SiteConfig, opts: ValueOptions, progress: jobs.ProgressCallback | None = None
) -> dict[str, Any]:
    """The response document: :func:`~wattshift.services.valuation.value_site` (+ ``fan``)."""
    flex = None
    if opts.flex_span is not None:
        flex = service.FlexSpan(
            opts.flex_span[0], opts.flex_span[1], node=opts.flex_node, market=opts.flex_market
        )
    request = service.ValuationRequest(
        site, paths=opts.paths, years=opts.years, seed=opts.seed, flex=flex, fan=opts.fan,
        sensitivity=opts.sensitivity,
    )  # fmt: skip
    result = service.value_site(wh, request, progress)
    doc: dict[str, Any] = jsonable(result)
    if result.fan is not None:
        doc["fan"] = fan_document(result.fan)
    return doc


@router.post("/api/value", summary="Value a site per MW: mining vs AI hosting vs hybrid, conversion schedule")
def value_site(
    request: Request, site: SiteConfig, wh: Annotated[Warehouse, Depends(short_reads)], opts: Options
) -> Response:
    """NPV, IRR and payback distributions per business [USD per MW], EV per MW, the AI/mining value
    ratio, the conversion schedule (MW per year) and the BTC the treasury must sell to fund it.
    """
    check_body_caps(site)
    return json_response(encode(value_document(wh, site, opts, jobs.stop_check(request))))


@router.post(
    "/api/jobs/value",
    **jobs.route("Start a site valuation in the background; poll its status URL for progress"),
)
def start_value_job(site: SiteConfig, submit: jobs.Submit, opts: Options) -> Response:
    """Same body and query as ``POST /api/value``. ``GET status_url`` gives ``progress`` (chunks of
    ``valuation.chunk_paths`` paths valued / chunks in all) while it runs and, when done, the
    ``POST /api/value`` document under ``result``; a failure (no BTC history in the warehouse, a
    valuation the engine refuses) gives ``state: error`` with the synchronous endpoint's message
    and status under ``error``.
    """
    check_body_caps(site)
    return submit.start("value", lambda wh, progress: value_document(wh, site, opts, progress))
