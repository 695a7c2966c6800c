"""``GET /api/health``: liveness, version and whether the warehouse exists (never its path)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from wattshift import __version__

router = APIRouter(tags=["health"])


@router.get("/api/health", summary="Liveness and version")
def health(request: Request) -> dict[str, Any]:
    """Always 200 while the server runs; says whether the warehouse file exists yet."""
    db_path = request.app.state.warehouse.db_path
    return {
        "status": "ok",
        "version": __version__,
        "warehouse_exists": db_path.exists(),
    }
