"""Warehouse access for request handlers: the file is opened per read and never held in between.

DuckDB lets one process write a file while no other process has it open, so ``wattshift data
ingest`` can run while ``wattshift serve`` is up only if the server holds the file just for the
reads it makes. Here:

- the one-day endpoints (signals, mining) and the daily tables read by jobs come from a
  :class:`~wattshift.services.derived.DailySnapshot`, built once per warehouse version (the file's
  stamp, :meth:`ResultCache.stamp`); a request for one day is a lookup and touches no file;
- every other read opens the file read-only for that call only (:meth:`WarehouseAccess.read`,
  :class:`ShortReads`), retrying for up to :data:`BUSY_TIMEOUT_S` while another process writes
  it, then answering ``503`` with ``Retry-After``; the snapshot keeps serving the last version
  meanwhile;
- an ingest through this app (``POST /api/data/ingest``) writes under the exclusive side of a
  :class:`ReadWriteLock` (readers of this process wait for it) and then invalidates the cache.

An external ingest changes the file's stamp, so the next request sees a new version: the cache
misses and the snapshot is rebuilt.
"""

from __future__ import annotations

import gc
import json
import logging
import threading
import time
from collections.abc import Callable, Hashable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import pandas as pd
from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from wattshift.api.cache import ResultCache
from wattshift.api.errors import WarehouseBusyError
from wattshift.api.jsonify import jsonable
from wattshift.api.rwlock import ReadWriteLock
from wattshift.errors import NotInWarehouseError, WattshiftError
from wattshift.services.derived import DailySnapshot

if TYPE_CHECKING:
    from wattshift.services.store import Warehouse

logger = logging.getLogger("wattshift.api")

#: How long a read waits for another process's write to finish before answering 503 [s].
BUSY_TIMEOUT_S = 10.0

#: Pause between two attempts to open a file another process writes [s].
_BUSY_POLL_S = 0.05

#: After a failed rebuild (file busy), serve the previous snapshot this long before trying again [s].
_REBUILD_BACKOFF_S = 0.5


def _busy() -> WarehouseBusyError:
    return WarehouseBusyError("the warehouse is being written by another process (an ingest); retry shortly")


def is_busy(exc: BaseException) -> bool:
    """Whether a failed open means another process holds the warehouse file (DuckDB's lock)."""
    text = str(exc).lower()
    lock_conflict = "could not set lock" in text or "conflicting lock" in text
    return lock_conflict or "busy" in type(exc).__name__.lower()


class WarehouseAccess:
    """Opens the app's warehouse file per read (shared) or per ingest (exclusive); keeps the snapshot.

    Parameters
    ----------
    db_path
        The DuckDB warehouse file.
    busy_timeout_s
        How long a read waits for another process's write [s].
    """

    def __init__(self, db_path: Path, busy_timeout_s: float = BUSY_TIMEOUT_S) -> None:
        self.db_path = db_path
        self.busy_timeout_s = busy_timeout_s
        self.cache = ResultCache(db_path)
        self._lock = ReadWriteLock()
        self._snapshot: DailySnapshot | None = None
        self._build_lock = threading.Lock()
        self._busy_until = 0.0

    def _missing(self) -> NotInWarehouseError:
        return NotInWarehouseError(
            "no warehouse yet: run `wattshift data ingest --all` or POST a file to /api/data/ingest first"
        )

    def _open(self, *, wait_s: float, read_only: bool = True) -> Warehouse:
        """Open the warehouse, retrying while another process writes; 503 after ``wait_s``.

        A read-only open of a missing file is a 404 (:meth:`_missing`), checked on every try.
        """
        from wattshift.services.store import Warehouse

        deadline = time.monotonic() + wait_s
        while True:
            if read_only and not self.db_path.exists():
                raise self._missing()
            try:  # the warehouse's own wait (wattshift.warehouse.lock) is bounded by what is left here
                wait = max(0.0, deadline - time.monotonic())
                return Warehouse(self.db_path, read_only=read_only, wait_s=wait)
            except WattshiftError as exc:
                if not is_busy(exc):
                    raise
                if time.monotonic() >= deadline:
                    raise _busy() from None
            time.sleep(_BUSY_POLL_S)

    @contextmanager
    def read(self, *, wait_s: float | None = None) -> Iterator[Warehouse]:
        """A read-only warehouse for one call, closed at the end of the ``with`` block.

        Raises
        ------
        NotInWarehouseError
            If the warehouse file does not exist yet (404, naming the command that creates it).
        WarehouseBusyError
            If another process kept writing it for ``wait_s`` (default :attr:`busy_timeout_s`; 503).
        """
        with self._lock.read():
            wh = self._open(wait_s=self.busy_timeout_s if wait_s is None else wait_s)
            try:
                yield wh
            finally:
                wh.close()

    @contextmanager
    def write(self) -> Iterator[Warehouse]:
        """A read-write warehouse, held while no other request reads or writes (created if missing).

        Raises
        ------
        WarehouseBusyError
            If another process kept writing the file for :attr:`busy_timeout_s` (503).
        """
        with self._lock.write():
            self.db_path.parent.mkdir(parents=True, exist_ok=True)
            opened = self._open(wait_s=self.busy_timeout_s, read_only=False)
            try:
                with opened as wh:
                    yield wh
            finally:
                self.cache.invalidate()

    def fresh_snapshot(self) -> DailySnapshot | None:
        """The snapshot if it is of the current warehouse version, else None (never blocks)."""
        snap = self._snapshot
        return snap if snap is not None and snap.version == self.cache.stamp() else None

    def snapshot(self) -> DailySnapshot:
        """The daily snapshot of the current warehouse version, built once per version.

        While another process writes the file, the previous snapshot is served (it is consistent:
        the version before the ingest); with none yet, this waits like :meth:`read`.
        """
        snap = self.fresh_snapshot()
        if snap is not None:
            return snap
        with self._build_lock:
            version = self.cache.stamp()
            snap = self._snapshot
            if snap is not None and (snap.version == version or time.monotonic() < self._busy_until):
                return snap
            try:
                with self.read(wait_s=0.0 if snap is not None else None) as wh:
                    built = DailySnapshot.build(wh, version)
            except WarehouseBusyError:
                if snap is None:
                    raise
                self._busy_until = time.monotonic() + _REBUILD_BACKOFF_S
                logger.info("warehouse busy: serving the previous daily snapshot")
                return snap
            self._snapshot = built
            _freeze_long_lived()
            return built

    def close(self) -> None:
        """Forget the snapshot (at server shutdown); nothing else is held."""
        self._snapshot = None


def _freeze_long_lived() -> None:
    """Move every object alive now (modules, the app, the new snapshot) out of the cyclic garbage
    collector's view, after collecting what the previous version left.

    A full collection of the loaded server scans ~140,000 objects and pauses every request for
    ~100 ms; with the long-lived objects frozen it scans only what requests allocate. Called once
    per warehouse version.
    """
    gc.unfreeze()
    gc.collect()
    gc.freeze()


class ShortReads:
    """A warehouse stand-in for long computations (jobs, valuations, dispatch backtests).

    The daily tables come from the snapshot; every other query opens the file read-only for that
    query alone, so a computation of minutes never holds the file between its reads.
    """

    def __init__(self, access: WarehouseAccess) -> None:
        self._access = access

    def btc_daily(self, start: Any = None, end: Any = None) -> pd.DataFrame:
        """BTC daily frame, ``start``..``end`` inclusive (from the snapshot)."""
        return self._access.snapshot().btc_daily(start, end)

    def fear_greed(self, start: Any = None, end: Any = None) -> pd.DataFrame:
        """Fear & Greed frame, ``start``..``end`` inclusive (from the snapshot)."""
        return self._access.snapshot().fear_greed(start, end)

    def asic_models(self) -> pd.DataFrame:
        """ASIC catalogue (from the snapshot)."""
        return self._access.snapshot().asic_models()

    def iso_prices(self, node: str, market: str, start: Any, end: Any, *, iso: str = "ERCOT") -> pd.DataFrame:
        """ISO prices of one node and market for ``[start, end)`` (one short read)."""
        with self._access.read() as wh:
            return wh.iso_prices(node, market, start, end, iso=iso)

    def iso_prices_batch(self, wanted: Sequence[Any]) -> list[Any]:
        """Several price series in one query (one short read); per window its arrays or error."""
        with self._access.read() as wh:
            return wh.iso_prices_batch(wanted)

    def price_nodes(self) -> pd.DataFrame:
        """Price series held (one short read)."""
        with self._access.read() as wh:
            return wh.price_nodes()

    def series_span(self, node: str, market: str, *, iso: str = "ERCOT") -> tuple[Any, Any, int]:
        """First and last interval start and rows of one price series (one short read)."""
        with self._access.read() as wh:
            return wh.series_span(node, market, iso=iso)

    def gpu_prices(self, gpu: str | None = None, start: Any = None, end: Any = None) -> pd.DataFrame:
        """GPU rental prices (one short read)."""
        with self._access.read() as wh:
            return wh.gpu_prices(gpu, start, end)

    def system_load(self, zone: str = "ERCOT", *, iso: str = "ERCOT") -> pd.DataFrame:
        """Hourly system load (one short read; the 4CP rule of plans and dispatch)."""
        with self._access.read() as wh:
            return wh.system_load(zone, iso=iso)

    def cp4_intervals(self) -> pd.DataFrame:
        """ERCOT's published 4CP intervals (one short read)."""
        with self._access.read() as wh:
            return wh.cp4_intervals()


def get_access(request: Request) -> WarehouseAccess:
    """The app's :class:`WarehouseAccess` (set by :func:`wattshift.api.app.create_app`)."""
    access: WarehouseAccess = request.app.state.warehouse
    return access


def short_reads(access: Annotated[WarehouseAccess, Depends(get_access)]) -> Warehouse:
    """FastAPI dependency: a :class:`ShortReads` (typed as the warehouse the services expect).

    The valuation and dispatch services read a handful of tables at the start of a run; this
    stand-in has every read they make.
    """
    reads: Any = ShortReads(access)
    return reads  # type: ignore[no-any-return]


def json_response(body: bytes) -> Response:
    """A ``200 application/json`` response with an already encoded body."""
    return Response(body, media_type="application/json")


def encode(value: Any) -> bytes:
    """A service result as UTF-8 JSON bytes (NaN/NaT as ``null``, dates ISO 8601)."""
    return json.dumps(jsonable(value), allow_nan=False, separators=(",", ":")).encode("utf-8")


async def cached_read(request: Request, key: Hashable, compute: Callable[[Warehouse], Any]) -> Response:
    """Answer with the JSON of ``compute`` on a read-only warehouse, reusing a cached result.

    A cached result is returned straight from the event loop; a miss runs ``compute`` in the
    thread pool (once for concurrent identical requests, see :class:`ResultCache`).

    Parameters
    ----------
    request
        The current request (for the app's :class:`WarehouseAccess`).
    key
        Endpoint name and every parameter that changes the result.
    compute
        The service call, given the open warehouse.
    """
    access = get_access(request)
    hit: bytes | None = access.cache.lookup(key)
    if hit is not None:
        return json_response(hit)

    def run() -> bytes:
        with access.read() as wh:
            return encode(compute(wh))

    body: bytes = await run_in_threadpool(access.cache.get_or_compute, key, run)
    return json_response(body)


async def daily_read(
    request: Request, key: Hashable, compute: Callable[[DailySnapshot], Any], *, lookup: bool = False
) -> Response:
    """As :func:`cached_read`, with ``compute`` given the daily snapshot instead of the warehouse.

    For a ``lookup`` (one day: a few ms) with the snapshot of the current version at hand,
    ``compute`` runs on the event loop, cheaper than a thread hop with 50 threads contending for the
    GIL; otherwise (histories, tables, or a snapshot to (re)build once for all waiting requests) in
    the thread pool. The result is cached under the snapshot's version (see
    :mod:`wattshift.api.cache`).
    """
    access = get_access(request)
    fresh = access.fresh_snapshot()
    if fresh is not None:
        hit: bytes | None = access.cache.lookup(key, version=fresh.version)
        if hit is None and lookup:
            hit = encode(compute(fresh))
            access.cache.put(key, hit, version=fresh.version)
        if hit is not None:
            return json_response(hit)

    def run() -> bytes:
        snap = access.snapshot()
        body: bytes = access.cache.get_or_compute(key, lambda: encode(compute(snap)), version=snap.version)
        return body

    return json_response(await run_in_threadpool(run))
