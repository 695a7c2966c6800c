"""Configuration, at the bottom of the layers: sites, valuation, mining assumptions (pydantic).

Every default lives here with its source. The package imports only :mod:`wattshift.units`,
:mod:`wattshift.errors` and :mod:`wattshift.chain`; engines never import it (the services turn a loaded
config into frozen specs of arrays and scalars).

- :mod:`~wattshift.config.site`: :class:`SiteConfig` and its parts, :func:`load_site`, :func:`parse_site`;
- :mod:`~wattshift.config.valuation`: :class:`ValuationConfig` (scenarios, AI terms, finance);
- :mod:`~wattshift.config.mining`: :class:`MiningAssumptions` (pool fee, uptime, PUE, opex, capex);
- :mod:`~wattshift.config.deals`: published AI-hosting deal terms (:func:`load_deals`);
- :mod:`~wattshift.config.bounds`: physical bounds of the values above, each with its source.
"""

from __future__ import annotations

from wattshift.config._errors import format_validation_error
from wattshift.config.site import (
    UP_PRODUCTS,
    BacktestConfig,
    ContractConfig,
    Fleet,
    FleetConfig,
    GpuConfig,
    PeakChargeConfig,
    ReservesConfig,
    SiteConfig,
    load_site,
    parse_site,
)

__all__ = [
    "UP_PRODUCTS",
    "BacktestConfig",
    "ContractConfig",
    "Fleet",
    "FleetConfig",
    "GpuConfig",
    "PeakChargeConfig",
    "ReservesConfig",
    "SiteConfig",
    "format_validation_error",
    "load_site",
    "parse_site",
]
