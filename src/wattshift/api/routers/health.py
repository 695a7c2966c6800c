"""``GET /api/health``: liveness, version and which warehouse file the server reads."""

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
        "db_path": str(db_path),
        "warehouse_exists": db_path.exists(),
    }
