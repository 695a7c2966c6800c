"""``wattshift data fetch`` for the markets beyond ERCOT and the ECB rates, and pooch's cache.

Against the loopback server of ``tests/_fetch_server.py`` (never the internet): EIA, PJM, Nord Pool,
Energinet and ECB files arrive byte for byte as the shared copies, with their pinned SHA-256; the
SPP/CAISO trim is rebuilt from EIA's full layout; a second run is served from pooch's cache without
a request; a reshaped download with the wrong hash is refused and its origin dropped from the cache.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from _fetch_server import Handler, check_arrived, fetch_cache, hosts, origin_path, origin_routes, server
from wattshift.data import fetch_transforms as fm
from wattshift.data.fetch import FetchError, fetch_all
from wattshift.data.fetch_manifest import manifest_entry
from wattshift.errors import DataError

__all__ = ["fetch_cache", "server"]  # fixtures, used by name

#: One file of every kind: verbatim EIA (three layouts), trimmed EIA, PJM (quoted path), Nord Pool
#: (hourly and 15-minute years), Energinet, ECB.
MARKET_FILES = [
    "markets/miso/miso_lmp_rt_hr_hubs_2021.csv",
    "markets/nyiso/nyiso_lmp_rt_hr_zones_2024.csv",
    "markets/isone/isone_lmp_rt_hr_hubs_2022.csv",
    "markets/spp/spp_lmp_rt_5min_hubs_2023Q3_LMPonly.csv",
    "markets/caiso/caiso_lmp_rt_15min_zones_2022Q3_LMPonly.csv",
    "markets/pjm/pjm_rto_rt_hrl_lmps_2024.csv",
    "markets/pjm/pjm_dom_zone_rt_hrl_lmps_2018_2022.csv",
    "markets/nordic/SE3/2024.csv",
    "markets/nordic/SE1/2025.csv",
    "markets/nordic/energinet_Elspotprices_SE3_SE4_2023_2024.csv",
    "fx/ecb_eurofxref_hist_1999-01-04_2025-05-09.csv",
]
SPP = "markets/spp/spp_lmp_rt_5min_hubs_2022Q1_LMPonly.csv"
MISO = "markets/miso/miso_lmp_rt_hr_hubs_2021.csv"


def test_fetch_markets_and_fx_byte_for_byte(
    server: tuple[str, type[Handler]], shared_data_dir: Path, tmp_path: Path
) -> None:
    base, handler = server
    handler.routes = origin_routes(shared_data_dir, MARKET_FILES)
    labels: set[str] = set()
    written = fetch_all(
        tmp_path, base_urls=hosts(base), only=MARKET_FILES, progress=lambda f, d, t: labels.add(f)
    )
    check_arrived([manifest_entry(t) for t in MARKET_FILES], written, tmp_path, shared_data_dir)
    assert {"SE3/2024.csv", "SE1/2025.csv", "spp_lmp_rt_5min_hubs_2023Q3_LMPonly.csv"} <= labels
    assert sum(handler.hits.values()) == len(MARKET_FILES)  # one request per file


def test_second_run_is_served_from_the_cache(
    server: tuple[str, type[Handler]], shared_data_dir: Path, tmp_path: Path, fetch_cache: Path
) -> None:
    base, handler = server
    handler.routes = origin_routes(shared_data_dir, [MISO, SPP])
    first = fetch_all(tmp_path / "a", base_urls=hosts(base), only=[MISO, SPP])
    assert sum(handler.hits.values()) == 2
    assert (fetch_cache / MISO).read_bytes() == (shared_data_dir / MISO).read_bytes()  # pooch's copy
    second = fetch_all(tmp_path / "b", base_urls=hosts(base), only=[MISO, SPP])  # a new folder
    again = fetch_all(tmp_path / "a", base_urls=hosts(base), only=[MISO, SPP])  # the same folder
    assert sum(handler.hits.values()) == 2  # no second request
    check_arrived([manifest_entry(MISO), manifest_entry(SPP)], second, tmp_path / "b", shared_data_dir)
    assert again == first


def test_reshaped_download_with_wrong_hash_is_refused_then_fetched_again(
    server: tuple[str, type[Handler]], shared_data_dir: Path, tmp_path: Path, fetch_cache: Path
) -> None:
    base, handler = server
    good = origin_routes(shared_data_dir, [SPP])
    path = origin_path(SPP)
    handler.routes = {path: good[path].replace(b",7.1154,", b",7.1155,", 1)}  # one price changed
    with pytest.raises(FetchError, match="pinned") as info:
        fetch_all(tmp_path, base_urls=hosts(base), only=[SPP])
    assert SPP in str(info.value) and info.value.url.endswith(path)
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []
    assert [p for p in fetch_cache.rglob("*") if p.is_file()] == []  # the unchecked origin is dropped
    handler.routes = good  # the origin is right again: the next run downloads it anew
    written = fetch_all(tmp_path, base_urls=hosts(base), only=[SPP])
    check_arrived([manifest_entry(SPP)], written, tmp_path, shared_data_dir)
    assert handler.hits[path] == 2


def test_eia_lmp_only_keeps_utc_local_start_and_lmp_strings() -> None:
    origin = (
        b"SPP Real-Time Locational Marginal Prices ($/megawatt)\n"
        b"Real-time locational marginal prices for SPP\n"
        b"Source: EIA collected from SPP\n"
        b"UTC Timestamp (Interval Ending),Local Timestamp Central Time (Interval Beginning),"
        b"Local Timestamp Central Time (Interval Ending),Local Date,Hour Number,North Hub LMP,"
        b"South Hub LMP,North Hub (Congestion),South Hub (Congestion),\n"
        b"2022-01-01 06:05:00,2022-01-01 00:00:00,2022-01-01 00:05:00,2022-01-01,1,7.1154,-33.5973,0.0,1.5,\n"
        b"2022-01-01 06:10:00,2022-01-01 00:05:00,2022-01-01 00:10:00,2022-01-01,1,-6.0999,,0.0,,\n"
    )
    assert fm.eia_lmp_only([origin]) == (
        b"UTC Timestamp (Interval Ending),Local Timestamp Central Time (Interval Beginning),"
        b"North Hub LMP,South Hub LMP\n"
        b"2022-01-01 06:05:00,2022-01-01 00:00:00,7.1154,-33.5973\n"
        b"2022-01-01 06:10:00,2022-01-01 00:05:00,-6.0999,\n"
    )
    with pytest.raises(DataError, match="UTC Timestamp"):
        fm.eia_lmp_only([b"a,b\n1,2\n"])


def test_cli_fetches_mirror_only_files_and_reports_a_404_in_one_line(
    server: tuple[str, type[Handler]], shared_data_dir: Path, tmp_path: Path
) -> None:
    from typer.testing import CliRunner

    from wattshift.cli import app

    base, handler = server
    targets = [
        "asics/asic_models.csv",
        "power/ercot_4cp_intervals_2022_2025.csv",
        "markets/nordic/SE4/2026.csv",
    ]
    handler.routes = {f"/d/{t}": (shared_data_dir / t).read_bytes() for t in targets}
    dest = tmp_path / "data"
    fetch = ["data", "fetch", "--to", str(dest), "--mirror", f"{base}/d", "--retries", "0"]
    only = [
        "--only",
        "asic_models.csv",
        "--only",
        "ercot_4cp_intervals_2022_2025.csv",
        "--only",
        "SE4/2026.csv",
    ]
    result = CliRunner().invoke(app, [*fetch, *only], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.stderr
    assert result.stdout.split() == [str(dest / t) for t in targets]
    for target in targets:
        assert (dest / target).read_bytes() == (shared_data_dir / target).read_bytes()
    missing = CliRunner().invoke(app, [*fetch, "--only", "gpu_rental_prices.csv"], env={"COLUMNS": "200"})
    assert missing.exit_code == 5  # network (wattshift.errors.ExitCode)
    assert f"{base}/d/gpu/gpu_rental_prices.csv: HTTP 404 after 1 attempt(s)" in missing.stderr
    assert "Traceback" not in missing.stderr
    unknown = CliRunner().invoke(app, [*fetch, "--only", "2026.csv"], env={"COLUMNS": "200"})
    assert unknown.exit_code == 3 and "names several public data files" in unknown.stderr
