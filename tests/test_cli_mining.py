"""``wattshift mining`` / ``mining history`` / ``asics`` on a tiny real warehouse (one month + catalogue)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from wattshift.cli import app
from wattshift.data.coinmetrics import read_coinmetrics
from wattshift.warehouse import Warehouse

runner = CliRunner()


@pytest.fixture(scope="module")
def db(shared_data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("mining") / "tiny.duckdb"
    btc = read_coinmetrics(shared_data_dir / "onchain" / "coinmetrics_btc_daily_2009-01-03_2026-03-23.csv")
    month = btc[btc["date"].between("2024-03-25", "2024-04-25")].reset_index(drop=True)
    with Warehouse(path) as wh:
        wh.ingest_frame("btc_daily", month, source_name="coinmetrics_2024_04_slice.csv")
        wh.ingest_file(shared_data_dir / "asics" / "asic_models.csv")
    return path


def _run(db: Path, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, [*args, "--db", str(db)], env={"COLUMNS": "250"})
    return result.exit_code, result.stdout, result.stderr


def test_mining_day_json(db: Path) -> None:
    code, stdout, _ = _run(
        db,
        "mining",
        "--date",
        "2024-04-01",
        "--asic",
        "Antminer S21",
        "--power-usd-per-kwh",
        "0.05",
        "--format",
        "json",
    )
    assert code == 0
    day = json.loads(stdout)  # stdout is JSON and nothing else
    assert day["date"] == "2024-04-01"
    assert day["hashprice_usd_per_ph_day"] == pytest.approx(108.6, rel=0.01)
    assert day["assumptions"]["asic"] == "Antminer S21 (200T)"
    assert day["assumptions"]["efficiency_j_per_th"] == 17.5
    assert day["assumptions"]["power_usd_per_kwh"] == 0.05


def test_mining_day_table_and_overrides(db: Path) -> None:
    code, stdout, _ = _run(
        db,
        "mining",
        "--date",
        "2024-04-01",
        "--efficiency-j-per-th",
        "21.5",
        "--power-usd-per-kwh",
        "0.04",
        "--pue",
        "1.1",
        "--pool-fee",
        "0.01",
        "--opex-usd-per-mw-month",
        "8000",
    )
    assert code == 0, stdout
    assert "hashprice [USD/PH/day]" in stdout
    assert "108.62" in stdout
    assert "breakeven power price [USD/kWh]" in stdout
    assert "non-power opex [USD/MW-month]" in stdout and "8,000" in stdout
    assert "pool fee [%]" in stdout and "1.00" in stdout  # 0.01 shown as 1.00 %
    assert "None" not in stdout
    # Breakeven with PUE 1.1 and a 1 % fee: 0.108615 × 0.99 / (0.024 × 21.5 × 1.1) = 0.1894 USD/kWh.
    assert "0.1894" in stdout


def test_mining_latest_day_by_default(db: Path) -> None:
    code, stdout, _ = _run(
        db, "mining", "--efficiency-j-per-th", "20", "--power-usd-per-kwh", "0.05", "--format", "json"
    )
    assert code == 0
    assert json.loads(stdout)["date"] == "2024-04-25"


@pytest.mark.parametrize(
    ("args", "message", "code"),
    [
        (
            ["mining", "--date", "2024-04-01", "--efficiency-j-per-th", "20"],
            "--power-usd-per-kwh is required",
            3,
        ),
        (["mining", "--date", "2024-04-01", "--power-usd-per-kwh", "0.05"], "exactly one", 3),
        (
            ["mining", "--date", "2023-01-01", "--efficiency-j-per-th", "20", "--power-usd-per-kwh", "0.05"],
            "2024-03-25 to 2024-04-25",
            4,  # not in the warehouse
        ),
        (
            ["mining", "--date", "2024-04-01", "--asic", "S21 XP", "--power-usd-per-kwh", "0.05"],
            "close matches",
            4,
        ),
        (
            ["mining", "--efficiency-j-per-th", "20", "--power-usd-per-kwh", "0.05", "--pool-fee", "1.5"],
            "--pool-fee",
            3,
        ),
        (["mining", "--efficiency-j-per-th", "20", "--power-usd-per-kwh", "50"], "USD/MWh", 3),
    ],
)
def test_mining_errors_are_one_line(db: Path, args: list[str], message: str, code: int) -> None:
    got, stdout, stderr = _run(db, *args)
    assert got == code  # 3 bad input, 4 not in the warehouse
    assert stdout == ""
    assert message in " ".join(stderr.split())


def test_missing_warehouse_is_a_clear_error(tmp_path: Path) -> None:
    code, _, stderr = _run(
        tmp_path / "nope.duckdb", "mining", "--efficiency-j-per-th", "20", "--power-usd-per-kwh", "1"
    )
    assert code == 4  # not in the warehouse
    assert "no warehouse" in stderr


def test_history_csv_and_json(db: Path) -> None:
    args = ["mining", "history", "--from", "2024-03-30", "--to", "2024-04-02", "--asic", "S19j Pro"]
    code, stdout, _ = _run(db, *args, "--power-usd-per-kwh", "0.05")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(stdout)))
    assert [r["date"] for r in rows] == ["2024-03-30", "2024-03-31", "2024-04-01", "2024-04-02"]
    assert float(rows[2]["hashprice_usd_per_ph_day"]) == pytest.approx(108.6, rel=0.01)
    assert rows[2]["hashprice_form"] == "expected"
    code, stdout, _ = _run(db, *args, "--power-usd-per-kwh", "0.05", "--format", "json")
    assert code == 0
    payload = json.loads(stdout)
    assert payload["assumptions"]["efficiency_j_per_th"] == 29.5
    assert len(payload["days"]) == 4
    frame = pd.DataFrame(payload["days"])
    assert (frame["all_in_cost_usd_per_btc"] >= frame["energy_cost_usd_per_btc"]).all()


def test_asics_table_and_json(db: Path) -> None:
    code, stdout, _ = _run(db, "asics", "--date", "2024-04-01", "--power-usd-per-kwh", "0.05")
    assert code == 0
    for header in ("efficiency [J/TH]", "breakeven [USD/kWh]", "margin [USD/day]", "hashrate [TH/s]"):
        assert header in stdout
    assert "Antminer S21 (200T)" in stdout
    code, stdout, _ = _run(db, "asics", "--date", "2024-04-01", "--format", "json")
    assert code == 0
    payload = json.loads(stdout)
    models = pd.DataFrame(payload["models"])
    assert len(models) == 50
    assert "margin_usd_per_day" not in models.columns
    assert models["efficiency_j_per_th"].is_monotonic_increasing
    assert models["breakeven_power_usd_per_kwh"].is_monotonic_decreasing
