"""Data service: ingest source files into the warehouse and report what it holds.

Shared by the ``wattshift data`` commands, the HTTP API and the report, so they all ingest and
describe data the same way.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd

from wattshift.data.registry import known_files
from wattshift.warehouse import IngestResult, Progress, Warehouse


def ingest(
    wh: Warehouse,
    paths: Iterable[str | Path],
    progress: Progress | None = None,
    *,
    replace: bool = False,
    allow_new_nodes: bool = False,
) -> list[IngestResult]:
    """Ingest files, each atomically; a bad file is reported in its result and does not stop the rest.

    Parameters
    ----------
    wh
        A writable warehouse.
    paths
        Known data files (see :mod:`wattshift.data.registry`).
    progress
        ``progress(done, total, file_name)``, called before each file and once at the end.
    replace
        Accept new versions of files that lack rows stored earlier (they are deleted; see
        :mod:`wattshift.warehouse.history`); default: such a file is refused.
    allow_new_nodes
        Accept settlement points not in the market's published list (:mod:`wattshift.data.nodes`).

    Returns
    -------
    list of IngestResult
        One per distinct file, in order; ``status`` is ``ok``, ``unchanged`` or ``error``.
    """
    from wattshift.warehouse.ingest import IngestOptions

    options = IngestOptions(replace=replace, allow_new_nodes=allow_new_nodes)
    return wh.ingest_files(paths, progress=progress, options=options)


def ingest_all(wh: Warehouse, data_dir: str | Path, progress: Progress | None = None) -> list[IngestResult]:
    """Ingest every known file found in ``data_dir`` (see :func:`wattshift.data.registry.known_files`)."""
    return ingest(wh, known_files(data_dir), progress)


def results_records(results: Iterable[IngestResult]) -> list[dict[str, Any]]:
    """Ingest results as JSON-ready records: ``file, kind, table, rows, seconds, status, error``."""
    return [
        {
            "file": r.file,
            "kind": r.kind,
            "table": r.table,
            "rows": r.rows,
            "seconds": round(r.seconds, 3),
            "status": r.status,
            "error": r.error,
        }
        for r in results
    ]


def status(wh: Warehouse) -> pd.DataFrame:
    """Rows, first/last timestamp and last ingest per table and source file.

    Returns
    -------
    pandas.DataFrame
        ``table, kind, source, rows, first, last, last_ingest``; see
        :func:`wattshift.warehouse.reports.status`.
    """
    return wh.status()
