"""``POST /api/value`` and ``POST /api/jobs/value``: value each MW of a site as mining, AI hosting
and hybrid; plan the conversion.

The body is a site config (its ``[valuation]`` table optional); ``paths``, ``years`` and ``seed``
are the CLI's options. ``POST /api/value`` answers with the JSON of ``wattshift value --format json``
(:func:`wattshift.services.valuation.value_site`), plus, with ``fan=true``, the percentiles of the
cumulative NPV per MW by month under ``fan`` (for a fan chart).

``POST /api/jobs/value`` takes the same body and query, answers ``202 {job_id, status_url, state}``
at once and runs the Monte Carlo in the background (:mod:`wattshift.api.jobs`); ``GET status_url``
reports the chunks of paths valued so far and, when done, the same document under ``result``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

import numpy as np
from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from wattshift.api import jobs
from wattshift.api.deps import encode, json_response, read_warehouse
from wattshift.config import SiteConfig
from wattshift.services import valuation as service
from wattshift.warehouse import Warehouse

router = APIRouter(tags=["value"])

#: Most Monte Carlo paths one request may ask for; bigger runs belong to the CLI or a sweep.
MAX_PATHS = 20_000

#: Percentiles of the fan chart, as returned by :func:`wattshift.services.valuation.value_site_with_fan`.
FAN_PERCENTILES: tuple[int, ...] = (5, 25, 50, 75, 95)


@dataclass(frozen=True)
class ValueOptions:
    """The query parameters of both valuation endpoints (the CLI's options; None = the site's)."""

    paths: int | None
    years: int | None
    seed: int | None
    fan: bool


def value_options(
    paths: Annotated[
        int | None, Query(ge=10, le=MAX_PATHS, description="Monte Carlo paths [default: the site's].")
    ] = None,
    years: Annotated[int | None, Query(ge=1, le=30, description="Horizon [years].")] = None,
    seed: Annotated[int | None, Query(ge=0, le=2**32 - 1, description="Random seed.")] = None,
    fan: Annotated[bool, Query(description="Include the cumulative-NPV fan (percentiles by month).")] = False,
) -> ValueOptions:
    """FastAPI dependency: the valuation query parameters."""
    return ValueOptions(paths, years, seed, fan)


Options = Annotated[ValueOptions, Depends(value_options)]


def fan_document(fan: dict[str, np.ndarray[Any, np.dtype[np.float64]]]) -> dict[str, Any]:
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
    kwargs: dict[str, Any] = {"paths": opts.paths, "years": opts.years, "seed": opts.seed}
    if opts.fan:
        result, bands = service.value_site_with_fan(wh, site, progress=progress, **kwargs)
        return {**result, "fan": fan_document(bands)}
    return service.value_site(wh, site, progress=progress, **kwargs)


@router.post("/api/value", summary="Value a site per MW: mining vs AI hosting vs hybrid, conversion schedule")
def value_site(
    site: SiteConfig, wh: Annotated[Warehouse, Depends(read_warehouse)], opts: Options
) -> Response:
    """NPV, IRR and payback distributions per business [USD per MW], EV per MW, the AI/mining value
    ratio, the conversion schedule (MW per year) and the BTC the treasury must sell to fund it.
    """
    return json_response(encode(value_document(wh, site, opts)))


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
    return submit.start("value", lambda wh, progress: value_document(wh, site, opts, progress))
