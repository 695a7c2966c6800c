"""Tables fit the terminal: ``wattshift asics``, ``data status`` and ``mining`` at ``COLUMNS=120``.

At 120 columns no line is wider than 120, no cell is cut to "…", no file name is split inside a
word, and what is dropped is the low-priority columns (vendor, release) never the model or its
breakeven. :func:`break_text` and :meth:`FittedTable.layout` are checked on their own too.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rich.console import Console
from typer.testing import CliRunner

from wattshift.cli import app
from wattshift.cli._tables import Column, FittedTable, break_text

runner = CliRunner()


def _run_at(width: int, *args: str) -> str:
    result = runner.invoke(app, list(args), env={"COLUMNS": str(width)})
    assert result.exit_code == 0, result.stderr
    return result.stdout


def _assert_fits(stdout: str, width: int) -> None:
    lines = stdout.splitlines()
    assert lines
    assert max(len(line) for line in lines) <= width
    assert "…" not in stdout


def test_asics_at_120_columns_keeps_the_essentials_whole(warehouse_path: Path) -> None:
    stdout = _run_at(120, "asics", "--power-usd-per-kwh", "0.05", "--db", str(warehouse_path))
    _assert_fits(stdout, 120)
    # Every model name whole on one line, with its power in full (the old layout printed "5,…").
    assert "Antminer S23 Hyd 3U (1160T)" in stdout
    assert "11,020" in stdout
    assert "breakeven" in stdout and "[USD/kWh]" in stdout
    assert "Bitmain" not in stdout  # vendor is the first column to go


def test_asics_wide_terminal_shows_every_column(warehouse_path: Path) -> None:
    stdout = _run_at(250, "asics", "--power-usd-per-kwh", "0.05", "--db", str(warehouse_path))
    for text in ("vendor", "Bitmain", "release", "2026-01", "margin [USD/day]"):
        assert text in stdout


def test_asics_at_80_columns(warehouse_path: Path) -> None:
    stdout = _run_at(80, "asics", "--db", str(warehouse_path))
    _assert_fits(stdout, 80)
    assert "Antminer S21 XP Hyd (473T)" in stdout


def test_data_status_at_120_columns_breaks_file_names_between_words(warehouse_path: Path) -> None:
    stdout = _run_at(120, "data", "status", "--db", str(warehouse_path))
    _assert_fits(stdout, 120)
    # A long file name may break only after "_", "-" or ".": each piece is a whole part of the name.
    name = "coinmetrics_btc_daily_legacy_2009-01-03_2020-07-27.csv"
    cells = [line.split("│")[2].strip() for line in stdout.splitlines() if line.count("│") > 3]
    joined = "".join(cells)
    assert name in joined
    for cell in cells:
        if cell and cell in name and cell != name:
            assert name.startswith(cell) or name[name.index(cell) - 1] in "_-."


def test_mining_assumptions_have_units_and_percentages(warehouse_path: Path) -> None:
    args = ("mining", "--efficiency-j-per-th", "17", "--power-usd-per-kwh", "0.05")
    stdout = _run_at(120, *args, "--db", str(warehouse_path))
    _assert_fits(stdout, 120)
    assert "None" not in stdout  # no ASIC given: no row, not a raw None
    assert "pool fee [%]" in stdout and " 2.00 " in stdout  # default 0.02
    assert "uptime [%]" in stdout and " 95.0 " in stdout  # default 0.95
    assert "non-power opex [USD/MW-month]" in stdout


@pytest.mark.parametrize(
    ("text", "width", "lines"),
    [
        ("ercot_4cp_intervals_2022_2025.csv", 16, ["ercot_4cp_", "intervals_2022_", "2025.csv"]),
        ("Antminer S21 XP Hyd (473T)", 12, ["Antminer S21", "XP Hyd", "(473T)"]),
        ("short", 10, ["short"]),
        ("averyveryverylongtoken_x", 5, ["averyveryverylongtoken_", "x"]),
    ],
)
def test_break_text(text: str, width: int, lines: list[str]) -> None:
    assert break_text(text, width) == lines


_CELL = st.text(alphabet="ab_- .19", min_size=0, max_size=30)


@given(rows=st.lists(st.lists(_CELL, min_size=4, max_size=4), min_size=1, max_size=6))
def test_rendered_table_fits_and_loses_no_text(rows: list[list[str]]) -> None:
    columns = [
        Column("name", wrap=True),
        Column("value [USD]", "right"),
        Column("low", priority=2),
        Column("lower", priority=3),
    ]
    table = FittedTable("t", columns, [list(r) for r in rows])
    kept, _ = table.layout(40)
    assert 0 in kept and 1 in kept  # priority 0 is never dropped
    console = Console(width=40, record=True, file=io.StringIO())
    console.print(table.render(40))
    text = console.export_text()
    essentials_fit = sum(table._minimum(i, break_cells=True) for i in (0, 1)) + 7 <= 40
    if essentials_fit:
        assert max(len(line) for line in text.splitlines()) <= 40
        assert "…" not in text


def test_value_table_at_120_columns(warehouse_path: Path) -> None:
    args = ["value", "--site", "converting_to_ai", "--paths", "100", "--years", "5", "--seed", "1"]
    stdout = _run_at(120, *args, "--db", str(warehouse_path))
    table = stdout.split("AI/mining EV ratio")[0]  # the free text after the table wraps in the terminal
    _assert_fits(table, 120)
    for business in ("mining", "ai", "hybrid"):
        assert f"│ {business} " in table
    assert "IRR" in table and "EV/MW" in table
