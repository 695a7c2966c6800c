"""Valuation inputs of a site (placeholder: the valuation engine replaces this with its full model)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class ValuationConfig(BaseModel):
    """Valuation assumptions of a site (the ``[valuation]`` table of a site TOML)."""

    model_config = ConfigDict(extra="allow")
