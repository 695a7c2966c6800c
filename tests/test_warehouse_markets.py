"""Markets beyond ERCOT in the warehouse (session warehouse of all shared files): EUR prices stored
native and converted with the ECB rate of the day (by hand), a day without a rate, the 4CP table
against the native-load files, FX and load tables, and the gaps that stay gaps."""

from __future__ import annotations

import csv
import datetime as dt
from collections import defaultdict
from pathlib import Path

import pandas as pd
import pytest

from wattshift.errors import NotInWarehouseError
from wattshift.warehouse import Warehouse

ECB = "ecb_eurofxref_hist_1999-01-04_2025-05-09.csv"


def _ecb_usd(shared_data_dir: Path) -> dict[str, float]:
    with (shared_data_dir / "fx" / ECB).open(newline="") as handle:
        return {r["Date"]: float(r["USD"]) for r in csv.DictReader(handle)}


def _nordic_eur_per_mwh(path: Path, time_start: str) -> float:
    with path.open(newline="") as handle:
        for row in csv.DictReader(handle):
            if row["time_start"] == time_start:
                return 1000 * float(row["EUR_per_kWh"])
    raise KeyError(time_start)


def test_fx_rates_held(warehouse: Warehouse) -> None:
    usd = warehouse.fx_rates("USD")
    assert len(usd) == 6_747
    assert usd["date"].iloc[0] == pd.Timestamp("1999-01-04") and usd["date"].iloc[-1] == pd.Timestamp(
        "2025-05-09"
    )
    assert usd.set_index("date").loc["2025-05-09", "units_per_eur"] == 1.1252


@pytest.mark.parametrize(
    ("local_start", "rate_day"),
    [
        ("2024-01-15T13:00:00+01:00", "2024-01-15"),  # a Monday: its own rate
        ("2024-01-13T13:00:00+01:00", "2024-01-12"),  # a Saturday: Friday's rate
        ("2024-04-01T08:00:00+02:00", "2024-03-28"),  # Easter Monday: Thursday's (4 days old)
    ],
)
def test_eur_prices_convert_with_the_rate_of_the_day(
    warehouse: Warehouse, shared_data_dir: Path, local_start: str, rate_day: str
) -> None:
    eur = _nordic_eur_per_mwh(shared_data_dir / "markets" / "nordic" / "SE1" / "2024.csv", local_start)
    usd_per_eur = _ecb_usd(shared_data_dir)[rate_day]
    start = pd.Timestamp(local_start).tz_convert("UTC")
    row = warehouse.iso_prices("SE1", "da", start, start + pd.Timedelta(hours=1), iso="NORDPOOL").iloc[0]
    assert row["price_usd_per_mwh"] == pytest.approx(eur * usd_per_eur, rel=1e-12)


def test_a_day_without_an_ecb_rate_is_an_error_naming_the_span(warehouse: Warehouse) -> None:
    with pytest.raises(NotInWarehouseError, match=r"no ECB EUR/USD rate for 2025-06-01") as info:
        warehouse.iso_prices("SE3", "da", "2025-06-01", "2025-06-02", iso="NORDPOOL")
    assert "2025-06-01" in str(info.value) and "1999-01-04 to 2025-05-09" in str(info.value)
    # the last covered day still converts (2025-05-09 is the last rate; the weekend after uses it)
    assert len(warehouse.iso_prices("SE3", "da", "2025-05-10", "2025-05-11", iso="NORDPOOL")) == 24


def test_energinet_wins_the_one_hour_the_sources_disagree(
    warehouse: Warehouse, shared_data_dir: Path
) -> None:
    start = pd.Timestamp("2023-05-28 12:00", tz="UTC")
    row = warehouse.iso_prices("SE3", "da", start, start + pd.Timedelta(hours=1), iso="NORDPOOL").iloc[0]
    assert row["price_usd_per_mwh"] == pytest.approx(-10.0 * _ecb_usd(shared_data_dir)["2023-05-26"])


def test_native_load_rows_and_dst(warehouse: Warehouse) -> None:
    load = warehouse.system_load("ERCOT")
    local = load["interval_start_utc"].dt.tz_convert("America/Chicago")
    by_year = local.dt.year.value_counts()
    assert by_year[2023] == 8_760 and by_year[2024] == 8_784 and by_year[2025] == 5_831
    days = local.dt.date.astype(str).value_counts()
    assert days["2023-11-05"] == 25 and days["2023-03-12"] == 23
    with pytest.raises(NotInWarehouseError, match="ERCOT/COAST"):
        warehouse.system_load("HOUSTON")


def _monthly_peak_days(shared_data_dir: Path) -> dict[tuple[int, int], str]:
    """Day of each month's highest hourly ERCOT native load, from the raw CSVs (csv module)."""
    best: dict[tuple[int, int], tuple[float, str]] = defaultdict(lambda: (-1.0, ""))
    for year in (2023, 2024, 2025):
        with (shared_data_dir / "power" / f"ercot_native_load_hourly_{year}.csv").open(newline="") as handle:
            for row in csv.DictReader(handle):
                day = dt.datetime.strptime(row["Hour Ending"][:10], "%m/%d/%Y").date()
                mw = float(row["ERCOT"])
                if mw > best[(day.year, day.month)][0]:
                    best[(day.year, day.month)] = (mw, day.isoformat())
    return {k: v[1] for k, v in best.items()}


def test_4cp_day_is_the_monthly_hourly_peak_day_except_september_2024(
    warehouse: Warehouse, shared_data_dir: Path
) -> None:
    cp = warehouse.cp4_intervals()
    assert len(cp) == 16
    peaks = _monthly_peak_days(shared_data_dir)
    local = cp["interval_start_utc"].dt.tz_convert("America/Chicago")
    misses = []
    for (year, month), day in zip(
        zip(cp["year"], cp["month"], strict=True), local.dt.date.astype(str), strict=True
    ):
        if (year, month) in peaks and (year, month) != (2025, 9) and peaks[(year, month)] != day:
            misses.append((year, month, day, peaks[(year, month)]))
    assert misses == [(2024, 9, "2024-09-20", "2024-09-19")]  # power/README.md
    aug23 = cp[(cp["year"] == 2023) & (cp["month"] == 8)].iloc[0]
    assert aug23["interval_start_utc"] == pd.Timestamp("2023-08-10 21:45", tz="UTC")  # 16:45 CDT
    assert aug23["total_4cp_mw"] == 85_636.9


def test_4cp_hour_load_matches_the_readme_crosscheck(warehouse: Warehouse) -> None:
    load = warehouse.system_load("ERCOT").set_index("interval_start_utc")["load_mw"]
    cp = warehouse.cp4_intervals()
    aug23 = cp[(cp["year"] == 2023) & (cp["month"] == 8)].iloc[0]["interval_start_utc"]
    hour = aug23.floor("h")
    assert load[hour] == pytest.approx(85_302.2, abs=0.05)  # xcheck column of the 4CP file


def test_gaps_are_recorded_not_filled(warehouse: Warehouse) -> None:
    gaps = warehouse.price_gaps().set_index(["iso", "node", "market"])
    miso = gaps.loc[pd.MultiIndex.from_tuples([("MISO", "Arkansas Hub", "rt")])].iloc[0]
    assert miso["longest_gap_start"] == pd.Timestamp("2023-07-24 19:00", tz="UTC")
    assert miso["longest_gap_hours"] == 874.0
    spp = gaps.loc[pd.MultiIndex.from_tuples([("SPP", "North Hub", "rt")])].iloc[0]
    assert spp["missing_intervals"] > 13_000  # 2023 Q3 alone misses 13,427 five-minute intervals
    held = warehouse.iso_prices("Arkansas Hub", "rt", "2023-01-01 05:00", "2024-01-01 05:00", iso="MISO")
    assert len(held) == 7_886  # README: rows in miso_lmp_rt_hr_hubs_2023.csv; 874 of 8,760 h missing
    assert ("ERCOT", "HB_WEST", "rt") not in gaps.index  # the 2023-2025 archives are complete


def test_status_lists_the_new_tables(warehouse: Warehouse) -> None:
    status = warehouse.status()
    tables = set(status["table"])
    assert {"fx_rates", "system_load", "cp4_intervals"} <= tables
    row = status[status["source"] == "SE3/2024.csv"].iloc[0]
    assert row["table"] == "iso_prices"


def test_data_gaps_json(warehouse_path: Path) -> None:
    import json

    from typer.testing import CliRunner

    from wattshift.cli import app

    res = CliRunner().invoke(app, ["data", "gaps", "--db", str(warehouse_path), "--format", "json"])
    assert res.exit_code == 0, res.output
    rows = {(r["iso"], r["node"]): r for r in json.loads(res.stdout)}
    assert rows[("NYISO", "A - West")]["longest_gap_hours"] == 1032.0
    assert rows[("NYISO", "A - West")]["longest_gap_start"].startswith("2023-07-24")
