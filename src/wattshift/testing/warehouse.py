"""An in-memory warehouse for tests: the read queries of :class:`wattshift.warehouse.Warehouse` over frames.

The services read the warehouse through narrow protocols (``services.dispatch.DispatchSource``,
``services.mining.MiningSource``, ``services.signals.DailySource``); :class:`FakeWarehouse`
satisfies all of them, so a test hands the services frames it built (by hand, with
:mod:`wattshift.testing.frames`, or read from a real file with an adapter) without DuckDB.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pandas as pd

from wattshift.data.gpu import GPU_PRICE_COLUMNS
from wattshift.data.schema import ASIC_COLUMNS, BTC_DAILY_COLUMNS, FEAR_GREED_COLUMNS, ISO_PRICE_COLUMNS

#: A day: a date, an ISO string or a timestamp (the warehouse's ``DayLike``).
DayLike = dt.date | str | pd.Timestamp
#: An instant: a date means its UTC midnight, a naive datetime is UTC (the warehouse's ``TimeLike``).
TimeLike = dt.datetime | dt.date | str | pd.Timestamp


def _or_empty(frame: pd.DataFrame | None, columns: Sequence[str]) -> pd.DataFrame:
    return pd.DataFrame(columns=list(columns)) if frame is None else frame.copy()


def _utc(value: TimeLike) -> pd.Timestamp:
    stamp = pd.Timestamp(value)
    return stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")


def _day(value: DayLike) -> pd.Timestamp:
    """Midnight of the day ``value`` falls on, naive (the frames' ``date`` convention)."""
    stamp = pd.Timestamp(value)
    return stamp.tz_localize(None).normalize() if stamp.tzinfo is not None else stamp.normalize()


def _days(frame: pd.DataFrame, start: DayLike | None, end: DayLike | None) -> pd.DataFrame:
    """Rows of ``frame`` with ``start <= date <= end`` (``None`` = open), index reset."""
    if frame.empty or (start is None and end is None):
        return frame.reset_index(drop=True).copy()
    keep = pd.Series(True, index=frame.index)
    if start is not None:
        keep &= frame["date"] >= _day(start)
    if end is not None:
        keep &= frame["date"] <= _day(end)
    return frame[keep].reset_index(drop=True)


class FakeWarehouse:
    """Stand-in for :class:`wattshift.warehouse.Warehouse` holding the frames it is given.

    Every query returns a copy of the frame given (rows in the order given), cut to the span asked
    like the real warehouse: days inclusive (``start <= date <= end``), ISO intervals half-open
    (``start <= interval_start_utc < end``). A frame not given reads as empty, with the canonical
    columns of :mod:`wattshift.data.schema`.

    Unlike the real warehouse, :meth:`iso_prices` returns an *empty* frame when nothing matches
    (instead of raising :class:`~wattshift.errors.NotInWarehouseError`), so that the services'
    own "no prices" checks and messages are what a test sees.

    Parameters
    ----------
    btc_daily
        BTC daily frame (:data:`~wattshift.data.schema.BTC_DAILY_COLUMNS`; ``date`` naive midnight).
    fear_greed
        Fear & Greed frame (``date, value, classification``).
    iso_prices
        Long ISO price frame (:data:`~wattshift.data.schema.ISO_PRICE_COLUMNS`; tz-aware UTC starts),
        any number of ISOs, nodes and markets.
    asic_models
        ASIC catalogue (:data:`~wattshift.data.schema.ASIC_COLUMNS`).
    gpu_prices
        GPU rental prices [USD/GPU-hour] (:data:`~wattshift.data.gpu.GPU_PRICE_COLUMNS`).

    Examples
    --------
    >>> from wattshift.testing import FakeWarehouse, synthetic_btc
    >>> wh = FakeWarehouse(btc_daily=synthetic_btc("2024-01-01", price_usd=[40_000.0, 41_000.0, 42_000.0]))
    >>> wh.btc_daily("2024-01-02")["price_usd"].tolist()
    [41000.0, 42000.0]
    """

    def __init__(
        self,
        *,
        btc_daily: pd.DataFrame | None = None,
        fear_greed: pd.DataFrame | None = None,
        iso_prices: pd.DataFrame | None = None,
        asic_models: pd.DataFrame | None = None,
        gpu_prices: pd.DataFrame | None = None,
    ) -> None:
        self._btc = _or_empty(btc_daily, BTC_DAILY_COLUMNS)
        self._fear_greed = _or_empty(fear_greed, FEAR_GREED_COLUMNS)
        self._iso = _or_empty(iso_prices, ISO_PRICE_COLUMNS)
        self._asics = _or_empty(asic_models, ASIC_COLUMNS)
        self._gpu = _or_empty(gpu_prices, GPU_PRICE_COLUMNS)

    def __enter__(self) -> FakeWarehouse:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def btc_daily(self, start: DayLike | None = None, end: DayLike | None = None) -> pd.DataFrame:
        """BTC daily rows with ``start <= date <= end`` (``None`` = open)."""
        return _days(self._btc, start, end)

    def fear_greed(self, start: DayLike | None = None, end: DayLike | None = None) -> pd.DataFrame:
        """Fear & Greed rows with ``start <= date <= end`` (``None`` = open)."""
        return _days(self._fear_greed, start, end)

    def iso_prices(
        self, node: str, market: str, start: TimeLike, end: TimeLike, *, iso: str = "ERCOT"
    ) -> pd.DataFrame:
        """Prices of one series for ``[start, end)`` (a date = its UTC midnight); empty if none match."""
        frame = self._iso
        if frame.empty:
            return frame.reset_index(drop=True)
        stamps = frame["interval_start_utc"]
        keep = (
            (frame["iso"] == iso)
            & (frame["node"] == node)
            & (frame["market"] == market)
            & (stamps >= _utc(start))
            & (stamps < _utc(end))
        )
        return frame[keep].reset_index(drop=True)

    def asic_models(self) -> pd.DataFrame:
        """The ASIC catalogue as given."""
        return self._asics.copy()

    def gpu_prices(
        self, gpu: str | None = None, start: DayLike | None = None, end: DayLike | None = None
    ) -> pd.DataFrame:
        """GPU rental prices of one GPU (``None`` = all) with ``start <= date <= end``."""
        frame = self._gpu if gpu is None else self._gpu[self._gpu["gpu"] == gpu]
        return _days(frame.copy(), start, end)
