"""Pydantic validation errors as one :class:`~wattshift.errors.ConfigError` naming each field path.

Shared by every configuration file (sites, deals, grids, inventories, schedules, portfolios):
``site.toml: fleets[1].count: must be > 0``.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from wattshift.errors import ConfigError


def _loc_path(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


_OPS = {"greater_than": ("gt", ">"), "greater_than_equal": ("ge", ">="), "less_than": ("lt", "<")}
_OPS |= {"less_than_equal": ("le", "<=")}


def _message(error: Any) -> tuple[str, str]:
    """(extra path, message) of one pydantic error."""
    kind = error["type"]
    ctx = error.get("ctx") or {}
    if kind in _OPS:
        key, op = _OPS[kind]
        return "", f"must be {op} {ctx.get(key)}"
    if kind == "finite_number":
        return "", "must be a finite number (not NaN or infinity)"
    if kind == "extra_forbidden":
        return "", "unknown field"
    if kind == "missing":
        return "", "required field missing"
    if kind == "value_error":
        msg = str(ctx.get("error", error["msg"]))
        if msg.startswith("@"):
            field, _, rest = msg[1:].partition(": ")
            return field, rest
        return "", msg
    return "", str(error["msg"])


def format_validation_error(exc: ValidationError, *, source: str) -> ConfigError:
    """Turn a pydantic error into a :class:`ConfigError` naming ``source`` and each field path."""
    lines = []
    for error in exc.errors():
        extra, msg = _message(error)
        path = _loc_path(tuple(error["loc"]))
        if extra:
            path = f"{path}.{extra}" if path else extra
        lines.append(f"{path or '<site>'}: {msg}")
    return ConfigError(f"{source}: " + "; ".join(lines))
