"""Example sites: ``GET /api/sites`` and ``GET /api/sites/{site_id}``.

The examples are the site files shipped with the package (:mod:`wattshift.examples`, listed by
:func:`wattshift.services.sites.example_sites`); the dashboard offers them as starting points for a
dispatch or valuation run (their ``site`` is a valid request body).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter
from fastapi import Path as PathParam
from fastapi.responses import Response

from wattshift.api.deps import encode, json_response
from wattshift.errors import NotInWarehouseError
from wattshift.services.sites import example_sites

router = APIRouter(prefix="/api/sites", tags=["sites"])


@router.get("", summary="Example sites (dispatch and valuation starting points)")
def list_sites() -> Response:
    """``[{id, name, description, site}]``; ``site`` is a valid body for ``POST /api/dispatch``."""
    return json_response(encode(example_sites()))


@router.get("/{site_id}", summary="One example site")
def get_site(
    site_id: Annotated[str, PathParam(pattern=r"^[A-Za-z0-9_\-]+$", max_length=100)],
) -> Response:
    """The example ``site_id`` (404 listing the ids when unknown)."""
    sites = {s["id"]: s for s in example_sites()}
    if site_id not in sites:
        known = ", ".join(sites) or "none"
        raise NotInWarehouseError(f"no example site {site_id!r}; examples: {known}")
    return json_response(encode(sites[site_id]))
