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

import lazy_loader

# PEP 562 lazy exports: the names of the adjacent ``__init__.pyi`` are imported from their module on
# first use (https://scientific-python.org/specs/spec-0001/).
__getattr__, __dir__, __all__ = lazy_loader.attach_stub(__name__, __file__)
