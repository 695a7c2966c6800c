"""Mining economics: ``GET /api/mining``, ``/api/mining/history`` and ``/api/mining/asics``.

Each endpoint returns what ``wattshift mining [history|asics] --format json`` prints for the same
options (:mod:`wattshift.services.mining`): hashprice, cost per BTC, breakeven power price and the
value of a MWh in mining, with every assumption used.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import pandas as pd
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from pydantic import ValidationError

from wattshift.api.deps import daily_read
from wattshift.api.jsonify import bad_param, records
from wattshift.api.models import MiningDayOut
from wattshift.config.mining import MiningAssumptions
from wattshift.services import asics as asics_service
from wattshift.services import mining as service

router = APIRouter(prefix="/api/mining", tags=["mining"])

DateQuery = Annotated[
    dt.date | None, Query(description="UTC day, YYYY-MM-DD [default: the latest day with a price].")
]
EfficiencyQuery = Annotated[
    float | None,
    Query(gt=0, le=10_000, allow_inf_nan=False, description="Fleet efficiency [J/TH]; or give `asic`."),
]
AsicQuery = Annotated[
    str | None,
    Query(min_length=1, max_length=200, description="ASIC catalogue model (or an unambiguous part of it)."),
]
PowerQuery = Annotated[
    float, Query(ge=-5, le=5, allow_inf_nan=False, description="Power price at the meter [USD/kWh].")
]
PueQuery = Annotated[
    float | None,
    Query(ge=1, le=3, allow_inf_nan=False, description="Power usage effectiveness [ratio] (default 1.05)."),
]


def _optional(description: str) -> Any:
    return Query(allow_inf_nan=False, description=description)


def build_assumptions(**given: float | None) -> MiningAssumptions:
    """:class:`MiningAssumptions` from the options given (None = default); 422 naming a bad one."""
    try:
        return MiningAssumptions(**{k: v for k, v in given.items() if v is not None})
    except ValidationError as exc:
        first = exc.errors()[0]
        raise bad_param(str(first["loc"][0]), str(first["msg"])) from None


async def mining_assumptions(
    pool_fee: Annotated[float | None, _optional("Pool fee [fraction] (default 0.02).")] = None,
    uptime: Annotated[float | None, _optional("Uptime [fraction] (default 0.95).")] = None,
    opex_usd_per_mw_month: Annotated[
        float | None, _optional("Non-power opex [USD/MW-month] (default 5000).")
    ] = None,
    capex_usd_per_th: Annotated[float | None, _optional("ASIC price [USD per TH/s] (default 20).")] = None,
    asic_life_years: Annotated[float | None, _optional("Depreciation life [years] (default 5).")] = None,
    sga_usd_per_mw_month: Annotated[float | None, _optional("SG&A [USD/MW-month] (default 0).")] = None,
) -> MiningAssumptions:
    """The CLI's assumption options as query parameters (FastAPI dependency)."""
    return build_assumptions(
        pool_fee=pool_fee,
        uptime=uptime,
        opex_usd_per_mw_month=opex_usd_per_mw_month,
        capex_usd_per_th=capex_usd_per_th,
        asic_life_years=asic_life_years,
        sga_usd_per_mw_month=sga_usd_per_mw_month,
    )


Assumptions = Annotated[MiningAssumptions, Depends(mining_assumptions)]


def _key(a: MiningAssumptions) -> tuple[tuple[str, Any], ...]:
    return tuple(sorted(a.as_dict().items()))


def frame_document(frame: pd.DataFrame, rows_key: str) -> dict[str, Any]:
    """``{"assumptions": ..., rows_key: [one object per row]}``, as the CLI's JSON of a frame result."""
    return {"assumptions": frame.attrs["assumptions"], rows_key: records(frame)}


@router.get(
    "", summary="Mining economics of one day for a fleet and a power price", response_model=MiningDayOut
)
async def mining_day(
    request: Request,
    power_usd_per_kwh: PowerQuery,
    assumptions: Assumptions,
    date: DateQuery = None,
    efficiency_j_per_th: EfficiencyQuery = None,
    asic: AsicQuery = None,
    pue: PueQuery = None,
) -> Response:
    """Hashprice [USD/PH/day], energy and all-in cost per BTC [USD], breakeven power price [USD/kWh],
    mining value [USD/MWh] and the assumptions. Give exactly one of ``efficiency_j_per_th`` and ``asic``.
    """
    _one_fleet(efficiency_j_per_th, asic)
    return await daily_read(
        request,
        ("mining", date, efficiency_j_per_th, asic, power_usd_per_kwh, pue, _key(assumptions)),
        lambda wh: service.mining_day(
            wh,
            date,
            efficiency_j_per_th=efficiency_j_per_th,
            asic=asic,
            power_usd_per_kwh=power_usd_per_kwh,
            pue=pue,
            assumptions=assumptions,
        ),
        lookup=True,
    )


@router.get("/history", summary="Daily mining economics over a span (one object per day)")
async def mining_history(
    request: Request,
    power_usd_per_kwh: PowerQuery,
    assumptions: Assumptions,
    start: Annotated[dt.date | None, Query(alias="from", description="First day (inclusive).")] = None,
    end: Annotated[dt.date | None, Query(alias="to", description="Last day (inclusive).")] = None,
    efficiency_j_per_th: EfficiencyQuery = None,
    asic: AsicQuery = None,
    pue: PueQuery = None,
) -> Response:
    """``{assumptions, days}``: every day of ``[from, to]`` (default: the whole history) with price,
    hashprice, costs and breakeven.
    """
    _one_fleet(efficiency_j_per_th, asic)
    if start is not None and end is not None and end < start:
        raise bad_param("to", f"must be on or after from ({start.isoformat()})")
    return await daily_read(
        request,
        ("mining_history", start, end, efficiency_j_per_th, asic, power_usd_per_kwh, pue, _key(assumptions)),
        lambda wh: frame_document(
            service.mining_history(
                wh,
                start,
                end,
                efficiency_j_per_th=efficiency_j_per_th,
                asic=asic,
                power_usd_per_kwh=power_usd_per_kwh,
                pue=pue,
                assumptions=assumptions,
            ),
            "days",
        ),
    )


@router.get("/asics", summary="The ASIC catalogue with each model's economics on one day")
async def mining_asics(
    request: Request,
    date: DateQuery = None,
    power_usd_per_kwh: Annotated[
        float | None,
        Query(ge=-5, le=5, allow_inf_nan=False, description="Power price [USD/kWh] for daily margins."),
    ] = None,
    pue: PueQuery = None,
    pool_fee: Annotated[float | None, _optional("Pool fee [fraction] (default 0.02).")] = None,
) -> Response:
    """``{assumptions, models}``: models most efficient first, with breakeven power price and, given a
    price, daily margins.
    """
    assumptions = build_assumptions(pool_fee=pool_fee)
    return await daily_read(
        request,
        ("mining_asics", date, power_usd_per_kwh, pue, _key(assumptions)),
        lambda wh: frame_document(
            asics_service.asic_table(wh, date, power_usd_per_kwh, pue=pue, assumptions=assumptions), "models"
        ),
    )


def _one_fleet(efficiency_j_per_th: float | None, asic: str | None) -> None:
    if (efficiency_j_per_th is None) == (asic is None):
        raise bad_param("efficiency_j_per_th", "give exactly one of efficiency_j_per_th and asic")
