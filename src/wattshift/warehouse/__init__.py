"""DuckDB warehouse: schema, atomic idempotent ingest, and queries returning canonical frames.

The only package that talks SQL. Modules: :mod:`~wattshift.warehouse.schema` (tables),
:mod:`~wattshift.warehouse.core` (the :class:`Warehouse`: open, close, reports, queries),
:mod:`~wattshift.warehouse.ingest` (plan, parse, check, merge, log), :mod:`~wattshift.warehouse.checks`
(bounds, dates, nodes), :mod:`~wattshift.warehouse.history` (the rule for rows missing from a new
version of a file), :mod:`~wattshift.warehouse.merge` (how a parsed file is merged),
:mod:`~wattshift.warehouse.lock` (writers wait for each other), :mod:`~wattshift.warehouse.queries`
(tables → frames), :mod:`~wattshift.warehouse.derived` (the derived daily table and its stamp) and
:mod:`~wattshift.warehouse.reader` (a read-only connection for one-day lookups, without pandas).

The names below are imported from their module on first use (PEP 562): the light modules
(``reader``, ``derived``, ``lock``, ``files``, ``version``) can be imported without pandas.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from wattshift.warehouse.core import Warehouse
    from wattshift.warehouse.results import IngestResult, Progress
    from wattshift.warehouse.version import SCHEMA_VERSION

#: Public name -> its module.
_MODULE_OF: dict[str, str] = {
    "Warehouse": "core",
    "IngestResult": "results",
    "Progress": "results",
    "SCHEMA_VERSION": "version",
}


def __getattr__(name: str) -> Any:
    """Import ``name`` from its module on first use (then it is a plain attribute of the package)."""
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_MODULE_OF])


__all__ = ["SCHEMA_VERSION", "IngestResult", "Progress", "Warehouse"]
