"""End-to-end tests of ``wattshift.data.fetch`` (onchain and ERCOT files) against a loopback server.

The server (``tests/_fetch_server.py``) plays every origin: it serves the shared files at their
origins' URL paths, rebuilt into the origin layout where the shared copy was reshaped (e.g. the
Fear & Greed CSV as the alternative.me JSON). Fetching must then give back the shared files byte
for byte, with their pinned SHA-256. Markets, FX, retries, hashes and the cache:
``tests/test_data_fetch_markets.py``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
from pathlib import Path

import pandas as pd
import pytest

from _fetch_server import (
    Handler,
    check_arrived,
    fetch_cache,
    hosts,
    origin_gridstatus,
    origin_path,
    origin_routes,
    origin_sced_frame,
    server,
)
from wattshift.data import fetch_transforms as fm
from wattshift.data.fetch import MANIFEST, FetchError, fetch_all, verify_file
from wattshift.data.fetch_manifest import manifest_entry
from wattshift.errors import DataError

__all__ = ["fetch_cache", "server"]  # fixtures, used by name


FAST = [
    "coinmetrics_btc_daily_2009-01-03_2026-03-23.csv",
    "coinmetrics_btc_daily_ext_2026-03-23_2026-06-01.csv",
    "coinmetrics_btc_daily_legacy_2009-01-03_2020-07-27.csv",
    "coinmetrics_metrics_legacy_2020.csv",
    "alternative_me_fear_greed_daily_2018-02-01_2026-08-22.csv",
    "ercot_dam_as_mcpc_hourly_2022_2025.csv",
    "ercot_rt_spp_15min_hb_hubavg_2024_2025.parquet",
    "ercot_da_spp_hourly_hb_hubavg_2024_2025.parquet",
]


def test_fetch_onchain_and_small_power_files(
    server: tuple[str, type[Handler]], shared_data_dir: Path, tmp_path: Path
) -> None:
    base, handler = server
    handler.routes = origin_routes(shared_data_dir, FAST)
    calls: list[tuple[str, int, int]] = []
    written = fetch_all(
        tmp_path, base_urls=hosts(base), only=FAST, progress=lambda f, d, t: calls.append((f, d, t))
    )
    check_arrived([manifest_entry(t) for t in FAST], written, tmp_path, shared_data_dir)
    # progress: every download reported from 0 up to its full size
    assert {f for f, _, _ in calls} == set(FAST)
    assert all(any(d == t > 0 for g, d, t in calls if g == f) for f in FAST)
    first: dict[str, int] = {}
    for f, d, _ in calls:
        first.setdefault(f, d)
    assert set(first.values()) == {0}


#: Entries with no public origin: fetched only from a mirror.
MIRROR_ONLY = {
    "asics/asic_models.csv",
    "gpu/gpu_rental_prices.csv",
    "power/ercot_4cp_intervals_2022_2025.csv",
    "power/ercot_native_load_hourly_2023.csv",
    "power/ercot_native_load_hourly_2024.csv",
    "power/ercot_native_load_hourly_2025.csv",
}


@pytest.mark.slow
def test_fetch_all_rebuilds_the_shared_folder(
    server: tuple[str, type[Handler]], shared_data_dir: Path, tmp_path: Path
) -> None:
    base, handler = server
    automatic = [e for e in MANIFEST if e.automatic]
    handler.routes = origin_routes(shared_data_dir, [e.target for e in automatic])
    labels: set[str] = set()
    written = fetch_all(tmp_path, base_urls=hosts(base), progress=lambda f, d, t: labels.add(f))
    check_arrived(automatic, written, tmp_path, shared_data_dir)
    assert {e.target for e in MANIFEST if not e.automatic} == MIRROR_ONLY
    origins = sum(len(e.origins) for e in automatic)
    assert len(labels) == origins - 1  # one progress label per origin; the 2023 parquet is cached
    assert sum(handler.hits.values()) == origins - 1  # one request per origin, the 2023 parquet cached


def test_mirror_fetches_every_file_verbatim(
    server: tuple[str, type[Handler]], shared_data_dir: Path, tmp_path: Path
) -> None:
    base, handler = server
    handler.routes = {f"/mirror/{e.target}": (shared_data_dir / e.target).read_bytes() for e in MANIFEST}
    only = [
        "asic_models.csv",
        "gpu/gpu_rental_prices.csv",
        "power/ercot_4cp_intervals_2022_2025.csv",
        "power/ercot_native_load_hourly_2025.csv",
        "alternative_me_fear_greed_daily_2018-02-01_2026-08-22.csv",
    ]
    written = fetch_all(tmp_path, base_urls={"mirror": f"{base}/mirror/"}, only=only)
    check_arrived([manifest_entry(t) for t in only], written, tmp_path, shared_data_dir)
    sources = json.loads((tmp_path / "SOURCES.json").read_text())
    asics = sources["asics/asic_models.csv"]
    assert asics["urls"] == [f"{base}/mirror/asics/asic_models.csv"]
    assert (
        asics["licence"].startswith("Compiled from vendor")
        and asics["sha256"] == manifest_entry("asic_models.csv").sha256
    )
    assert set(sources) == {manifest_entry(t).target for t in only}


def test_mirror_only_files_are_skipped_without_a_mirror(
    server: tuple[str, type[Handler]], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    base, handler = server
    assert fetch_all(tmp_path, base_urls=hosts(base), only=["asic_models.csv"]) == []
    assert "skipped asics/asic_models.csv: mirror only" in caplog.text
    assert sum(handler.hits.values()) == 0


def test_http_404_is_retried_then_names_the_url(server: tuple[str, type[Handler]], tmp_path: Path) -> None:
    base, handler = server
    handler.routes = {}
    name = "coinmetrics_metrics_legacy_2020.csv"
    with pytest.raises(FetchError, match="HTTP 404 after 2 attempt") as info:
        fetch_all(tmp_path, base_urls=hosts(base), only=[name], retries=1)
    assert info.value.status == 404 and info.value.url == base + origin_path(name)
    assert info.value.url in str(info.value)
    assert handler.hits[origin_path(name)] == 2  # tried, retried, reported
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


def test_transient_failure_is_retried_and_succeeds(
    server: tuple[str, type[Handler]], shared_data_dir: Path, tmp_path: Path
) -> None:
    base, handler = server
    name = "coinmetrics_metrics_legacy_2020.csv"
    handler.routes = {origin_path(name): (shared_data_dir / "onchain" / name).read_bytes()}
    handler.fail_first = {origin_path(name): 1}  # one HTTP 503, then the file
    written = fetch_all(tmp_path, base_urls=hosts(base), only=[name], retries=1)
    check_arrived([manifest_entry(name)], written, tmp_path, shared_data_dir)
    assert handler.hits[origin_path(name)] == 2


def test_truncated_download_is_retried_then_leaves_no_partial_file(
    server: tuple[str, type[Handler]], shared_data_dir: Path, tmp_path: Path
) -> None:
    base, handler = server
    name = "coinmetrics_btc_daily_legacy_2009-01-03_2020-07-27.csv"
    target = tmp_path / "onchain" / name
    target.parent.mkdir(parents=True)
    target.write_bytes(b"previous good copy")
    handler.routes = {origin_path(name): (shared_data_dir / "onchain" / name).read_bytes()}
    handler.truncate = {origin_path(name)}
    with pytest.raises(FetchError, match="download failed after 2 attempt") as info:
        fetch_all(tmp_path, base_urls=hosts(base), only=[name], retries=1)
    assert info.value.url.endswith(origin_path(name))
    assert handler.hits[origin_path(name)] == 2
    assert target.read_bytes() == b"previous good copy"  # the old file is untouched
    assert sorted(p.name for p in target.parent.iterdir()) == [name]


def test_wrong_bytes_are_refused_by_the_pinned_hash(
    server: tuple[str, type[Handler]], tmp_path: Path, fetch_cache: Path
) -> None:
    base, handler = server
    name = "coinmetrics_btc_daily_2009-01-03_2026-03-23.csv"
    handler.routes = {origin_path(name): b"time,PriceUSD\n2024-01-01,42000\n"}
    with pytest.raises(FetchError, match="pinned sha256") as info:
        fetch_all(tmp_path, base_urls=hosts(base), only=[name], retries=1)
    assert f"onchain/{name}" in str(info.value)
    assert handler.hits[origin_path(name)] == 2  # a wrong hash is retried too
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []
    assert [p for p in fetch_cache.rglob("*") if p.is_file()] == []  # pooch keeps nothing


def test_changed_origin_layout_names_the_column(server: tuple[str, type[Handler]], tmp_path: Path) -> None:
    base, handler = server
    name = "ercot_dam_as_mcpc_hourly_2022_2025.csv"
    handler.routes = {origin_path(name): b"timestamp,REGDN\n2022-01-01 01:00:00,6.0\n"}
    with pytest.raises(DataError, match="datetime_col") as info:
        fetch_all(tmp_path, base_urls=hosts(base), only=[name])
    assert name in str(info.value)


def test_manifest_is_complete_described_and_pinned(shared_data_dir: Path) -> None:
    data_files = {
        p.relative_to(shared_data_dir).as_posix()
        for p in shared_data_dir.rglob("*")
        if p.is_file() and p.name != "README.md"
    }
    assert {e.target for e in MANIFEST} == data_files
    assert len(MANIFEST) == len(data_files)  # one entry per file
    for entry in MANIFEST:
        info = entry.describe()
        assert info["licence"] and info["transform"] and info["description"]
        assert info["mirror_only"] is (entry.target in MIRROR_ONLY)
        if info["mirror_only"]:
            assert "mirror only" in str(info["transform"])
        assert all(str(u).startswith("https://raw.githubusercontent.com/") for u in entry.urls()) or (
            entry.urls() == ["https://api.alternative.me/fng/?limit=0&format=json"]
        )
        digest = hashlib.sha256((shared_data_dir / entry.target).read_bytes()).hexdigest()
        assert info["sha256"] == digest, entry.target
    assert manifest_entry("asic_models.csv").urls() == []


def test_verify_file_uses_the_adapters(tmp_path: Path) -> None:
    bad_band = tmp_path / "f.csv"
    bad_band.write_bytes(b"date,timestamp,value,classification\n2018-02-01,1517443200,30.0,Greed\n")
    target = "onchain/alternative_me_fear_greed_daily_2018-02-01_2026-08-22.csv"
    with pytest.raises(DataError, match="classification") as info:
        verify_file(target, bad_band)
    assert info.value.file == target and info.value.line == 2
    junk = tmp_path / "x.parquet"
    junk.write_bytes(b"PAR1 not really")
    with pytest.raises(DataError):
        verify_file("power/ercot_rt_spp_15min_hb_hubavg_2024_2025.parquet", junk)
    ragged = tmp_path / "m.csv"
    ragged.write_bytes(b"id,name\nAdrActCnt,Addresses\nBlkCnt,Blocks,x,y\n")
    with pytest.raises(DataError, match="malformed"):
        verify_file("onchain/coinmetrics_metrics_legacy_2020.csv", ragged)


def test_default_origins_and_unknown_host(tmp_path: Path) -> None:
    entry = manifest_entry("coinmetrics_metrics_legacy_2020.csv")
    assert entry.urls() == ["https://raw.githubusercontent.com/SciEcon/data/dd6e7d6f/csv/metrics.csv"]
    dom = manifest_entry("pjm_dom_zone_rt_hrl_lmps_2018_2022.csv").urls()[0]
    assert dom.endswith("/PJM_data/Processed%20data/pjm_dom_rt_lmp_hrl_merged.csv")  # quoted path
    with pytest.raises(ValueError, match="unknown host"):
        fetch_all(tmp_path, base_urls={"githb": "http://x"})


# ---------------------------------------------------------------- transforms on slices of the real files


@pytest.mark.parametrize("day", ["2023-03-12", "2023-11-05"])  # DST: 23 h and 25 h days
def test_gridstatus_hubs_wide_dst_days(shared_data_dir: Path, day: str) -> None:
    lines = (
        (shared_data_dir / "power" / "ercot_rtm_spp_15min_hubs_2023.csv")
        .read_text()
        .splitlines(keepends=True)
    )
    body = [ln for ln in lines[1:] if ln.split(",")[1].startswith(day)]
    assert len(body) == (92 if day.endswith("12") else 100)
    wide = pd.read_csv(io.StringIO(lines[0] + "".join(body)))
    got = fm.gridstatus_hubs_wide([origin_gridstatus(wide, None)])
    assert got == (lines[0] + "".join(body)).encode()


def test_gridstatus_lz_pairs_slice(shared_data_dir: Path) -> None:
    lz = pd.read_parquet(shared_data_dir / "power" / "ercot_rtm_spp_15min_lz_pairs_2023.parquet").iloc[
        : 8 * 200
    ]
    hubs = pd.read_csv(shared_data_dir / "power" / "ercot_rtm_spp_15min_hubs_2023.csv", nrows=200)
    got = pd.read_parquet(io.BytesIO(fm.gridstatus_lz_pairs([origin_gridstatus(hubs, lz)])))
    pd.testing.assert_frame_equal(got, lz.reset_index(drop=True), check_dtype=False)
    assert (got["spp_lo_usd_mwh"] <= got["spp_hi_usd_mwh"]).all()


def test_merge_sced_slice(shared_data_dir: Path) -> None:
    frame = pd.read_parquet(shared_data_dir / "power" / "ercot_rt_sced_lmp_5min_hubs_2024_2025.parquet")
    part = frame.groupby("settlement_point", observed=True).head(300).reset_index(drop=True)
    got = pd.read_parquet(io.BytesIO(fm.merge_sced_lmp(list(origin_sced_frame(part).values()))))
    pd.testing.assert_frame_equal(got, part, check_dtype=False, check_categorical=False)
    assert got["sced_timestamp_cpt"].dtype == "datetime64[us]"


def test_np6_905_months_slice() -> None:
    head = "Delivery Date,Delivery Hour,Delivery Interval,Repeated Hour Flag,Settlement Point Name,"
    head += "Settlement Point Type,Settlement Point Price\n"
    june = head + "06/30/2024,24,4,N,HB_NORTH,HU,22.5\n06/30/2024,24,4,N,HB_HOUSTON,HU,22.50\n"
    july = head + "07/01/2024,1,1,N,HB_NORTH,HU,-1.0\n07/01/2024,1,1,N,HB_HOUSTON,HU,3\n"
    got = fm.concat_np6_905_months([june.encode(), july.encode()]).decode().splitlines()
    assert got == [
        "interval_ending_cpt,delivery_date,delivery_hour,delivery_interval,repeated_hour_flag,"
        "settlement_point,spp_usd_mwh",
        "2024-07-01 00:00:00,06/30/2024,24,4,N,HB_HOUSTON,22.50",
        "2024-07-01 00:15:00,07/01/2024,1,1,N,HB_HOUSTON,3",
        "2024-07-01 00:00:00,06/30/2024,24,4,N,HB_NORTH,22.5",
        "2024-07-01 00:15:00,07/01/2024,1,1,N,HB_NORTH,-1.0",
    ]
    with pytest.raises(DataError, match="bad delivery") as info:
        fm.concat_np6_905_months([(head + "06/31/2024,1,1,N,HB_NORTH,HU,1\n").encode()])
    assert info.value.line == 2


def test_rename_2dp_and_select_csv() -> None:
    got = fm.rename_first_column_2dp(
        [b"datetime_col,A,B\n2022-01-01 01:00:00,6.0,\n2022-01-01 02:00:00,-0.285,33.2\n"],
        old="datetime_col",
        new="hour_ending_cpt",
    )
    assert got == b"hour_ending_cpt,A,B\n2022-01-01 01:00:00,6.00,\n2022-01-01 02:00:00,-0.28,33.20\n"
    sel = fm.select_csv(
        [b"time,x,y\n2026-03-22,1,2\n2026-03-23,3,4.50\n2026-06-02,5,6\n"],
        columns=["time", "y"],
        date_column="time",
        first_day=dt.date(2026, 3, 23),
        last_day=dt.date(2026, 6, 1),
    )
    assert sel == b"time,y\r\n2026-03-23,4.50\r\n"
    with pytest.raises(DataError, match="lacks column 'y'"):
        fm.select_csv(
            [b"time,x\n2026-03-23,1\n"],
            columns=["time", "y"],
            date_column="time",
            first_day=dt.date(2026, 3, 23),
            last_day=dt.date(2026, 6, 1),
        )
