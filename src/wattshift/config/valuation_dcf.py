"""Discounting and terminal value of a valuation: ``[valuation.dcf]`` and ``[valuation.terminal]``."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

_STRICT = ConfigDict(extra="forbid", frozen=True)


class DcfTerms(BaseModel):
    """Discounting."""

    model_config = _STRICT

    discount_rate_annual: float = Field(
        0.12,
        gt=-1.0,
        description="Discount rate [1/year, effective]; about the WACC used by analysts for listed "
        "miners (10-15 %).",
    )
    finance_rate_annual: float | None = Field(
        None,
        gt=-1.0,
        description="MIRR finance rate: cost of funding the negative flows [1/year]; None = the "
        "discount rate (Brealey, Myers & Allen, ch. 5.3).",
    )
    reinvest_rate_annual: float | None = Field(
        None,
        gt=-1.0,
        description="MIRR reinvestment rate of the positive flows [1/year]; None = the discount rate.",
    )


class TerminalTerms(BaseModel):
    """Terminal value at the horizon, on stabilised expected NOI (wattshift.valuation.terminal)."""

    model_config = _STRICT

    method: Literal["gordon", "exit_cap", "none"] = Field(
        "exit_cap",
        description="'exit_cap': next year's stabilised NOI / exit cap rate (direct capitalisation, "
        "Appraisal Institute); 'gordon': NOI (1 + g) / (r - g) (Gordon 1959); 'none': horizon cash only.",
    )
    growth_annual: float = Field(
        0.02,
        description="Long-run growth of AI-hosting NOI after the horizon [1/year]: 2 %, the Federal "
        "Reserve's long-run inflation goal (real rents flat).",
    )
    exit_cap_rate: float = Field(
        0.065,
        description="Exit cap rate of a leased data centre [1/year]: CBRE U.S. Cap Rate Survey H2 2024 "
        "puts stabilised data-centre cap rates at about 5.5-7 %; 6.5 % for a converted mining site.",
    )
    mining_growth_annual: float = Field(
        0.0,
        description="Long-run growth of mining NOI after the horizon [1/year]: 0, halvings every "
        "~4 years offset by price growth (assumption).",
    )
    mining_exit_cap_rate: float = Field(
        0.125,
        description="Exit cap rate of a mining business [1/year]: 1 / 8x, the EV/EBITDA listed miners "
        "traded at in 2024-2025 (analyst notes quoted by The Miner Mag).",
    )
