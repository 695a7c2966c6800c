"""wattshift as a library: the platform's formulas and engines on one's own data, no warehouse.

Plain numbers, NumPy arrays, pandas Series and frames in; the same numbers as the command line out
(the same engines and sourced defaults). Documented with examples in the README, "Use it as a
library"; the examples run as tests (``tests/test_readme_library.py``).

- :func:`hashprice_usd_per_ph_day`, :func:`btc_per_ph_day`, :func:`cost_per_btc`: mining economics;
- :func:`signals`, :func:`btc_daily_frame`: Hash Ribbons, Puell, MVRV Z, Fear & Greed and confluence
  from a frame of daily network data;
- :func:`dispatch`: a site's schedule over a Series of prices;
- :func:`value`: Monte Carlo valuation of a site config on one's own BTC history.

Import it as ``import wattshift.lib as ws``; ``import wattshift`` alone loads none of it.
"""

from __future__ import annotations

from wattshift.lib._dispatch import SeriesDispatch, dispatch
from wattshift.lib._mining import CostPerBtc, btc_per_ph_day, cost_per_btc, hashprice_usd_per_ph_day
from wattshift.lib._signals import btc_daily_frame, signals
from wattshift.lib._valuation import value

__all__ = [
    "CostPerBtc",
    "SeriesDispatch",
    "btc_daily_frame",
    "btc_per_ph_day",
    "cost_per_btc",
    "dispatch",
    "hashprice_usd_per_ph_day",
    "signals",
    "value",
]
