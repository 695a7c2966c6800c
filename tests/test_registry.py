"""The registry of known data files: every shared file is known, with a reader, table and priority."""

from __future__ import annotations

from pathlib import Path

import pytest

from wattshift.data.registry import (
    KNOWN_FILES,
    NOT_DATA,
    PRIORITY_API,
    PRIORITY_ARCHIVE,
    PRIORITY_RAW,
    FileSpec,
    kind_for,
    known_files,
    registry_key,
    spec_for,
)
from wattshift.errors import DataError
from wattshift.warehouse.results import TABLE_OF_KIND


def test_every_shared_data_file_is_known(shared_data_dir: Path) -> None:
    files = [p for p in shared_data_dir.rglob("*") if p.is_file()]
    on_disk = {registry_key(p): p for p in files if p.name not in NOT_DATA and p.suffix != ".md"}
    assert set(on_disk) == set(KNOWN_FILES)
    for key, path in on_disk.items():
        assert spec_for(path) is KNOWN_FILES[key]
        assert (shared_data_dir / KNOWN_FILES[key].folder / KNOWN_FILES[key].name) == path
    found = known_files(shared_data_dir, include_pending=True)
    assert sorted(registry_key(p) for p in found) == sorted(on_disk)
    readable = known_files(shared_data_dir)
    assert [registry_key(p) for p in readable] == [k for k, s in KNOWN_FILES.items() if not s.pending]


def test_every_known_file_has_a_reader_and_nordic_keys_name_the_zone(shared_data_dir: Path) -> None:
    assert not [k for k, spec in KNOWN_FILES.items() if spec.pending]
    path = shared_data_dir / "markets" / "nordic" / "SE3" / "2024.csv"
    spec = spec_for(path)
    assert spec.kind == "nordic" and spec.name == "SE3/2024.csv" and spec.table == "iso_prices"
    frame = spec.read(path)
    assert set(frame["node"]) == {"SE3"} and len(frame) == 8_784


def test_a_pending_spec_is_known_but_not_read(tmp_path: Path) -> None:
    spec = FileSpec("x.csv", "markets", "eia_market", "iso_prices", "", PRIORITY_RAW, "not written yet")
    with pytest.raises(DataError, match="no reader for it yet") as info:
        spec.read(tmp_path / "x.csv")
    assert "x.csv" in str(info.value)


def test_the_tso_publication_beats_the_republication() -> None:
    assert (
        KNOWN_FILES["energinet_Elspotprices_SE3_SE4_2023_2024.csv"].priority
        > KNOWN_FILES["SE3/2023.csv"].priority
    )


def test_known_files_skips_missing_and_reads_flat_folders(tmp_path: Path) -> None:
    (tmp_path / "asic_models.csv").write_text("x\n")
    (tmp_path / "power").mkdir()
    (tmp_path / "power" / "ercot_rtm_spp_15min_hubs_2023.csv").write_text("x\n")
    (tmp_path / "notes.csv").write_text("x\n")
    assert [p.relative_to(tmp_path).as_posix() for p in known_files(tmp_path)] == [
        "asic_models.csv",
        "power/ercot_rtm_spp_15min_hubs_2023.csv",
    ]


_READABLE = [s for s in KNOWN_FILES.values() if not s.pending]


@pytest.mark.parametrize("spec", _READABLE, ids=[s.name for s in _READABLE])
def test_every_reader_resolves(spec: FileSpec) -> None:
    reader = spec.load_reader()
    assert callable(reader)
    assert TABLE_OF_KIND[spec.kind] == spec.table


def test_kind_by_name_and_pattern() -> None:
    assert kind_for("/somewhere/ercot_dam_as_mcpc_hourly_2022_2025.csv") == "ercot"
    assert kind_for("coinmetrics_btc_daily_2009-01-03_2026-09-30.csv") == "coinmetrics"  # a newer snapshot
    assert kind_for(Path("onchain/btc.csv")) == "coinmetrics"
    assert spec_for("alternative_me_fear_greed_daily_2018-02-01_2027-01-01.csv").table == "fear_greed"


@pytest.mark.parametrize("name", ["prices.csv", "coinmetrics_metrics_legacy_2020.csv", "README.md"])
def test_unknown_file_is_a_clear_error(name: str) -> None:
    with pytest.raises(DataError, match="unknown data file") as info:
        kind_for(Path("/data") / name)
    assert info.value.file == f"/data/{name}"
    assert "asic_models.csv" in str(info.value)  # the message lists the known names


def test_priorities_order_overlapping_ercot_files() -> None:
    rt_archive = KNOWN_FILES["ercot_rtm_spp_15min_hubs_2024.csv"].priority
    rt_raw = KNOWN_FILES["ercot_rtm_spp_15min_hubs_2024_2025_selected_months.csv"].priority
    rt_api = KNOWN_FILES["ercot_rt_spp_15min_hb_hubavg_2024_2025.parquet"].priority
    assert rt_archive == PRIORITY_ARCHIVE > rt_raw == PRIORITY_RAW > rt_api == PRIORITY_API
    da_archive = KNOWN_FILES["ercot_dam_spp_hub_lz_hourly_2022_2025.csv"].priority
    assert da_archive > KNOWN_FILES["ercot_da_spp_hourly_hb_hubavg_2024_2025.parquet"].priority


def test_a_missing_reader_is_a_data_error() -> None:
    spec = FileSpec("x.csv", "power", "ercot", "iso_prices", "wattshift.data.nowhere:read_x", 0, "")
    with pytest.raises(DataError, match="no reader"):
        spec.load_reader()
    spec = FileSpec(
        "x.csv", "power", "ercot", "iso_prices", "wattshift.data.ercot:ERCOT_READERS[x.csv]", 0, ""
    )
    with pytest.raises(DataError, match="not available"):
        spec.load_reader()
