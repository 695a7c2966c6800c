"""Each dashboard page in headless Chromium (Debian's, driven by Playwright) on the real warehouse.

A page passes when it loads with no console error, no uncaught exception and no failed request,
draws its charts (Plotly SVG with data traces) and ends without an error in its status line.
Skipped only when ``/usr/bin/chromium`` is missing (``make browser`` installs it).
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from wattshift.api import create_app
from wattshift.api.server import serve_in_background

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

#: (URL, charts the page must draw); small runs keep the dispatch and valuation pages quick.
PAGES = [
    ("/", 3),
    ("/signals", 5),
    ("/dispatch?site=fixed_block_700mw&from=2023-08-01&to=2023-08-08", 3),
    ("/valuation?site=converting_to_ai&paths=40&years=3", 3),
    ("/valuation?site=converting_to_ai&paths=40&years=3&sensitivity=1", 4),
]

#: True once every chart has an SVG and no request is in flight (the spinner is gone).
_DONE = (
    "() => { const charts = document.querySelectorAll('.js-plotly-plot');"
    " return charts.length >= N && [...charts].every(c => c.querySelector('.main-svg'))"
    " && !document.querySelector('.spinner'); }"
)


@pytest.fixture(scope="module")
def browser_context(warehouse_path: Path) -> Iterator[tuple[Any, str]]:
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium not installed (run `make browser`)")
    from playwright.sync_api import sync_playwright

    app = create_app(warehouse_path, token="t")
    with (
        serve_in_background(app) as url,
        sync_playwright() as playwright,
        tempfile.TemporaryDirectory(prefix="wattshift-chromium-") as profile,
    ):
        context = playwright.chromium.launch_persistent_context(
            profile,
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_FLAGS,
            viewport={"width": 1280, "height": 900},
        )
        try:
            yield context, url
        finally:
            context.close()


@pytest.mark.parametrize(
    ("path", "charts"),
    PAGES,
    ids=[p.split("?")[0] + ("+tornado" if "sensitivity" in p else "") for p, _ in PAGES],
)
def test_page_renders_charts_without_errors(browser_context: tuple[Any, str], path: str, charts: int) -> None:
    context, base_url = browser_context
    page = context.new_page()
    problems: list[str] = []
    page.on(
        "console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None
    )
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("requestfailed", lambda r: problems.append(f"request failed: {r.url}"))
    page.on("response", lambda r: problems.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None)
    try:
        page.goto(base_url + path, wait_until="load", timeout=120_000)
        page.wait_for_function(_DONE.replace("N", str(charts)), timeout=120_000)
        status = page.locator("#status")
        assert "error" not in (status.get_attribute("class") or ""), status.text_content()
        traces = page.evaluate(
            "[...document.querySelectorAll('.js-plotly-plot')].map(c => (c.data || []).length)"
        )
        assert len(traces) >= charts
        assert all(n > 0 for n in traces), traces
        assert problems == []
    finally:
        page.close()
