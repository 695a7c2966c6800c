"""Configuration, at the bottom of the layers: sites, valuation, mining assumptions (pydantic).

Every default lives here with its source. The package imports only :mod:`wattshift.units`,
:mod:`wattshift.errors` and :mod:`wattshift.chain`; engines never import it (the services turn a loaded
config into frozen specs of arrays and scalars).

- :mod:`~wattshift.config.site`: :class:`SiteConfig` and its parts, :func:`load_site`, :func:`parse_site`;
- :mod:`~wattshift.config.valuation`: :class:`ValuationConfig` (scenarios, AI terms, finance);
- :mod:`~wattshift.config.mining`: :class:`MiningAssumptions` (pool fee, uptime, PUE, opex, capex);
- :mod:`~wattshift.config.deals`: published AI-hosting deal terms (:func:`load_deals`);
- :mod:`~wattshift.config.bounds`: physical bounds of the values above, each with its source.

The names below are imported from their module on first use (PEP 562), so importing one small
module (``wattshift.config.mining`` for ``wattshift mining --date``) does not build every site model.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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

_SITE_NAMES = (
    "UP_PRODUCTS",
    "BacktestConfig",
    "ContractConfig",
    "Fleet",
    "FleetConfig",
    "GpuConfig",
    "PeakChargeConfig",
    "ReservesConfig",
    "SiteConfig",
    "load_site",
    "parse_site",
)
#: Public name -> its module.
_MODULE_OF: dict[str, str] = {**dict.fromkeys(_SITE_NAMES, "site"), "format_validation_error": "_errors"}


def __getattr__(name: str) -> Any:
    """Import ``name`` from its module on first use (then it is a plain attribute of the package)."""
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_MODULE_OF])


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
