"""The dashboard's site editor speaks TOML: each example as its file, and text validated to a job body."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from wattshift.api import create_app
from wattshift.services.sites import examples


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    return TestClient(create_app(tmp_path_factory.mktemp("web") / "none.duckdb", token="t"))


def test_example_toml_is_the_shipped_file_and_parses_to_the_api_site(client: TestClient) -> None:
    example = next(e for e in examples("site") if e.name == "fixed_block_700mw")
    response = client.get("/web/sites/fixed_block_700mw.toml")
    assert response.status_code == 200
    assert response.text == example.path.read_text(encoding="utf-8")
    parsed = client.post("/web/sites/parse", content=response.text.encode())
    assert parsed.status_code == 200
    listed = {s["id"]: s["site"] for s in client.get("/api/sites").json()}
    assert parsed.json() == listed["fixed_block_700mw"]  # same body the JSON editor used to send
    assert tomllib.loads(response.text)["name"] == parsed.json()["name"]


def test_unknown_example_is_404(client: TestClient) -> None:
    assert client.get("/web/sites/nope.toml").status_code == 404


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ('name = "x"\nfleets = 3 3\n', ["not valid TOML", "line 2"]),
        ('name = "x"\nnot_a_field = 1\n', ["site editor"]),
        ("", ["site editor"]),
    ],
)
def test_bad_site_text_is_422_naming_line_or_field(client: TestClient, text: str, words: list[str]) -> None:
    response = client.post("/web/sites/parse", content=text.encode())
    assert response.status_code == 422
    detail = response.json()["detail"]
    for word in words:
        assert word in detail


def test_oversized_text_is_refused(client: TestClient, tmp_path: Path) -> None:
    response = client.post("/web/sites/parse", content=b"#" * (256 * 1024 + 1))
    assert response.status_code == 422 and "at most" in response.json()["detail"]
