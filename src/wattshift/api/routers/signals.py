"""Cycle signals: ``GET /api/signals``, ``/api/signals/history``, ``/ribbons`` and ``/backtest``.

Each endpoint returns what ``wattshift signals [history|ribbons|backtest] --format json`` prints
for the same options (:mod:`wattshift.services.signals`).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from wattshift.api.deps import daily_read
from wattshift.api.jsonify import bad_param
from wattshift.api.models import SignalsDayOut
from wattshift.services import signals as service
from wattshift.services.signals import DEFAULT_HORIZONS_DAYS, MERGE_GAP_DAYS

router = APIRouter(prefix="/api/signals", tags=["signals"])

#: Longest forward-return horizon accepted [days] (ten years).
MAX_HORIZON_DAYS = 3650

#: Most horizons in one backtest request (each one is a pass over the history).
MAX_HORIZONS = 16

DateQuery = Annotated[dt.date | None, Query(description="UTC day, YYYY-MM-DD [default: the latest].")]


@router.get("", summary="The four indicators and their confluence on one day", response_model=SignalsDayOut)
async def signals_today(request: Request, date: DateQuery = None) -> Response:
    """``date``, ``price_usd``, ``mvrv_z``, ``puell``, ``hash_ribbons``, ``fear_greed``, ``confluence``.

    404 when the day is outside the warehouse's history (the message gives the span).
    """
    return await daily_read(request, ("signals", date), lambda wh: service.signals_day(wh, date), lookup=True)


@router.get("/history", summary="Daily indicators, zones and confluence (one object per day)")
async def signals_history(
    request: Request,
    start: Annotated[dt.date | None, Query(alias="from", description="First day (inclusive).")] = None,
    end: Annotated[dt.date | None, Query(alias="to", description="Last day (inclusive).")] = None,
) -> Response:
    """One object per day between ``from`` and ``to`` (default: the whole history)."""
    if start is not None and end is not None and end < start:
        raise bad_param("to", f"must be on or after from ({start.isoformat()})")
    return await daily_read(
        request, ("signals_history", start, end), lambda wh: service.signals_history(wh, start, end)
    )


@router.get("/ribbons", summary="Hash Ribbons capitulation episodes")
async def signals_ribbons(
    request: Request,
    merge_gap_days: Annotated[
        int, Query(ge=0, le=365, description="Merge capitulations broken by a recovery of <= N days.")
    ] = MERGE_GAP_DAYS,
    previous_day_hashrate: Annotated[
        bool, Query(description="Use yesterday's hash rate (Capriole's convention).")
    ] = False,
) -> Response:
    """Episodes oldest first: capitulation start, recovery, buy, price at buy, forward returns."""
    return await daily_read(
        request,
        ("signals_ribbons", merge_gap_days, previous_day_hashrate),
        lambda wh: service.ribbons(
            wh, merge_gap_days=merge_gap_days, use_previous_day_hashrate=previous_day_hashrate
        ),
    )


@router.get("/backtest", summary="Forward BTC returns after each signal vs all days")
async def signals_backtest(
    request: Request,
    horizons: Annotated[
        str,
        Query(
            pattern=r"^\s*\d+(\s*,\s*\d+)*\s*$",
            max_length=200,
            description=f"Forward-return horizons [days], comma-separated (1..{MAX_HORIZON_DAYS}, "
            f"at most {MAX_HORIZONS}).",
        ),
    ] = ",".join(str(h) for h in DEFAULT_HORIZONS_DAYS),
) -> Response:
    """Rows of ``signal``, ``horizon_days``, ``n``, ``median_return``, ``mean_return``, ``hit_rate``..."""
    days = tuple(int(part) for part in horizons.split(","))
    if len(days) > MAX_HORIZONS:
        raise bad_param("horizons", f"at most {MAX_HORIZONS} horizons per request, got {len(days)}")
    if any(not 1 <= h <= MAX_HORIZON_DAYS for h in days):
        raise bad_param("horizons", f"each horizon must be 1..{MAX_HORIZON_DAYS} days, got {horizons!r}")
    return await daily_read(request, ("signals_backtest", days), lambda wh: service.backtest(wh, days))
