"""``GET /api/markets/compare`` (the siting table) and ``GET /api/markets/duration`` (price duration).

Same service functions as ``wattshift markets compare``
(:func:`wattshift.services.markets.compare_markets`) and the report's Markets section
(:func:`wattshift.services.markets.price_duration`).
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from wattshift.api.deps import encode, json_response, short_reads
from wattshift.services import markets as service
from wattshift.services.store import Warehouse

router = APIRouter(tags=["markets"])


@router.get("/api/markets/compare", summary="Siting table: every market node in a year, best margin first")
def get_compare(
    wh: Annotated[Warehouse, Depends(short_reads)],
    year: Annotated[int, Query(ge=2000, le=2100, description="Calendar year (each market's local time).")],
    efficiency_j_per_th: Annotated[float, Query(gt=0, le=300, description="Fleet efficiency [J/TH].")] = 20.0,
    flex: Annotated[bool, Query(description="Compute the value of flexibility (~1 s per node).")] = False,
    markets: Annotated[str | None, Query(max_length=200, description="Comma-separated markets.")] = None,
) -> Response:
    """``{year, efficiency_j_per_th, rows[...], skipped[...], note}`` (rows as the CLI's JSON)."""
    names = [m.strip() for m in markets.split(",") if m.strip()] if markets else None
    result = service.compare_markets(
        wh, year, efficiency_j_per_th=efficiency_j_per_th, markets=names, with_flex=flex
    )
    body = {
        "year": result.year,
        "efficiency_j_per_th": result.efficiency_j_per_th,
        "rows": result.records(),
        "skipped": result.skipped,
        "note": result.note,
    }
    return json_response(encode(body))


@router.get("/api/markets/duration", summary="Price-duration curve of one node in one year (USD/MWh)")
def get_duration(
    wh: Annotated[Warehouse, Depends(short_reads)],
    market: Annotated[str, Query(max_length=20, description="Market, e.g. ERCOT, PJM, NORDPOOL.")],
    node: Annotated[str, Query(max_length=60, description="Node of the market.")],
    year: Annotated[int, Query(ge=2000, le=2100)],
) -> Response:
    """``{market, node, year, product, hours[...], price_usd_per_mwh[...]}``."""
    return json_response(encode(asdict(service.price_duration(wh, market, node, year))))
