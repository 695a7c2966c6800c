"""DuckDB warehouse: schema, atomic idempotent ingest, and queries returning canonical frames.

The only package that talks SQL. Modules: :mod:`~wattshift.warehouse.schema` (tables),
:mod:`~wattshift.warehouse.merge` (how a parsed file is merged), :mod:`~wattshift.warehouse.queries`
(tables → frames), :mod:`~wattshift.warehouse.core` (the :class:`Warehouse`).
"""

from __future__ import annotations

from wattshift.warehouse.core import Warehouse
from wattshift.warehouse.results import IngestResult, Progress
from wattshift.warehouse.schema import SCHEMA_VERSION

__all__ = ["SCHEMA_VERSION", "IngestResult", "Progress", "Warehouse"]
