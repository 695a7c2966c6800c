"""Cycle signals: Hash Ribbons, Puell Multiple, MVRV Z-Score, Fear & Greed, confluence, backtest.

Pure functions over the warehouse's daily frames (``btc_daily``, ``fear_greed``); each returns a
tidy frame with one row per calendar day (or per episode). Definitions, zones and the published
values they reproduce: ``signals.md``. Every daily value on day ``d`` uses data up to ``d`` only.

Modules: :mod:`~wattshift.signals.ribbons`, :mod:`~wattshift.signals.puell`,
:mod:`~wattshift.signals.mvrv`, :mod:`~wattshift.signals.feargreed`,
:mod:`~wattshift.signals.confluence`, :mod:`~wattshift.signals.backtest`.
"""

from __future__ import annotations

from wattshift.signals.backtest import (
    DEFAULT_HORIZONS_DAYS,
    backtest_signals,
    forward_returns,
    zone_entries,
)
from wattshift.signals.confluence import INDICATORS, SignalRules, cycle_backtest, signals_frame
from wattshift.signals.feargreed import classify_fear_greed, fear_greed_zones
from wattshift.signals.mvrv import MVRV_Z_LABEL, mvrv_z_score
from wattshift.signals.puell import puell_multiple
from wattshift.signals.ribbons import hash_ribbons, ribbon_episodes

__all__ = [
    "DEFAULT_HORIZONS_DAYS",
    "INDICATORS",
    "MVRV_Z_LABEL",
    "SignalRules",
    "backtest_signals",
    "classify_fear_greed",
    "cycle_backtest",
    "fear_greed_zones",
    "forward_returns",
    "hash_ribbons",
    "mvrv_z_score",
    "puell_multiple",
    "ribbon_episodes",
    "signals_frame",
    "zone_entries",
]
