"""Dispatch portfolio grid: many sites x market nodes x years, one TOML file (pydantic).

Example (``wattshift dispatch portfolio --grid FILE``)::

    sites = ["west_texas_hybrid", "my_site.toml"]   # example names or paths (relative to the grid file)
    years = [2023, 2024]                            # operating days Jan 1 .. Jan 1 in each market's zone
    foresight = "forecast"                          # forecast (default), day_ahead or perfect
    solver = "auto"

    [[nodes]]
    market = "ERCOT"
    node = "HB_WEST"

Every combination is one case: the site with its contract moved to that market and node (the site
file's own validation then applies: reserves and 4CP are ERCOT-only). Without ``[[nodes]]`` each
site runs at its own contract's node.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from wattshift.config._errors import format_validation_error
from wattshift.config._toml import read_toml


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class NodeChoice(_Strict):
    """A market node of the grid (a row of :data:`wattshift.markets.MARKETS` and one of its nodes)."""

    market: str = Field(min_length=1)
    node: str = Field(min_length=1)


class PortfolioGrid(_Strict):
    """The grid: ``sites`` x ``nodes`` (or each site's own node) x ``years``."""

    sites: list[str] = Field(min_length=1)
    years: list[int] = Field(min_length=1)
    nodes: list[NodeChoice] = Field(default_factory=list)
    foresight: Literal["perfect", "day_ahead", "forecast"] = "forecast"
    solver: Literal["auto", "merit", "lp"] = "auto"


def load_grid(path: str | Path) -> PortfolioGrid:
    """Read and validate a portfolio grid TOML file.

    Raises
    ------
    ConfigError
        Unreadable file, invalid TOML or an invalid field (names the file and the field path).
    """
    data = read_toml(path, "portfolio grid")
    try:
        return PortfolioGrid.model_validate(data)
    except ValidationError as exc:
        raise format_validation_error(exc, source=str(path)) from None
