"""Site configuration: one TOML file describes a site for every interface (pydantic models).

A site has an interconnect, ASIC fleets, an optional GPU cluster, a power contract, optional
reserves (ancillary services), optional transmission peak charges (ERCOT 4CP), auxiliary load and an
optional daily energy budget. :func:`load_site` reads and validates a TOML file; every problem is
reported as a :class:`~wattshift.errors.ConfigError` naming the file and the field path, for example
``site.toml: fleets[1].count: must be > 0``.

Catalogue fleets (``model`` + ``count``) are turned into MW and J/TH by the services
(:func:`wattshift.services.sites.resolve_fleets`, which looks the models up in the ASIC catalogue).
NaN and infinite numbers are rejected, and every number has physical bounds (each with its source in
:mod:`wattshift.config.bounds`), so that a typo (``interconnect_mw = 1e9``) is an error naming the
field.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from wattshift.config._errors import format_validation_error
from wattshift.config._toml import read_toml
from wattshift.config.bounds import (
    MAX_AI_VALUE_USD_PER_MWH,
    MAX_EFFICIENCY_J_PER_TH,
    MAX_ENERGY_MWH_PER_DAY,
    MAX_INTERVALS_PER_MONTH,
    MAX_KW_PER_GPU,
    MAX_MACHINE_COUNT,
    MAX_MIN_ON_OFF_MINUTES,
    MAX_PEAK_RATE_USD_PER_KW_YEAR,
    MAX_POWER_MW,
    MAX_PRICE_USD_PER_MWH,
    MAX_USD_PER_GPU_HOUR,
    MIN_EFFICIENCY_J_PER_TH,
    MIN_PRICE_USD_PER_MWH,
)
from wattshift.config.valuation import ValuationConfig
from wattshift.markets import MARKETS, UnknownMarketError, check_node
from wattshift.markets import market as market_row
from wattshift.units import HOURS_PER_DAY

#: ERCOT ancillary products with a day-ahead clearing price (market ``da_as``).
ReserveProduct = Literal["REGUP", "REGDN", "RRS", "NSPIN", "ECRS"]
#: Products a load provides by *reducing* consumption; REGDN is provided by *increasing* it.
UP_PRODUCTS: frozenset[str] = frozenset({"REGUP", "RRS", "NSPIN", "ECRS"})


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


def _field_error(field: str, message: str) -> ValueError:
    """A validator error that :func:`format_validation_error` files under ``field`` (not the model)."""
    return ValueError(f"@{field}: {message}")


class FleetConfig(_Strict):
    """One ASIC fleet: catalogue ``model`` + ``count``, or ``power_mw`` + ``efficiency_j_per_th``.

    Parameters
    ----------
    name
        Label used in outputs.
    model, count
        Catalogue model name (``wattshift data`` ASIC table) and number of machines.
    power_mw, efficiency_j_per_th
        Fleet power [MW] and efficiency [J/TH], for fleets given directly.
    ramp_mw_per_min
        Largest change of fleet load between intervals, per minute [MW/min]; none = unlimited.
    min_on_minutes, min_off_minutes
        Minimum time the fleet stays energised once switched on (off) [min]; makes the problem a MILP.
    min_load_fraction
        Smallest load while energised, as a share of fleet power [unitless], used with min on/off time.
    """

    name: str = Field(min_length=1)
    model: str | None = None
    count: int | None = Field(default=None, gt=0, le=MAX_MACHINE_COUNT)
    power_mw: float | None = Field(default=None, gt=0, le=MAX_POWER_MW)
    efficiency_j_per_th: float | None = Field(
        default=None, ge=MIN_EFFICIENCY_J_PER_TH, le=MAX_EFFICIENCY_J_PER_TH
    )
    ramp_mw_per_min: float | None = Field(default=None, gt=0, le=MAX_POWER_MW)
    min_on_minutes: float = Field(default=0.0, ge=0, le=MAX_MIN_ON_OFF_MINUTES)
    min_off_minutes: float = Field(default=0.0, ge=0, le=MAX_MIN_ON_OFF_MINUTES)
    min_load_fraction: float = Field(default=0.0, ge=0, le=1)

    @model_validator(mode="after")
    def _one_way_of_sizing(self) -> Self:
        by_model = self.model is not None or self.count is not None
        by_power = self.power_mw is not None or self.efficiency_j_per_th is not None
        if by_model and by_power:
            raise _field_error("model", "give either model + count or power_mw + efficiency_j_per_th")
        if by_model and (self.model is None or self.count is None):
            missing = "count" if self.count is None else "model"
            raise _field_error(missing, "required with a catalogue model (model + count)")
        if not by_model and (self.power_mw is None or self.efficiency_j_per_th is None):
            missing = "power_mw" if self.power_mw is None else "efficiency_j_per_th"
            raise _field_error(missing, "required (give model + count or power_mw + efficiency_j_per_th)")
        return self


class GpuConfig(_Strict):
    """GPU cluster: capacity, firm (SLA) load and the value of spot compute.

    The AI value [USD/MWh] is either given (``value_usd_per_mwh``) or derived from a rental price
    ``spot_usd_per_gpu_hour`` [USD/GPU-h], ``kw_per_gpu`` [kW, server share included] and
    ``utilisation`` [unitless]; see :func:`wattshift.dispatch.values.ai_value_usd_per_mwh`.

    Two businesses (``business``): ``"cloud"`` (default), an owned GPU cloud whose capital cost
    ``capex_usd_per_gpu`` [USD/GPU] over ``life_years`` [years] at ``financing_rate`` [1/year]
    becomes a cost per GPU-hour (:func:`wattshift.dispatch.values.gpu_cost_usd_per_gpu_hour`);
    ``"colocation"``, a tenant's firm load (the whole capacity) paying ``hosting_usd_per_kw_month``
    [USD/kW-month] for its own hardware.
    """

    capacity_mw: float = Field(gt=0, le=MAX_POWER_MW)
    firm_mw: float = Field(default=0.0, ge=0)
    value_usd_per_mwh: float | None = Field(default=None, ge=0, le=MAX_AI_VALUE_USD_PER_MWH)
    spot_usd_per_gpu_hour: float | None = Field(default=None, ge=0, le=MAX_USD_PER_GPU_HOUR)
    kw_per_gpu: float | None = Field(default=None, gt=0, le=MAX_KW_PER_GPU)
    utilisation: float = Field(default=1.0, gt=0, le=1)
    min_energy_mwh_per_day: float = Field(default=0.0, ge=0)
    business: Literal["cloud", "colocation"] = "cloud"
    hosting_usd_per_kw_month: float | None = Field(default=None, gt=0)
    capex_usd_per_gpu: float = Field(default=0.0, ge=0)
    life_years: float = Field(default=5.0, gt=0)
    financing_rate: float = Field(default=0.0, ge=0, lt=1)

    @model_validator(mode="after")
    def _check(self) -> Self:
        if self.business == "colocation":
            return self._check_colocation()
        if self.firm_mw > self.capacity_mw:
            raise _field_error(
                "firm_mw", f"firm GPU load {self.firm_mw} MW exceeds capacity_mw {self.capacity_mw} MW"
            )
        by_rate = self.spot_usd_per_gpu_hour is not None or self.kw_per_gpu is not None
        if by_rate and self.value_usd_per_mwh is not None:
            raise _field_error("value_usd_per_mwh", "give either value_usd_per_mwh or spot_usd_per_gpu_hour")
        if by_rate and (self.spot_usd_per_gpu_hour is None or self.kw_per_gpu is None):
            missing = "kw_per_gpu" if self.kw_per_gpu is None else "spot_usd_per_gpu_hour"
            raise _field_error(missing, "required with a GPU-hour price")
        if not by_rate and self.value_usd_per_mwh is None:
            raise _field_error(
                "value_usd_per_mwh", "give value_usd_per_mwh or spot_usd_per_gpu_hour + kw_per_gpu"
            )
        if self.min_energy_mwh_per_day > self.capacity_mw * HOURS_PER_DAY:
            raise _field_error("min_energy_mwh_per_day", "exceeds capacity_mw x 24 h")
        if self.capex_usd_per_gpu > 0 and self.kw_per_gpu is None:
            raise _field_error("kw_per_gpu", "required with capex_usd_per_gpu (GPUs = capacity / kW per GPU)")
        return self

    def _check_colocation(self) -> Self:
        if self.hosting_usd_per_kw_month is None:
            raise _field_error("hosting_usd_per_kw_month", 'required when business = "colocation"')
        if self.value_usd_per_mwh is not None or self.spot_usd_per_gpu_hour is not None:
            raise _field_error(
                "business", "a colocation tenant pays hosting_usd_per_kw_month, not a GPU price"
            )
        if self.capex_usd_per_gpu > 0:
            raise _field_error("capex_usd_per_gpu", "the tenant owns the GPUs under colocation")
        return self


class ContractConfig(_Strict):
    """Power contract: a real-time index at ``node`` of ``market``, or a fixed-price block with sell-back.

    ``market`` names a row of :data:`wattshift.markets.MARKETS` (``ERCOT``, ``PJM``, ``MISO`` …;
    default ``ERCOT``) and ``node`` one of its nodes (default ``HB_WEST``). The older key ``iso`` is
    read as ``market`` (site files written for ERCOT only keep working).
    ``kind = "index"``: every MWh is bought at the market price at ``node``.
    ``kind = "block"``: ``block_mw`` [MW] is bought every interval at ``block_price_usd_per_mwh``
    [USD/MWh]; the unused part is sold back, and load above the block bought, at the market price.
    """

    kind: Literal["index", "block"] = "index"
    market: str = Field(default="ERCOT", min_length=1)
    node: str = Field(default="HB_WEST", min_length=1)
    block_mw: float | None = Field(default=None, gt=0, le=MAX_POWER_MW)
    block_price_usd_per_mwh: float | None = Field(
        default=None, ge=MIN_PRICE_USD_PER_MWH, le=MAX_PRICE_USD_PER_MWH
    )
    #: Buy the planned load (above the block) in the day-ahead market; deviations settle real-time.
    day_ahead_purchase: bool = False

    @model_validator(mode="before")
    @classmethod
    def _iso_is_market(cls, data: Any) -> Any:
        """Read the pre-markets key ``iso`` as ``market``; spell a known market as the table does."""
        if not isinstance(data, dict):
            return data
        data = dict(data)
        if "iso" in data:
            iso = data.pop("iso")
            if "market" in data and str(data["market"]).upper() != str(iso).upper():
                raise _field_error(
                    "iso", f"iso {iso!r} contradicts market {data['market']!r} (give market only)"
                )
            data.setdefault("market", iso)
        if isinstance(data.get("market"), str) and data["market"].upper() in MARKETS:
            data["market"] = data["market"].upper()
        return data

    @model_validator(mode="after")
    def _known_market_node(self) -> Self:
        try:
            market_row(self.market)
        except UnknownMarketError as exc:
            raise _field_error("market", str(exc)) from None
        try:
            check_node(self.market, self.node)
        except UnknownMarketError as exc:
            raise _field_error("node", str(exc)) from None
        return self

    @model_validator(mode="after")
    def _check(self) -> Self:
        if self.kind == "block" and (self.block_mw is None or self.block_price_usd_per_mwh is None):
            missing = "block_mw" if self.block_mw is None else "block_price_usd_per_mwh"
            raise _field_error(missing, 'required when kind = "block"')
        if self.kind == "index" and (self.block_mw is not None or self.block_price_usd_per_mwh is not None):
            raise _field_error("block_mw", 'only allowed when kind = "block"')
        return self


class ReservesConfig(_Strict):
    """Ancillary services offered by curtailable load: ``products`` and a total cap ``max_mw`` [MW].

    Awards are hourly and decided on day-ahead information; ``deployment_share`` [unitless] is the
    average share of an awarded up-reserve MW that ERCOT deploys (the load curtails for it).
    """

    products: list[ReserveProduct] = Field(min_length=1)
    max_mw: float = Field(gt=0, le=MAX_POWER_MW)
    deployment_share: float = Field(default=0.0, ge=0, le=1)

    @model_validator(mode="after")
    def _unique(self) -> Self:
        if len(set(self.products)) != len(self.products):
            raise _field_error("products", "duplicate product")
        return self


class PeakChargeConfig(_Strict):
    """Transmission peak charge (ERCOT 4CP): ``rate_usd_per_kw_year`` (source in ``rate_source``) x the
    mean of the site's load in the system peak interval of each month in ``months`` (PUCT R. 25.192).

    ``rule``: ``"ercot_4cp"`` (default) charges ERCOT's published 4CP intervals (a year without them
    is an error naming the years held, unless ``missing_years = "top_price"``); dispatch decides
    without hindsight by the 4CP-day rule of :mod:`wattshift.dispatch.cp4` (``alert_*`` fields),
    perfect foresight on the real intervals (upper bound). ``"given"``: the intervals in ``peaks``
    (UTC starts). ``"top_price"``: a proxy, the site pays on its largest load among the
    ``intervals_per_month`` highest-price intervals of each month.
    """

    rate_usd_per_kw_year: float = Field(gt=0, le=MAX_PEAK_RATE_USD_PER_KW_YEAR)
    rate_source: str | None = None
    months: list[int] = Field(default_factory=lambda: [6, 7, 8, 9], min_length=1)
    rule: Literal["ercot_4cp", "given", "top_price"] = "ercot_4cp"
    missing_years: Literal["error", "top_price"] = "error"
    peaks: list[dt.datetime] = Field(default_factory=list)
    intervals_per_month: int = Field(default=8, gt=0, le=MAX_INTERVALS_PER_MONTH)
    #: Default 3 %: the smallest whole percent alerting on every 4CP day of 2023 and 2024.
    alert_threshold_pct: float = Field(default=3.0, ge=0, lt=100)
    #: Default 15:00-18:00 Central: every 4CP interval of 2022 started 16:30-16:45.
    alert_window_local_hours: tuple[int, int] = (15, 18)
    #: Chance an alert day holds the month's 4CP interval; dispatch charges each alert interval
    #: the expected share of the month's rate. Default 4/76: 4 of the 76 alert days of 2023 did.
    alert_hit_probability: float = Field(default=4 / 76, gt=0, le=1)

    @model_validator(mode="after")
    def _check(self) -> Self:
        if any(not 1 <= m <= 12 for m in self.months):
            raise _field_error("months", "months must be 1..12")
        if self.rule == "given" and not self.peaks:
            raise _field_error("peaks", 'required when rule = "given"')
        if self.rule == "given":
            months = [p.month for p in self.peaks]
            if len(set(zip(months, [p.year for p in self.peaks], strict=True))) != len(months):
                raise _field_error("peaks", "at most one peak interval per month")
        start, end = self.alert_window_local_hours
        if not 0 <= start < end <= 24:
            raise _field_error("alert_window_local_hours", "need 0 <= start < end <= 24 (local hours)")
        return self


class BacktestConfig(_Strict):
    """Default backtest of a site: period [start, end) (ERCOT operating days), market and foresight.

    ``foresight``: ``"forecast"`` (default: decisions from information available at the time),
    ``"day_ahead"`` or ``"perfect"`` (an upper bound, reported beside every result anyway).
    """

    start: dt.date
    end: dt.date
    market: Literal["rt", "da"] = "rt"
    foresight: Literal["perfect", "day_ahead", "forecast"] = "forecast"

    @model_validator(mode="after")
    def _check(self) -> Self:
        if self.end <= self.start:
            raise _field_error("end", "must be after start")
        return self


class SiteConfig(_Strict):
    """A site: interconnect, loads, contract, reserves, charges (the TOML file's top level)."""

    name: str = Field(min_length=1)
    interconnect_mw: float = Field(gt=0, le=MAX_POWER_MW)
    aux_mw: float = Field(default=0.0, ge=0, le=MAX_POWER_MW)
    max_energy_mwh_per_day: float | None = Field(default=None, gt=0, le=MAX_ENERGY_MWH_PER_DAY)
    fleets: list[FleetConfig] = Field(default_factory=list)
    gpu: GpuConfig | None = None
    contract: ContractConfig = Field(default_factory=ContractConfig)
    reserves: ReservesConfig | None = None
    peak_charges: PeakChargeConfig | None = None
    backtest: BacktestConfig | None = None
    valuation: ValuationConfig | None = None
    #: Mining pool fee [share of revenue]; None = ``MiningAssumptions().pool_fee`` (as ``wattshift mining``).
    pool_fee: float | None = Field(default=None, ge=0, lt=1)

    @model_validator(mode="after")
    def _check(self) -> Self:
        if not self.fleets and self.gpu is None:
            raise _field_error("fleets", "a site needs at least one ASIC fleet or a GPU cluster")
        names = [f.name for f in self.fleets]
        if len(set(names)) != len(names):
            raise _field_error("fleets", "fleet names must be unique")
        firm = self.gpu.firm_mw if self.gpu is not None else 0.0
        if firm + self.aux_mw > self.interconnect_mw:
            raise _field_error(
                "gpu.firm_mw" if self.gpu is not None else "aux_mw",
                f"firm GPU load {firm} MW + aux {self.aux_mw} MW exceeds "
                f"interconnect_mw {self.interconnect_mw} MW",
            )
        return self

    @model_validator(mode="after")
    def _ercot_only(self) -> Self:
        """Reserves (ERCOT ancillary products) and 4CP charges exist in ERCOT only."""
        for name, part in (("reserves", self.reserves), ("peak_charges", self.peak_charges)):
            if part is not None and self.contract.market != "ERCOT":
                raise _field_error(name, f"ERCOT only; the contract's market is {self.contract.market}")
        return self

    @property
    def has_min_up_down(self) -> bool:
        """Whether any fleet has a minimum on/off time (the problem is then a MILP)."""
        return any(f.min_on_minutes > 0 or f.min_off_minutes > 0 for f in self.fleets)


@dataclass(frozen=True)
class Fleet:
    """A fleet resolved to power [MW] and efficiency [J/TH] (catalogue models looked up)."""

    name: str
    power_mw: float
    efficiency_j_per_th: float
    ramp_mw_per_min: float | None
    min_on_minutes: float
    min_off_minutes: float
    min_load_fraction: float
    model: str | None = None
    count: int | None = None


def parse_site(data: dict[str, Any], *, source: str = "<site>") -> SiteConfig:
    """Validate a site given as a mapping (a parsed TOML document or an API request body)."""
    try:
        return SiteConfig.model_validate(data)
    except ValidationError as exc:
        raise format_validation_error(exc, source=source) from None


def load_site(path: str | Path) -> SiteConfig:
    """Read and validate a site TOML file.

    Raises
    ------
    ConfigError
        The file is missing, a directory, not UTF-8, not valid TOML, or a field is invalid (the
        message names the file and the field path, e.g. ``fleets[1].count: must be > 0``).
    """
    data = read_toml(path, "site")
    return parse_site(data, source=str(path))
