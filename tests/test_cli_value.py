"""``wattshift value`` / ``value sweep`` / ``treasury`` on the example sites with the shared data."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from wattshift.cli import app
from wattshift.services.sites import examples_dir

EXAMPLES = examples_dir()
runner = CliRunner()


@pytest.fixture(scope="module")
def db(warehouse_path: Path) -> Path:
    """The session warehouse (all shared data ingested once, tests/conftest.py); opened read-only."""
    return warehouse_path


def test_value_json_keys_and_invariants(db: Path) -> None:
    site = EXAMPLES / "sites" / "converting_to_ai.toml"
    args = [
        "value",
        "--site",
        str(site),
        "--paths",
        "200",
        "--years",
        "10",
        "--seed",
        "1",
        "--format",
        "json",
        "--db",
        str(db),
    ]
    res = runner.invoke(app, args)
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    for b in ("mining", "ai", "hybrid"):
        q = out["npv_usd"][b]
        assert q["p5"] <= q["p50"] <= q["p95"]
        assert set(out["irr"][b]) == {"p5", "p50", "p95", "mean"}
    assert set(out["ev_per_mw_usd"]) == {"mining", "ai"}
    assert 0.0 <= out["prob_ai_beats_mining"] <= 1.0
    sched = out["conversion_schedule"]
    assert [r["year"] for r in sched] == list(range(sched[0]["year"], sched[0]["year"] + 10))
    # the site's [valuation.treasury]: 300 M$ budget at 3.6 M$/IT-MW / 1.3 PUE, 50 MW a year at most
    total = sum(r["mw"] for r in sched)
    assert total <= 145.0 + 1e-6 and max(r["mw"] for r in sched) <= 50.0 + 1e-6
    assert total * 3.6e6 / 1.3 <= 300e6 * (1 + 1e-9)
    assert out["btc_to_sell"]["total"]["p95"] <= 1000.0 + 1e-9
    # same seed, same numbers
    again = json.loads(runner.invoke(app, args).stdout)
    assert again["npv_usd"] == out["npv_usd"]


def test_value_table_and_treasury(db: Path) -> None:
    site = EXAMPLES / "sites" / "west_texas_hybrid.toml"
    res = runner.invoke(
        app, ["value", "--site", str(site), "--paths", "100", "--years", "5", "--db", str(db)]
    )
    assert res.exit_code == 0, res.output
    assert "value per MW" in res.stdout
    res = runner.invoke(
        app,
        [
            "treasury",
            "--site",
            str(site),
            "--btc",
            "500",
            "--paths",
            "100",
            "--years",
            "5",
            "--format",
            "json",
            "--db",
            str(db),
        ],
    )
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["treasury"]["treasury_btc"] == 500.0
    assert out["btc_to_sell"]["total"]["p95"] <= 500.0 + 1e-9


def test_value_bad_site_is_clear_error(db: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(
        'name = "x"\ninterconnect_mw = 10\n[[fleets]]\nname = "a"\npower_mw = 5\n'
        "efficiency_j_per_th = 20\n[valuation.ai]\npue = 0.5\n"
    )
    res = runner.invoke(app, ["value", "--site", str(bad), "--db", str(db)])
    assert res.exit_code == 3
    assert "valuation.ai.pue" in res.stderr


def test_sweep_serial(db: Path, tmp_path: Path) -> None:
    grid = tmp_path / "grid.toml"
    site = EXAMPLES / "sites" / "west_texas_hybrid.toml"
    grid.write_text(
        f'paths = 64\nyears = 3\nchunk_paths = 32\nsites = ["{site}"]\n[scenarios.gbm]\nprice_model = "gbm"\n'
        '[scenarios.boot]\nprice_model = "bootstrap"\n[parameters]\n"ai.term_years" = [10.0, 15.0]\n'
    )
    res = runner.invoke(
        app, ["value", "sweep", "--grid", str(grid), "--serial", "--format", "json", "--db", str(db)]
    )
    assert res.exit_code == 0, res.output
    rows = json.loads(res.stdout)
    assert len(rows) == 4
    assert {(r["scenario"], r["ai.term_years"]) for r in rows} == {
        ("gbm", 10.0),
        ("gbm", 15.0),
        ("boot", 10.0),
        ("boot", 15.0),
    }


def _small_chunks_site(tmp_path: Path) -> Path:
    """converting_to_ai with ``[valuation] chunk_paths = 64``, so that a run has several chunks."""
    text = (EXAMPLES / "sites" / "converting_to_ai.toml").read_text(encoding="utf-8")
    assert "\n[valuation]\n" in text
    path = tmp_path / "chunked.toml"
    path.write_text(text.replace("\n[valuation]\n", "\n[valuation]\nchunk_paths = 64\n"), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("command", "label"), [(["value"], "value Converting"), (["treasury", "--btc", "200"], "treasury Conv")]
)
def test_progress_bar_on_stderr_keeps_json_stdout_clean(
    db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: list[str], label: str
) -> None:
    # A terminal-like stderr console, so that Rich really draws the bar while the run goes.
    screen = io.StringIO()
    monkeypatch.setattr("wattshift.cli.value.err", Console(file=screen, force_terminal=True, width=160))
    site = _small_chunks_site(tmp_path)
    args = [*command, "--site", str(site), "--paths", "150", "--years", "3", "--seed", "2"]
    res = runner.invoke(app, [*args, "--format", "json", "--db", str(db)])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)  # nothing but the JSON document on stdout
    assert doc["site"].startswith("Converting")
    drawn = screen.getvalue()
    assert label in drawn and "3/3" in drawn and "chunks" in drawn  # 150 paths = 64 + 64 + 22
    assert label not in res.stdout and "━" not in res.stdout


def test_sweep_progress_counts_every_chunk_of_every_case(
    db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    screen = io.StringIO()
    monkeypatch.setattr("wattshift.cli.value.err", Console(file=screen, force_terminal=True, width=160))
    grid = tmp_path / "grid.toml"
    site = EXAMPLES / "sites" / "west_texas_hybrid.toml"
    grid.write_text(
        f'paths = 40\nyears = 2\nchunk_paths = 16\nsites = ["{site}"]\n'
        '[parameters]\n"ai.term_years" = [10.0, 15.0]\n'
    )
    res = runner.invoke(
        app, ["value", "sweep", "--grid", str(grid), "--serial", "--format", "json", "--db", str(db)]
    )
    assert res.exit_code == 0, res.output
    assert len(json.loads(res.stdout)) == 2
    assert "sweep grid.toml" in screen.getvalue() and "6/6" in screen.getvalue()  # 2 cases x 3 chunks


def test_value_with_flex_from_dispatch_backtest(db: Path) -> None:
    site = EXAMPLES / "sites" / "west_texas_hybrid.toml"
    args = ["--site", str(site), "--paths", "40", "--years", "2", "--seed", "3", "--db", str(db)]
    flex_args = ["--flex-from", "2024-08-01", "--flex-to", "2024-08-08"]
    res = runner.invoke(app, ["treasury", *args, *flex_args, "--flex-market", "rt", "--format", "json"])
    assert res.exit_code == 0, res.output
    cal = json.loads(res.stdout)["calibration"]
    src = cal["flex_source"]
    assert (src["from"], src["to"], src["node"], src["market"]) == (
        "2024-08-01",
        "2024-08-08",
        "HB_WEST",
        "rt",
    )
    assert src["months"] == pytest.approx(7 * 24 / 730)
    assert cal["flex_revenue_usd_per_mw_month"] == pytest.approx(
        src["value_of_flexibility_usd"] / src["mining_mw"] / src["months"]
    )
    res = runner.invoke(app, ["value", *args, *flex_args])
    assert res.exit_code == 0, res.output
    assert "Mining flex revenue from the dispatch backtest (HB_WEST rt, 2024-08-01..2024-08-08)" in res.stdout


@pytest.mark.parametrize(
    ("command", "flex_args", "message"),
    [
        (["value"], ["--flex-from", "2024-08-01"], "--flex-to is missing"),
        (["treasury"], ["--flex-to", "2024-08-08"], "--flex-from is missing"),
        (["value"], ["--flex-from", "2024-08-08", "--flex-to", "2024-08-01"], "must be after --flex-from"),
    ],
)
def test_flex_options_need_a_forward_span(
    db: Path, command: list[str], flex_args: list[str], message: str
) -> None:
    site = EXAMPLES / "sites" / "west_texas_hybrid.toml"
    res = runner.invoke(app, [*command, "--site", str(site), *flex_args, "--db", str(db)])
    assert res.exit_code == 3
    assert message in res.stderr
