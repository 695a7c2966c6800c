"""``/docs`` and ``/redoc`` load every asset from this server (fastapi-offline), none from a CDN."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from wattshift.api import create_app


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_docs_pages_need_no_internet(tmp_path: Path, page: str) -> None:
    client = TestClient(create_app(tmp_path / "none.duckdb", token="t"))
    response = client.get(page)
    assert response.status_code == 200
    assets = re.findall(r'(?:src|href)="([^"]+)"', response.text)
    scripts = [a for a in assets if a.endswith(".js")]
    assert scripts, response.text  # Swagger UI's bundle or ReDoc's standalone script
    for asset in assets:
        assert asset.startswith("/"), f"{page} loads {asset} from another host"
        fetched = client.get(asset)
        assert fetched.status_code == 200, asset
        assert len(fetched.content) > 1000 or asset.endswith(".png")
