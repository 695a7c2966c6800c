"""Real servers on loopback: uvicorn in a thread, and the ``wattshift serve`` command as a process."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from wattshift import __version__
from wattshift.api import create_app
from wattshift.api.server import serve_in_background
from wattshift.testing.server import read_server_url


def test_uvicorn_on_a_free_loopback_port(warehouse_path: Path) -> None:
    app = create_app(warehouse_path, token="secret")
    with serve_in_background(app) as url, httpx.Client(base_url=url, timeout=60) as client:
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+", url)
        assert client.get("/api/health").json()["version"] == __version__
        day = client.get("/api/signals", params={"date": "2022-06-17"})
        assert day.status_code == 200
        assert day.json()["puell"] == pytest.approx(0.35, abs=0.01)
        assert client.get("/api/signals", params={"date": "bad"}).status_code == 422
        assert client.post("/api/data/ingest", files={"file": ("x.csv", b"a")}).status_code == 401
        page = client.get("/")
        assert page.status_code == 200
        assert "/static/plotly.min.js" in page.text


@pytest.mark.slow  # a fresh interpreter imports the whole CLI (several seconds)
def test_serve_command_prints_a_token_and_serves(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "WATTSHIFT_API_TOKEN"}
    command = [sys.executable, "-c", "from wattshift.cli import app; app()", "serve", "--port", "0"]
    command += ["--db", str(tmp_path / "empty.duckdb"), "--log-level", "info"]
    process = subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stderr is not None
        url, lines = read_server_url(process.stderr, timeout_s=120)
        tokens = [m.group(1) for line in lines if (m := re.search(r"API token .*: (\S+)", line))]
        token = tokens[0] if tokens else None
        assert token is not None and len(token) >= 40
        assert url is not None and not url.endswith(":0")
        with httpx.Client(base_url=url, timeout=30) as client:
            health = client.get("/api/health").json()
            assert health["warehouse_exists"] is False
            assert client.get("/api/signals").status_code == 404  # no warehouse yet: says how to make one
            unauthorised = client.post("/api/data/ingest", files={"file": ("asic_models.csv", b"x")})
            assert unauthorised.status_code == 401
            wrong_content = client.post(
                "/api/data/ingest",
                files={"file": ("asic_models.csv", b"model\n")},
                headers={"Authorization": f"Bearer {token}"},
            )
            assert wrong_content.status_code == 422  # authorised, but not a valid catalogue
    finally:
        process.terminate()
        process.wait(timeout=30)
