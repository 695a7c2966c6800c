"""Dashboard pages and static files as served (no browser): structure, offline Plotly, no CDN."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from wattshift.api import create_app
from wattshift.report.base import plotly_js
from wattshift.web import PAGES, STATIC_DIR, TEMPLATES_DIR, Page


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    return TestClient(create_app(tmp_path_factory.mktemp("web") / "w.duckdb", token="t"))


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_page_links_its_script_and_every_page(client: TestClient, page: Page) -> None:
    response = client.get(page.path)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    html = response.text
    assert f"<title>{page.title} · wattshift</title>" in html
    scripts = re.findall(r'<script src="([^"]+)"', html)
    assert scripts == ["/static/plotly.min.js", "/static/common.js", f"/static/{page.name}.js"]
    for src in scripts:
        assert client.get(src).status_code == 200
    for other in PAGES:
        assert f'href="{other.path}"' in html
    assert f'<a href="{page.path}" class="active">' in html
    assert "{{" not in html  # every placeholder filled


def test_plotly_is_the_vendored_basic_bundle_of_the_installed_version(client: TestClient) -> None:
    from plotly.offline.offline import get_plotlyjs_version

    response = client.get("/static/plotly.min.js")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/javascript")
    assert response.content == plotly_js().encode("utf-8")
    head = response.content[:200].decode()
    assert f"plotly.js (basic - minified) v{get_plotlyjs_version()}" in head  # same as the Python side


def test_no_external_resources() -> None:
    """The dashboard must work offline: no http(s) URL in any template, script or stylesheet."""
    files = [*TEMPLATES_DIR.glob("*.html"), *STATIC_DIR.glob("*.js"), *STATIC_DIR.glob("*.css")]
    assert len(files) >= 5 + 5 + 1
    for path in files:
        text = Path(path).read_text(encoding="utf-8")
        assert not re.search(r"https?://", text), path.name


def test_every_page_has_its_template_and_script() -> None:
    for page in PAGES:
        assert (TEMPLATES_DIR / f"{page.name}.html").is_file()
        assert (STATIC_DIR / f"{page.name}.js").is_file()


def test_static_404_and_docs_stay_separate(client: TestClient) -> None:
    assert client.get("/static/nope.js").status_code == 404
    assert client.get("/docs").status_code == 200
    assert "/" not in client.get("/openapi.json").json()["paths"]  # pages are not API operations
