"""The dashboard: four HTML pages calling the JSON API with ``fetch()`` and drawing with Plotly.js.

Pages are ``templates/<page>.html`` fragments included by the Jinja2 template ``templates/base.html``
(autoescaped); each page has its script ``static/<page>.js`` beside the shared ``static/common.js``
and ``static/dashboard.css``. Plotly.js is the report's vendored basic bundle
(``wattshift/report/static``), so the dashboard works with no internet connection.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader

from wattshift.errors import ConfigError, NotInWarehouseError

WEB_DIR = Path(__file__).resolve().parent
TEMPLATES_DIR = WEB_DIR / "templates"
STATIC_DIR = WEB_DIR / "static"


@dataclass(frozen=True)
class Page:
    """One dashboard page: URL path, template/script name and title."""

    path: str
    name: str
    title: str


#: The dashboard pages, in navigation order.
PAGES: tuple[Page, ...] = (
    Page("/", "market", "Market"),
    Page("/signals", "signals", "Signals"),
    Page("/dispatch", "dispatch", "Dispatch"),
    Page("/plan", "plan", "Plan"),
    Page("/valuation", "valuation", "Valuation"),
    Page("/fleet", "fleet", "Fleet"),
    Page("/markets", "markets", "Markets"),
)


@functools.cache
def _environment() -> Environment:
    return Environment(loader=FileSystemLoader(TEMPLATES_DIR), autoescape=True)


@functools.cache
def render_page(name: str) -> str:
    """The full HTML of page ``name`` (``base.html`` including the page's fragment and script)."""
    page = next(p for p in PAGES if p.name == name)
    return _environment().get_template("base.html").render(page=page, pages=PAGES)


@functools.cache
def _plotly_js() -> bytes:
    from wattshift.report.base import plotly_js

    return plotly_js().encode("utf-8")


def _page_endpoint(name: str) -> Callable[[], HTMLResponse]:
    def endpoint() -> HTMLResponse:
        return HTMLResponse(render_page(name))

    endpoint.__name__ = f"page_{name}"
    endpoint.__doc__ = f"Dashboard page: {name}."
    return endpoint


router = APIRouter(include_in_schema=False)

for _page in PAGES:
    router.add_api_route(_page.path, _page_endpoint(_page.name), methods=["GET"], response_class=HTMLResponse)


@router.get("/static/plotly.min.js")
def plotly_js() -> Response:
    """Plotly.js, the vendored basic bundle (cached by the browser for a day)."""
    return Response(
        _plotly_js(), media_type="text/javascript", headers={"Cache-Control": "public, max-age=86400"}
    )


#: Largest site text the editor may send [bytes].
MAX_SITE_BYTES = 256 * 1024


@router.get("/web/sites/{site_id}.toml")
def example_site_toml(site_id: str) -> PlainTextResponse:
    """The example site's TOML file as shipped (the site editor shows it as written, comments too)."""
    from wattshift.services.sites import examples

    for example in examples("site"):
        if example.name == site_id:
            return PlainTextResponse(example.path.read_text(encoding="utf-8"), media_type="application/toml")
    raise NotInWarehouseError(f"no example site {site_id!r}")


@router.post("/web/sites/parse")
async def parse_site_text(request: Request) -> JSONResponse:
    """The site editor's text (TOML, as a site file) validated and returned as the JSON request body
    of the dispatch and valuation jobs; 422 naming the line (TOML) or the field (site) when invalid."""
    import tomllib

    from wattshift.config.site import parse_site
    from wattshift.jsonable import to_jsonable

    body = await request.body()
    if len(body) > MAX_SITE_BYTES:
        raise ConfigError(f"site editor: the site is {len(body):,} bytes; at most {MAX_SITE_BYTES:,}")
    try:
        data = tomllib.loads(body.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError("site editor: the text is not UTF-8") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"site editor: not valid TOML: {exc}") from None
    parse_site(data, source="site editor")
    return JSONResponse(to_jsonable(data))


def mount_dashboard(app: FastAPI) -> None:
    """Add the pages, ``/static/plotly.min.js`` and the other static files to ``app``."""
    app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
