"""``GET /api/plan?site=&date=``: tomorrow's operating plan of an example site.

``site`` is an example site id (``GET /api/sites``); ``date`` an ERCOT operating day. The answer is
the JSON document of ``wattshift plan --format json`` (:func:`wattshift.services.plan.plan_dict`);
404 names the span of day-ahead prices held when the day has none.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from wattshift.api.deps import encode, json_response, short_reads
from wattshift.api.models import PlanOut
from wattshift.config import parse_site
from wattshift.errors import NotInWarehouseError
from wattshift.services import plan as service
from wattshift.services.sites import example_sites
from wattshift.services.store import Warehouse

router = APIRouter(tags=["dispatch"])


@router.get(
    "/api/plan", summary="Operating plan of a site for one ERCOT operating day", response_model=PlanOut
)
def get_plan(
    wh: Annotated[Warehouse, Depends(short_reads)],
    site: Annotated[str, Query(pattern=r"^[A-Za-z0-9_\-]+$", max_length=100, description="Example site id.")],
    date: Annotated[dt.date, Query(description="ERCOT operating day (Central Prevailing Time).")],
) -> Response:
    """``{date, site, timezone, intervals[...], strike_prices_usd_per_mwh, expected_net_usd}``."""
    sites = {s["id"]: s for s in example_sites()}
    if site not in sites:
        raise NotInWarehouseError(f"no example site {site!r}; examples: {', '.join(sites) or 'none'}")
    config = parse_site(sites[site]["site"], source=site)
    return json_response(encode(service.plan_dict(service.make_plan(wh, config, date))))
