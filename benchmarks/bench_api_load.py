"""Load benchmark of the HTTP API: 50 concurrent clients on loopback against /api/signals and /api/mining.

Target (issues "API" and 12): p99 latency < 250 ms and no errors over 30 s, in two modes:

- ``cached``: one-day requests for dates drawn from the last 60 days of the warehouse, alternating
  the two endpoints; before the timed window every distinct URL is requested once (first
  computation, reported as "warm-up"), so the window measures the result cache;
- ``distinct``: every request of the window is a URL never asked before (each day of the history on
  /api/signals; each day x power price on /api/mining), so nothing comes from the result cache and
  every request is answered from the daily snapshot materialised once per warehouse version
  (:mod:`wattshift.services.derived`). The window ends early if the URLs run out.

The server is a real uvicorn process on a free 127.0.0.1 port (so the load generator does not
share its interpreter); the clients are ``httpx.AsyncClient`` instances (or a minimal asyncio
HTTP/1.1 client, see ``--client``).

Run with ``make bench`` or directly (a script, not a timed test)::

    python benchmarks/bench_api_load.py [--duration 30] [--clients 50] [--client httpx|raw|both]
        [--mode cached|distinct|both] [--db PATH]

The warehouse is ``--db``, else ``$WATTSHIFT_DB`` when that file exists, else a temporary one built
from ``$WATTSHIFT_DATA_DIR`` (BTC daily, Fear & Greed and the ASIC catalogue: what both endpoints read).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import numpy as np

from wattshift.testing.server import read_server_url

TARGET_P99_MS = 250.0
DEFAULT_SECONDS = float(os.environ.get("WATTSHIFT_BENCH_LOAD_SECONDS", "30"))
DEFAULT_CLIENTS = 50
#: Distinct days requested (the most recent ones in the warehouse).
N_DATES = 60
MINING_QUERY = "efficiency_j_per_th=17.5&power_usd_per_kwh=0.05"
#: Process id of the running server (set by :func:`server`).
SERVER_PID = [0]

#: Power prices [USD/kWh] crossed with every day in the distinct mode (each pair is one URL).
DISTINCT_POWER_USD_PER_KWH = (0.03, 0.04, 0.05, 0.06, 0.07)


@dataclass
class Stats:
    """Latencies [s] and errors of one endpoint."""

    latencies_s: list[float] = field(default_factory=list)
    errors: int = 0

    def row(self, name: str, seconds: float) -> dict[str, Any]:
        lat = np.array(self.latencies_s) * 1000.0
        return {
            "endpoint": name,
            "requests": len(lat),
            "requests_per_s": len(lat) / seconds if seconds > 0 else float("nan"),
            "p50_ms": float(np.percentile(lat, 50)) if len(lat) else float("nan"),
            "p99_ms": float(np.percentile(lat, 99)) if len(lat) else float("nan"),
            "errors": self.errors,
        }


def _data_dir() -> Path:
    raw = os.environ.get("WATTSHIFT_DATA_DIR")
    path = Path(raw) if raw else Path(__file__).resolve().parents[2] / "shared" / "data"
    if not (path / "onchain").is_dir():
        raise SystemExit("shared data not available: set WATTSHIFT_DATA_DIR or pass --db")
    return path


@contextmanager
def warehouse(db: Path | None) -> Iterator[Path]:
    """The warehouse to serve (see the module docstring)."""
    env = os.environ.get("WATTSHIFT_DB")
    if db is None and env and Path(env).exists():
        db = Path(env)
    if db is not None:
        yield db
        return
    from wattshift.warehouse import Warehouse

    data = _data_dir()
    files = [
        *sorted((data / "onchain").glob("coinmetrics_btc_daily_*.csv")),
        *sorted((data / "onchain").glob("alternative_me_fear_greed_daily_*.csv")),
        data / "asics" / "asic_models.csv",
    ]
    with tempfile.TemporaryDirectory(prefix="wattshift-bench-") as tmp:
        path = Path(tmp) / "bench.duckdb"
        with Warehouse(path) as wh:
            wh.ingest_files(files)
        yield path


@contextmanager
def server(db: Path) -> Iterator[str]:
    """A uvicorn process serving ``create_app(db)`` on a free loopback port; yields its base URL.

    The process id is kept in :data:`SERVER_PID` (to read the server's CPU time).
    """
    code = (
        "import sys, uvicorn\n"
        "from pathlib import Path\n"
        "from wattshift.api import create_app\n"
        "uvicorn.run(create_app(Path(sys.argv[1]), token='bench'), host='127.0.0.1', port=0,"
        " log_level='info', access_log=False)\n"
    )
    process = subprocess.Popen([sys.executable, "-c", code, str(db)], stderr=subprocess.PIPE, text=True)
    try:
        assert process.stderr is not None
        url, _ = read_server_url(process.stderr, timeout_s=180)
        if url is None:
            raise RuntimeError("the API server did not start")
        SERVER_PID[0] = process.pid
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


def _urls(dates: list[str]) -> list[tuple[str, str]]:
    urls = []
    for day in dates:
        urls.append(("/api/signals", f"/api/signals?date={day}"))
        urls.append(("/api/mining", f"/api/mining?date={day}&{MINING_QUERY}"))
    return urls


def _distinct_urls(dates: list[str], seed: int = 12) -> list[tuple[str, str]]:
    """Every day on /api/signals and every day x power price on /api/mining, shuffled, each once."""
    urls = [("/api/signals", f"/api/signals?date={day}") for day in dates]
    for power in DISTINCT_POWER_USD_PER_KWH:
        query = f"efficiency_j_per_th=17.5&power_usd_per_kwh={power}"
        urls += [("/api/mining", f"/api/mining?date={day}&{query}") for day in dates]
    random.Random(seed).shuffle(urls)
    return urls


class UrlSource:
    """The next URL a client asks: a random one of a fixed set (cached mode), or the next never
    asked before (distinct mode; None once they run out).
    """

    def __init__(self, urls: list[tuple[str, str]], *, distinct: bool) -> None:
        self.urls = urls
        self.distinct = distinct
        self.position = 0

    def next(self, rng: random.Random) -> tuple[str, str] | None:
        if not self.distinct:
            return self.urls[rng.randrange(len(self.urls))]
        if self.position >= len(self.urls):
            return None
        self.position += 1  # one event loop: no lock needed
        return self.urls[self.position - 1]


async def _client(
    base_url: str, source: UrlSource, seed: int, stop_at: float, stats: dict[str, Stats]
) -> None:
    rng = random.Random(seed)
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    async with httpx.AsyncClient(base_url=base_url, timeout=30.0, limits=limits) as client:
        while time.perf_counter() < stop_at and (picked := source.next(rng)) is not None:
            name, url = picked
            t0 = time.perf_counter()
            try:
                response = await client.get(url)
                ok = response.status_code == 200
            except httpx.HTTPError:
                ok = False
            elapsed = time.perf_counter() - t0
            if ok:
                stats[name].latencies_s.append(elapsed)
            else:
                stats[name].errors += 1


async def _raw_client(
    base_url: str, source: UrlSource, seed: int, stop_at: float, stats: dict[str, Stats]
) -> None:
    """A minimal HTTP/1.1 keep-alive client on asyncio streams (GET, Content-Length bodies only).

    httpx's client parses HTTP in pure Python and, on two cores, costs more CPU per request than
    the server; this client measures the server rather than the load generator.
    """
    rng = random.Random(seed)
    host, port = base_url.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    try:
        while time.perf_counter() < stop_at and (picked := source.next(rng)) is not None:
            name, url = picked
            t0 = time.perf_counter()
            writer.write(f"GET {url} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
            await writer.drain()
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head.split(b" ", 2)[1])
            length = int(re.search(rb"(?i)content-length: *(\d+)", head).group(1))  # type: ignore[union-attr]
            await reader.readexactly(length)
            elapsed = time.perf_counter() - t0
            if status == 200:
                stats[name].latencies_s.append(elapsed)
            else:
                stats[name].errors += 1
    finally:
        writer.close()


async def _load(
    base_url: str, source: UrlSource, clients: int, seconds: float, client: str
) -> tuple[dict[str, Stats], float]:
    """Run the clients; the stats per endpoint and the seconds the window really lasted."""
    stats = {name: Stats() for name in ("/api/signals", "/api/mining")}
    t0 = time.perf_counter()
    run = _client if client == "httpx" else _raw_client
    await asyncio.gather(*(run(base_url, source, seed, t0 + seconds, stats) for seed in range(clients)))
    return stats, time.perf_counter() - t0


def _history_days(http: httpx.Client) -> list[str]:
    """Every day /api/mining answers for (a price and a hashprice), oldest first."""
    doc = http.get(f"/api/mining/history?{MINING_QUERY}").json()
    return [d["date"] for d in doc["days"] if d["hashprice_usd_per_ph_day"] is not None and d["price_usd"]]


def _server_cpu_s() -> float:
    """User + system CPU time of the server process so far [s] (load-independent cost measure)."""
    import psutil

    times = psutil.Process(SERVER_PID[0]).cpu_times()
    return float(times.user + times.system)


def _warm(http: httpx.Client, urls: list[tuple[str, str]]) -> tuple[Stats, float]:
    warm = Stats()
    t0 = time.perf_counter()
    for _, url in urls:
        s = time.perf_counter()
        response = http.get(url)
        if response.status_code == 200:
            warm.latencies_s.append(time.perf_counter() - s)
        else:
            warm.errors += 1
    return warm, time.perf_counter() - t0


def run_load(
    db: Path | None = None,
    *,
    seconds: float = DEFAULT_SECONDS,
    clients: int = DEFAULT_CLIENTS,
    client: str = "httpx",
    mode: str = "cached",
) -> tuple[list[dict[str, Any]], float]:
    """Start the server, prepare the URLs, run the load.

    Returns one result row per endpoint plus "both" (and, cached, "warm-up"), and the seconds the
    window lasted.
    """
    with warehouse(db) as path, server(path) as base_url:
        with httpx.Client(base_url=base_url, timeout=120.0) as http:
            if mode == "distinct":
                # One request builds the daily snapshot (once per warehouse version); the history
                # request lists the days; neither URL is asked again.
                http.get("/api/signals")
                source = UrlSource(_distinct_urls(_history_days(http)), distinct=True)
                warm = None
            else:
                last = np.datetime64(http.get("/api/signals").json()["date"])
                dates = [str(last - np.timedelta64(i, "D")) for i in range(N_DATES)]
                source = UrlSource(_urls(dates), distinct=False)
                warm = _warm(http, source.urls)
        cpu_before = _server_cpu_s()
        # The load generator's own full garbage collections would pause all 50 clients at once
        # and count as server latency: freeze what exists before the window.
        gc.collect()
        gc.freeze()
        stats, window = asyncio.run(_load(base_url, source, clients, seconds, client))
        gc.unfreeze()
        cpu_s = _server_cpu_s() - cpu_before
    rows = [stats[name].row(name, window) for name in stats]
    total = Stats(
        latencies_s=[x for s in stats.values() for x in s.latencies_s],
        errors=sum(s.errors for s in stats.values()),
    )
    rows.append(total.row("both", window))
    n = rows[-1]["requests"] + rows[-1]["errors"]
    rows[-1]["server_cpu_ms_per_request"] = 1000.0 * cpu_s / n if n else float("nan")
    if warm is not None:
        rows.append(warm[0].row("warm-up (first request per URL)", warm[1]))
    return rows, window


def format_table(
    rows: list[dict[str, Any]], *, seconds: float, clients: int, client: str = "httpx", mode: str = "cached"
) -> str:
    """The result rows as a plain-text table with the target verdict."""
    head = f"{'endpoint':<34}{'requests':>10}{'req/s':>10}{'p50 [ms]':>10}{'p99 [ms]':>10}{'errors':>8}"
    title = f"API load ({mode}): {clients} concurrent {client} clients for {seconds:.1f} s on 127.0.0.1"
    lines = [title, head, "-" * len(head)]
    for r in rows:
        lines.append(
            f"{r['endpoint']:<34}{r['requests']:>10}{r['requests_per_s']:>10.1f}"
            f"{r['p50_ms']:>10.1f}{r['p99_ms']:>10.1f}{r['errors']:>8}"
        )
    both = next(r for r in rows if r["endpoint"] == "both")
    verdict = "met" if both["p99_ms"] < TARGET_P99_MS and both["errors"] == 0 else "NOT met"
    lines.append(f"server CPU per request: {both['server_cpu_ms_per_request']:.2f} ms")
    lines.append(f"target p99 < {TARGET_P99_MS:g} ms and 0 errors: {verdict}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=DEFAULT_SECONDS, help="Seconds of load [s].")
    parser.add_argument("--clients", type=int, default=DEFAULT_CLIENTS, help="Concurrent clients.")
    parser.add_argument("--db", type=Path, default=None, help="Warehouse to serve.")
    parser.add_argument(
        "--client",
        choices=("httpx", "raw", "both"),
        default="both",
        help="httpx.AsyncClient per client (the target's measure), a minimal asyncio HTTP/1.1 client "
        "(measures the server rather than the load generator), or both one after the other.",
    )
    parser.add_argument(
        "--mode",
        choices=("cached", "distinct", "both"),
        default="both",
        help="Repeated URLs after a warm-up (the result cache), URLs never asked twice (the daily "
        "snapshot), or both.",
    )
    args = parser.parse_args()
    for mode in ("cached", "distinct") if args.mode == "both" else (args.mode,):
        for client in ("httpx", "raw") if args.client == "both" else (args.client,):
            rows, window = run_load(
                args.db, seconds=args.duration, clients=args.clients, client=client, mode=mode
            )
            table = format_table(rows, seconds=window, clients=args.clients, client=client, mode=mode)
            print(table, flush=True)


if __name__ == "__main__":
    main()
