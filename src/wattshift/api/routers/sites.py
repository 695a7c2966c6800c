"""Example sites: ``GET /api/sites`` and ``GET /api/sites/{site_id}``.

The examples are the TOML files of ``examples/sites/`` in the source tree; the dashboard offers
them as starting points for a dispatch or valuation run (their ``site`` is a valid request body).
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter
from fastapi import Path as PathParam
from fastapi.responses import Response

import wattshift
from wattshift.api.deps import encode, json_response
from wattshift.config import parse_site
from wattshift.errors import ConfigError, NotInWarehouseError

router = APIRouter(prefix="/api/sites", tags=["sites"])

#: ``examples/sites`` of the source checkout (``src/wattshift`` → repository root).
EXAMPLES_DIR = Path(wattshift.__file__).resolve().parents[2] / "examples" / "sites"


def _description(text: str) -> str:
    """The leading comment block of a TOML file, without ``#`` and the ``Run:`` line."""
    lines = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        content = line.lstrip("#").strip()
        if content.startswith("Run:"):
            continue
        lines.append(content)
    return " ".join(part for part in lines if part)


def example_sites(examples_dir: Path = EXAMPLES_DIR) -> list[dict[str, Any]]:
    """Every example site: ``id`` (file stem), ``name``, ``description`` and ``site`` (the config).

    Raises
    ------
    ConfigError
        An example file is not a valid site (names the file and field).
    """
    sites = []
    for path in sorted(examples_dir.glob("*.toml")):
        text = path.read_text(encoding="utf-8")
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path}: not valid TOML: {exc}") from None
        site = parse_site(data, source=str(path))
        sites.append({"id": path.stem, "name": site.name, "description": _description(text), "site": data})
    return sites


@router.get("", summary="Example sites (dispatch and valuation starting points)")
def list_sites() -> Response:
    """``[{id, name, description, site}]``; ``site`` is a valid body for ``POST /api/dispatch``."""
    return json_response(encode(example_sites()))


@router.get("/{site_id}", summary="One example site")
def get_site(
    site_id: Annotated[str, PathParam(pattern=r"^[A-Za-z0-9_\-]+$", max_length=100)],
) -> Response:
    """The example ``site_id`` (404 listing the ids when unknown)."""
    sites = {s["id"]: s for s in example_sites()}
    if site_id not in sites:
        known = ", ".join(sites) or "none"
        raise NotInWarehouseError(f"no example site {site_id!r}; examples: {known}")
    return json_response(encode(sites[site_id]))
