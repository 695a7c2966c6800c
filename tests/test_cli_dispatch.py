"""``wattshift dispatch`` through typer's CliRunner, on a tiny synthetic source."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pandas as pd
import pytest
from rich.console import Console
from typer.testing import CliRunner

from wattshift.cli import app
from wattshift.testing import tiny_dispatch_warehouse

SITE = """
name = "tiny"
interconnect_mw = 20.0
aux_mw = 0.5
[[fleets]]
name = "s21"
model = "Antminer S21 (200T)"
count = 2000
[gpu]
capacity_mw = 5.0
firm_mw = 2.0
value_usd_per_mwh = 600.0
[reserves]
products = ["REGUP"]
max_mw = 2.0
"""


@pytest.fixture
def site_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr("wattshift.cli.dispatch.open_warehouse", lambda db: tiny_dispatch_warehouse())
    path = tmp_path / "site.toml"
    path.write_text(SITE, encoding="utf-8")
    return path


#: Two operating days: ``--to`` is the last day, inclusive (as in ``mining history`` and ``signals history``).
ARGS = ["dispatch", "--from", "2023-08-01", "--to", "2023-08-02"]


def test_to_is_inclusive_and_until_exclusive(site_file: Path) -> None:
    runs = {}
    for end in (["--to", "2023-08-02"], ["--until", "2023-08-03"], ["--to", "2023-08-01"]):
        base = ["dispatch", "--from", "2023-08-01", *end, "--site", str(site_file), "--format", "json"]
        res = CliRunner().invoke(app, base)
        assert res.exit_code == 0, res.output
        runs[" ".join(end)] = json.loads(res.stdout)
    assert runs["--to 2023-08-02"]["windows"] == runs["--until 2023-08-03"]["windows"] == 2
    assert runs["--to 2023-08-02"]["net_usd"] == runs["--until 2023-08-03"]["net_usd"]
    assert runs["--to 2023-08-01"]["windows"] == 1 and runs["--to 2023-08-01"]["intervals"] == 96
    both = CliRunner().invoke(app, [*ARGS, "--until", "2023-08-03", "--site", str(site_file)])
    assert both.exit_code == 3 and "not both" in both.stderr


def test_json_keys_and_values(site_file: Path) -> None:
    res = CliRunner().invoke(app, [*ARGS, "--site", str(site_file), "--format", "json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert set(doc["revenue_usd"]) == {"mining", "ai", "reserves", "sellback"}
    assert set(doc["mwh"]) == {"mining", "ai", "curtailed", "deployed"}
    assert doc["foresight"] == "forecast" and doc["timezone"] == "America/Chicago"  # the default
    assert doc["regret_usd"] == pytest.approx(doc["upper_bound_net_usd"] - doc["net_usd"])
    assert doc["regret_usd"] >= -1e-6
    assert doc["solver"] == "lp"  # reserves need the LP
    assert doc["mwh"]["ai"] >= 2.0 * 48 - 1e-6  # firm GPU load served all 48 h
    rev = doc["revenue_usd"]
    net = (
        rev["mining"]
        + rev["ai"]
        + rev["reserves"]
        + rev["sellback"]
        - doc["energy_cost_usd"]
        - doc["charges_usd"]
    )
    assert doc["net_usd"] == pytest.approx(net)


def test_csv_schedule(site_file: Path) -> None:
    res = CliRunner().invoke(app, [*ARGS, "--site", str(site_file), "--format", "csv"])
    assert res.exit_code == 0, res.output
    frame = pd.read_csv(io.StringIO(res.stdout))
    assert len(frame) == 192
    for col in ("interval_start_utc", "price_usd_per_mwh", "mw_s21", "mw_ai", "mw_curtailed", "value_usd"):
        assert col in frame.columns


def test_table_and_merit_refusal(site_file: Path) -> None:
    res = CliRunner().invoke(app, [*ARGS, "--site", str(site_file)])
    assert res.exit_code == 0 and "value of flexibility" in res.stdout
    bad = CliRunner().invoke(app, [*ARGS, "--site", str(site_file), "--solver", "merit"])
    assert bad.exit_code == 3 and "--solver merit" in bad.output


def test_bad_site_field_is_named(tmp_path: Path, site_file: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(SITE.replace("count = 2000", "count = -1"), encoding="utf-8")
    res = CliRunner().invoke(app, [*ARGS, "--site", str(bad)])
    assert res.exit_code == 3
    assert "fleets[0].count: must be > 0" in res.output


def test_price_gap_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        "wattshift.cli.dispatch.open_warehouse", lambda db: tiny_dispatch_warehouse(drop_rt=slice(30, 32))
    )
    path = tmp_path / "s.toml"
    path.write_text(SITE, encoding="utf-8")
    res = CliRunner().invoke(app, [*ARGS, "--site", str(path)])
    assert res.exit_code == 4  # prices not in the warehouse
    text = " ".join(res.output.split())  # Rich wraps long lines on stderr
    assert "prices missing for 2023-08-01T07:30:00+00:00 .. 2023-08-01T07:45:00+00:00 (2 intervals)" in text


def test_progress_bar_on_stderr_keeps_json_stdout_clean(
    site_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A terminal-like stderr console, so that Rich really draws the bar while the run goes.
    screen = io.StringIO()
    monkeypatch.setattr("wattshift.cli.dispatch.err", Console(file=screen, force_terminal=True, width=120))
    res = CliRunner().invoke(app, [*ARGS, "--site", str(site_file), "--format", "json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)  # nothing but the JSON document on stdout
    assert doc["windows"] == 2 and doc["intervals"] == 192
    drawn = screen.getvalue()
    assert "dispatch tiny" in drawn and "2/2" in drawn and "windows" in drawn
    assert "dispatch tiny" not in res.stdout and "━" not in res.stdout
