"""``POST /api/value``: value each MW of a site as mining, AI hosting and hybrid; plan the conversion.

The body is a site config (its ``[valuation]`` table optional); ``paths``, ``years`` and ``seed``
are the CLI's options. The response is the JSON of ``wattshift value --format json``
(:func:`wattshift.services.valuation.value_site`), plus, with ``fan=true``, the percentiles of the
cumulative NPV per MW by month under ``fan`` (for a fan chart).
"""

from __future__ import annotations

from typing import Annotated, Any

import numpy as np
from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from wattshift.api.deps import encode, json_response, read_warehouse
from wattshift.config import SiteConfig
from wattshift.services import valuation as service
from wattshift.warehouse import Warehouse

router = APIRouter(prefix="/api/value", tags=["value"])

#: Most Monte Carlo paths one request may ask for; bigger runs belong to the CLI or a sweep.
MAX_PATHS = 20_000

#: Percentiles of the fan chart, as returned by :func:`wattshift.services.valuation.value_site_with_fan`.
FAN_PERCENTILES: tuple[int, ...] = (5, 25, 50, 75, 95)


def fan_document(fan: dict[str, np.ndarray[Any, np.dtype[np.float64]]]) -> dict[str, Any]:
    """``{"month": [1..M], "<business>": {"p5": [...], ..., "p95": [...]}}`` [USD per MW]."""
    months = next(iter(fan.values())).shape[1] if fan else 0
    doc: dict[str, Any] = {"month": list(range(1, months + 1))}
    for business, bands in fan.items():
        doc[business] = {f"p{p}": bands[i].tolist() for i, p in enumerate(FAN_PERCENTILES)}
    return doc


@router.post("", summary="Value a site per MW: mining vs AI hosting vs hybrid, conversion schedule")
def value_site(
    site: SiteConfig,
    wh: Annotated[Warehouse, Depends(read_warehouse)],
    paths: Annotated[
        int | None, Query(ge=10, le=MAX_PATHS, description="Monte Carlo paths [default: the site's].")
    ] = None,
    years: Annotated[int | None, Query(ge=1, le=30, description="Horizon [years].")] = None,
    seed: Annotated[int | None, Query(ge=0, le=2**32 - 1, description="Random seed.")] = None,
    fan: Annotated[bool, Query(description="Include the cumulative-NPV fan (percentiles by month).")] = False,
) -> Response:
    """NPV, IRR and payback distributions per business [USD per MW], EV per MW, the AI/mining value
    ratio, the conversion schedule (MW per year) and the BTC the treasury must sell to fund it.
    """
    if fan:
        result, bands = service.value_site_with_fan(wh, site, paths=paths, years=years, seed=seed)
        result = {**result, "fan": fan_document(bands)}
    else:
        result = service.value_site(wh, site, paths=paths, years=years, seed=seed)
    return json_response(encode(result))
