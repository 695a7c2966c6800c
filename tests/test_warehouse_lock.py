"""Writers queue on the warehouse instead of failing: the writer lock, DuckDB's own lock, the CLI default."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from wattshift.cli._common import DEFAULT_WAIT_S as CLI_DEFAULT_WAIT_S
from wattshift.errors import ExitCode, WarehouseBusyError
from wattshift.warehouse import Warehouse
from wattshift.warehouse.lock import DEFAULT_WAIT_S, WriterLock, lock_path


def test_cli_default_wait_is_the_lock_default() -> None:
    assert CLI_DEFAULT_WAIT_S == DEFAULT_WAIT_S == 60.0


def test_a_second_writer_times_out_with_exit_code_6(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    notes: list[str] = []
    with Warehouse(db):
        started = time.monotonic()
        with pytest.raises(WarehouseBusyError, match=r"busy: another writer \(pid \d+\)") as info:
            Warehouse(db, wait_s=0.3, on_wait=notes.append)
        assert time.monotonic() - started >= 0.3
    assert info.value.exit_code == ExitCode.BUSY
    assert int(ExitCode.BUSY) == 6
    assert len(notes) == 1 and "waiting for another writer" in notes[0]
    assert lock_path(db).name == "w.duckdb.lock"


def test_a_waiting_writer_gets_in_when_the_first_closes(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    first = Warehouse(db)
    opened = threading.Event()

    def second() -> None:
        with Warehouse(db, wait_s=10):
            opened.set()

    thread = threading.Thread(target=second)
    thread.start()
    time.sleep(0.3)
    assert not opened.is_set()  # still waiting on the writer lock
    first.close()
    thread.join(timeout=10)
    assert opened.is_set()


def test_the_lock_is_released_on_close_and_on_a_failed_open(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    Warehouse(db).close()
    with WriterLock(db, timeout_s=0):  # free again after close
        pass
    (tmp_path / "bad.duckdb").write_text("date,value\n")
    with pytest.raises(Exception, match="not a wattshift warehouse"):
        Warehouse(tmp_path / "bad.duckdb")
    with WriterLock(tmp_path / "bad.duckdb", timeout_s=0):  # a refused open leaves no lock behind
        pass


def test_readers_do_not_take_the_writer_lock(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    Warehouse(db).close()
    with WriterLock(db, timeout_s=0), Warehouse(db, read_only=True, wait_s=0) as wh:
        assert wh.read_only and "btc_daily" in wh.fingerprint()  # opened while a writer lock is held
