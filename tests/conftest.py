"""Shared fixtures: the real shared data (read in place) and warehouses built from it."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from wattshift.warehouse import Warehouse

_DEFAULT_SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"


def _shared_dir() -> Path | None:
    raw = os.environ.get("WATTSHIFT_DATA_DIR")
    path = Path(raw) if raw else _DEFAULT_SHARED
    return path if (path / "onchain").is_dir() else None


@pytest.fixture(scope="session")
def shared_data_dir() -> Path:
    """The real data folder (``$WATTSHIFT_DATA_DIR`` or ../shared/data); read-only."""
    path = _shared_dir()
    if path is None:
        pytest.skip("shared data not available (set WATTSHIFT_DATA_DIR)")
    return path


@pytest.fixture(scope="session")
def warehouse_path(shared_data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A DuckDB warehouse with every shared data file ingested, built once per test session."""
    from wattshift.data.registry import known_files
    from wattshift.warehouse import Warehouse

    path = tmp_path_factory.mktemp("warehouse") / "wattshift.duckdb"
    with Warehouse(path) as wh:
        results = wh.ingest_files(known_files(shared_data_dir))
    failed = [r for r in results if r.status != "ok"]
    assert not failed, failed
    return path


@pytest.fixture(scope="session")
def warehouse(warehouse_path: Path) -> Iterator[Warehouse]:
    """The session warehouse opened read-only (shared by tests; do not close)."""
    from wattshift.warehouse import Warehouse

    with Warehouse(warehouse_path, read_only=True) as opened:
        yield opened
