"""Daily data and what is derived from it, materialised once per warehouse version.

The one-day answers (``signals`` for a date, ``mining`` for a date) need the whole BTC history: MVRV
Z's expanding standard deviation, Puell's 365-day mean and the Hash Ribbons' moving averages run
from the first day. Recomputing them per request costs a warehouse open, a table read and the
signal engines (~80 ms of CPU); under 50 concurrent clients that is seconds of queueing.

A :class:`DailySnapshot` reads the three small daily tables once (``btc_daily``, ``fear_greed``,
``asic_models``), computes the signals frame (default :class:`~wattshift.signals.SignalRules`) and
the hashprice form of every day (chain facts: expected from difficulty, or realised) and keeps them
in memory. It is a source the services accept in place of a warehouse (it has ``btc_daily()``,
``fear_greed()`` and ``asic_models()``); :func:`wattshift.services.signals.signals_day` and
:func:`wattshift.services.mining.mining_day` then look the day up instead of recomputing the history.
Answers are identical to those computed on the warehouse (a test compares them).

A snapshot is immutable; its owner (the API's :class:`~wattshift.api.deps.WarehouseAccess`) builds a
new one when the warehouse version changes.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
import pandas as pd

from wattshift.config.mining import MiningAssumptions
from wattshift.mining import economics_frame, network_btc_per_th_day
from wattshift.signals import signals_frame

#: Parameter sets (efficiency, power price, assumptions) whose economics history is kept per snapshot.
MAX_ECONOMICS_SETS = 32


class DailyTables(Protocol):
    """What a snapshot is built from (``wattshift.warehouse.Warehouse`` has it)."""

    def btc_daily(self, start: Any = None, end: Any = None) -> pd.DataFrame:
        """BTC daily frame, inclusive span."""
        ...

    def fear_greed(self, start: Any = None, end: Any = None) -> pd.DataFrame:
        """Fear & Greed frame, inclusive span."""
        ...

    def asic_models(self) -> pd.DataFrame:
        """ASIC catalogue frame."""
        ...


def _cut(frame: pd.DataFrame, start: Any, end: Any) -> pd.DataFrame:
    """Rows of ``frame`` with ``start <= date <= end`` (None = open), as a new frame."""
    if start is None and end is None:
        return frame.copy()
    keep = np.ones(len(frame), dtype=bool)
    if start is not None:
        keep &= (frame["date"] >= pd.Timestamp(start).normalize()).to_numpy()
    if end is not None:
        keep &= (frame["date"] <= pd.Timestamp(end).normalize()).to_numpy()
    return frame[keep].reset_index(drop=True)


@dataclass(frozen=True, eq=False)
class DailySnapshot:
    """The daily tables of one warehouse version and their derived frames (read-only).

    Attributes
    ----------
    version
        Opaque warehouse version the tables were read at (equality is all that matters).
    btc
        ``btc_daily`` as the warehouse returns it (sorted by date).
    fear_greed_frame
        ``fear_greed`` as the warehouse returns it.
    asics
        ``asic_models`` as the warehouse returns it.
    signals
        :func:`wattshift.signals.signals_frame` of ``btc`` and ``fear_greed_frame`` (default rules),
        indexed by ``date``.
    hashprice_form
        Per row of ``btc``: ``"expected"``, ``"realised"`` or ``"missing"``
        (:func:`wattshift.mining.network_btc_per_th_day`).
    """

    version: object
    btc: pd.DataFrame
    fear_greed_frame: pd.DataFrame
    asics: pd.DataFrame
    signals: pd.DataFrame
    hashprice_form: np.ndarray[Any, np.dtype[Any]]
    _economics: OrderedDict[Hashable, pd.DataFrame] = field(default_factory=OrderedDict, repr=False)
    _economics_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _seen: dict[Hashable, int] = field(default_factory=dict, repr=False)

    @classmethod
    def build(cls, tables: DailyTables, version: object = None) -> DailySnapshot:
        """Read the daily tables once and derive the signals frame and hashprice forms.

        Parameters
        ----------
        tables
            An open warehouse (or anything with the three reads).
        version
            The warehouse version read (the caller's stamp taken *before* reading).
        """
        btc = tables.btc_daily().copy()  # the copy consolidates the columns: faster row lookups
        fear_greed = tables.fear_greed()
        if btc.empty:
            signals = pd.DataFrame({"date": pd.Series(dtype="datetime64[ns]")}).set_index("date")
            form = np.array([], dtype=object)
        else:
            signals = signals_frame(btc, fear_greed).set_index("date")
            _, form = network_btc_per_th_day(btc.reset_index(drop=True))
        return cls(version, btc, fear_greed, tables.asic_models(), signals, np.asarray(form))

    def economics(
        self, efficiency_j_per_th: float, power_usd_per_kwh: float, assumptions: MiningAssumptions
    ) -> pd.DataFrame | None:
        """:func:`wattshift.mining.economics_frame` of the whole history for one parameter set, or
        None the first time a set is asked for (one day is then cheaper computed alone).

        Computed once per parameter set and snapshot from its second use (the engine is row-wise,
        so a row equals the one-row computation); the :data:`MAX_ECONOMICS_SETS` most recently
        used sets are kept, so a client varying the parameters on every request costs a one-row
        computation each, not a history each. Callers must not change the frame.
        """
        key = (efficiency_j_per_th, power_usd_per_kwh, tuple(sorted(assumptions.as_dict().items())))
        with self._economics_lock:
            if key in self._economics:
                self._economics.move_to_end(key)
                return self._economics[key]
            if len(self._seen) > 64 * MAX_ECONOMICS_SETS:
                self._seen.clear()
            self._seen[key] = self._seen.get(key, 0) + 1
            if self._seen[key] < 2:
                return None
        from wattshift.services.mining import cost_assumptions  # services.mining imports this module

        econ = economics_frame(
            self.btc,
            efficiency_j_per_th=efficiency_j_per_th,
            power_usd_per_kwh=power_usd_per_kwh,
            assumptions=cost_assumptions(assumptions),
        )
        with self._economics_lock:
            self._economics[key] = econ
            while len(self._economics) > MAX_ECONOMICS_SETS:
                self._economics.popitem(last=False)
        return econ

    def btc_daily(self, start: Any = None, end: Any = None) -> pd.DataFrame:
        """BTC daily frame for ``start``..``end`` (inclusive; a copy the caller may change)."""
        return _cut(self.btc, start, end)

    def fear_greed(self, start: Any = None, end: Any = None) -> pd.DataFrame:
        """Fear & Greed frame for ``start``..``end`` (inclusive; a copy)."""
        return _cut(self.fear_greed_frame, start, end)

    def asic_models(self) -> pd.DataFrame:
        """ASIC catalogue (a copy)."""
        return self.asics.copy()
