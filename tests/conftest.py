"""Shared fixtures: the real shared data (read in place), warehouses and frames built from it, and the
API over the session warehouse. Fakes and synthetic frames are in :mod:`wattshift.testing`."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
import pytest

if TYPE_CHECKING:
    from fastapi.testclient import TestClient

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
    from wattshift.services.data import ingest
    from wattshift.warehouse import Warehouse

    path = tmp_path_factory.mktemp("warehouse") / "wattshift.duckdb"
    with Warehouse(path) as wh:  # as `wattshift data ingest` does: with the derived daily table
        results = ingest(wh, known_files(shared_data_dir))
    failed = [r for r in results if r.status != "ok"]
    assert not failed, failed
    return path


@pytest.fixture(scope="session")
def warehouse(warehouse_path: Path) -> Iterator[Warehouse]:
    """The session warehouse opened read-only (shared by tests; do not close)."""
    from wattshift.warehouse import Warehouse

    with Warehouse(warehouse_path, read_only=True) as opened:
        yield opened


# --- the on-chain files, read with the project's own adapters --------------------------------------

#: The on-chain files of the shared data used by the signal tests (paths under the data folder).
COINMETRICS_MAIN = "onchain/coinmetrics_btc_daily_2009-01-03_2026-03-23.csv"
COINMETRICS_EXTENSION = "onchain/coinmetrics_btc_daily_ext_2026-03-23_2026-06-01.csv"
FEAR_GREED_FILE = "onchain/alternative_me_fear_greed_daily_2018-02-01_2026-08-22.csv"


@pytest.fixture(scope="session")
def btc_daily_history(shared_data_dir: Path) -> pd.DataFrame:
    """The BTC daily frame as the warehouse stores it: the current Coin Metrics file with its 2026
    extension on top (the extension replaces the main file's partial last day), one row per day."""
    from wattshift.data.coinmetrics import read_coinmetrics
    from wattshift.data.schema import BTC_DAILY_COLUMNS

    main = read_coinmetrics(shared_data_dir / COINMETRICS_MAIN)
    ext = read_coinmetrics(shared_data_dir / COINMETRICS_EXTENSION)
    main = main[~main["date"].isin(ext["date"])]
    frame = pd.concat([main, ext], ignore_index=True).sort_values("date", ignore_index=True)
    return frame[list(BTC_DAILY_COLUMNS)]


@pytest.fixture(scope="session")
def fear_greed_history(shared_data_dir: Path) -> pd.DataFrame:
    """The alternative.me Fear & Greed history."""
    from wattshift.data.feargreed import read_fear_greed
    from wattshift.data.schema import FEAR_GREED_COLUMNS

    return read_fear_greed(shared_data_dir / FEAR_GREED_FILE)[list(FEAR_GREED_COLUMNS)]


@pytest.fixture(scope="session")
def onchain_warehouse_path(shared_data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A DuckDB warehouse holding only the three on-chain files (quicker than ``warehouse_path``)."""
    from wattshift.warehouse import Warehouse

    path = tmp_path_factory.mktemp("onchain") / "signals.duckdb"
    with Warehouse(path) as wh:
        for name in (COINMETRICS_MAIN, COINMETRICS_EXTENSION, FEAR_GREED_FILE):
            result = wh.ingest_file(shared_data_dir / name)
            assert result.status == "ok", result.error
    return path


# --- the API over the session warehouse -----------------------------------------------------------


@pytest.fixture(scope="module")
def client(warehouse_path: Path) -> TestClient:
    """A client of the API over the session warehouse (token ``"t"``; server errors come back as 500s).

    Test modules that need another app (an empty warehouse, extra routes) define their own ``client``.
    """
    from fastapi.testclient import TestClient

    from wattshift.api import create_app

    return TestClient(create_app(warehouse_path, token="t"), raise_server_exceptions=False)


@pytest.fixture(scope="module")
def site(client: TestClient, request: pytest.FixtureRequest) -> dict[str, Any]:
    """Request body of the example site named by the test module's ``SITE_ID``, from ``/api/sites``."""
    site_id = getattr(request.module, "SITE_ID", None)
    assert isinstance(site_id, str), f"{request.module.__name__} must set SITE_ID to use the site fixture"
    response = client.get(f"/api/sites/{site_id}")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()["site"]
    return body


@pytest.fixture
def cli_json(warehouse_path: Path) -> Callable[..., Any]:
    """Run a CLI command with ``--format json --db <session warehouse>``; its parsed JSON output."""
    from typer.testing import CliRunner

    from wattshift.cli import app

    def run(*args: str) -> Any:
        result = CliRunner().invoke(app, [*args, "--format", "json", "--db", str(warehouse_path)])
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)

    return run
