"""DuckDB warehouse: schema, atomic idempotent ingest, and queries returning canonical frames.

The only package that talks SQL. Modules: :mod:`~wattshift.warehouse.schema` (tables),
:mod:`~wattshift.warehouse.core` (the :class:`Warehouse`: open, close, reports, queries),
:mod:`~wattshift.warehouse.ingest` (plan, parse, check, merge, log), :mod:`~wattshift.warehouse.checks`
(bounds, dates, nodes), :mod:`~wattshift.warehouse.history` (the rule for rows missing from a new
version of a file), :mod:`~wattshift.warehouse.merge` (how a parsed file is merged),
:mod:`~wattshift.warehouse.lock` (writers wait for each other), :mod:`~wattshift.warehouse.queries`
(tables → frames).
"""

from __future__ import annotations

from wattshift.warehouse.core import Warehouse
from wattshift.warehouse.results import IngestResult, Progress
from wattshift.warehouse.schema import SCHEMA_VERSION

__all__ = ["SCHEMA_VERSION", "IngestResult", "Progress", "Warehouse"]
