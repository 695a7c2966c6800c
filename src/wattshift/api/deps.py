"""Warehouse access for request handlers: read-only connections per request, writes one at a time.

DuckDB connections are not thread-safe and a process holds a file either read-only or
read-write. Handlers run in a thread pool, so each request opens its own read-only
:class:`~wattshift.warehouse.Warehouse` (cheap: DuckDB shares the open database between the
connections of a process) under the shared side of a :class:`ReadWriteLock`; an ingest takes the
exclusive side, so it writes only while no request reads, and readers see the new data after it.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from wattshift.api.cache import ResultCache
from wattshift.api.jsonify import jsonable
from wattshift.api.rwlock import ReadWriteLock
from wattshift.errors import NotInWarehouseError

if TYPE_CHECKING:
    from wattshift.services.store import Warehouse


class WarehouseAccess:
    """Opens the app's warehouse file for reading (shared) or writing (exclusive).

    While no write is going on, one read-only "anchor" warehouse stays open, so that DuckDB keeps
    the database loaded and a per-request open costs milliseconds instead of reloading the file.
    A write closes the anchor first (DuckDB cannot hold a file read-only and read-write at once in
    one process); the next read opens it again.

    Parameters
    ----------
    db_path
        The DuckDB warehouse file.
    """

    def __init__(self, db_path: Path) -> None:
        self.db_path = db_path
        self.cache = ResultCache(db_path)
        self._lock = ReadWriteLock()
        self._anchor: Warehouse | None = None
        self._anchor_lock = threading.Lock()

    def _ensure_anchor(self) -> None:
        from wattshift.services.store import Warehouse

        with self._anchor_lock:
            if self._anchor is None:
                self._anchor = Warehouse(self.db_path, read_only=True)

    def _drop_anchor(self) -> None:
        with self._anchor_lock:
            if self._anchor is not None:
                self._anchor.close()
                self._anchor = None

    @contextmanager
    def read(self) -> Iterator[Warehouse]:
        """A read-only warehouse for one request.

        Raises
        ------
        NotInWarehouseError
            If the warehouse file does not exist yet (404, naming the command that creates it).
        """
        with self._lock.read():
            if not self.db_path.exists():
                raise NotInWarehouseError(
                    f"no warehouse at {self.db_path}: run `wattshift data ingest --all` "
                    "or POST a file to /api/data/ingest first"
                )
            from wattshift.services.store import Warehouse

            self._ensure_anchor()
            with Warehouse(self.db_path, read_only=True) as wh:
                yield wh

    @contextmanager
    def write(self) -> Iterator[Warehouse]:
        """A read-write warehouse, held while no other request reads or writes (created if missing)."""
        from wattshift.services.store import Warehouse

        with self._lock.write():
            self._drop_anchor()
            self.db_path.parent.mkdir(parents=True, exist_ok=True)
            try:
                with Warehouse(self.db_path, read_only=False) as wh:
                    yield wh
            finally:
                self.cache.invalidate()

    def close(self) -> None:
        """Close the anchor connection (at server shutdown)."""
        with self._lock.write():
            self._drop_anchor()


def get_access(request: Request) -> WarehouseAccess:
    """The app's :class:`WarehouseAccess` (set by :func:`wattshift.api.app.create_app`)."""
    access: WarehouseAccess = request.app.state.warehouse
    return access


def read_warehouse(access: Annotated[WarehouseAccess, Depends(get_access)]) -> Iterator[Warehouse]:
    """FastAPI dependency: a read-only warehouse, closed when the response is done."""
    with access.read() as wh:
        yield wh


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
