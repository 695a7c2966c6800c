"""Each dashboard page and the report in headless Chromium (Debian's, driven by Playwright).

A page passes when it loads with no console error, no uncaught exception and no failed request,
draws its charts (Plotly SVG with data traces holding at least one number), shows no text label
cut by the edge of its chart (tick labels, axis titles, legend entries, bar and slice labels), no
"0%" slice label, and ends without an error in its status line. Each page and the report are saved
as a full-page screenshot under a temporary folder; the paths are printed at the end of the run
(``screenshots:`` in the terminal summary). Skipped only when ``/usr/bin/chromium`` is missing
(``make browser`` installs it).
"""

from __future__ import annotations

import contextlib
import os
import re
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
    ("/plan?site=fixed_block_700mw&date=2023-08-15", 1),
    ("/valuation?site=converting_to_ai&paths=40&years=3", 3),
    ("/markets", 2),
    ("/valuation?site=converting_to_ai&paths=40&years=3&sensitivity=1", 4),
]

#: Screenshots taken in this run, printed in the terminal summary by :func:`screenshot_dir`.
SHOTS: list[Path] = []

#: Every visible text of every chart that sticks out of its chart's SVG by more than 1 px, and every
#: chart whose traces hold no finite number (an empty chart).
_PROBLEMS_JS = """() => {
  const out = [];
  for (const chart of document.querySelectorAll('.js-plotly-plot')) {
    const name = chart.id || chart.closest('section')?.querySelector('h2')?.textContent || 'chart';
    const svg = chart.querySelector('.main-svg');
    const box = svg.getBoundingClientRect();
    for (const t of chart.querySelectorAll('svg text')) {
      const text = t.textContent.trim();
      const r = t.getBoundingClientRect();
      if (!text || (r.width === 0 && r.height === 0)) continue;
      if (getComputedStyle(t).visibility === 'hidden' || getComputedStyle(t).opacity === '0') continue;
      const outside = r.left < box.left - 1 || r.right > box.right + 1;
      if (outside || r.top < box.top - 1 || r.bottom > box.bottom + 1)
        out.push(`${name}: label "${text}" clipped`);
      if (/^0(\\.0+)?\\s?%$/.test(text) && t.closest('.slice')) out.push(`${name}: slice label "${text}"`);
    }
    const valueKeys = tr => (tr.orientation === 'h' ? ['x'] : ['y', 'values', 'z']);
    const numbers = (chart._fullData || []).some(tr => valueKeys(tr).some(
      k => tr[k] && typeof tr[k].length === 'number'
        && Array.from(tr[k]).some(v => v !== null && Number.isFinite(Number(v)))));
    if (!numbers) out.push(`${name}: empty chart`);
  }
  return out;
}"""

#: True once every chart has an SVG and no request is in flight (the spinner is gone).
_DONE = (
    "() => { const charts = document.querySelectorAll('.js-plotly-plot');"
    " return charts.length >= N && [...charts].every(c => c.querySelector('.main-svg'))"
    " && !document.querySelector('.spinner'); }"
)


@pytest.fixture(scope="module")
def screenshot_dir(request: pytest.FixtureRequest) -> Iterator[Path]:
    """Folder of this run's screenshots; their paths are printed once the module's tests end.

    A fresh ``wattshift-screenshots-*`` folder in the system temp dir (``$WATTSHIFT_SCREENSHOTS``
    if set), kept after the run so the pictures can be looked at (pytest prunes its own tmp dirs).
    """
    chosen = os.environ.get("WATTSHIFT_SCREENSHOTS")
    folder = Path(chosen) if chosen else Path(tempfile.mkdtemp(prefix="wattshift-screenshots-"))
    folder.mkdir(parents=True, exist_ok=True)
    yield folder
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    with capture.global_and_fixture_disabled() if capture is not None else contextlib.nullcontext():
        print(f"\nscreenshots: {folder}")
        for shot in SHOTS:
            print(f"  {shot}")


def _shot(page: Any, folder: Path, name: str) -> None:
    path = folder / f"{re.sub(r'[^a-z0-9]+', '_', name.lower()).strip('_') or 'market'}.png"
    page.screenshot(path=str(path), full_page=True)
    SHOTS.append(path)


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
def test_page_renders_charts_without_errors(
    browser_context: tuple[Any, str], screenshot_dir: Path, path: str, charts: int
) -> None:
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
        _shot(page, screenshot_dir, path.split("?")[0])
        assert page.evaluate(_PROBLEMS_JS) == []
        assert problems == []
    finally:
        page.close()


@pytest.fixture(scope="module")
def report_path(warehouse_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The report on the shared data, built once for this module."""
    from wattshift.report.build import build_report
    from wattshift.warehouse import Warehouse

    with Warehouse(warehouse_path, read_only=True) as wh:
        result = build_report(wh, tmp_path_factory.mktemp("report"))
    assert result.failures == {}
    return result.path


def test_report_renders_every_chart_without_clipped_labels(
    browser_context: tuple[Any, str], screenshot_dir: Path, report_path: Path
) -> None:
    context, _ = browser_context
    page = context.new_page()
    problems: list[str] = []
    page.on(
        "console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None
    )
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    try:
        page.goto(report_path.as_uri(), wait_until="load", timeout=120_000)
        page.wait_for_function(_DONE.replace("N", "8"), timeout=120_000)
        _shot(page, screenshot_dir, "report")
        assert page.evaluate(_PROBLEMS_JS) == []
        assert problems == []
    finally:
        page.close()


def test_error_clears_old_results_and_toml_editor_reports_the_line(
    browser_context: tuple[Any, str], screenshot_dir: Path
) -> None:
    """A run that fails must not leave the previous run's key figures and charts under its message."""
    context, base_url = browser_context
    page = context.new_page()
    try:
        page.goto(base_url + PAGES[2][0], wait_until="load", timeout=120_000)
        page.wait_for_function(_DONE.replace("N", "3"), timeout=120_000)
        assert page.locator("#totals .kpi").count() == 5
        assert page.locator("#site").input_value().lstrip().startswith(("#", "name", "["))  # TOML
        page.evaluate("document.querySelector('details').open = true")
        page.fill("#site", 'name = "broken"\nfleets = 3 3\n')
        page.click("#run")
        page.wait_for_function("document.querySelector('#status').classList.contains('error')")
        message = page.locator("#status").text_content() or ""
        assert "not valid TOML" in message and "line 2" in message
        assert page.locator("#totals .kpi").count() == 0
        assert page.locator(".js-plotly-plot .main-svg").count() == 0
        _shot(page, screenshot_dir, "dispatch after an error")
    finally:
        page.close()


def test_fleet_page_without_an_inventory_says_how_to_give_one(
    browser_context: tuple[Any, str], screenshot_dir: Path
) -> None:
    """The test server has no machines: the page says which variable names them, and draws no stale chart."""
    context, base_url = browser_context
    page = context.new_page()
    page_errors: list[str] = []
    page.on("pageerror", lambda e: page_errors.append(str(e)))
    try:
        page.goto(base_url + "/fleet", wait_until="load", timeout=120_000)
        page.wait_for_function("document.querySelector('#status').classList.contains('error')")
        assert "WATTSHIFT_INVENTORY" in (page.locator("#status").text_content() or "")
        assert page.locator(".js-plotly-plot .main-svg").count() == 0
        _shot(page, screenshot_dir, "fleet")
        assert page_errors == []
    finally:
        page.close()
