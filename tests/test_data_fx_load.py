"""ECB rates, ERCOT native load and 4CP adapters: real files, bad input, and idempotent, atomic ingest."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from wattshift.data.ecb import parse_ecb_rates, read_ecb_rates
from wattshift.data.ercot_4cp import parse_ercot_4cp
from wattshift.data.ercot_load import parse_ercot_native_load, read_ercot_native_load
from wattshift.errors import DataError
from wattshift.warehouse import Warehouse

ECB = "ecb_eurofxref_hist_1999-01-04_2025-05-09.csv"


def test_ecb_rates_long_and_na_dropped(shared_data_dir: Path) -> None:
    frame = read_ecb_rates(shared_data_dir / "fx" / ECB)
    usd = frame[frame["currency"] == "USD"]
    assert len(usd) == 6_747 and usd["date"].is_monotonic_increasing
    assert usd["date"].iloc[0] == pd.Timestamp("1999-01-04") and usd["units_per_eur"].iloc[0] == 1.1789
    cyp = frame[frame["currency"] == "CYP"]  # the Cyprus pound ended with the euro in 2008: N/A after
    assert cyp["date"].max() < pd.Timestamp("2008-01-01")


def test_ecb_bad_cell_names_line_and_column() -> None:
    text = b"Date,USD,SEK,\n2025-05-09,1.1252,10.92,\n2025-05-08,one,10.9,\n"
    with pytest.raises(DataError, match="not a positive rate: 'one'") as info:
        parse_ecb_rates(text, name="ecb.csv")
    assert (info.value.line, info.value.column) == (3, "USD")
    with pytest.raises(DataError, match="duplicate"):
        parse_ecb_rates(b"Date,USD\n2025-05-09,1.1\n2025-05-09,1.2\n", name="ecb.csv")


def test_native_load_hour_ending_and_repeated_hour(shared_data_dir: Path) -> None:
    frame = read_ercot_native_load(shared_data_dir / "power" / "ercot_native_load_hourly_2023.csv")
    total = frame[frame["zone"] == "ERCOT"].set_index("interval_start_utc")["load_mw"]
    assert len(total) == 8_760 and frame["zone"].nunique() == 9
    # "11/05/2023 02:00" = 01:00-02:00 CDT (06:00 UTC); "11/05/2023 02:00 DST" = 01:00-02:00 CST (07:00 UTC)
    assert total[pd.Timestamp("2023-11-05 06:00", tz="UTC")] == pytest.approx(36954.664167)
    assert total[pd.Timestamp("2023-11-05 07:00", tz="UTC")] == pytest.approx(35937.47872)
    # HE01 of the year = 00:00-01:00 CST
    assert total.index[0] == pd.Timestamp("2023-01-01 06:00", tz="UTC")


def test_native_load_bad_labels() -> None:
    head = "Hour Ending,COAST,EAST,FWEST,NORTH,NCENT,SOUTH,SCENT,WEST,ERCOT\n"
    row = ",1,1,1,1,1,1,1,1,8\n"
    with pytest.raises(DataError, match="not an hour of US Central") as info:
        parse_ercot_native_load((head + "03/12/2023 03:00" + row).encode(), name="load.csv")  # DST gap
    assert (info.value.line, info.value.column) == (2, "Hour Ending")
    with pytest.raises(DataError, match="DST flag on a normal hour"):
        parse_ercot_native_load((head + "07/01/2023 05:00 DST" + row).encode(), name="load.csv")
    with pytest.raises(DataError, match="HH 01-24"):
        parse_ercot_native_load((head + "07/01/2023 25:00" + row).encode(), name="load.csv")


def test_4cp_bad_rows() -> None:
    head = "year,month,date,interval_start_local,interval_ending_local,total_4cp_mw,annual_average_4cp_mw\n"
    with pytest.raises(DataError, match="June-September") as info:
        parse_ercot_4cp((head + "2023,5,2023-05-27,16:45,17:00,81017.6,83556.8\n").encode(), name="4cp.csv")
    assert info.value.line == 2
    with pytest.raises(DataError, match="HH:MM\\+15"):
        parse_ercot_4cp((head + "2023,6,2023-06-27,16:45,17:30,81017.6,83556.8\n").encode(), name="4cp.csv")


def test_ingest_is_idempotent_and_keeps_zone_files_apart(shared_data_dir: Path, tmp_path: Path) -> None:
    nordic = shared_data_dir / "markets" / "nordic"
    files = [
        shared_data_dir / "fx" / ECB,
        shared_data_dir / "power" / "ercot_4cp_intervals_2022_2025.csv",
        nordic / "SE1" / "2024.csv",
        nordic / "SE2" / "2024.csv",
    ]
    with Warehouse(tmp_path / "w.duckdb") as wh:
        first = wh.ingest_files(files)
        before = wh.fingerprint(stored=True)
        second = wh.ingest_files(files)
        assert [r.status for r in first] == ["ok"] * 4
        assert [r.file for r in first][2:] == ["SE1/2024.csv", "SE2/2024.csv"]
        assert [r.status for r in second] == ["unchanged"] * 4
        assert wh.fingerprint(stored=True) == before


def test_a_bad_file_changes_nothing(shared_data_dir: Path, tmp_path: Path) -> None:
    good = tmp_path / "good" / ECB
    good.parent.mkdir()
    shutil.copy(shared_data_dir / "fx" / ECB, good)
    bad = tmp_path / "bad" / ECB
    bad.parent.mkdir()
    lines = good.read_text().splitlines()
    lines[5] = lines[5].replace("1.", "x.", 1)
    bad.write_text("\n".join(lines) + "\n")
    with Warehouse(tmp_path / "w.duckdb") as wh:
        wh.ingest_file(good)
        before = wh.fingerprint()
        with pytest.raises(DataError, match="line 6"):
            wh.ingest_file(bad)
        assert wh.fingerprint() == before
