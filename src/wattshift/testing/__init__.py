"""Test helpers for wattshift and for code built on it (like ``linopy.testing``).

- :class:`FakeWarehouse`: the warehouse's read queries over in-memory frames; satisfies the
  services' source protocols, so services run without DuckDB.
- Builders of small canonical frames (synthetic values): :func:`synthetic_btc`,
  :func:`fear_greed_frame`, :func:`iso_price_frame`, :func:`tiny_dispatch_warehouse`.
- ``assert_*`` helpers for canonical frames and :class:`~wattshift.errors.DataError`, and the
  canonical dtypes of each layout (``*_DTYPES``).
- Emulated miners (:mod:`wattshift.testing.miners`: LuxOS and stock Antminer on loopback, with
  scriptable faults) for the fleet tests and benchmarks.
- :class:`wattshift.testing.adapters.AdapterContract`, the contract test class every data
  adapter passes (imported from its module: it needs pytest).
"""

from __future__ import annotations

from wattshift.testing.assertions import (
    ASIC_DTYPES,
    BTC_DAILY_DTYPES,
    DAY_DTYPE,
    FEAR_GREED_DTYPES,
    GPU_PRICE_DTYPES,
    ISO_PRICE_DTYPES,
    UTC_DTYPE,
    assert_columns_and_dtypes,
    assert_data_error,
    assert_day_keys,
    assert_sorted,
    assert_unique,
    assert_utc_starts,
)
from wattshift.testing.frames import fear_greed_frame, iso_price_frame, synthetic_btc, tiny_dispatch_warehouse
from wattshift.testing.warehouse import FakeWarehouse

__all__ = [
    "ASIC_DTYPES",
    "BTC_DAILY_DTYPES",
    "DAY_DTYPE",
    "FEAR_GREED_DTYPES",
    "GPU_PRICE_DTYPES",
    "ISO_PRICE_DTYPES",
    "UTC_DTYPE",
    "FakeWarehouse",
    "assert_columns_and_dtypes",
    "assert_data_error",
    "assert_day_keys",
    "assert_sorted",
    "assert_unique",
    "assert_utc_starts",
    "fear_greed_frame",
    "iso_price_frame",
    "synthetic_btc",
    "tiny_dispatch_warehouse",
]
