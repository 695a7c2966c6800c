"""``wattshift data ingest | status | fetch`` through Typer's CliRunner."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from wattshift.cli import app
from wattshift.data.registry import NOT_DATA, spec_for
from wattshift.warehouse import Warehouse

runner = CliRunner()

SMALL = {
    "asics": "asic_models.csv",
    "onchain": "alternative_me_fear_greed_daily_2018-02-01_2026-08-22.csv",
    "gpu": "gpu_rental_prices.csv",
}


@pytest.fixture
def data_dir(shared_data_dir: Path, tmp_path: Path) -> Path:
    """A data folder with three real small files (symlinks to the shared data, read in place)."""
    root = tmp_path / "data"
    for folder, name in SMALL.items():
        (root / folder).mkdir(parents=True)
        (root / folder / name).symlink_to(shared_data_dir / folder / name)
    return root


def _run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), env={"COLUMNS": "250", **(env or {})})
    return result.exit_code, result.stdout, result.stderr


def test_ingest_all_then_status(data_dir: Path, tmp_path: Path) -> None:
    db = str(tmp_path / "w.duckdb")
    code, stdout, _ = _run("data", "ingest", "--all", "--data-dir", str(data_dir), "--db", db)
    assert code == 0
    for name in SMALL.values():
        assert name in stdout
    assert "3,121" in stdout and "684" in stdout  # F&G days, GPU quotes
    code, stdout, _ = _run("data", "status", "--db", db, "--format", "json")
    assert code == 0
    rows = {r["source"]: r for r in json.loads(stdout)}
    assert rows[SMALL["onchain"]]["rows"] == 3121
    assert (rows[SMALL["onchain"]]["first"], rows[SMALL["onchain"]]["last"]) == ("2018-02-01", "2026-08-22")
    assert rows[SMALL["asics"]]["first"] is None
    code, stdout, _ = _run("data", "status", "--db", db)
    assert code == 0 and "fear_greed" in stdout and "2026-08-22" in stdout
    # again: nothing changed, every file is skipped
    code, stdout, _ = _run(
        "data",
        "ingest",
        "--all",
        "--format",
        "json",
        env={"WATTSHIFT_DATA_DIR": str(data_dir), "WATTSHIFT_DB": db},
    )
    assert code == 0
    assert {r["status"] for r in json.loads(stdout)} == {"unchanged"}


def test_a_bad_file_fails_alone(data_dir: Path, shared_data_dir: Path, tmp_path: Path) -> None:
    bad_dir = tmp_path / "bad"
    bad_dir.mkdir()
    lines = (shared_data_dir / "asics" / SMALL["asics"]).read_text().splitlines()
    bad = bad_dir / SMALL["asics"]
    bad.write_text("\n".join([*lines[:4], lines[1].replace(",Bitmain,", ",Bitmain,abc", 1)]) + "\n")
    good = data_dir / "onchain" / SMALL["onchain"]
    db = tmp_path / "w.duckdb"
    code, stdout, stderr = _run("data", "ingest", str(good), str(bad), "--db", str(db), "--format", "json")
    assert code == 3  # bad input
    results = {r["file"]: r for r in json.loads(stdout)}
    assert results[SMALL["onchain"]]["status"] == "ok"
    assert results[SMALL["asics"]]["status"] == "error"
    assert "line 5" in stderr and "asic_models.csv" in stderr
    with Warehouse(db, read_only=True) as wh:
        assert len(wh.fear_greed()) == 3121
        assert wh.asic_models().empty


def test_usage_errors(tmp_path: Path) -> None:
    code, _, stderr = _run("data", "ingest", "--db", str(tmp_path / "w.duckdb"))
    assert code == 3 and "nothing to ingest" in stderr
    code, _, stderr = _run("data", "status", "--db", str(tmp_path / "missing.duckdb"))
    assert code == 4 and "no warehouse" in stderr
    code, _, stderr = _run(
        "data", "ingest", "--all", "--db", str(tmp_path / "w.duckdb"), env={"WATTSHIFT_DATA_DIR": ""}
    )
    assert code == 3 and "WATTSHIFT_DATA_DIR" in stderr


def test_fetch_list_names_only_known_files() -> None:
    code, stdout, _ = _run("data", "fetch", "--list", "--format", "json")
    assert code == 0
    entries = json.loads(stdout)
    assert len(entries) >= 10
    for entry in entries:  # every data file fetch can download, ingest can read
        if Path(entry["target"]).name in NOT_DATA:
            continue
        spec = spec_for(entry["target"])
        assert entry["target"] == f"{spec.folder}/{spec.name}"
    assert all(e["licence"] and len(e["sha256"]) == 64 for e in entries)
    mirror_only = {e["target"] for e in entries if e["mirror_only"]}
    assert "asics/asic_models.csv" in mirror_only and "markets/nordic/SE3/2024.csv" not in mirror_only
    code, stdout, _ = _run("data", "fetch", "--list")
    assert code == 0 and "MIRROR ONLY" in stdout and "licence" in stdout


def test_fetch_reports_progress_and_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from wattshift.data import fetch

    calls: list[tuple[str, int, int]] = []

    seen: list[Any] = []

    def fake_fetch_all(
        dest: Path, *, progress: Callable[[str, int, int], None] | None = None, **kw: Any
    ) -> list[Path]:
        seen.append(kw["base_urls"])
        target = dest / "asics" / "asic_models.csv"
        target.parent.mkdir(parents=True)
        for done in (0, 50, 100):
            calls.append(("asic_models.csv", done, 100))
            if progress is not None:
                progress("asic_models.csv", done, 100)
        target.write_text("x\n")
        return [target]

    monkeypatch.setattr(fetch, "fetch_all", fake_fetch_all)
    code, stdout, stderr = _run("data", "fetch", "--to", str(tmp_path), "--mirror", "http://127.0.0.1:9/d")
    assert code == 0
    assert seen == [{"mirror": "http://127.0.0.1:9/d"}]
    assert str(tmp_path / "asics" / "asic_models.csv") in stdout
    assert "wattshift data ingest --all" in stderr
    assert len(calls) == 3
