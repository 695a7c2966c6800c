"""The warehouse as the interfaces hold it: the edges open and pass a :class:`Warehouse` through here.

The CLI, the API and the report never import :mod:`wattshift.warehouse` themselves (an import-linter
contract in ``pyproject.toml``): they open a warehouse with :func:`open_warehouse` (or name the type
for annotations) and hand it to the service functions, which do the reading.
"""

from __future__ import annotations

from pathlib import Path

from wattshift.warehouse import IngestResult as IngestResult
from wattshift.warehouse import Warehouse as Warehouse


def open_warehouse(path: str | Path, *, read_only: bool = True) -> Warehouse:
    """Open the DuckDB warehouse at ``path`` (read-only by default; a writer takes the file lock)."""
    return Warehouse(path, read_only=read_only)
