"""Mining economics: hashprice, cost per BTC, breakeven, mining value of a MWh, fleet roll-up.

Pure, vectorised formulas (``signals.md`` "Mining economics formulas", DESIGN §3), one module per
concept:

- :mod:`~wattshift.mining.hashprice`: BTC per TH/s per day, hashprice, breakeven power price, USD/MWh;
- :mod:`~wattshift.mining.cost`: energy per BTC, energy cost, all-in and cash cost per BTC;
- :class:`~wattshift.mining.cost.CostAssumptions`: pool fee, uptime, PUE, opex, capex as a frozen spec
  (defaults and sources live in :class:`wattshift.config.mining.MiningAssumptions`);
- :mod:`~wattshift.mining.fleet`: fleet totals and efficiency (total W / total TH/s);
- :mod:`~wattshift.mining.frame`: :func:`economics_frame`, one row per day from the BTC daily frame.
- :mod:`~wattshift.mining.economics`: :func:`economics_values`, the derived values of a day from
  BTC per TH/s per day and the price (floats or arrays).

The names below are imported from their module on first use (PEP 562): importing this package loads
none of them, so the formula modules, which need neither NumPy nor pandas, stay cheap to import
(``wattshift mining --date``); :mod:`~wattshift.mining.frame` loads pandas when it is used.
"""

import lazy_loader

# PEP 562 lazy exports: the names of the adjacent ``__init__.pyi`` are imported from their module on
# first use (https://scientific-python.org/specs/spec-0001/).
__getattr__, __dir__, __all__ = lazy_loader.attach_stub(__name__, __file__)
