"""The warehouse as the report's sections read it: each read done once per report.

Several sections read the same things (the BTC daily frame eight times, the ASIC catalogue six,
the list of price series twice). :class:`OnceReads` answers a repeated read with the same arguments
from the first result, as a copy, so a section that changes the frame it was given cannot change
what the next one reads. Price series are not kept: the Markets section reads each market's series
of the year in one query (:func:`wattshift.services.markets.compare_markets`) and the best node of
each market once more, with the weeks before the year, for both its flexibility value and its
duration curve (:func:`wattshift.services.market_best.best_nodes`); keeping some 70 node-years of
intervals would cost far more memory than reading those eight again.

It lives only as long as one :func:`wattshift.report.build.build_report`: the warehouse is opened
read-only for the report, so a read cannot go stale within it.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any

import pandas as pd

#: Warehouse reads answered once per report (each returns a new pandas frame).
ONCE: frozenset[str] = frozenset({"btc_daily", "asic_models", "fear_greed", "price_nodes"})


class OnceReads:
    """A read-only warehouse whose :data:`ONCE` reads are each done once (later calls get copies).

    Every other attribute is the warehouse's own. Reads that raise are not remembered.
    """

    def __init__(self, warehouse: Any) -> None:
        self._warehouse = warehouse
        self._done: dict[Hashable, pd.DataFrame] = {}

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._warehouse, name)
        if name not in ONCE:
            return attribute
        return self._once(name, attribute)

    def _once(self, name: str, read: Callable[..., pd.DataFrame]) -> Callable[..., pd.DataFrame]:
        def once(*args: Any, **kwargs: Any) -> pd.DataFrame:
            key = (name, args, tuple(sorted(kwargs.items())))
            try:
                hash(key)
            except TypeError:  # an unhashable argument: read it again
                return read(*args, **kwargs)
            if key not in self._done:
                self._done[key] = read(*args, **kwargs)
            return self._done[key].copy()

        return once
