"""Load benchmark of the HTTP API: 50 concurrent clients on loopback against /api/signals and /api/mining.

Target (issue "API"): p99 latency < 250 ms and no errors over 30 s. The server is a real uvicorn
process on a free 127.0.0.1 port (so the load generator does not share its interpreter); the
clients are ``httpx.AsyncClient`` instances, each looping over one-day requests for dates drawn
from the last 60 days of the warehouse, alternating the two endpoints. Before the timed window
every distinct URL is requested once (first computation, reported as "warm-up").

Run with ``make bench`` or directly (a script, not a timed test)::

    python benchmarks/bench_api_load.py [--duration 30] [--clients 50] [--client httpx|raw|both] [--db PATH]

The warehouse is ``--db``, else ``$WATTSHIFT_DB`` when that file exists, else a temporary one built
from ``$WATTSHIFT_DATA_DIR`` (BTC daily, Fear & Greed and the ASIC catalogue: what both endpoints read).
"""

from __future__ import annotations

import argparse
import asyncio
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

TARGET_P99_MS = 250.0
DEFAULT_SECONDS = float(os.environ.get("WATTSHIFT_BENCH_LOAD_SECONDS", "30"))
DEFAULT_CLIENTS = 50
#: Distinct days requested (the most recent ones in the warehouse).
N_DATES = 60
MINING_QUERY = "efficiency_j_per_th=17.5&power_usd_per_kwh=0.05"


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
    """A uvicorn process serving ``create_app(db)`` on a free loopback port; yields its base URL."""
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
        url = None
        deadline = time.monotonic() + 180
        while url is None and time.monotonic() < deadline:
            line = process.stderr.readline()
            if not line:
                break
            if match := re.search(r"Uvicorn running on (http://127\.0\.0\.1:\d+)", line):
                url = match.group(1)
        if url is None:
            raise RuntimeError("the API server did not start")
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


async def _client(
    base_url: str, urls: list[tuple[str, str]], seed: int, stop_at: float, stats: dict[str, Stats]
) -> None:
    rng = random.Random(seed)
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    async with httpx.AsyncClient(base_url=base_url, timeout=30.0, limits=limits) as client:
        while time.perf_counter() < stop_at:
            name, url = urls[rng.randrange(len(urls))]
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
    base_url: str, urls: list[tuple[str, str]], seed: int, stop_at: float, stats: dict[str, Stats]
) -> None:
    """A minimal HTTP/1.1 keep-alive client on asyncio streams (GET, Content-Length bodies only).

    httpx's client parses HTTP in pure Python and, on two cores, costs more CPU per request than
    the server; this client measures the server rather than the load generator.
    """
    rng = random.Random(seed)
    host, port = base_url.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    try:
        while time.perf_counter() < stop_at:
            name, url = urls[rng.randrange(len(urls))]
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
    base_url: str, urls: list[tuple[str, str]], clients: int, seconds: float, client: str
) -> dict[str, Stats]:
    stats = {name: Stats() for name in ("/api/signals", "/api/mining")}
    stop_at = time.perf_counter() + seconds
    run = _client if client == "httpx" else _raw_client
    await asyncio.gather(*(run(base_url, urls, seed, stop_at, stats) for seed in range(clients)))
    return stats


def run_load(
    db: Path | None = None,
    *,
    seconds: float = DEFAULT_SECONDS,
    clients: int = DEFAULT_CLIENTS,
    client: str = "httpx",
) -> list[dict[str, Any]]:
    """Start the server, warm it up, run the load; return one result row per endpoint plus "warm-up"."""
    with warehouse(db) as path, server(path) as base_url:
        with httpx.Client(base_url=base_url, timeout=120.0) as http:
            latest = http.get("/api/signals").json()["date"]
            last = np.datetime64(latest)
            dates = [str(last - np.timedelta64(i, "D")) for i in range(N_DATES)]
            urls = _urls(dates)
            warm = Stats()
            t0 = time.perf_counter()
            for _, url in urls:
                s = time.perf_counter()
                response = http.get(url)
                if response.status_code == 200:
                    warm.latencies_s.append(time.perf_counter() - s)
                else:
                    warm.errors += 1
            warm_seconds = time.perf_counter() - t0
        stats = asyncio.run(_load(base_url, urls, clients, seconds, client))
    rows = [stats[name].row(name, seconds) for name in stats]
    total = Stats(
        latencies_s=[x for s in stats.values() for x in s.latencies_s],
        errors=sum(s.errors for s in stats.values()),
    )
    rows.append(total.row("both", seconds))
    rows.append(warm.row("warm-up (first request per URL)", warm_seconds))
    return rows


def format_table(rows: list[dict[str, Any]], *, seconds: float, clients: int, client: str = "httpx") -> str:
    """The result rows as a plain-text table with the target verdict."""
    head = f"{'endpoint':<34}{'requests':>10}{'req/s':>10}{'p50 [ms]':>10}{'p99 [ms]':>10}{'errors':>8}"
    title = f"API load: {clients} concurrent {client} clients for {seconds:g} s on 127.0.0.1"
    lines = [title, head, "-" * len(head)]
    for r in rows:
        lines.append(
            f"{r['endpoint']:<34}{r['requests']:>10}{r['requests_per_s']:>10.1f}"
            f"{r['p50_ms']:>10.1f}{r['p99_ms']:>10.1f}{r['errors']:>8}"
        )
    both = next(r for r in rows if r["endpoint"] == "both")
    verdict = "met" if both["p99_ms"] < TARGET_P99_MS and both["errors"] == 0 else "NOT met"
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
    args = parser.parse_args()
    for client in ("httpx", "raw") if args.client == "both" else (args.client,):
        rows = run_load(args.db, seconds=args.duration, clients=args.clients, client=client)
        print(format_table(rows, seconds=args.duration, clients=args.clients, client=client), flush=True)


if __name__ == "__main__":
    main()
