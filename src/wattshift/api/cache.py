"""Result cache of the read endpoints, invalidated whenever the warehouse changes.

Every read endpoint is a pure function of its parameters and the warehouse contents, so its JSON
result can be reused until the warehouse changes. The cache key carries a *warehouse stamp*: the
modification time and size of the DuckDB file and of its write-ahead log, plus a counter bumped
by every ingest through this app. An ingest by another process (``wattshift data ingest``) changes
the files and so the stamp. Concurrent requests for the same missing key compute it once
(the others wait for that result), so a burst of identical requests costs one computation.
Errors are not cached. The cache is bounded in entries *and* in bytes of JSON kept (a result larger
than a quarter of the byte bound is answered but not kept).

Results computed from a :class:`~wattshift.services.derived.DailySnapshot` are keyed by the
snapshot's version instead (``version=``), so a result computed from the previous snapshot while an
external ingest holds the file is never filed under the new version.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from pathlib import Path
from typing import Any


def file_stamp(path: Path) -> tuple[int, int]:
    """(mtime [ns], size [bytes]) of ``path``, or (0, 0) if it does not exist."""
    try:
        st = path.stat()
    except FileNotFoundError:
        return (0, 0)
    return (st.st_mtime_ns, st.st_size)


class _Pending:
    """A computation in flight; waiters block on ``done``."""

    def __init__(self) -> None:
        self.done = threading.Event()
        self.value: Any = None
        self.error: BaseException | None = None


#: Default byte bound of the cache [bytes] (JSON bodies kept).
MAX_CACHE_BYTES = 64 * 1024 * 1024


def _size(value: Any) -> int:
    """Bytes a cached value counts for: its length when it is bytes, else 0."""
    return len(value) if isinstance(value, bytes | bytearray) else 0


class ResultCache:
    """Thread-safe LRU cache of JSON results keyed by (warehouse stamp, endpoint, parameters).

    Parameters
    ----------
    db_path
        The warehouse file whose changes invalidate the cache.
    max_entries
        Most results kept; the least recently used go first.
    max_bytes
        Most bytes of results kept [bytes]; the least recently used go first.
    """

    def __init__(self, db_path: Path, max_entries: int = 512, max_bytes: int = MAX_CACHE_BYTES) -> None:
        self.db_path = db_path
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.bytes = 0
        self._entries: OrderedDict[Hashable, Any] = OrderedDict()
        self._pending: dict[Hashable, _Pending] = {}
        self._lock = threading.Lock()
        self._generation = 0

    def invalidate(self) -> None:
        """Forget every result (called after a write through this app)."""
        with self._lock:
            self._generation += 1
            self._entries.clear()
            self.bytes = 0

    def stamp(self) -> Hashable:
        """The current warehouse stamp (see the module docstring)."""
        wal = self.db_path.with_name(self.db_path.name + ".wal")
        return (self._generation, file_stamp(self.db_path), file_stamp(wal))

    def lookup(self, key: Hashable, version: Hashable | None = None) -> Any | None:
        """The cached result for ``key`` under ``version`` (default: the current stamp), or None.

        Never blocks on a computation.
        """
        full_key = (self.stamp() if version is None else version, key)
        with self._lock:
            if full_key in self._entries:
                self._entries.move_to_end(full_key)
                return self._entries[full_key]
        return None

    def get_or_compute(
        self, key: Hashable, compute: Callable[[], Any], version: Hashable | None = None
    ) -> Any:
        """The cached result for ``key`` under ``version`` (default: the current stamp), computing
        it once if missing.

        Raises
        ------
        Exception
            Whatever ``compute`` raised (to this caller and to every caller waiting on it).
        """
        full_key = (self.stamp() if version is None else version, key)
        with self._lock:
            if full_key in self._entries:
                self._entries.move_to_end(full_key)
                return self._entries[full_key]
            pending = self._pending.get(full_key)
            owner = pending is None
            if pending is None:
                pending = self._pending[full_key] = _Pending()
        if not owner:
            pending.done.wait()
            if pending.error is not None:
                raise pending.error
            return pending.value
        try:
            pending.value = compute()
        except BaseException as exc:
            pending.error = exc
            raise
        else:
            self._keep(full_key, pending.value)
            return pending.value
        finally:
            with self._lock:
                self._pending.pop(full_key, None)
            pending.done.set()

    def put(self, key: Hashable, value: Any, version: Hashable | None = None) -> None:
        """Store ``value`` for ``key`` under ``version`` (default: the current stamp)."""
        self._keep((self.stamp() if version is None else version, key), value)

    def _keep(self, full_key: Hashable, value: Any) -> None:
        """Store ``value``, then drop the least recently used until both bounds hold."""
        size = _size(value)
        if size > self.max_bytes // 4:
            return
        with self._lock:
            if full_key in self._entries:
                self.bytes -= _size(self._entries.pop(full_key))
            self._entries[full_key] = value
            self.bytes += size
            while len(self._entries) > self.max_entries or self.bytes > self.max_bytes:
                _, dropped = self._entries.popitem(last=False)
                self.bytes -= _size(dropped)
