"""Data service: ingest source files into the warehouse and report what it holds.

Shared by the ``wattshift data`` commands, the HTTP API and the report, so they all ingest and
describe data the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pandas as pd

from wattshift.data.registry import known_files
from wattshift.warehouse import IngestResult, Progress, Warehouse

#: ``progress(file_name, bytes_done, bytes_total)`` of a download.
FetchProgress = Callable[[str, int, int], None]


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

    Afterwards the derived daily table is brought up to date
    (:func:`wattshift.services.derived.refresh_derived`; nothing to do when it is current).
    """
    from wattshift.services.derived import refresh_derived
    from wattshift.warehouse.ingest import IngestOptions

    options = IngestOptions(replace=replace, allow_new_nodes=allow_new_nodes)
    results = wh.ingest_files(paths, progress=progress, options=options)
    refresh_derived(wh)  # the one-day answers' table, when BTC or Fear & Greed data changed
    return results


def ingest_all(wh: Warehouse, data_dir: str | Path, progress: Progress | None = None) -> list[IngestResult]:
    """Ingest every known file found in ``data_dir`` (see :func:`wattshift.data.registry.known_files`)."""
    return ingest(wh, known_files(data_dir), progress)


def known_data_files(data_dir: str | Path) -> list[Path]:
    """The known data files found in ``data_dir`` (see :func:`wattshift.data.registry.known_files`)."""
    return known_files(data_dir)


def public_files() -> list[dict[str, object]]:
    """Every public data file ``wattshift data fetch`` downloads: target, origins, licence, sha256."""
    from wattshift.data import fetch

    return [entry.describe() for entry in fetch.MANIFEST]


def fetch_public(
    dest: str | Path,
    progress: FetchProgress | None = None,
    *,
    mirror: str | None = None,
    cache_dir: Path | None = None,
    retries: int = 2,
    only: list[str] | None = None,
) -> list[Path]:
    """Download the public data (pinned origins and hashes, retries, pooch's cache) into ``dest``.

    Parameters
    ----------
    dest
        Folder laid out like the shared data folder.
    progress
        ``progress(file_name, bytes_done, bytes_total)`` while downloading.
    mirror
        Base URL of a web server over a copy of a data folder: every file is fetched from it
        verbatim (the only source of the mirror-only files); None: the public origins.
    cache_dir
        Download cache (default: ``$WATTSHIFT_CACHE_DIR`` or the user cache folder).
    retries
        Extra attempts per failed download.
    only
        Targets or file names to fetch (None: all).

    Returns
    -------
    list of Path
        The files written (mirror-only files are skipped without a mirror).

    Raises
    ------
    DataError
        For a name in ``only`` that is not a public data file.
    """
    from wattshift.data import fetch

    return fetch.fetch_all(
        Path(dest),
        progress=progress,
        base_urls={"mirror": mirror} if mirror else None,
        cache_dir=cache_dir,
        retries=retries,
        only=only or None,
    )


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


def gaps(wh: Warehouse) -> pd.DataFrame:
    """Gaps in every price series held (missing intervals between held ones; never filled).

    Returns
    -------
    pandas.DataFrame
        ``iso, node, market, gaps, missing_intervals, longest_gap_start, longest_gap_end,
        longest_gap_hours``; see :func:`wattshift.warehouse.market_queries.price_gaps`.
    """
    return wh.price_gaps()
