"""Regression corpus: bad files from slices of the real data, refused through the CLI, nothing lost.

Every case of :func:`_corpus.cases` is written under the real file name it poses as and ingested
with ``wattshift data ingest --format json`` into a copy of a warehouse that already holds every
table (real slices). Each case asserts: the exit code (3 = bad input), a message naming the file
and the line and/or column (or field), and every stored table's content hash unchanged. Then the
CLI edges (``--db`` pointing at a CSV or a directory, a busy warehouse, ``--replace``,
``--allow-new-nodes``), and a fault test that kills an ingest (``SIGKILL``) at random points and
reopens the warehouse: it must be in its before or its after state.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from _corpus import BAD_INPUT, BUSY, CM, HUBS, NOT_IN_WAREHOUSE, Slices, cases, cut, set_cell, text
from wattshift.cli import app
from wattshift.warehouse import Warehouse
from wattshift.warehouse.lock import WriterLock

CASES = cases()


@pytest.fixture(scope="module")
def slices(shared_data_dir: Path) -> Slices:
    return Slices.read(shared_data_dir)


@pytest.fixture(scope="module")
def base(slices: Slices, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """A warehouse holding every base slice, and its per-table content hashes."""
    folder = tmp_path_factory.mktemp("corpus")
    paths = []
    for name, content in slices.files().items():
        (folder / name).write_bytes(content)
        paths.append(folder / name)
    db = folder / "base.duckdb"
    with Warehouse(db) as wh:
        results = wh.ingest_files(paths)
        assert [r.file for r in results if r.status != "ok"] == []
        prints = wh.fingerprint(stored=True)
    return db, prints


def _ingest(db: Path, *paths: Path, extra: tuple[str, ...] = ()) -> tuple[int, list[dict[str, object]], str]:
    result = CliRunner().invoke(
        app, ["data", "ingest", *map(str, paths), "--db", str(db), "--format", "json", *extra]
    )
    records = json.loads(result.stdout) if result.stdout.strip() else []
    return result.exit_code, records, " ".join(result.stderr.split())


def _copy(base: tuple[Path, dict[str, str]], tmp_path: Path) -> Path:
    db = tmp_path / "w.duckdb"
    shutil.copyfile(base[0], db)
    return db


@pytest.mark.parametrize("name", list(CASES))
def test_bad_file_is_refused_and_nothing_changes(
    name: str, slices: Slices, base: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    case = CASES[name]
    db = _copy(base, tmp_path)
    (tmp_path / "in").mkdir()
    path = tmp_path / "in" / case.file
    path.write_bytes(case.build(slices))
    code, records, _ = _ingest(db, path)
    assert code == case.code
    assert [r["status"] for r in records] == ["error"]
    message = str(records[0]["error"])
    assert case.file in message
    if case.line is not None:
        assert f"line {case.line}" in message, message
    if case.column is not None:
        assert f"column {case.column!r}" in message, message
    assert case.phrase in message, message
    assert case.line is not None or case.column is not None or case.phrase, "a case must check a position"
    with Warehouse(db, read_only=True) as wh:
        assert wh.fingerprint(stored=True) == base[1]
        assert wh.ingest_log().iloc[-1]["status"] == "error"


def test_the_corpus_is_large_enough() -> None:
    assert len(CASES) >= 60


def test_truncation_example_from_the_issue(slices: Slices, tmp_path: Path) -> None:
    """HB_WEST at 2024-01-01 05:45Z is 14.73 in the real file; a cut leaving ``1`` is refused."""
    assert slices.hubs[-1].startswith("2024-01-01T05:45:00Z") and slices.hubs[-1].endswith(",14.73")
    assert cut(slices.hubs, 4).endswith(b",1")


# -- CLI edges ------------------------------------------------------------------------------------


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, " ".join(result.stderr.split())


def test_db_pointing_at_a_csv_is_refused_and_the_csv_is_untouched(slices: Slices, tmp_path: Path) -> None:
    some = tmp_path / "some.csv"
    some.write_bytes(text(slices.fear))
    before = some.read_bytes()
    code, err = _run("data", "status", "--db", str(some))
    assert code == BAD_INPUT and "not a wattshift warehouse" in err and "some.csv" in err
    (tmp_path / "in").mkdir()
    good = tmp_path / "in" / CM
    good.write_bytes(text(slices.cm))
    code, err = _run("data", "ingest", str(good), "--db", str(some))
    assert code == BAD_INPUT and "not a wattshift warehouse" in err
    assert some.read_bytes() == before
    assert "Traceback" not in err


def test_db_pointing_at_a_directory_or_nowhere(tmp_path: Path) -> None:
    code, err = _run("data", "status", "--db", str(tmp_path))
    assert code == BAD_INPUT and "is a directory" in err
    code, err = _run("data", "status", "--db", str(tmp_path / "missing.duckdb"))
    assert code == NOT_IN_WAREHOUSE and "no warehouse" in err


def test_missing_or_directory_input_file(base: tuple[Path, dict[str, str]], tmp_path: Path) -> None:
    db = _copy(base, tmp_path)
    folder = tmp_path / HUBS
    folder.mkdir()
    for path in (tmp_path / "in" / CM, folder):
        code, records, _ = _ingest(db, path)
        assert code == BAD_INPUT
        assert "cannot read" in str(records[0]["error"]) and path.name in str(records[0]["error"])


def test_a_busy_warehouse_is_waited_for_then_exit_6(
    base: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    db = _copy(base, tmp_path)
    with WriterLock(db, timeout_s=0):
        started = time.monotonic()
        code, err = _run("data", "ingest", str(tmp_path / "x.csv"), "--db", str(db), "--wait", "0.5")
        waited = time.monotonic() - started
    assert code == BUSY and "busy" in err and f"pid {os.getpid()}" in err
    assert waited >= 0.5
    assert "waiting for another writer" in err


def test_replace_accepts_a_shorter_file(
    slices: Slices, base: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    db = _copy(base, tmp_path)
    (tmp_path / "in").mkdir()
    path = tmp_path / "in" / CM
    path.write_bytes(text(slices.cm[:61]))  # 2020-01-01 .. 2020-03-01
    code, records, _ = _ingest(db, path, extra=("--replace",))
    assert code == 0 and records[0]["status"] == "ok"
    with Warehouse(db, read_only=True) as wh:
        days = wh.btc_daily("2020-01-01", "2020-12-31")["date"]
    assert (len(days), str(days.max().date())) == (60, "2020-02-29")


def test_allow_new_nodes_adds_a_real_new_point(
    slices: Slices, base: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    db = _copy(base, tmp_path)
    (tmp_path / "in").mkdir()
    path = tmp_path / "in" / HUBS
    path.write_bytes(text([slices.hubs[0].replace("HB_WEST", "HB_WESTX"), *slices.hubs[1:]]))
    code, _, _ = _ingest(db, path)
    assert code == BAD_INPUT
    code, records, _ = _ingest(db, path, extra=("--allow-new-nodes", "--replace"))
    assert code == 0, records
    with Warehouse(db, read_only=True) as wh:
        assert "HB_WESTX" in set(wh.price_nodes()["node"])
    path.write_bytes(text([slices.hubs[0].replace("HB_WEST", "../etc"), *slices.hubs[1:]]))
    code, _, _ = _ingest(db, path, extra=("--allow-new-nodes",))
    assert code == BAD_INPUT  # a name that is not a safe node name is refused even then


def test_a_revised_cell_ingests_and_an_empty_one_needs_replace(
    slices: Slices, base: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    """Rows present in both versions are updated; only missing rows invoke the history rule."""
    db = _copy(base, tmp_path)
    (tmp_path / "in").mkdir()
    path = tmp_path / "in" / HUBS
    path.write_bytes(text(set_cell(slices.hubs, 193, "HB_WEST", "15.0")))
    code, _, _ = _ingest(db, path)
    assert code == 0
    with Warehouse(db, read_only=True) as wh:
        got = wh.iso_prices("HB_WEST", "rt", "2024-01-01 05:45", "2024-01-01 06:00")["price_usd_per_mwh"]
    assert got.tolist() == [15.0]


# -- fault test: SIGKILL during an ingest -----------------------------------------------------------

_INGEST = "import sys; from wattshift.cli import app; sys.argv = ['wattshift', *sys.argv[1:]]; app()"


def test_sigkill_during_ingest_leaves_before_or_after_state(
    base: tuple[Path, dict[str, str]], shared_data_dir: Path, tmp_path: Path
) -> None:
    real = next(shared_data_dir.glob("power/ercot_rtm_spp_15min_hubs_2024.csv"))
    big = tmp_path / "in" / real.name  # its first 10,000 intervals: 70,000 rows, Jan-Apr 2024
    big.parent.mkdir()
    with real.open("rb") as handle:
        big.write_bytes(b"".join(handle.readline() for _ in range(10_001)))

    def start(db: Path) -> subprocess.Popen[bytes]:
        shutil.copyfile(base[0], db)
        return subprocess.Popen(
            [sys.executable, "-c", _INGEST, "data", "ingest", str(big), "--db", str(db)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    t0 = time.monotonic()
    assert start(tmp_path / "after.duckdb").wait() == 0
    whole_s = time.monotonic() - t0  # start-up, parse, merge, commit
    with Warehouse(tmp_path / "after.duckdb", read_only=True) as wh:
        after = wh.fingerprint(stored=True)
    before = base[1]
    assert after != before
    rng = random.Random(2026)
    outcomes = []
    for attempt in range(4):
        proc = start(db := tmp_path / f"k{attempt}.duckdb")
        time.sleep(rng.uniform(0.4, 1.3) * whole_s)  # from start-up to after the commit (exit takes a while)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        with Warehouse(db) as wh:  # reopen (replays or discards the WAL), then hash
            state = wh.fingerprint(stored=True)
        assert state in (before, after)
        outcomes.append("after" if state == after else "before")
    print(f"SIGKILL outcomes (whole ingest {whole_s:.1f} s):", outcomes)


@pytest.mark.parametrize("command", [["value"], ["dispatch", "--from", "2024-01-01", "--to", "2024-01-02"]])
def test_site_pointing_at_a_directory_or_latin1_file(
    command: list[str], base: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    latin = tmp_path / "site.toml"
    latin.write_bytes('name = "caf\xe9"\n'.encode("latin-1"))
    for site, phrase in ((tmp_path, "is a directory"), (latin, "not UTF-8")):
        code, err = _run(*command, "--site", str(site), "--db", str(base[0]))
        assert code == BAD_INPUT and phrase in err and "Traceback" not in err


def test_every_command_turns_errors_into_exit_codes() -> None:
    """Each command callback is wrapped by ``friendly_errors`` (no traceback can reach a user)."""
    import typer.main

    def wrapped(func: object) -> bool:
        while func is not None:
            if getattr(func, "friendly_errors", False):
                return True
            func = getattr(func, "__wrapped__", None)
        return False

    seen = []

    def walk(command: object, path: str) -> None:
        sub = getattr(command, "commands", None) or {}
        callback = getattr(command, "callback", None)
        if path and (callback is not None or not sub):
            seen.append(path)
            assert wrapped(callback), f"`wattshift {path}` is not wrapped by friendly_errors"
        for name, child in sub.items():
            walk(child, f"{path} {name}".strip())

    walk(typer.main.get_command(app), "")
    assert {"data ingest", "data status", "mining", "signals", "dispatch", "value"} <= set(seen)
