"""Response models of the main endpoints, so the OpenAPI document (and clients generated from it)
is typed: ``GET /api/mining``, ``GET /api/signals``, ``GET /api/plan`` and ``POST /api/dispatch``.

The endpoints still return the services' JSON as it is (no second encoding); these models describe
it, and ``tests/test_api_models.py`` validates real responses against them (extra keys forbidden,
except in the dispatch document, which gains optional keys such as ``schedule``).
Units are in the field names, as everywhere in wattshift.
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class MiningAssumptionsOut(_Strict):
    """The assumptions a mining result used (fractions as 0-1)."""

    asic: str | None
    efficiency_j_per_th: float
    power_usd_per_kwh: float
    pool_fee: float
    uptime: float
    pue: float
    opex_usd_per_mw_month: float
    capex_usd_per_th: float
    asic_life_years: float
    sga_usd_per_mw_month: float
    hashprice_form: str
    note: str | None = None


class MiningDayOut(_Strict):
    """``GET /api/mining``: one day's mining economics (null where the day lacks an input)."""

    date: dt.date
    price_usd: float | None
    difficulty: float | None
    hashrate_ehs: float | None
    fees_btc_per_block: float | None
    hashprice_usd_per_ph_day: float | None
    btc_per_ph_day: float | None
    energy_kwh_per_btc: float | None
    energy_cost_usd_per_btc: float | None
    all_in_cost_usd_per_btc: float | None
    breakeven_power_usd_per_kwh: float | None
    mining_value_usd_per_mwh: float | None
    assumptions: MiningAssumptionsOut


class HashRibbonsOut(_Strict):
    state: str | None
    since: dt.date | None
    last_buy: dt.date | None


class FearGreedOut(_Strict):
    value: float | None
    classification: str | None


class ConfluenceOut(_Strict):
    count: int | None
    indicators: list[str]
    available: int


class SignalsDayOut(_Strict):
    """``GET /api/signals``: the four indicators and their confluence on one day."""

    date: dt.date
    price_usd: float | None
    mvrv_z: float | None
    puell: float | None
    hash_ribbons: HashRibbonsOut
    fear_greed: FearGreedOut
    confluence: ConfluenceOut


class PlanIntervalOut(_Strict):
    start: dt.datetime
    mining_mw: dict[str, float]
    gpu_mw: float
    reserves_mw: dict[str, float]
    curtailed_mw: float
    price_usd_per_mwh: float


class PlanCp4Out(_Strict):
    """The plan's peak charge (sites with ``[peak_charges]``; ``services.plan_cp4.cp4_block``)."""

    rule: str
    in_season: bool
    alert: bool
    yesterday_peak_mw: float | None
    month_to_date_peak_mw: float | None
    threshold_pct: float | None
    window_local: str | None
    charged_intervals: int
    first_charged_start: dt.datetime | None
    last_charged_start: dt.datetime | None
    adder_usd_per_mwh: float
    expected_charge_usd: float
    always_on_charge_usd: float
    charge_avoided_usd: float


class PlanOut(_Strict):
    """``GET /api/plan``: MW by use per interval of one operating day, strike prices, expected net;
    ``cp4`` for a site with peak charges."""

    date: dt.date
    site: str
    timezone: str
    intervals: list[PlanIntervalOut]
    strike_prices_usd_per_mwh: dict[str, float]
    expected_net_usd: float
    cp4: PlanCp4Out | None = None


class DispatchOut(BaseModel):
    """``POST /api/dispatch``: revenue by stream [USD], MWh by use, value of flexibility, solver.

    ``to`` is the exclusive end (the day after the last operating day). Optional keys (``schedule``
    with ``schedule=true``, reserve details) come on top of these.
    """

    model_config = ConfigDict(extra="allow", populate_by_name=True)

    site: str
    node: str
    market: str
    foresight: str
    timezone: str
    from_: dt.date = Field(alias="from")
    to: dt.date
    intervals: int
    revenue_usd: dict[str, float]
    energy_cost_usd: float
    charges_usd: float
    net_usd: float
    mwh: dict[str, float]
    hours_curtailed: float
    value_of_flexibility_usd: float
    always_on_net_usd: float
    solver: str
    solve_seconds: float
    windows: int
