"""Fleet and alerts over HTTP: ``GET /api/fleet``, ``POST /api/fleet/apply`` (token), ``GET /api/alerts``.

The inventory comes from ``WATTSHIFT_INVENTORY`` (or ``app.state.fleet_inventory``); plans for the
"planned" column from ``WATTSHIFT_PLAN_DIR/<UTC date>.json`` (or ``app.state.fleet_plan_dir``).
``POST /api/fleet/apply`` takes a plan in the body and is a dry run unless ``confirm=true``; every
command (or would-be command) is recorded in ``fleet_audit`` with ``requested_by = "api"``.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query, Request
from fastapi.responses import Response

from wattshift.api.auth import require_token
from wattshift.api.deps import encode, get_access, json_response
from wattshift.errors import ConfigError

router = APIRouter(tags=["fleet"])


def _inventory(request: Request) -> Path:
    raw = getattr(request.app.state, "fleet_inventory", None) or os.environ.get("WATTSHIFT_INVENTORY")
    if not raw:
        raise ConfigError("no inventory: start the server with WATTSHIFT_INVENTORY=inventory.toml")
    return Path(raw)


def _planned(request: Request, ctx: Any, now: dt.datetime) -> tuple[dict[str, float] | None, str | None]:
    from wattshift.services import fleet as service

    raw = getattr(request.app.state, "fleet_plan_dir", None) or os.environ.get("WATTSHIFT_PLAN_DIR")
    if not raw:
        return None, "no plan directory (WATTSHIFT_PLAN_DIR)"
    path = Path(raw) / f"{now.date().isoformat()}.json"
    targets = service.plan_targets(ctx, service.read_plan(path), now, source=str(path))
    return targets.mining_mw, None


@router.get("/api/fleet", summary="Machines per fleet now (read through pyasic), planned MW and the audit")
def fleet_now(request: Request) -> Response:
    """Per fleet: machines, reachable, hashing, MW now vs planned, machines in error; last 50 commands."""
    from wattshift.services import fleet as service
    from wattshift.services.operations import recent

    ctx = service.load_fleet(_inventory(request))
    now = dt.datetime.now(dt.UTC)
    rows = service.fleet_status(ctx, service.scan(ctx))
    try:
        planned, note = _planned(request, ctx, now)
    except ConfigError as exc:
        planned, note = None, str(exc)
    fleets = [service.plain(r) | {"planned_mw": (planned or {}).get(r.fleet)} for r in rows]
    access = get_access(request)
    audit: list[Any] = []
    if access.db_path.exists():
        with access.read() as wh:
            audit = recent(wh, "fleet_audit", 50).to_dict(orient="records")
    doc = {"site": ctx.site.name, "at": now, "fleets": fleets, "plan_note": note, "audit": audit}
    return json_response(encode(doc))


@router.post(
    "/api/fleet/apply",
    summary="Bring fleets to a plan's MW (needs Authorization: Bearer <token>; dry run unless confirm=true)",
    dependencies=[Depends(require_token)],
    responses={401: {"description": "Missing or wrong API token; nothing was sent."}},
)
def fleet_apply(
    request: Request,
    plan: Annotated[dict[str, Any], Body(description="A plan document of `wattshift plan --format json`.")],
    at: Annotated[
        dt.datetime | None, Query(description="Time in the plan (ISO 8601) [default: now].")
    ] = None,
    confirm: Annotated[bool, Query(description="Send the commands (false: dry run).")] = False,
) -> Response:
    """Same as ``wattshift fleet apply``: 422 naming the field for a plan of another site or day."""
    from wattshift.services import fleet as service

    ctx = service.load_fleet(_inventory(request))
    when = (
        at
        if at is not None and at.tzinfo is not None
        else (at or dt.datetime.now(dt.UTC)).replace(tzinfo=dt.UTC)
    )
    targets = service.plan_targets(ctx, plan, when, source="plan")
    outcome = service.apply_targets(ctx, targets.mining_mw, dry_run=not confirm, requested_by="api")
    with get_access(request).write() as wh:
        service.record_outcome(wh, outcome, "api")
    return json_response(encode(service.outcome_dict(outcome, targets)))


@router.get("/api/alerts", summary="Recent alerts (sent or suppressed), newest first")
def alerts_recent(request: Request, limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> Response:
    """Rows of ``alert_log``: ``at_utc, rule, key, severity, message, value, sent, suppressed_reason``."""
    from wattshift.services.operations import recent

    with get_access(request).read() as wh:
        rows = recent(wh, "alert_log", limit).to_dict(orient="records")
    return json_response(encode(rows))
