"""Published AI-hosting deal terms (the deals example), behind the AI defaults of the valuation.

Each ``[[deal]]`` is a lease as announced: critical-IT MW, term, total contract value and its
source. ``implied_usd_per_kw_month`` is the file's own arithmetic, checked here:
``contract_value_usd / (mw × 1000 kW/MW) / (term_years × 12 months)``, assuming the MW are billed every
month of the term. ``[benchmarks]`` holds market figures quoted beside them (AI-grade build cost,
CBRE's colocation asking rate, new-build PUE).
"""

from __future__ import annotations

from pathlib import Path
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from wattshift.config._errors import format_validation_error
from wattshift.config._toml import read_toml
from wattshift.config.bounds import MAX_LEASE_TERM_YEARS, MAX_POWER_MW
from wattshift.units import KW_PER_MW, MONTHS_PER_YEAR

#: The file rounds implied rates to 0.1 USD/kW-month; a larger gap is an arithmetic or typing error.
IMPLIED_RATE_TOLERANCE_USD_PER_KW_MONTH = 0.05

_STRICT = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class Deal(BaseModel):
    """One announced AI-hosting lease."""

    model_config = _STRICT

    name: str = Field(min_length=1)
    mw: float = Field(gt=0, le=MAX_POWER_MW, description="Critical-IT load leased [MW].")
    term_years: float = Field(gt=0, le=MAX_LEASE_TERM_YEARS, description="Lease term [years].")
    contract_value_usd: float = Field(gt=0, description="Total contract value over the term [USD].")
    implied_usd_per_kw_month: float = Field(gt=0, description="Value / kW / month [USD/kW-month].")
    escalator_annual: float = Field(ge=0, le=0.2, description="Yearly rent escalator [1/year].")
    capex_usd_m_per_mw: float = Field(gt=0, description="Build or conversion capex [USD million per MW].")
    pue: float = Field(ge=1.0, le=3.0, description="Power usage effectiveness [ratio].")
    source: str = Field(min_length=1, description="Where the terms were published.")

    @property
    def rate_usd_per_kw_month(self) -> float:
        """Contract value spread over the MW and months of the term [USD/kW-month]."""
        return self.contract_value_usd / (self.mw * KW_PER_MW) / (self.term_years * MONTHS_PER_YEAR)

    @model_validator(mode="after")
    def _implied_rate_is_the_arithmetic(self) -> Self:
        rate = self.rate_usd_per_kw_month
        if abs(rate - self.implied_usd_per_kw_month) > IMPLIED_RATE_TOLERANCE_USD_PER_KW_MONTH:
            raise ValueError(
                f"@implied_usd_per_kw_month: {self.implied_usd_per_kw_month} but contract_value_usd / "
                f"(mw x 1000) / (term_years x 12) = {rate:.2f}"
            )
        return self


class DealBenchmarks(BaseModel):
    """Market figures quoted beside the deals."""

    model_config = _STRICT

    ai_grade_build_usd_m_per_mw: tuple[float, float] = Field(
        description="AI-grade new build cost range [USD million per MW] (low, high)."
    )
    colocation_asking_usd_per_kw_month: float = Field(
        gt=0, description="Colocation asking rate [USD/kW-month]."
    )
    new_build_pue_max: float = Field(ge=1.0, description="Upper PUE of new builds [ratio].")


class Deals(BaseModel):
    """The deals file: ``[[deal]]`` entries and ``[benchmarks]``."""

    model_config = _STRICT

    deal: list[Deal] = Field(min_length=1)
    benchmarks: DealBenchmarks


def load_deals(path: str | Path) -> Deals:
    """Read and validate a deals TOML file (errors name the file and field, e.g. ``deal[1].mw``)."""
    try:
        return Deals.model_validate(read_toml(path, "deals"))
    except ValidationError as exc:
        raise format_validation_error(exc, source=str(path)) from None
