"""``wattshift serve`` as a real process on 127.0.0.1: upload memory, SIGTERM during a job, and a CLI
ingest while the server is up.

Bodies are generated here (never stored); the server's memory is its resident set size sampled
every 10 ms with psutil. Every loop is bounded (a size, a count or a deadline).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import psutil
import pytest

from wattshift.testing.server import read_server_url
from wattshift.warehouse import Warehouse

TOKEN = "limits-token"
MiB = 1 << 20
BOUNDARY = "wattshiftbench"


@contextmanager
def serving(db: Path, *options: str) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """``wattshift serve --port 0 --db db [options]`` as a process; yields it and its base URL."""
    env = {**os.environ, "WATTSHIFT_API_TOKEN": TOKEN}
    command = [sys.executable, "-c", "from wattshift.cli import app; app()", "serve", "--port", "0"]
    command += ["--db", str(db), "--log-level", "info", *options]
    process = subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stderr is not None
        url, _ = read_server_url(process.stderr, timeout_s=120)
        assert url is not None, "the server did not start"
        threading.Thread(target=process.stderr.read, daemon=True).start()  # keep the pipe drained
        yield process, url
    finally:
        if process.poll() is None:
            process.terminate()
            process.wait(timeout=30)


class PeakRss:
    """Samples a process's resident set size every 10 ms while the ``with`` block runs [bytes]."""

    def __init__(self, pid: int) -> None:
        self._process = psutil.Process(pid)
        self.baseline = self._process.memory_info().rss
        self.peak = self.baseline
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.01):
            self.peak = max(self.peak, self._process.memory_info().rss)

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    @property
    def growth_mib(self) -> float:
        """Peak minus the RSS before the block [MiB]."""
        return float(self.peak - self.baseline) / MiB


def multipart_body(size_mib: int) -> Iterator[bytes]:
    """A multipart body with one ``upload.bin`` file of ``size_mib`` MiB, generated block by block."""
    yield (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="upload.bin"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode()
    block = b"0123456789abcdef" * (MiB // 16)
    for _ in range(size_mib):
        yield block
    yield f"\r\n--{BOUNDARY}--\r\n".encode()


def unauthorised_attempt(url: str, size: int, *, chunked: bool) -> tuple[bytes, int]:
    """Start a ``size``-byte upload without a token (its length declared, or chunked); read the
    answer, then keep sending.

    Returns (the response head, bytes the server let us send before closing).
    """
    host, port = url.removeprefix("http://").split(":")
    length = "Transfer-Encoding: chunked" if chunked else f"Content-Length: {size}"
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        head = (
            f"POST /api/data/ingest HTTP/1.1\r\nHost: {host}\r\n{length}\r\n"
            f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\n\r\n"
        )
        sock.sendall(head.encode())
        answer = sock.recv(4096)  # the server answers from the headers alone
        block, sent = b"x" * MiB, 0
        if chunked:
            block = f"{len(block):x}\r\n".encode() + block + b"\r\n"
        try:
            while sent < size:
                sock.sendall(block)
                sent += MiB
        except OSError:  # the server closed the connection: the rest of the body is not read
            pass
        return answer, sent


@pytest.mark.slow
def test_upload_memory_stays_bounded_and_unauthorised_bodies_are_not_read(tmp_path: Path) -> None:
    with serving(tmp_path / "w.duckdb") as (process, url):
        with PeakRss(process.pid) as declared:  # a declared length over the limit: 413 at once
            answer, declared_sent = unauthorised_attempt(url, 1 << 30, chunked=False)
        assert answer.startswith(b"HTTP/1.1 413"), answer[:100]
        with PeakRss(process.pid) as unauth:  # chunked, no token: 401 before any body byte is read
            answer, sent = unauthorised_attempt(url, 1 << 30, chunked=True)
        assert answer.startswith(b"HTTP/1.1 401"), answer[:100]
        assert max(sent, declared_sent) < 64 * MiB  # the server closed the connection: no 1 GiB read
        assert list(tmp_path.iterdir()) == []  # no warehouse, nothing stored
        with PeakRss(process.pid) as auth:
            t0 = time.perf_counter()
            response = httpx.post(
                f"{url}/api/data/ingest",
                content=multipart_body(200),
                headers={
                    "Authorization": f"Bearer {TOKEN}",
                    "Content-Type": f"multipart/form-data; boundary={BOUNDARY}",
                },
                timeout=120,
            )
            seconds = time.perf_counter() - t0
        assert response.status_code == 422  # stored, then refused by name: not a known data file
        assert "upload.bin" in response.json()["detail"]
        print(
            f"\nunauthenticated 1 GiB attempt, declared length: 413, {declared_sent / MiB:.0f} MiB "
            f"accepted by the socket, server RSS {declared.baseline / MiB:.0f} -> peak "
            f"{declared.peak / MiB:.0f} MiB"
            f"\nunauthenticated 1 GiB attempt, chunked: 401, {sent / MiB:.0f} MiB accepted by the socket, "
            f"server RSS {unauth.baseline / MiB:.0f} -> peak {unauth.peak / MiB:.0f} MiB"
            f"\nauthenticated 200 MiB upload: {seconds:.1f} s, "
            f"server RSS {auth.baseline / MiB:.0f} -> peak {auth.peak / MiB:.0f} MiB"
        )
        assert max(unauth.growth_mib, declared.growth_mib) < 32
        assert auth.growth_mib < 64  # bounded: the 200 MiB went to disk in blocks


def slow_value_job(client: httpx.Client) -> str:
    site: dict[str, Any] = client.get("/api/sites/converting_to_ai").json()["site"]
    body = {**site, "valuation": {**site.get("valuation", {}), "paths": 20_000, "chunk_paths": 64}}
    accepted = client.post("/api/jobs/value", json=body)
    assert accepted.status_code == 202, accepted.text
    status_url: str = accepted.json()["status_url"]
    deadline = time.monotonic() + 60
    while client.get(status_url).json()["state"] != "running" and time.monotonic() < deadline:
        time.sleep(0.05)
    return status_url


@pytest.mark.slow
def test_sigterm_stops_the_server_within_5_s_while_a_job_runs(warehouse_path: Path) -> None:
    served = serving(warehouse_path, "--allowed-hosts", "127.0.0.1")
    with served as (process, url), httpx.Client(base_url=url, timeout=30) as client:
        assert client.get("/api/health", headers={"Host": "evil.example"}).status_code == 400
        status_url = slow_value_job(client)
        assert client.get(status_url).json()["state"] == "running"
        t0 = time.perf_counter()
        process.send_signal(signal.SIGTERM)
        code = process.wait(timeout=30)
        seconds = time.perf_counter() - t0
        print(f"\nSIGTERM during a value job: exited with {code} after {seconds:.2f} s")
        assert code in (0, -signal.SIGTERM)  # uvicorn re-raises the signal once it has shut down
        assert seconds < 5


@pytest.mark.slow
def test_cli_ingest_runs_while_the_server_is_up_and_the_server_sees_it(
    tmp_path: Path, shared_data_dir: Path
) -> None:
    db = tmp_path / "w.duckdb"
    with Warehouse(db) as wh:
        wh.ingest_file(next((shared_data_dir / "onchain").glob("coinmetrics_btc_daily_2009-*.csv")))
    fng = next((shared_data_dir / "onchain").glob("alternative_me_fear_greed_daily_*.csv"))
    with serving(db) as (_, url), httpx.Client(base_url=url, timeout=30) as client:
        before = client.get("/api/signals", params={"date": "2022-06-17"}).json()
        assert before["fear_greed"]["value"] is None
        assert client.get("/api/data/status").status_code == 200
        command = [sys.executable, "-c", "from wattshift.cli import app; app()", "data", "ingest"]
        ingest = subprocess.run(
            [*command, str(fng), "--db", str(db)], capture_output=True, text=True, timeout=120
        )
        assert ingest.returncode == 0, ingest.stderr
        after = client.get("/api/signals", params={"date": "2022-06-17"}).json()
        assert after["fear_greed"]["value"] is not None  # the server picked the external ingest up
        tables = {row["table"] for row in client.get("/api/data/status").json()}
        assert "fear_greed" in tables


@pytest.mark.slow
def test_reads_while_another_process_writes(tmp_path: Path, shared_data_dir: Path) -> None:
    """The snapshot keeps answering (the version before the write); other reads wait, then 503."""
    from fastapi.testclient import TestClient

    from wattshift.api import create_app

    db = tmp_path / "w.duckdb"
    with Warehouse(db) as wh:
        wh.ingest_file(next((shared_data_dir / "onchain").glob("coinmetrics_btc_daily_2009-*.csv")))
    app = create_app(db, token=TOKEN)
    app.state.warehouse.busy_timeout_s = 0.5
    client = TestClient(app, raise_server_exceptions=False)
    before = client.get("/api/signals", params={"date": "2022-06-17"}).json()
    hold = "import sys\nfrom wattshift.warehouse import Warehouse\nwh = Warehouse(sys.argv[1])\n"
    hold += "print('held', flush=True)\nsys.stdin.read()\n"
    holder = subprocess.Popen(
        [sys.executable, "-c", hold, str(db)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        during = client.get("/api/signals", params={"date": "2022-06-17"})
        assert during.status_code == 200 and during.json() == before
        t0 = time.perf_counter()
        busy = client.get("/api/data/status")
        assert busy.status_code == 503, busy.text
        assert busy.headers["Retry-After"] == "2"
        assert "another process" in busy.json()["detail"] and str(tmp_path) not in busy.text
        assert 0.4 < time.perf_counter() - t0 < 10  # it waited for the writer first
        asic = shared_data_dir / "asics" / "asic_models.csv"
        upload = client.post(
            "/api/data/ingest",
            files={"file": (asic.name, asic.read_bytes())},
            headers={"Authorization": f"Bearer {TOKEN}"},
        )
        assert upload.status_code == 503, upload.text  # the server's own write waits, then says busy
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        holder.wait(timeout=30)
    assert client.get("/api/data/status").status_code == 200
