"""Schemathesis: generated requests from ``/openapi.json`` against every operation give no 5xx.

The warehouse is a small real one (the Coin Metrics 2026 extension file, Fear & Greed, the ASIC
catalogue): generated dates, models and site configs then hit every path of the services (found,
not found, invalid) quickly.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from wattshift.api import create_app
from wattshift.warehouse import Warehouse


@pytest.fixture(scope="module")
def api_schema(shared_data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Any:
    db = tmp_path_factory.mktemp("schema") / "w.duckdb"
    onchain = shared_data_dir / "onchain"
    files = [
        *onchain.glob("coinmetrics_btc_daily_ext_*.csv"),
        *onchain.glob("alternative_me_fear_greed_daily_*.csv"),
        shared_data_dir / "asics" / "asic_models.csv",
    ]
    with Warehouse(db) as wh:
        for path in files:
            assert wh.ingest_file(path).status == "ok"
    return schemathesis.openapi.from_asgi("/openapi.json", create_app(db, token="schema-token"))


def test_no_server_errors(api_schema: Any) -> None:
    failures: list[str] = []
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 14
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=8,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def check(case: Any) -> None:
            response = case.call()
            case.validate_response(response, checks=[not_a_server_error])

        try:
            check()
        except Exception as exc:  # collect every operation's failure, then report them together
            failures.append(f"{operation.label}: {exc}")
    assert failures == []
