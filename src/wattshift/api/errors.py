"""How errors reach an HTTP client: a status code and a one-line message, never a stack trace.

- :class:`~wattshift.errors.NotInWarehouseError` → 404 (the message says which span is available);
- :class:`~wattshift.errors.ConfigError`, :class:`~wattshift.errors.DataError` → 422 (the message names
  the config field, or the file/line/column);
- :class:`WarehouseBusyError` (another process kept writing the file) and
  :class:`ServerStoppingError` (a long request cut short by a shutdown) → 503 with ``Retry-After``;
- any other :class:`~wattshift.errors.WattshiftError` → 400;
  all four with the body ``{"detail": message, "error": class name}``; the warehouse file's path
  is replaced by ``<warehouse>`` in any message (clients never learn server paths);
- request validation (FastAPI) → 422 with FastAPI's ``detail`` list and a ``message`` naming each field;
- anything else → 500 ``{"detail": "internal server error ..."}``; the traceback goes to the server log only.
"""

from __future__ import annotations

import logging
import math
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from wattshift.errors import ConfigError, DataError, NotInWarehouseError, WattshiftError

logger = logging.getLogger("wattshift.api")

#: Body of every 500 response: nothing about the failure leaks to the client.
INTERNAL_ERROR_DETAIL = "internal server error (logged on the server)"


#: Seconds a client is told to wait after a 503 for a busy warehouse.
BUSY_RETRY_AFTER_S = 2


class WarehouseBusyError(WattshiftError):
    """Another process kept writing the warehouse file longer than a read may wait (HTTP 503)."""


class ServerStoppingError(WattshiftError):
    """The server is shutting down; a long request stopped at its next step (HTTP 503)."""


def status_for(exc: WattshiftError) -> int:
    """HTTP status code for a wattshift error (see the module table)."""
    if isinstance(exc, WarehouseBusyError | ServerStoppingError):
        return 503
    if isinstance(exc, NotInWarehouseError):
        return 404
    if isinstance(exc, ConfigError | DataError):
        return 422
    return 400


def field_name(loc: tuple[int | str, ...] | list[int | str]) -> str:
    """Dotted field name of a validation error location, without the ``query``/``body`` prefix.

    >>> field_name(("query", "date"))
    'date'
    >>> field_name(("body", "fleets", 0, "efficiency_j_per_th"))
    'fleets[0].efficiency_j_per_th'
    """
    parts = list(loc)
    if parts and parts[0] in ("query", "body", "path", "header", "cookie"):
        parts = parts[1:]
    name = ""
    for part in parts:
        if isinstance(part, int):
            name += f"[{part}]"
        else:
            name += f".{part}" if name else str(part)
    return name or "request"


def _validation_message(errors: list[dict[str, Any]]) -> str:
    where = {"query": "query parameter", "body": "body field", "path": "path parameter", "header": "header"}
    lines = []
    for error in errors:
        loc = tuple(error.get("loc", ()))
        msg = error.get("msg", "invalid")
        if error.get("type") == "json_invalid":
            reason = (error.get("ctx") or {}).get("error", "")
            lines.append(f"request body: not valid JSON ({reason} at character {loc[-1] if loc else '?'})")
            continue
        name = field_name(loc)
        if name == "request":
            lines.append(f"request body: {msg}")
            continue
        kind = where.get(str(loc[0]), "field") if loc else "field"
        lines.append(f"{kind} {name!r}: {msg}")
    return "; ".join(lines)


def public_message(app: Any, exc: BaseException) -> str:
    """``str(exc)`` with the app's warehouse path (if any) replaced by ``<warehouse>``."""
    text = str(exc)
    access = getattr(app.state, "warehouse", None)
    db_path = getattr(access, "db_path", None)
    if db_path is not None:
        text = text.replace(str(db_path), "<warehouse>")
    return text


async def _wattshift_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, WattshiftError)
    status = status_for(exc)
    headers = {"Retry-After": str(BUSY_RETRY_AFTER_S)} if status == 503 else None
    return JSONResponse(
        status_code=status,
        content={"detail": public_message(request.app, exc), "error": type(exc).__name__},
        headers=headers,
    )


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [dict(e) for e in exc.errors()]
    for e in errors:  # the ``ctx`` may hold exception objects; the rest is plain data
        if "ctx" in e:
            e["ctx"] = {k: str(v) for k, v in e["ctx"].items()}
        if "input" in e:  # a NaN or inf the body held is echoed as text (JSON has no such numbers)
            e["input"] = _json_safe(e["input"])
    message = _site_message(exc.body) if any(e.get("loc", ("",))[0] == "body" for e in errors) else None
    return JSONResponse(
        status_code=422,
        content=jsonable_encoder({"detail": errors, "message": message or _validation_message(errors)}),
    )


def _json_safe(value: object) -> object:
    """``value`` with every non-finite float replaced by its text (``"nan"``, ``"inf"``)."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    return value


def _site_message(body: object) -> str | None:
    """For a site-config body, the site validator's message (field paths as in a TOML file)."""
    from wattshift.config import parse_site

    if not isinstance(body, dict):
        return None
    try:
        parse_site(body, source="request body")
    except ConfigError as exc:
        return str(exc)
    return None


async def _unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    logger.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return JSONResponse(status_code=500, content={"detail": INTERNAL_ERROR_DETAIL})


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers of the module table on ``app``."""
    app.add_exception_handler(WattshiftError, _wattshift_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(Exception, _unexpected_error)
