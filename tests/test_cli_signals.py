"""``wattshift signals`` commands against a warehouse built from the real files."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from wattshift.cli import app

runner = CliRunner()


@pytest.fixture(scope="module")
def db(onchain_warehouse_path: Path) -> str:
    return str(onchain_warehouse_path)


def _run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_today_json(db: str) -> None:
    code, out, _ = _run("signals", "--date", "2022-06-17", "--format", "json", "--db", db)
    assert code == 0
    day = json.loads(out)
    assert list(day)[:7] == [
        "date",
        "price_usd",
        "mvrv_z",
        "puell",
        "hash_ribbons",
        "fear_greed",
        "confluence",
    ]
    assert day["hash_ribbons"]["state"] == "capitulation"
    assert day["hash_ribbons"]["since"] == "2022-06-09"
    assert day["puell"] == pytest.approx(0.35, abs=0.02)
    assert day["fear_greed"]["classification"] == "Extreme Fear"
    assert day["confluence"]["count"] == 4


def test_today_table_defaults_to_latest(db: str) -> None:
    code, out, _ = _run("signals", "--db", db)
    assert code == 0
    assert "2026-06-01" in out and "Hash Ribbons" in out and "Confluence" in out


def test_unknown_date_is_exit_4_with_the_span(db: str) -> None:
    code, out, err = _run("signals", "--date", "2031-01-01", "--db", db)
    assert code == 4  # not in the warehouse
    assert out == ""
    assert "2009-01-03" in err and "2026-06-01" in err


def test_history_csv_and_json(db: str) -> None:
    code, out, _ = _run("signals", "history", "--from", "2024-10-25", "--to", "2024-10-27", "--db", db)
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["date"] for r in rows] == ["2024-10-25", "2024-10-26", "2024-10-27"]
    assert rows[1]["fear_greed"] == ""  # missing upstream: stays missing
    assert rows[1]["confluence_available"] == "3"
    code, out, _ = _run(
        "signals", "history", "--from", "2024-10-26", "--to", "2024-10-26", "--format", "json", "--db", db
    )
    assert code == 0
    (row,) = json.loads(out)
    assert row["fear_greed"] is None and row["bottom_fear_greed"] is None


def test_ribbons_json(db: str) -> None:
    code, out, _ = _run("signals", "ribbons", "--format", "json", "--db", db)
    assert code == 0
    rows = json.loads(out)
    assert isinstance(rows, list)
    for key in ("capitulation_start", "recovery", "buy", "price_at_buy_usd", "duration_days"):
        assert key in rows[0]
    buys = {r["buy"] for r in rows}
    assert "2019-01-10" in buys and "2023-01-14" in buys
    merged_off = json.loads(
        _run("signals", "ribbons", "--format", "json", "--merge-gap-days", "0", "--db", db)[1]
    )
    assert len(merged_off) > len(rows)


def test_ribbons_table(db: str) -> None:
    code, out, _ = _run("signals", "ribbons", "--db", db)
    assert code == 0 and "Hash Ribbons episodes" in out


def test_backtest_json_and_table(db: str) -> None:
    code, out, _ = _run("signals", "backtest", "--horizons", "30,90", "--format", "json", "--db", db)
    assert code == 0
    rows = json.loads(out)
    assert {r["horizon_days"] for r in rows} == {30, 90}
    assert set(rows[0]) == {
        "signal",
        "horizon_days",
        "n",
        "median_return",
        "mean_return",
        "hit_rate",
        "worst_return",
    }
    code, out, _ = _run("signals", "backtest", "--db", db)
    assert code == 0 and "confluence = 4" in out


def test_bad_horizons_are_a_usage_error(db: str) -> None:
    code, _, err = _run("signals", "backtest", "--horizons", "30,-5", "--db", db)
    assert code == 2 and "horizons" in err


def test_missing_warehouse_is_a_clear_error(tmp_path: Path) -> None:
    code, _, err = _run("signals", "--db", str(tmp_path / "none.duckdb"))
    assert code == 4 and "wattshift data ingest" in err
