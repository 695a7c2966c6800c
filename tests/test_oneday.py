"""One-day answers from the derived daily table equal the full services', and a stale table is never served.

``wattshift mining --date`` and ``wattshift signals`` read one row of the derived table written at
ingest (:mod:`wattshift.services.oneday`); the full services compute from the whole history. Here both
run on the same real data, day by day, and must give the same JSON (floats bit for bit). A table whose
stamp no longer matches the source tables (an ingest that did not refresh it) or the code is not used.
"""

from __future__ import annotations

import datetime as dt
import importlib.metadata
import json
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import wattshift
from wattshift.config.mining import MiningAssumptions
from wattshift.errors import ConfigError, NotInWarehouseError, WattshiftError
from wattshift.services import mining, oneday, signals
from wattshift.services.data import ingest
from wattshift.services.derived import DailySnapshot, derived_frame, refresh_derived
from wattshift.warehouse import Warehouse
from wattshift.warehouse.reader import DayReader

MAIN = "onchain/coinmetrics_btc_daily_2009-01-03_2026-03-23.csv"
EXTENSION = "onchain/coinmetrics_btc_daily_ext_2026-03-23_2026-06-01.csv"
FEAR_GREED = "onchain/alternative_me_fear_greed_daily_2018-02-01_2026-08-22.csv"

#: (efficiency [J/TH], power price [USD/kWh], PUE, assumptions) of the compared mining answers.
MINING_CASES: list[tuple[float, float, float | None, MiningAssumptions | None]] = [
    (20.0, 0.05, None, None),
    (17.5, 0.031, 1.2, None),
    (34.0, -0.01, None, MiningAssumptions(pool_fee=0.025, uptime=0.9, sga_usd_per_mw_month=1500.0)),
]


@pytest.fixture(scope="module")
def derived_path(shared_data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A warehouse of the three on-chain files, ingested through the service (which derives)."""
    path = tmp_path_factory.mktemp("oneday") / "w.duckdb"
    with Warehouse(path) as wh:
        results = ingest(wh, [shared_data_dir / name for name in (MAIN, EXTENSION, FEAR_GREED)])
    assert [r.status for r in results] == ["ok", "ok", "ok"]
    return path


@pytest.fixture(scope="module")
def snapshot(derived_path: Path) -> Iterator[DailySnapshot]:
    with Warehouse(derived_path, read_only=True) as wh:
        yield DailySnapshot.build(wh)


def _days(snapshot: DailySnapshot) -> list[str]:
    """Every 7th day of the history, the first and last week, and the days around the halvings."""
    days = [d.date().isoformat() for d in snapshot.btc["date"]]
    picked = set(days[::7] + days[:7] + days[-7:])
    picked |= {"2012-11-28", "2016-07-09", "2020-05-11", "2024-04-20", "2026-03-23", "2026-03-24"}
    return sorted(picked & set(days))


def test_signals_of_every_sampled_day_equal_the_full_service(
    derived_path: Path, snapshot: DailySnapshot
) -> None:
    days = _days(snapshot)
    assert len(days) > 900
    for day in [None, *days]:
        fast = oneday.signals_day(derived_path, _date(day))
        assert fast is not None, day
        assert json.dumps(fast) == json.dumps(signals.signals_day(snapshot, day)), day


def test_mining_of_every_sampled_day_equals_the_full_service(
    derived_path: Path, snapshot: DailySnapshot
) -> None:
    compared = 0
    for day in [None, *_days(snapshot)[::3]]:
        for eff, power, pue, assumptions in MINING_CASES:
            inputs = {
                "efficiency_j_per_th": eff,
                "power_usd_per_kwh": power,
                "pue": pue,
                "assumptions": assumptions,
            }
            fast = oneday.mining_day(derived_path, _date(day), asic=None, **inputs)  # type: ignore[arg-type]
            try:
                full = mining.mining_day(snapshot, day, **inputs)  # type: ignore[arg-type]
            except NotInWarehouseError:  # no price or no hashprice that day: the full service says so
                assert fast is None, day
                continue
            assert json.dumps(fast) == json.dumps(full), (day, eff, power, pue)
            compared += 1
    assert compared > 800


def test_bad_inputs_raise_on_the_one_day_path(derived_path: Path) -> None:
    with pytest.raises(ConfigError, match="is not a USD/kWh price"):
        oneday.mining_day(derived_path, None, efficiency_j_per_th=20.0, asic=None, power_usd_per_kwh=50.0)
    with pytest.raises(ConfigError, match="positive number of J/TH"):
        oneday.mining_day(derived_path, None, efficiency_j_per_th=-1.0, asic=None, power_usd_per_kwh=0.05)
    with pytest.raises(ConfigError, match="pue"):
        oneday.mining_day(
            derived_path, None, efficiency_j_per_th=20.0, asic=None, power_usd_per_kwh=0.05, pue=0.5
        )


def test_what_the_table_cannot_answer_goes_to_the_full_service(derived_path: Path, tmp_path: Path) -> None:
    """None (the caller computes) for an ASIC to look up, a day not held, a missing or non-DuckDB file."""
    day = _date("2024-04-20")
    assert (
        oneday.mining_day(derived_path, day, efficiency_j_per_th=None, asic="S21", power_usd_per_kwh=0.05)
        is None
    )
    assert oneday.signals_day(derived_path, _date("2008-01-01")) is None
    assert oneday.signals_day(tmp_path / "none.duckdb", day) is None
    with pytest.raises(WattshiftError, match="not a DuckDB file"):
        (tmp_path / "a.csv").write_text("date,price\n2024-01-01,1\n")
        oneday.signals_day(tmp_path / "a.csv", day)


def test_an_ingest_without_refresh_makes_the_table_stale(shared_data_dir: Path, tmp_path: Path) -> None:
    """The extension file ingested behind the service's back: the old rows are not served; a refresh
    brings the new ones (the latest day moves from March to June 2026)."""
    path = tmp_path / "w.duckdb"
    with Warehouse(path) as wh:
        ingest(wh, [shared_data_dir / MAIN, shared_data_dir / FEAR_GREED])
    machine = {"efficiency_j_per_th": 20.0, "asic": None, "power_usd_per_kwh": 0.05}
    before = oneday.mining_day(path, None, **machine)  # type: ignore[arg-type]
    assert before is not None and before["date"].startswith("2026-03")
    with Warehouse(path) as wh:
        assert wh.ingest_file(shared_data_dir / EXTENSION).status == "ok"
    assert oneday.mining_day(path, None, **machine) is None  # type: ignore[arg-type]
    assert oneday.mining_day(path, _date(before["date"]), **machine) is None  # type: ignore[arg-type]
    assert oneday.signals_day(path, None) is None
    with Warehouse(path) as wh:
        assert refresh_derived(wh)
        assert not refresh_derived(wh)  # current now: nothing to do
        full = mining.mining_day(wh, None, efficiency_j_per_th=20.0, power_usd_per_kwh=0.05)
        full_signals = signals.signals_day(wh, None)
    after = oneday.mining_day(path, None, **machine)  # type: ignore[arg-type]
    assert after == full and after is not None and after["date"] == "2026-06-01"
    assert oneday.signals_day(path, None) == full_signals


def test_a_table_derived_by_other_code_is_not_served(
    derived_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert oneday.signals_day(derived_path, None) is not None
    monkeypatch.setattr(oneday, "code_stamp", lambda: "other code")
    assert oneday.signals_day(derived_path, None) is None
    with DayReader(derived_path) as reader:
        assert not reader.fresh("other code")


def test_code_stamp_follows_the_stamped_sources(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Any change to a file of the signals or mining engines, or to the pandas or NumPy version,
    changes the stamp; other files do not."""
    package = tmp_path / "wattshift"
    for entry in oneday.STAMPED_SOURCES:
        target = package / entry if entry.endswith(".py") else package / entry / "__init__.py"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(f"# {entry}\n")
    (package / "__init__.py").write_text("")
    (package / "cli.py").write_text("x = 1\n")
    monkeypatch.setattr(wattshift, "__file__", str(package / "__init__.py"))
    first = oneday.code_stamp()
    (package / "cli.py").write_text("x = 2\n")
    assert oneday.code_stamp() == first
    (package / "signals" / "ribbons.py").write_text("MERGE_GAP_DAYS = 3\n")
    second = oneday.code_stamp()
    assert second != first
    (package / "chain.py").write_text("# changed\n")
    assert oneday.code_stamp() != second
    monkeypatch.setattr(importlib.metadata, "version", lambda name: "0.0")  # another pandas
    assert oneday.code_stamp() != second


_PROBE = textwrap.dedent(
    """
    import json, sys
    from wattshift.cli import app
    try:
        app(sys.argv[1:], prog_name="wattshift")
    except SystemExit as exc:
        assert exc.code in (0, None), exc.code
    heavy = ("pandas", "numpy", "pyarrow", "scipy", "wattshift.cli.dispatch", "wattshift.cli.value")
    print(json.dumps(sorted(m for m in heavy if m in sys.modules)))
    """
)


@pytest.mark.parametrize(
    "args",
    [
        ["mining", "--date", "2026-03-01", "--efficiency-j-per-th", "20", "--power-usd-per-kwh", "0.05"],
        ["signals", "--date", "2026-03-01"],
    ],
)
def test_one_day_commands_import_no_pandas(derived_path: Path, args: list[str]) -> None:
    """``mining --date`` and ``signals`` on a derived warehouse load neither pandas nor NumPy (nor the
    other command modules), and print the full service's JSON."""
    argv = [*args, "--format", "json", "--db", str(derived_path)]
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, *argv], capture_output=True, text=True, timeout=120, check=True
    )
    *output, loaded = done.stdout.strip().splitlines()
    assert json.loads(loaded) == []
    with Warehouse(derived_path, read_only=True) as wh:
        if args[0] == "mining":
            expected = mining.mining_day(wh, "2026-03-01", efficiency_j_per_th=20.0, power_usd_per_kwh=0.05)
        else:
            expected = signals.signals_day(wh, "2026-03-01")
    assert json.loads("\n".join(output)) == expected


def _date(day: str | None) -> dt.date | None:
    return None if day is None else dt.date.fromisoformat(day)


def test_days_priced_by_the_realised_form_equal_the_full_service(
    btc_daily_history: pd.DataFrame, fear_greed_history: pd.DataFrame, tmp_path: Path
) -> None:
    """Days without difficulty and block count use the realised hashprice and carry a note: the real
    history with three June 2024 days blanked, derived into a table, answers like the full service."""
    btc = btc_daily_history.copy()
    blanked = btc["date"].between("2024-06-01", "2024-06-03")
    btc.loc[blanked, ["difficulty", "blocks"]] = np.nan
    path = tmp_path / "w.duckdb"
    with Warehouse(path) as wh:  # empty source tables: the stamp is of those, so the table is fresh
        wh.store_derived(derived_frame(btc, fear_greed_history), wh.derived_sources(), oneday.code_stamp())

    class Source:
        def btc_daily(self, start: object = None, end: object = None) -> pd.DataFrame:
            return btc.copy()

        def asic_models(self) -> pd.DataFrame:
            return pd.DataFrame()

    for day in ("2024-05-31", "2024-06-01", "2024-06-02", "2024-06-03", "2024-06-04"):
        full = mining.mining_day(Source(), day, efficiency_j_per_th=20.0, power_usd_per_kwh=0.05)
        fast = oneday.mining_day(
            path, _date(day), efficiency_j_per_th=20.0, asic=None, power_usd_per_kwh=0.05
        )
        assert json.dumps(fast) == json.dumps(full), day
        realised = day in ("2024-06-01", "2024-06-02", "2024-06-03")
        assert full["assumptions"]["hashprice_form"] == ("realised" if realised else "expected")
        assert (full["difficulty"] is None) == realised
        assert (full["assumptions"]["note"] is not None) == realised
