"""A loopback HTTP server that plays the public origins of ``wattshift data fetch``, for its tests.

It serves the shared files at their origins' URL paths, rebuilt into the origin layout where the
shared copy was reshaped (e.g. the Fear & Greed CSV as the alternative.me JSON, an SPP ``_LMPonly``
file as EIA's full file). Never the internet: 127.0.0.1 only, one request per handler call.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import threading
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar
from urllib.parse import urlsplit

import pandas as pd
import pytest

from wattshift.data.fetch_manifest import DEFAULT_HOSTS, ManifestEntry, manifest_entry
from wattshift.data.fetch_transforms import verbatim


class Handler(BaseHTTPRequestHandler):
    """Serves ``routes`` (URL path with query → bytes); counts requests per path in ``hits``.

    ``fail_first[path] = n``: the first ``n`` requests of ``path`` get HTTP 503. ``truncate``: paths
    whose body is cut in half after a full Content-Length header.
    """

    routes: ClassVar[dict[str, bytes]] = {}
    truncate: ClassVar[set[str]] = set()
    fail_first: ClassVar[dict[str, int]] = {}
    hits: ClassVar[Counter[str]] = Counter()

    def do_GET(self) -> None:
        self.hits[self.path] += 1
        if self.hits[self.path] <= self.fail_first.get(self.path, 0):
            self.send_error(503, "Service Unavailable")
            return
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


@pytest.fixture(autouse=True)
def fetch_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """pooch's download cache for one test (``WATTSHIFT_CACHE_DIR``), outside ``tmp_path``."""
    cache = tmp_path_factory.mktemp("fetch-cache")
    monkeypatch.setenv("WATTSHIFT_CACHE_DIR", str(cache))
    return cache


@pytest.fixture
def server() -> Iterator[tuple[str, type[Handler]]]:
    """A loopback HTTP server playing every origin; yields (base URL, its handler class)."""
    handler = type(
        "TestHandler", (Handler,), {"routes": {}, "truncate": set(), "fail_first": {}, "hits": Counter()}
    )
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", handler
    finally:
        httpd.shutdown()
        httpd.server_close()


def origin_path(target: str, i: int = 0) -> str:
    """URL path (with query) of origin ``i`` of a manifest entry (by target or file name)."""
    url = urlsplit(manifest_entry(target).urls()[i])
    return url.path + (f"?{url.query}" if url.query else "")


def csv_bytes(rows: list[list[str]], lineterminator: str = "\n") -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator=lineterminator).writerows(rows)
    return out.getvalue().encode()


def parquet_bytes(frame: pd.DataFrame) -> bytes:
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
    return csv_bytes([order, row(early), *(row(r) for r in rows[1:])])


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
    return csv_bytes(out)


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
    return {m: csv_bytes([head, *body]) for m, body in months.items()}


def origin_sced_frame(frame: pd.DataFrame) -> dict[str, bytes]:
    """One ERCOT-API-shaped parquet per hub (np6-788-cd field names)."""
    out = {}
    for hub, part in frame.groupby("settlement_point", observed=True, sort=False):
        out[str(hub)] = parquet_bytes(
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
    return origin_sced_frame(pd.read_parquet(shared_file))


def origin_gridstatus(hubs_csv: Path | pd.DataFrame, lz_pairs: Path | pd.DataFrame | None) -> bytes:
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
    return parquet_bytes(frame)


def _ercot_onchain_routes(shared: Path, targets: list[str]) -> dict[str, bytes]:
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
            routes[origin_path(name)] = (on / name).read_bytes()
        elif name.startswith("coinmetrics_btc_daily_ext"):
            routes[origin_path(name)] = _origin_cm_ext(shared)
        elif name.startswith("alternative_me"):
            routes[origin_path(name)] = _origin_fng(shared)
        elif name.startswith("ercot_dam_"):
            routes[origin_path(name)] = _origin_kush(pw / name)
        elif name.endswith("_selected_months.csv"):
            for i, body in enumerate(_origin_meltvar(pw / name).values()):
                routes[origin_path(name, i)] = body  # months come out in file order == manifest order
        elif name.startswith("ercot_rt_sced"):
            for i, body in enumerate(_origin_sced(pw / name).values()):
                routes[origin_path(name, i)] = body
        elif "hb_hubavg" in name:
            routes[origin_path(name)] = (pw / name).read_bytes()
        elif name.startswith("ercot_rtm_spp_15min_hubs_20"):
            year = int(name[-8:-4])
            lz = pw / "ercot_rtm_spp_15min_lz_pairs_2023.parquet" if year == 2023 else None
            routes[origin_path(name)] = origin_gridstatus(pw / name, lz)
        elif name.startswith("ercot_rtm_spp_15min_lz_pairs"):
            routes[origin_path(name)] = origin_gridstatus(pw / "ercot_rtm_spp_15min_hubs_2023.csv", pw / name)
    return routes


def check_arrived(entries: list[ManifestEntry], written: list[Path], dest: Path, shared: Path) -> None:
    """``written`` are the entries' targets, each byte for byte the shared copy, with its pinned hash."""
    assert [p.relative_to(dest).as_posix() for p in written] == [e.target for e in entries]
    for entry in entries:
        got = (dest / entry.target).read_bytes()
        assert got == (shared / entry.target).read_bytes(), entry.target
        assert hashlib.sha256(got).hexdigest() == entry.sha256, entry.target
    assert not list(dest.rglob("*.part"))


def hosts(base: str) -> dict[str, str]:
    """Every host key of the manifest pointed at the loopback server."""
    return {key: base for key in DEFAULT_HOSTS}


def origin_eia_full(trimmed: Path, market: str) -> bytes:
    """EIA's full wholesale-market CSV behind a shared ``_LMPonly`` file (preamble, all columns)."""
    rows = list(csv.reader(io.StringIO(trimmed.read_text())))
    utc, local, *lmp = rows[0]
    nodes = [c.removesuffix(" LMP") for c in lmp]
    extra = [f"{n} ({part})" for part in ("Congestion", "Energy", "Loss") for n in nodes]
    head = [utc, local, local.replace("Beginning", "Ending"), "Local Date", "Hour Number", *lmp, *extra]
    body = [[r[0], r[1], r[1], r[1][:10], "1", *r[2:], *(["0.0"] * len(extra))] for r in rows[1:]]
    preamble = [
        [f"{market} Real-Time Locational Marginal Prices ($/megawatt)"],
        [f"Real-time locational marginal prices for {market}"],
        [f"Source: EIA collected from {market}"],
    ]
    return csv_bytes([*preamble, head, *body])


def origin_routes(shared: Path, targets: list[str]) -> dict[str, bytes]:
    """URL path (with query) → bytes in each origin's layout, rebuilt from the shared files."""
    routes = _ercot_onchain_routes(shared, [t for t in targets if not t.startswith(("markets/", "fx/"))])
    for target in targets:
        entry = manifest_entry(target)
        if not target.startswith(("markets/", "fx/")):
            continue
        if entry.transform is verbatim:
            routes[origin_path(entry.target)] = (shared / entry.target).read_bytes()
        else:  # SPP and CAISO: EIA's full file
            market = target.split("/")[1].upper()
            routes[origin_path(entry.target)] = origin_eia_full(shared / entry.target, market)
    return routes
