"""``POST /api/data/ingest`` (token, atomicity, idempotence) and ``GET /api/data/status``."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from wattshift.api import create_app
from wattshift.cli import app as cli_app
from wattshift.warehouse import Warehouse

TOKEN = "ingest-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "w.duckdb"


@pytest.fixture
def client(db: Path) -> TestClient:
    return TestClient(create_app(db, token=TOKEN), raise_server_exceptions=False)


@pytest.fixture
def asic_file(shared_data_dir: Path) -> Path:
    return shared_data_dir / "asics" / "asic_models.csv"


def upload(
    client: TestClient, path: Path, content: bytes | None = None, headers: dict[str, str] | None = None
) -> httpx.Response:
    data = path.read_bytes() if content is None else content
    response: httpx.Response = client.post(
        "/api/data/ingest", files={"file": (path.name, data)}, headers=headers or {}
    )
    return response


def fingerprint(db: Path) -> dict[str, str]:
    with Warehouse(db, read_only=True) as wh:
        return wh.fingerprint()


def test_ingest_without_or_with_wrong_token_is_401_and_writes_nothing(
    client: TestClient, db: Path, asic_file: Path, shared_data_dir: Path
) -> None:
    assert upload(client, asic_file).status_code == 401
    assert not db.exists()
    assert upload(client, asic_file, headers=AUTH).status_code == 200
    before = fingerprint(db)
    fng = next((shared_data_dir / "onchain").glob("alternative_me_fear_greed_daily_*.csv"))
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": f"Basic {TOKEN}"}):
        assert upload(client, fng, headers=headers).status_code == 401
    assert fingerprint(db) == before


def test_ingest_then_reingest_is_unchanged(client: TestClient, asic_file: Path) -> None:
    first = upload(client, asic_file, headers=AUTH)
    assert first.status_code == 200
    (row,) = first.json()
    assert (row["file"], row["kind"], row["table"], row["rows"], row["status"]) == (
        "asic_models.csv",
        "asics",
        "asic_models",
        50,  # the catalogue has 50 models
        "ok",
    )
    assert set(row) == {"file", "kind", "table", "rows", "seconds", "status", "error"}
    (again,) = upload(client, asic_file, headers=AUTH).json()
    assert (again["status"], again["rows"]) == ("unchanged", 0)
    status = client.get("/api/data/status").json()
    assert [(s["table"], s["source"], s["rows"]) for s in status] == [("asic_models", "asic_models.csv", 50)]


def test_bad_file_is_422_naming_line_and_column_and_changes_nothing(
    client: TestClient, db: Path, asic_file: Path
) -> None:
    assert upload(client, asic_file, headers=AUTH).status_code == 200
    before = fingerprint(db)
    lines = asic_file.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    broken = lines[2].split(",")
    broken[header.index("power_w")] = "lots"
    content = "\n".join([lines[0], lines[1], ",".join(broken), *lines[3:]]) + "\n"
    response = upload(client, asic_file, content=content.encode(), headers=AUTH)
    assert response.status_code == 422
    body = response.json()
    assert "asic_models.csv" in body["detail"]
    assert "line 3" in body["detail"]
    assert "power_w" in body["detail"]
    assert "wattshift-upload" not in body["detail"]  # the server's temporary path is not shown
    assert body["results"][0]["status"] == "error"
    assert fingerprint(db) == before


@pytest.mark.parametrize("name", ["../../etc/passwd x.csv", ".hidden.csv", "a b.csv"])
def test_unsafe_file_names_are_422(client: TestClient, name: str) -> None:
    response = client.post("/api/data/ingest", files={"file": (name, b"x")}, headers=AUTH)
    assert response.status_code == 422
    assert "'file'" in response.json()["message"]


def test_unknown_file_kind_is_422(client: TestClient) -> None:
    response = client.post("/api/data/ingest", files={"file": ("prices.csv", b"a,b\n1,2\n")}, headers=AUTH)
    assert response.status_code == 422
    assert "unknown data file" in response.json()["detail"]


def test_status_equals_cli_json(client: TestClient, db: Path, asic_file: Path) -> None:
    assert upload(client, asic_file, headers=AUTH).status_code == 200
    result = CliRunner().invoke(cli_app, ["data", "status", "--format", "json", "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert client.get("/api/data/status").json() == json.loads(result.stdout)
