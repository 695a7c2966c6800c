"""Waiting for the warehouse instead of failing: one writer at a time, with a timeout and a message.

Two mechanisms, both used by :class:`~wattshift.warehouse.core.Warehouse`:

:class:`WriterLock`
    An advisory, inter-process lock on ``<warehouse>.lock`` (POSIX ``flock``; released by the OS
    when the holder dies, so a ``kill -9`` never leaves it stuck). Every writable open takes it, so
    two ingests (CLI, API, scheduler) queue instead of colliding; the file holds the holder's PID
    for the waiting message.
:func:`connect_waiting`
    Opens the DuckDB file, retrying while another *process* holds DuckDB's own file lock (a
    writer excludes every other process; readers exclude writers), until ``timeout_s``.

Both raise :class:`~wattshift.errors.WarehouseBusyError` (CLI exit code 6) when the time is up,
and call ``on_wait(message)`` once when they start waiting (the CLI prints it to stderr).

Typical use (the server, between requests, should open and close the warehouse per request or
per write so that a CLI ingest can get in)::

    with Warehouse(path, wait_s=60, on_wait=print) as wh:   # takes WriterLock, then DuckDB's lock
        wh.ingest_files(files)
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Final, TextIO

import duckdb

from wattshift.errors import WarehouseBusyError

#: Default wait for the warehouse [s] (CLI ``--wait``).
DEFAULT_WAIT_S: Final[float] = 60.0
#: Poll interval while waiting [s].
POLL_S: Final[float] = 0.1

OnWait = Callable[[str], None]


def lock_path(db_path: Path) -> Path:
    """The advisory lock file beside the warehouse: ``<name>.lock``."""
    return db_path.with_name(db_path.name + ".lock")


class WriterLock:
    """Exclusive advisory lock of one warehouse file, waited for up to ``timeout_s``.

    Parameters
    ----------
    db_path
        The warehouse file (the lock is ``<db_path>.lock``).
    timeout_s
        How long to wait for another writer [s]; 0 = try once.
    on_wait
        Called once, with a message naming the holder's PID, if the lock is busy.

    Raises
    ------
    WarehouseBusyError
        When another writer still holds the lock after ``timeout_s``.
    """

    def __init__(
        self, db_path: Path, *, timeout_s: float = DEFAULT_WAIT_S, on_wait: OnWait | None = None
    ) -> None:
        self.path = lock_path(db_path)
        self.timeout_s = timeout_s
        self.on_wait = on_wait
        self._handle: TextIO | None = None

    def acquire(self) -> None:
        """Take the lock (waiting, see the class)."""
        handle = self.path.open("a+")
        deadline = time.monotonic() + self.timeout_s
        told = False
        while True:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                holder = _read_holder(handle)
                if time.monotonic() >= deadline:
                    handle.close()
                    raise WarehouseBusyError(
                        f"the warehouse {self.path.with_suffix('')} is busy: another writer ({holder}) "
                        f"held it for more than {self.timeout_s:g} s; try again later or pass a longer --wait"
                    ) from None
                if not told and self.on_wait is not None:
                    self.on_wait(
                        f"waiting for another writer ({holder}) to finish with {self.path.with_suffix('')}"
                    )
                    told = True
                time.sleep(POLL_S)
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}\n")
        handle.flush()
        self._handle = handle

    def release(self) -> None:
        """Release the lock (idempotent)."""
        if self._handle is not None:
            self._handle.truncate(0)
            fcntl.flock(self._handle.fileno(), fcntl.LOCK_UN)
            self._handle.close()
            self._handle = None

    def __enter__(self) -> WriterLock:
        self.acquire()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.release()


def _read_holder(handle: TextIO) -> str:
    handle.seek(0)
    text = handle.read().strip()
    return text or "unknown process"


def _is_lock_conflict(exc: duckdb.Error) -> bool:
    text = str(exc).lower()
    return "lock" in text and ("conflicting" in text or "could not set" in text)


def connect_waiting(
    path: Path, *, read_only: bool, timeout_s: float = DEFAULT_WAIT_S, on_wait: OnWait | None = None
) -> duckdb.DuckDBPyConnection:
    """``duckdb.connect``, retried while another process holds the file, up to ``timeout_s``.

    Raises
    ------
    WarehouseBusyError
        Still locked after ``timeout_s`` (the message quotes DuckDB's, which names the holder).
    duckdb.Error
        Any other failure to open (the caller turns it into a clear error).
    """
    deadline = time.monotonic() + timeout_s
    told = False
    while True:
        try:
            return duckdb.connect(str(path), read_only=read_only)
        except duckdb.IOException as exc:
            if not _is_lock_conflict(exc):
                raise
            if time.monotonic() >= deadline:
                raise WarehouseBusyError(
                    f"the warehouse {path} is busy (held by another process for more than {timeout_s:g} s; "
                    f"a running `wattshift serve` must not hold it between requests): {exc}"
                ) from None
            if not told and on_wait is not None:
                on_wait(f"waiting for another process to release {path}")
                told = True
            time.sleep(POLL_S)
