"""The warehouse on the real shared data: counts, spans, merge rules, queries, idempotence, order."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from wattshift.data.registry import known_files, registry_key, spec_for
from wattshift.data.schema import ASIC_COLUMNS, BTC_DAILY_COLUMNS, FEAR_GREED_COLUMNS, ISO_PRICE_COLUMNS
from wattshift.errors import NotInWarehouseError
from wattshift.warehouse import Warehouse

CM_LEGACY = "coinmetrics_btc_daily_legacy_2009-01-03_2020-07-27.csv"
CM_CURRENT = "coinmetrics_btc_daily_2009-01-03_2026-03-23.csv"
CM_EXT = "coinmetrics_btc_daily_ext_2026-03-23_2026-06-01.csv"
RT_2024 = "ercot_rtm_spp_15min_hubs_2024.csv"
RT_MONTHS = "ercot_rtm_spp_15min_hubs_2024_2025_selected_months.csv"
RT_API = "ercot_rt_spp_15min_hb_hubavg_2024_2025.parquet"


@pytest.fixture
def wh(warehouse: Warehouse) -> Warehouse:
    """The session warehouse of tests/conftest.py (all shared data, read-only)."""
    return warehouse


def _csv_cell(path: Path, day: str, column: str) -> float:
    """One cell of a CSV read with the standard library (independent of the adapters)."""
    with path.open(newline="") as handle:
        for row in csv.DictReader(handle):
            if row["time"].startswith(day):
                return float(row[column])
    raise KeyError(day)


def _data_rows(path: Path) -> int:
    with path.open() as handle:
        return sum(1 for _ in handle) - 1


# -- counts and spans --------------------------------------------------------------------------


def test_btc_daily_has_one_row_per_day(wh: Warehouse) -> None:
    frame = wh.btc_daily()
    assert list(frame.columns) == list(BTC_DAILY_COLUMNS)
    expected = pd.date_range("2009-01-03", "2026-06-01", freq="D")
    assert len(frame) == (dt.date(2026, 6, 1) - dt.date(2009, 1, 3)).days + 1 == 6359
    assert (frame["date"].to_numpy() == expected.to_numpy()).all()
    assert frame["date"].dtype == "datetime64[ns]"
    assert all(frame[c].dtype == np.float64 for c in BTC_DAILY_COLUMNS[1:])


def test_row_counts_match_the_files(wh: Warehouse, shared_data_dir: Path) -> None:
    onchain = shared_data_dir / "onchain"
    fear = wh.fear_greed()
    assert list(fear.columns) == list(FEAR_GREED_COLUMNS)
    assert (
        len(fear) == _data_rows(onchain / "alternative_me_fear_greed_daily_2018-02-01_2026-08-22.csv") == 3121
    )
    assert (fear["date"].iloc[0], fear["date"].iloc[-1]) == (
        pd.Timestamp("2018-02-01"),
        pd.Timestamp("2026-08-22"),
    )
    asics = wh.asic_models()
    assert list(asics.columns) == list(ASIC_COLUMNS)
    assert len(asics) == 50
    assert asics["efficiency_j_per_th"].is_monotonic_increasing
    assert len(wh.gpu_prices()) == _data_rows(shared_data_dir / "gpu" / "gpu_rental_prices.csv") == 684


def test_price_series_counts(wh: Warehouse, shared_data_dir: Path) -> None:
    nodes = wh.price_nodes().set_index(["node", "market"])
    # real-time hub SPP: three complete yearly archives of 15-min intervals (2024 is a leap year)
    for hub in ("HB_BUSAVG", "HB_HOUSTON", "HB_HUBAVG", "HB_NORTH", "HB_PAN", "HB_SOUTH", "HB_WEST"):
        assert nodes.loc[(hub, "rt"), "rows"] == (365 + 366 + 365) * 96
        assert nodes.loc[(hub, "rt"), "interval_minutes"] == 15
    # day-ahead: one row per line of the DAM file for every hub and zone
    dam_rows = _data_rows(shared_data_dir / "power" / "ercot_dam_spp_hub_lz_hourly_2022_2025.csv")
    assert dam_rows == 29588
    assert nodes.loc[("HB_WEST", "da"), "rows"] == dam_rows
    assert nodes.loc[("LZ_WEST", "da"), "rows"] == dam_rows
    # HB_HUBAVG day-ahead continues past the DAM file (2025-05-18) with the gridstatus.io series
    assert nodes["rows"].loc[("HB_HUBAVG", "da")] > dam_rows
    assert nodes.loc[("HB_HUBAVG", "da"), "last"] == pd.Timestamp("2025-11-30 23:00", tz="UTC")
    # ancillary services: REGUP has a price every hour of the file; ECRS starts 2023-06-10
    assert nodes.loc[("REGUP", "da_as"), "rows"] == 28751
    assert nodes.loc[("ECRS", "da_as"), "first"] == pd.Timestamp("2023-06-10 05:00", tz="UTC")


def test_status_lists_every_file(wh: Warehouse, shared_data_dir: Path) -> None:
    status = wh.status()
    assert set(status["source"]) - {"(merged)"} == {registry_key(p) for p in known_files(shared_data_dir)}
    merged = status[status["source"] == "(merged)"].iloc[0]
    assert merged["rows"] == 6359
    # the raw monthly file and the API series are fully covered by the yearly archives
    assert status.set_index("source").loc[RT_MONTHS, "rows"] == 0
    assert status.set_index("source").loc[RT_API, "rows"] == 0
    assert status["last_ingest"].notna().sum() == len(known_files(shared_data_dir))


# -- Coin Metrics merge ------------------------------------------------------------------------


def test_extension_wins_on_the_overlap_day(wh: Warehouse) -> None:
    day = wh.btc_daily("2026-03-23", "2026-03-23").iloc[0]
    # values of the extension's first line (2026-03-23)
    assert day["price_usd"] == 70726.2110461718
    assert day["hashrate_ehs"] == pytest.approx(1064142947.2966102 / 1e6, rel=1e-15)
    assert day["tx_count"] == 530619.0


def test_realized_cap_matches_the_legacy_file(wh: Warehouse, shared_data_dir: Path) -> None:
    legacy = _csv_cell(shared_data_dir / "onchain" / CM_LEGACY, "2015-01-01", "CapRealUSD")
    day = wh.btc_daily(dt.date(2015, 1, 1), dt.date(2015, 1, 1)).iloc[0]
    # the current file (newer vintage) supplies market cap / MVRV; signals.md: rel. error < 1.05e-8
    assert day["realized_cap_usd"] == pytest.approx(legacy, rel=2e-8)


def test_legacy_fills_what_newer_files_lack(wh: Warehouse, shared_data_dir: Path) -> None:
    # the extension has no supply; the days it alone covers stay missing, the overlap day keeps
    # the current file's supply (a missing cell in a newer file never erases an older value)
    frame = wh.btc_daily("2026-03-22", "2026-03-25").set_index("date")
    current = _csv_cell(shared_data_dir / "onchain" / CM_CURRENT, "2026-03-22", "SplyCur")
    assert frame.loc["2026-03-22", "supply_btc"] == current
    assert np.isnan(frame["supply_btc"].loc["2026-03-24"])


# -- ERCOT priority ----------------------------------------------------------------------------


def test_yearly_archive_beats_the_api_series(wh: Warehouse, shared_data_dir: Path) -> None:
    power = shared_data_dir / "power"
    archive = pd.read_csv(power / RT_2024, usecols=["interval_start_utc", "HB_HUBAVG"])
    archive.index = pd.to_datetime(archive.pop("interval_start_utc"), utc=True)
    api = pq.read_table(power / RT_API).to_pandas()
    api_prices = pd.Series(
        api["price_usd_per_mwh"].to_numpy(), index=pd.to_datetime(api["interval_start_utc"], utc=True)
    )
    both = archive["HB_HUBAVG"].to_frame("archive").join(api_prices.rename("api"), how="inner")
    differ = both[(both["archive"] - both["api"]).abs() > 0.01]
    assert len(differ) > 50  # README: 237 corrected intervals over 2024-2025
    stored = wh.iso_prices("HB_HUBAVG", "rt", "2024-01-01", "2025-01-01").set_index("interval_start_utc")
    assert len(stored) == 366 * 96
    np.testing.assert_array_equal(
        stored.loc[differ.index, "price_usd_per_mwh"].to_numpy(), differ["archive"].to_numpy()
    )


def test_august_2023_heat_wave_peak(wh: Warehouse) -> None:
    aug = wh.iso_prices("HB_WEST", "rt", "2023-08-01", "2023-09-01")
    assert list(aug.columns) == list(ISO_PRICE_COLUMNS)
    assert len(aug) == 31 * 96
    peak = aug.iloc[int(aug["price_usd_per_mwh"].to_numpy().argmax())]
    assert peak["price_usd_per_mwh"] == 5236.81  # README: 2023-08-17 19:30 CDT
    assert peak["interval_start_utc"] == pd.Timestamp("2023-08-18 00:30", tz="UTC")


# -- queries -----------------------------------------------------------------------------------


def test_iso_prices_is_half_open_sorted_and_utc(wh: Warehouse) -> None:
    day = wh.iso_prices("HB_NORTH", "rt", dt.date(2024, 7, 1), dt.date(2024, 7, 2))
    assert len(day) == 96
    assert str(day["interval_start_utc"].dt.tz) == "UTC"
    assert day["interval_start_utc"].is_monotonic_increasing
    assert day["interval_start_utc"].iloc[0] == pd.Timestamp("2024-07-01", tz="UTC")
    assert day["interval_start_utc"].iloc[-1] == pd.Timestamp("2024-07-01 23:45", tz="UTC")
    later = wh.iso_prices(
        "HB_NORTH", "rt", pd.Timestamp("2024-07-01 18:00", tz="America/Chicago"), "2024-07-02"
    )
    assert later["interval_start_utc"].iloc[0] == pd.Timestamp("2024-07-01 23:00", tz="UTC")
    assert len(later) == 4


def test_missing_span_names_what_is_there(wh: Warehouse) -> None:
    with pytest.raises(NotInWarehouseError, match=r"2023-01-01T06:00:00Z to 2026-01-01T05:45:00Z"):
        wh.iso_prices("HB_WEST", "rt", "2019-01-01", "2019-02-01")
    with pytest.raises(NotInWarehouseError, match=r"not in the warehouse.*HB_WEST/rt"):
        wh.iso_prices("HB_NOWHERE", "rt", "2024-01-01", "2024-01-02")


def test_read_only_warehouse_refuses_ingest(wh: Warehouse, shared_data_dir: Path) -> None:
    from wattshift.errors import WattshiftError

    with pytest.raises(WattshiftError, match="read-only"):
        wh.ingest_file(shared_data_dir / "asics" / "asic_models.csv")


# -- idempotence and order (on the overlapping files) ------------------------------------------


@pytest.fixture(scope="module")
def overlapping_frames(shared_data_dir: Path) -> dict[str, pd.DataFrame]:
    names = [CM_LEGACY, CM_CURRENT, CM_EXT, RT_2024, RT_MONTHS, RT_API]
    paths = {p.name: p for p in known_files(shared_data_dir)}
    return {name: spec_for(name).read(paths[name]) for name in names}


def _build(frames: dict[str, pd.DataFrame], order: list[str]) -> Warehouse:
    wh = Warehouse(":memory:")
    for name in order:
        wh.ingest_frame(spec_for(name).kind, frames[name], source_name=name)
    return wh


def test_ingest_order_does_not_matter(overlapping_frames: dict[str, pd.DataFrame]) -> None:
    names = list(overlapping_frames)
    with _build(overlapping_frames, names) as forward, _build(overlapping_frames, names[::-1]) as backward:
        assert forward.fingerprint() == backward.fingerprint()
        pd.testing.assert_frame_equal(forward.btc_daily(), backward.btc_daily())
        # re-merging every file again (not skipped: frames carry no hash) changes nothing
        before = forward.fingerprint()
        for name in names:
            forward.ingest_frame(spec_for(name).kind, overlapping_frames[name], source_name=name)
        assert forward.fingerprint() == before


def test_reingesting_an_unchanged_file_is_skipped(shared_data_dir: Path, tmp_path: Path) -> None:
    asics = shared_data_dir / "asics" / "asic_models.csv"
    fear = shared_data_dir / "onchain" / "alternative_me_fear_greed_daily_2018-02-01_2026-08-22.csv"
    with Warehouse(tmp_path / "w.duckdb") as wh:
        first = wh.ingest_files([asics, fear])
        before = wh.fingerprint(stored=True)
        second = wh.ingest_files([asics, fear])
        assert [r.status for r in first] == ["ok", "ok"]
        assert [r.status for r in second] == ["unchanged", "unchanged"]
        assert wh.fingerprint(stored=True) == before
        log = wh.ingest_log()
        assert list(log["status"]) == ["ok", "ok", "unchanged", "unchanged"]
        assert log["file_sha256"].str.len().eq(64).all()
