"""End-to-end tests of ``wattshift.data.fetch`` against a local HTTP server (never the internet).

The server plays every origin: it serves the shared files at their origins' URL paths, rebuilt
into the origin layout where the shared copy was reshaped (e.g. the Fear & Greed CSV as the
alternative.me JSON). Fetching must then give back the shared files: byte for byte for CSVs,
equal frames for parquet.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar
from urllib.parse import urlsplit

import httpx
import pandas as pd
import pytest

from wattshift.data import fetch_transforms as fm
from wattshift.data.fetch import MANIFEST, FetchError, fetch_all, verify_file
from wattshift.data.fetch_manifest import DEFAULT_HOSTS, ManifestEntry, manifest_entry
from wattshift.data.fetch_transforms import verbatim
from wattshift.data.registry import spec_for
from wattshift.errors import DataError


class _Handler(BaseHTTPRequestHandler):
    routes: ClassVar[dict[str, bytes]] = {}
    truncate: ClassVar[set[str]] = set()

    def do_GET(self) -> None:
        body = self.routes.get(self.path)
        if body is None:
            self.send_error(404, "Not Found")
            return
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.path in self.truncate:
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # silence the test output
        pass


@pytest.fixture
def server() -> Iterator[tuple[str, type[_Handler]]]:
    handler = type("Handler", (_Handler,), {"routes": {}, "truncate": set()})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", handler
    finally:
        httpd.shutdown()
        httpd.server_close()


def _path(target: str, i: int = 0) -> str:
    return urlsplit(manifest_entry(target).urls()[i]).path + (
        "?" + urlsplit(manifest_entry(target).urls()[i]).query
        if urlsplit(manifest_entry(target).urls()[i]).query
        else ""
    )


def _csv_bytes(rows: list[list[str]], lineterminator: str = "\n") -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator=lineterminator).writerows(rows)
    return out.getvalue().encode()


def _parquet(frame: pd.DataFrame) -> bytes:
    buf = io.BytesIO()
    frame.to_parquet(buf, index=False)
    return buf.getvalue()


def _origin_cm_ext(shared: Path) -> bytes:
    rows = list(
        csv.reader(
            io.StringIO(
                (
                    shared
                    / "onchain"
                    / manifest_entry("coinmetrics_btc_daily_ext_2026-03-23_2026-06-01.csv").name
                ).read_text()
            )
        )
    )
    head = rows[0]
    order = [
        "time",
        "asset",
        "PriceUSD",
        "CapMrktCurUSD",
        "TxCnt",
        "AdrActCnt",
        "CapMVRVCur",
        "HashRate",
        "FlowInExUSD",
        "FlowOutExUSD",
        "IssTotUSD",
        "FeeTotNtv",
        "FearGreedValue",
    ]

    def row(r: list[str]) -> list[str]:
        cell = dict(zip(head, r, strict=True)) | {"asset": "btc", "FearGreedValue": "12.0"}
        return [cell[c] for c in order]

    early = ["2026-03-22", *rows[1][1:]]  # a day before the span: must be dropped
    return _csv_bytes([order, row(early), *(row(r) for r in rows[1:])])


def _origin_fng(shared: Path) -> bytes:
    frame = pd.read_csv(shared / "onchain" / "alternative_me_fear_greed_daily_2018-02-01_2026-08-22.csv")
    data = [
        {"value": str(int(v)), "value_classification": c, "timestamp": str(t)}
        for t, v, c in zip(frame["timestamp"], frame["value"], frame["classification"], strict=True)
    ]
    data.append({"value": "50", "value_classification": "Neutral", "timestamp": str(1787356800 + 86400)})
    return json.dumps(
        {"name": "Fear and Greed Index", "data": data[::-1], "metadata": {"error": None}}
    ).encode()


def _origin_kush(shared_file: Path) -> bytes:
    rows = list(csv.reader(io.StringIO(shared_file.read_text())))
    out = [["datetime_col", *rows[0][1:]]]
    out += [[r[0], *(repr(float(x)) if x else "" for x in r[1:])] for r in rows[1:]]
    return _csv_bytes(out)


def _origin_meltvar(shared_file: Path) -> dict[str, bytes]:
    rows = list(csv.reader(io.StringIO(shared_file.read_text())))[1:]
    names = {"06": "June", "07": "July", "08": "August", "12": "December", "01": "January", "02": "February"}
    months: dict[str, list[list[str]]] = {}
    for r in rows:
        mm, _, yyyy = r[1].split("/")
        months.setdefault(f"{names[mm]}_{yyyy}", []).append([r[1], r[2], r[3], r[4], r[5], "HU", r[6]])
    for body in months.values():  # ERCOT's order: by day, hour, hub, then interval
        body.sort(key=lambda r: (r[0][6:] + r[0][:5], int(r[1]), r[4], int(r[2])))
    head = [
        "Delivery Date",
        "Delivery Hour",
        "Delivery Interval",
        "Repeated Hour Flag",
        "Settlement Point Name",
        "Settlement Point Type",
        "Settlement Point Price",
    ]
    return {m: _csv_bytes([head, *body]) for m, body in months.items()}


def _origin_sced_frame(frame: pd.DataFrame) -> dict[str, bytes]:
    """One ERCOT-API-shaped parquet per hub (np6-788-cd field names)."""
    out = {}
    for hub, part in frame.groupby("settlement_point", observed=True, sort=False):
        out[str(hub)] = _parquet(
            pd.DataFrame(
                {
                    "SCEDTimestamp": part["sced_timestamp_cpt"].to_numpy(),
                    "repeatHourFlag": part["repeat_hour_flag"].to_numpy(),
                    "settlementPoint": part["settlement_point"].astype(str).to_numpy(),
                    "LMP": part["lmp_usd_mwh"].to_numpy(),
                }
            )
        )
    return out


def _origin_sced(shared_file: Path) -> dict[str, bytes]:
    return _origin_sced_frame(pd.read_parquet(shared_file))


def _origin_gridstatus(hubs_csv: Path | pd.DataFrame, lz_pairs: Path | pd.DataFrame | None) -> bytes:
    """The gridstatus ``get_rtm_spp`` frame (long, tz-aware Central) behind the shared files."""
    wide = pd.read_csv(hubs_csv) if isinstance(hubs_csv, Path) else hubs_csv
    start = pd.to_datetime(wide["interval_start_utc"], utc=True).dt.tz_convert("America/Chicago")
    long = (
        wide.drop(columns=["interval_start_utc", "interval_start_cpt"])
        .assign(start=start)
        .melt(id_vars="start", var_name="Location", value_name="SPP")
    )
    long["Location Type"] = "Trading Hub"
    parts = [long]
    if lz_pairs is not None:
        lz = pd.read_parquet(lz_pairs) if isinstance(lz_pairs, Path) else lz_pairs
        lz_start = lz["interval_start_utc"].dt.tz_convert("America/Chicago")
        for column in ("spp_hi_usd_mwh", "spp_lo_usd_mwh"):  # hi first: order must not matter
            parts.append(
                pd.DataFrame(
                    {
                        "start": lz_start,
                        "Location": lz["settlement_point"],
                        "SPP": lz[column],
                        "Location Type": "Load Zone",
                    }
                )
            )
    frame = pd.concat(parts, ignore_index=True)
    frame = frame.rename(columns={"start": "Interval Start"})
    frame.insert(0, "Time", frame["Interval Start"])
    frame["Interval End"] = frame["Interval Start"] + pd.Timedelta(minutes=15)
    frame["Market"] = "REAL_TIME_15_MIN"
    return _parquet(frame)


def _origin_routes(shared: Path, targets: list[str]) -> dict[str, bytes]:
    """URL path (with query) → bytes in each origin's layout, rebuilt from the shared files."""
    on, pw = shared / "onchain", shared / "power"
    routes: dict[str, bytes] = {}
    for target in targets:
        name = manifest_entry(target).name
        if name in (
            "coinmetrics_btc_daily_2009-01-03_2026-03-23.csv",
            "coinmetrics_btc_daily_legacy_2009-01-03_2020-07-27.csv",
            "coinmetrics_metrics_legacy_2020.csv",
        ):
            routes[_path(name)] = (on / name).read_bytes()
        elif name.startswith("coinmetrics_btc_daily_ext"):
            routes[_path(name)] = _origin_cm_ext(shared)
        elif name.startswith("alternative_me"):
            routes[_path(name)] = _origin_fng(shared)
        elif name.startswith("ercot_dam_"):
            routes[_path(name)] = _origin_kush(pw / name)
        elif name.endswith("_selected_months.csv"):
            for i, body in enumerate(_origin_meltvar(pw / name).values()):
                routes[_path(name, i)] = body  # months come out in file order == manifest order
        elif name.startswith("ercot_rt_sced"):
            for i, body in enumerate(_origin_sced(pw / name).values()):
                routes[_path(name, i)] = body
        elif "hb_hubavg" in name:
            routes[_path(name)] = (pw / name).read_bytes()
        elif name.startswith("ercot_rtm_spp_15min_hubs_20"):
            year = int(name[-8:-4])
            lz = pw / "ercot_rtm_spp_15min_lz_pairs_2023.parquet" if year == 2023 else None
            routes[_path(name)] = _origin_gridstatus(pw / name, lz)
        elif name.startswith("ercot_rtm_spp_15min_lz_pairs"):
            routes[_path(name)] = _origin_gridstatus(pw / "ercot_rtm_spp_15min_hubs_2023.csv", pw / name)
    return routes


def _check_arrived(entries: list[ManifestEntry], written: list[Path], dest: Path, shared: Path) -> None:
    assert [p.relative_to(dest).as_posix() for p in written] == [e.target for e in entries]
    for entry in entries:
        got, want = dest / entry.target, shared / entry.target
        if entry.target.endswith(".csv") or entry.transform is verbatim:
            assert got.read_bytes() == want.read_bytes(), entry.target
        else:
            pd.testing.assert_frame_equal(pd.read_parquet(got), pd.read_parquet(want), check_dtype=False)
    assert not list(dest.rglob("*.part"))


def _hosts(base: str) -> dict[str, str]:
    return {key: base for key in DEFAULT_HOSTS}


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
    server: tuple[str, type[_Handler]], shared_data_dir: Path, tmp_path: Path
) -> None:
    base, handler = server
    handler.routes = _origin_routes(shared_data_dir, FAST)
    calls: list[tuple[str, int, int]] = []
    written = fetch_all(
        tmp_path, base_urls=_hosts(base), only=FAST, progress=lambda f, d, t: calls.append((f, d, t))
    )
    _check_arrived([manifest_entry(t) for t in FAST], written, tmp_path, shared_data_dir)
    # progress: every download reported from 0 up to its full size
    assert {f for f, _, _ in calls} == set(FAST)
    assert all(any(d == t > 0 for g, d, t in calls if g == f) for f in FAST)
    first: dict[str, int] = {}
    for f, d, _ in calls:
        first.setdefault(f, d)
    assert set(first.values()) == {0}


@pytest.mark.slow
def test_fetch_all_rebuilds_the_shared_folder(
    server: tuple[str, type[_Handler]], shared_data_dir: Path, tmp_path: Path
) -> None:
    base, handler = server
    automatic = [e for e in MANIFEST if e.automatic]
    handler.routes = _origin_routes(shared_data_dir, [e.target for e in automatic])
    labels: set[str] = set()
    written = fetch_all(tmp_path, base_urls=_hosts(base), progress=lambda f, d, t: labels.add(f))
    _check_arrived(automatic, written, tmp_path, shared_data_dir)
    assert {e.target for e in MANIFEST if not e.automatic} == {
        "asics/asic_models.csv",
        "gpu/gpu_rental_prices.csv",
    }
    assert len(labels) == sum(len(e.origins) for e in automatic) - 1  # the 2023 parquet is fetched once


def test_mirror_fetches_every_file_verbatim(
    server: tuple[str, type[_Handler]], shared_data_dir: Path, tmp_path: Path
) -> None:
    base, handler = server
    handler.routes = {f"/mirror/{e.target}": (shared_data_dir / e.target).read_bytes() for e in MANIFEST}
    only = [
        "asic_models.csv",
        "gpu/gpu_rental_prices.csv",
        "alternative_me_fear_greed_daily_2018-02-01_2026-08-22.csv",
    ]
    written = fetch_all(tmp_path, base_urls={"mirror": f"{base}/mirror/"}, only=only)
    assert len(written) == 3
    for path in written:
        assert path.read_bytes() == (shared_data_dir / path.relative_to(tmp_path)).read_bytes()


def test_http_404_names_url_and_leaves_nothing(server: tuple[str, type[_Handler]], tmp_path: Path) -> None:
    base, handler = server
    handler.routes = {}
    name = "coinmetrics_metrics_legacy_2020.csv"
    with pytest.raises(FetchError, match="HTTP 404") as info:
        fetch_all(tmp_path, base_urls=_hosts(base), only=[name])
    assert info.value.status == 404 and info.value.url == base + _path(name)
    assert info.value.url in str(info.value)
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


def test_truncated_download_leaves_no_partial_file(
    server: tuple[str, type[_Handler]], shared_data_dir: Path, tmp_path: Path
) -> None:
    base, handler = server
    name = "coinmetrics_btc_daily_legacy_2009-01-03_2020-07-27.csv"
    target = tmp_path / "onchain" / name
    target.parent.mkdir(parents=True)
    target.write_bytes(b"previous good copy")
    handler.routes = {_path(name): (shared_data_dir / "onchain" / name).read_bytes()}
    handler.truncate = {_path(name)}
    with pytest.raises(FetchError, match="download") as info:
        fetch_all(tmp_path, base_urls=_hosts(base), only=[name])
    assert info.value.url.endswith(_path(name))
    assert target.read_bytes() == b"previous good copy"  # the old file is untouched
    assert sorted(p.name for p in target.parent.iterdir()) == [name]


def test_unparseable_download_is_rejected(server: tuple[str, type[_Handler]], tmp_path: Path) -> None:
    base, handler = server
    name = "coinmetrics_btc_daily_2009-01-03_2026-03-23.csv"
    handler.routes = {_path(name): b"time,PriceUSD\n2024-01-01,42000\n"}
    with pytest.raises(DataError) as info:
        fetch_all(tmp_path, base_urls=_hosts(base), only=[name])
    assert info.value.line == 1 and name in str(info.value)
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


def test_changed_origin_layout_names_the_column(server: tuple[str, type[_Handler]], tmp_path: Path) -> None:
    base, handler = server
    name = "ercot_dam_as_mcpc_hourly_2022_2025.csv"
    handler.routes = {_path(name): b"timestamp,REGDN\n2022-01-01 01:00:00,6.0\n"}
    with pytest.raises(DataError, match="datetime_col") as info:
        fetch_all(tmp_path, base_urls=_hosts(base), only=[name])
    assert name in str(info.value)


def test_manifest_is_complete_and_described(shared_data_dir: Path) -> None:
    data_files = {
        p.relative_to(shared_data_dir).as_posix()
        for p in shared_data_dir.rglob("*")
        if p.is_file() and p.name != "README.md"
    }
    # markets/, fx/, ERCOT load and 4CP have readers but no pinned download yet (issue 15, item 5).
    no_origin_yet = {"eia_market", "pjm", "nordic", "fx", "ercot_load", "ercot_4cp"}
    awaiting = {
        t
        for t in data_files
        if t != "onchain/coinmetrics_metrics_legacy_2020.csv" and spec_for(t).kind in no_origin_yet
    }
    assert awaiting and all(not spec_for(t).pending for t in awaiting)
    assert {e.target for e in MANIFEST} == data_files - awaiting
    for entry in MANIFEST:
        info = entry.describe()
        assert info["licence"] and info["transform"] and info["description"]
        assert all(str(u).startswith("https://") for u in entry.urls())
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


def test_client_is_used_and_unknown_host_rejected(tmp_path: Path) -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return httpx.Response(503)

    with (
        httpx.Client(transport=httpx.MockTransport(handler)) as client,
        pytest.raises(FetchError, match="503"),
    ):
        fetch_all(tmp_path, client=client, only=["coinmetrics_metrics_legacy_2020.csv"])
    assert seen == ["https://raw.githubusercontent.com/SciEcon/data/dd6e7d6f/csv/metrics.csv"]
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
    got = fm.gridstatus_hubs_wide([_origin_gridstatus(wide, None)])
    assert got == (lines[0] + "".join(body)).encode()


def test_gridstatus_lz_pairs_slice(shared_data_dir: Path) -> None:
    lz = pd.read_parquet(shared_data_dir / "power" / "ercot_rtm_spp_15min_lz_pairs_2023.parquet").iloc[
        : 8 * 200
    ]
    hubs = pd.read_csv(shared_data_dir / "power" / "ercot_rtm_spp_15min_hubs_2023.csv", nrows=200)
    got = pd.read_parquet(io.BytesIO(fm.gridstatus_lz_pairs([_origin_gridstatus(hubs, lz)])))
    pd.testing.assert_frame_equal(got, lz.reset_index(drop=True), check_dtype=False)
    assert (got["spp_lo_usd_mwh"] <= got["spp_hi_usd_mwh"]).all()


def test_merge_sced_slice(shared_data_dir: Path) -> None:
    frame = pd.read_parquet(shared_data_dir / "power" / "ercot_rt_sced_lmp_5min_hubs_2024_2025.parquet")
    part = frame.groupby("settlement_point", observed=True).head(300).reset_index(drop=True)
    got = pd.read_parquet(io.BytesIO(fm.merge_sced_lmp(list(_origin_sced_frame(part).values()))))
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
