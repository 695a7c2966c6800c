"""The HTTP API and dashboard: ``create_app`` assembles the routers, error handlers and pages.

Every endpoint is a thin wrapper over the service function the CLI calls for the same
command (``wattshift.services.<topic>``) and returns the same JSON keys. OpenAPI is at
``/openapi.json`` with interactive docs at ``/docs`` and ``/redoc`` (served offline).
Run it with ``wattshift serve``.
"""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi_offline import FastAPIOffline
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.types import ASGIApp

from wattshift import __version__
from wattshift.api.auth import resolve_token
from wattshift.api.deps import WarehouseAccess
from wattshift.api.errors import install_error_handlers
from wattshift.api.guard import CloseUnreadMiddleware, WriteAuthMiddleware, allowed_hosts
from wattshift.api.routers import data, dispatch, fleet, health, markets, mining, plan, signals, sites, value
from wattshift.settings import db_path as default_db_path
from wattshift.web import mount_dashboard

_DESCRIPTION = """\
What each megawatt of a Bitcoin mining site is worth - in mining, AI compute or on the grid.

Reads need no credentials. `POST /api/data/ingest` needs `Authorization: Bearer <token>`
(`WATTSHIFT_API_TOKEN`, or the token printed by `wattshift serve`).
Errors: 404 when a date or span is not in the warehouse (the message says what is), 422 for a
bad parameter or site config (the message names the field), 413 for a body over the limit
(1 MiB of JSON; 256 MiB for an upload), 503 with `Retry-After` while another process writes the
warehouse or the server stops, 500 with a generic message otherwise.
"""

#: Largest JSON request body (a site config is a few kB) [bytes]; uploads have their own limit.
MAX_JSON_BODY_BYTES = 1024 * 1024

_TAGS = [
    {"name": "health", "description": "Liveness and version."},
    {"name": "data", "description": "Warehouse status and ingest (ingest needs the API token)."},
    {"name": "mining", "description": "Hashprice, cost per BTC and breakeven for a fleet and power price."},
    {"name": "signals", "description": "Hash Ribbons, Puell, MVRV Z, Fear & Greed, confluence, backtest."},
    {"name": "sites", "description": "Example site configs (valid request bodies)."},
    {"name": "dispatch", "description": "Hybrid dispatch of a site over real prices."},
    {"name": "value", "description": "Mining vs AI-hosting valuation per MW and conversion schedule."},
    {"name": "fleet", "description": "Machines through pyasic, plan apply (token), recent alerts."},
    {"name": "markets", "description": "Markets beyond ERCOT: the siting table and price duration."},
]


class _App(FastAPI):
    """FastAPI with :class:`~wattshift.api.guard.CloseUnreadMiddleware` outside every layer (the
    body-limit 413 is sent by FastAPI's outermost layers, which user middleware sits inside).

    Instances come from :func:`fastapi_offline.FastAPIOffline` (a factory returning a plain FastAPI
    with /docs and /redoc served from its installed assets) and take this class: it adds a method
    override and no state.
    """

    def build_middleware_stack(self) -> ASGIApp:
        return CloseUnreadMiddleware(super().build_middleware_stack())


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    yield
    stop(app)


def stop(app: FastAPI) -> None:
    """Begin the shutdown: long synchronous requests stop at their next step, jobs are cancelled.

    Called by the lifespan's end and, earlier, by ``wattshift serve`` on SIGTERM/SIGINT (before
    uvicorn waits for open requests). Idempotent.
    """
    app.state.stopping.set()
    registry = getattr(app.state, "jobs", None)
    if registry is not None:
        registry.close()
    app.state.warehouse.close()


def create_app(
    db_path: Path | None = None, token: str | None = None, hosts: list[str] | None = None
) -> FastAPI:
    """Build the API + dashboard application.

    Parameters
    ----------
    db_path
        DuckDB warehouse file; default ``$WATTSHIFT_DB`` or the user data directory
        (:func:`wattshift.settings.db_path`). Read-only per request; ingest writes exclusively.
    token
        API token for write endpoints; default ``$WATTSHIFT_API_TOKEN``, else a random one
        (``app.state.api_token``, with ``app.state.api_token_generated = True``).
    hosts
        Host names the server answers to (``Host`` header; others get 400); default
        ``$WATTSHIFT_ALLOWED_HOSTS`` (comma-separated), else any (:func:`~wattshift.api.guard.allowed_hosts`).

    Returns
    -------
    FastAPI
        The application (serve it with uvicorn, or test it with ``fastapi.testclient.TestClient``).
    """
    # /docs and /redoc from the assets fastapi-offline installs (no CDN: they work offline)
    app = FastAPIOffline(
        title="wattshift",
        version=__version__,
        description=_DESCRIPTION,
        openapi_tags=_TAGS,
        lifespan=_lifespan,
        max_body_size=MAX_JSON_BODY_BYTES,
    )
    app.__class__ = _App
    app.state.api_token, app.state.api_token_generated = resolve_token(token)
    app.state.stopping = threading.Event()
    app.state.warehouse = WarehouseAccess(default_db_path(db_path))
    install_error_handlers(app)
    for module in (health, data, mining, signals, sites, dispatch, plan, value, fleet, markets):
        app.include_router(module.router)
    mount_dashboard(app)
    app.add_middleware(WriteAuthMiddleware)
    app.state.allowed_hosts = allowed_hosts(hosts)
    if app.state.allowed_hosts is not None:
        app.add_middleware(TrustedHostMiddleware, allowed_hosts=app.state.allowed_hosts)
    return app
