"""Speed targets of issue "Dispatch an operator can trust": forecast mode and ``wattshift plan``.

- A forecast-mode backtest of one year of 15-minute HB_WEST prices (the West Texas example over
  2024, forecast training and the perfect-foresight upper bound included) within 3x the
  perfect-foresight backtest;
- ``plan`` for one operating day ≤ 1 s after start-up (warehouse open, modules imported).

``make bench`` runs the ``test_bench_*`` functions; ``python benchmarks/bench_foresight.py`` prints
the ratio. The warehouse is built from the shared data once (``WATTSHIFT_DATA_DIR``).
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
import time
from pathlib import Path
from typing import Any

import pytest

from wattshift.config import SiteConfig, load_site
from wattshift.services.sites import examples_dir
from wattshift.warehouse import Warehouse

SITE = examples_dir() / "sites" / "west_texas_hybrid.toml"
YEAR = (dt.date(2024, 1, 1), dt.date(2025, 1, 1))
PLAN_DAY = dt.date(2024, 8, 15)


def _warehouse(folder: Path) -> Path:
    from wattshift.data.registry import known_files

    raw = os.environ.get("WATTSHIFT_DATA_DIR")
    data = Path(raw) if raw else Path(__file__).resolve().parents[2] / "shared" / "data"
    if not (data / "power").is_dir():
        pytest.skip("shared data not available (set WATTSHIFT_DATA_DIR)")
    path = folder / "bench.duckdb"
    with Warehouse(path) as wh:
        wh.ingest_files(known_files(data))
    return path


def _year(wh: Warehouse, site: SiteConfig, foresight: Any) -> float:
    from wattshift.services.dispatch import run_dispatch

    start = time.perf_counter()
    run_dispatch(wh, site, start=YEAR[0], end=YEAR[1], foresight=foresight)
    return time.perf_counter() - start


@pytest.fixture(scope="module")
def opened(tmp_path_factory: pytest.TempPathFactory) -> Any:
    path = _warehouse(tmp_path_factory.mktemp("bench"))
    with Warehouse(path, read_only=True) as wh:
        yield wh, load_site(SITE)


def test_bench_forecast_year(benchmark: Any, opened: Any) -> None:
    wh, site = opened
    benchmark.pedantic(_year, args=(wh, site, "forecast"), rounds=2, iterations=1)


def test_bench_perfect_year(benchmark: Any, opened: Any) -> None:
    wh, site = opened
    benchmark.pedantic(_year, args=(wh, site, "perfect"), rounds=2, iterations=1)


def test_bench_plan_day(benchmark: Any, opened: Any) -> None:
    from wattshift.services.plan import make_plan

    wh, site = opened
    benchmark.pedantic(make_plan, args=(wh, site, PLAN_DAY), rounds=3, iterations=1)


def main() -> None:
    """Print forecast / perfect time and the plan time."""
    from wattshift.services.plan import make_plan

    with tempfile.TemporaryDirectory() as folder:
        path = _warehouse(Path(folder))
        with Warehouse(path, read_only=True) as wh:
            site = load_site(SITE)
            perfect = min(_year(wh, site, "perfect") for _ in range(2))
            forecast = min(_year(wh, site, "forecast") for _ in range(2))
            start = time.perf_counter()
            make_plan(wh, site, PLAN_DAY)
            plan = time.perf_counter() - start
    print(
        f"perfect foresight year: {perfect:.2f} s; forecast year: {forecast:.2f} s "
        f"({forecast / perfect:.2f}x, target ≤ 3x)"
    )
    print(f"plan for {PLAN_DAY}: {plan:.3f} s (target ≤ 1 s)")


if __name__ == "__main__":
    main()
