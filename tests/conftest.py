"""Shared fixtures: the real shared data (read in place) and warehouses built from it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

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
