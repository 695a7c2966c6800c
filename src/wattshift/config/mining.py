"""Operating assumptions behind a miner's cost per BTC, each with a default and its public source."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

#: Stated power price of the report's market charts [USD/kWh]: a round assumption, not a market quote;
#: the report says so, and ``wattshift mining --power-usd-per-kwh`` or a site's ERCOT prices give a
#: given site's own.
REFERENCE_POWER_USD_PER_KWH = 0.05


class MiningAssumptions(BaseModel):
    """Assumptions of the all-in cost per BTC (immutable; every value visible in the JSON output).

    Dimensionless fields (``pool_fee``, ``uptime``, ``pue``) keep the short names of the team
    contract; their unit is stated in each description. Override any of them per call, e.g.
    ``MiningAssumptions(pool_fee=0.025)`` or the CLI's ``--pool-fee``.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    pool_fee: float = Field(
        0.02,
        ge=0.0,
        lt=1.0,
        description=(
            "Pool fee [fraction of revenue] under FPPS. Published FPPS fees range from ~0.7 % (Luxor) "
            "to 4 % (F2Pool, Binance Pool, SpiderPool): AntPool 2.5 %, Braiins 2 % (spark.money "
            "'Bitcoin Mining Pool Comparison', 2026; support.spiderpool.com/fees). 2 % is mid-range."
        ),
    )
    uptime: float = Field(
        0.95,
        gt=0.0,
        le=1.0,
        description=(
            "Uptime [fraction of hours hashing]: machine repairs and site outages (not price-driven "
            "curtailment, which the dispatch engine decides). Assumption, not a published average: "
            "95 %. Whole public fleets often run lower when machines awaiting energisation are "
            "counted (Marathon, June 2023: 17.7 EH/s operating of 21.8 EH/s installed, per its "
            "monthly update); set your own site's figure."
        ),
    )
    pue: float = Field(
        1.05,
        ge=1.0,
        le=3.0,
        description=(
            "Power usage effectiveness [ratio ≥ 1, site energy / machine energy] of an air-cooled "
            "site: ASIC fans are inside the machine's rated power, so overhead is transformers, "
            "controls and lighting. 'A well-designed Hashcenter ... approach[es] a PUE close to 1.05' "
            "(d-central.tech mining glossary, Power Usage Effectiveness)."
        ),
    )
    opex_usd_per_mw_month: float = Field(
        5_000.0,
        ge=0.0,
        description=(
            "Non-power site opex [USD per MW of installed machine load per month]: staff, repairs, "
            "insurance, property tax, network. Assumption: 5,000 USD/MW-month ≈ 0.7 US¢/kWh at "
            "730 h, the low end of the 0.5-2 US¢/kWh spread hosting providers charge over power; "
            "set your own."
        ),
    )
    capex_usd_per_th: float = Field(
        20.0,
        ge=0.0,
        description=(
            "ASIC purchase price [USD per TH/s] of current-generation machines: 'use 25 joules ... or "
            "less per terahash ... prices drop[ped] ... to $20 per terahash' (CoinDesk 2023-07-26, "
            "citing Luxor's Hashrate Index ASIC Price Index)."
        ),
    )
    asic_life_years: float = Field(
        5.0,
        gt=0.0,
        description=(
            "Depreciation life of mining machines [years], straight line to zero: 'Mining rigs: "
            "useful life 5 years' (Marathon Digital Holdings 10-K for 2022, Note 4 Property and "
            "Equipment)."
        ),
    )
    sga_usd_per_mw_month: float = Field(
        0.0,
        ge=0.0,
        description=(
            "Corporate SG&A allocated to the site [USD per MW of machine load per month]; 0 for a "
            "site-level view. Public miners' all-in cost runs 1.7-1.9x cash cost once SG&A, "
            "depreciation and stock compensation are added (CoinShares mining reports 2024-2025)."
        ),
    )

    def as_dict(self) -> dict[str, Any]:
        """The assumptions as a plain dict (the ``assumptions`` key of the JSON output)."""
        return self.model_dump()
