"""Ingest outcomes and the small pieces around them: :class:`IngestResult`, progress, file hashes."""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Literal

from wattshift.data.registry import FileSpec, registry_key
from wattshift.errors import DataError

Status = Literal["ok", "unchanged", "error"]

#: Source kind or table name → table.
TABLE_OF_KIND: Final[dict[str, str]] = {
    "coinmetrics": "btc_daily",
    "btc_daily": "btc_daily",
    "fear_greed": "fear_greed",
    "ercot": "iso_prices",
    "iso_prices": "iso_prices",
    "asics": "asic_models",
    "asic_models": "asic_models",
    "gpu": "gpu_prices",
    "gpu_prices": "gpu_prices",
    "eia_market": "iso_prices",
    "pjm": "iso_prices",
    "nordic": "iso_prices",
    "fx": "fx_rates",
    "fx_rates": "fx_rates",
    "ercot_load": "system_load",
    "system_load": "system_load",
    "ercot_4cp": "cp4_intervals",
    "cp4_intervals": "cp4_intervals",
}


@dataclass(frozen=True)
class IngestResult:
    """Outcome of ingesting one file or frame.

    Attributes
    ----------
    file
        File name (or the frame's source name).
    kind
        Source kind (``coinmetrics``, ``ercot``, ...), ``unknown`` if the name was not recognised.
    table
        Warehouse table written (empty if unknown).
    rows
        Rows parsed from the file (0 when skipped or failed).
    seconds
        Wall time [s], parsing included.
    status
        ``ok``, ``unchanged`` (same content as the last successful ingest; skipped) or ``error``.
    error
        The error message when ``status == "error"``.
    sha256
        SHA-256 of the file's bytes (``None`` for frames).
    """

    file: str
    kind: str
    table: str
    rows: int
    seconds: float
    status: Status
    error: str | None = None
    sha256: str | None = None


#: ``progress(done, total, file_name)``.
Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class Planned:
    """A recognised, hashed file waiting to be parsed and merged."""

    path: Path
    spec: FileSpec
    sha256: str
    started: dt.datetime
    t0: float


def error_result(path: Path, exc: BaseException, planned: Planned | None = None) -> IngestResult:
    """The result of a failed ingest of ``path`` (``planned`` when it got that far)."""
    spec = planned.spec if planned is not None else None
    return IngestResult(
        file_label(path) if spec else path.name,
        spec.kind if spec else "unknown",
        spec.table if spec else "",
        0,
        time.perf_counter() - planned.t0 if planned else 0.0,
        "error",
        error=str(exc),
        sha256=planned.sha256 or None if planned else None,
    )


def file_label(path: Path) -> str:
    """Name a file goes by in the warehouse: its registry key (``SE3/2024.csv`` for names reused per
    folder, else the file name), so that files of the same name in different folders stay apart."""
    return registry_key(path)


def utc_now() -> dt.datetime:
    """Now, as a naive UTC timestamp (the log's convention)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def file_sha256(path: Path) -> str:
    """Hex SHA-256 of a file's bytes (raises :class:`DataError` if it cannot be read)."""
    digest = hashlib.sha256()
    try:
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    except OSError as exc:
        raise DataError(f"cannot read: {exc.strerror}", file=str(path)) from None
    return digest.hexdigest()
