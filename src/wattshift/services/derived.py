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

The command line, one process per answer, cannot keep a snapshot in memory: :func:`refresh_derived`
(run after every ingest by :func:`wattshift.services.data.ingest`) stores the same per-day values in
the warehouse's derived daily table (:mod:`wattshift.warehouse.derived`), stamped with the content of
the source tables and the code that computed them, and :mod:`wattshift.services.oneday` reads one
row of it.
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
from wattshift.services.mining_inputs import cost_assumptions
from wattshift.services.oneday import code_stamp
from wattshift.signals import INDICATORS, signals_frame

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


class DerivedStore(DailyTables, Protocol):
    """A writable warehouse as :func:`refresh_derived` uses it (``Warehouse`` has it)."""

    def derived_sources(self) -> str:
        """Content hash of the source tables."""
        ...

    def derived_stamp(self) -> tuple[str, str] | None:
        """``(sources, code)`` of the stored derived table, or None."""
        ...

    def store_derived(self, frame: pd.DataFrame, sources: str, code: str) -> None:
        """Replace the derived table, stamped."""
        ...


#: Columns of :func:`wattshift.mining.economics_frame` that do not depend on the machine or the
#: power price: the one-day mining answer reads them from the derived table.
MINING_INPUT_COLUMNS: tuple[str, ...] = ("difficulty", "hashrate_ehs", "fees_btc_per_block")


def derived_frame(btc: pd.DataFrame, fear_greed: pd.DataFrame) -> pd.DataFrame:
    """One row per day: the signals frame (default rules) and the day's mining inputs.

    Columns: those of :func:`wattshift.signals.signals_frame` (the ``bottom_*`` flags in
    :data:`wattshift.signals.INDICATORS` order, the order of a confluence's ``indicators``), then
    :data:`MINING_INPUT_COLUMNS`, ``btc_per_th_day`` [BTC/TH/day] and ``hashprice_form``
    (:func:`wattshift.mining.network_btc_per_th_day`). The signals frame has every calendar day
    of the span (Hash Ribbons reindex it) and the mining columns every day of ``btc``: the rows
    are the union, a column missing on a day is NULL there.
    """
    signals = signals_frame(btc, fear_greed)
    bottoms = [f"bottom_{name}" for name in INDICATORS]
    signals = signals[[c for c in signals.columns if c not in bottoms] + bottoms]
    btc = btc.reset_index(drop=True)
    econ = economics_frame(
        btc, efficiency_j_per_th=1.0, power_usd_per_kwh=0.0, assumptions=cost_assumptions(MiningAssumptions())
    )
    values, form = network_btc_per_th_day(btc)
    inputs = econ[["date", *MINING_INPUT_COLUMNS]].assign(
        btc_per_th_day=values, hashprice_form=pd.Series(form, dtype="str")
    )
    return signals.merge(inputs, on="date", how="outer", sort=True, validate="one_to_one")


def refresh_derived(wh: DerivedStore) -> bool:
    """Recompute and store the derived daily table unless its stamp is current.

    Parameters
    ----------
    wh
        A writable warehouse (the caller holds the writer lock).

    Returns
    -------
    bool
        True when the table was written; False when it was current, or there is no BTC history
        (then a reader finds it stale or absent and computes from the source tables).
    """
    code = code_stamp()
    sources = wh.derived_sources()  # read before the tables: store() checks they did not change
    if wh.derived_stamp() == (sources, code):
        return False
    btc = wh.btc_daily()
    if btc.empty:
        return False
    wh.store_derived(derived_frame(btc, wh.fear_greed()), sources, code)
    return True
