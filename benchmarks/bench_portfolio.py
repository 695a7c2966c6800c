"""Speed target of issue 15 (portfolio scale): 24 site-years of 15-minute dispatch on Dask,
2 workers vs 1 worker, target ≥ 1.7x.

The cases: two 10 MW sites (two fleets, one with a ramp limit, solved as one LP per operating
day, forecast foresight; the second site with older machines) at the seven ERCOT hubs in 2023 and
five of them in 2024 (15-minute real-time settlement point prices): 2 x 12 = 24 site-years of
35,040 or 35,136 intervals. Inputs are loaded from the warehouse once (not timed); each
timing is ``run_portfolio`` on a LocalCluster that is already up (cluster start-up is printed
apart), and the rows of both runs must be equal. The ratio depends on what else runs on the
machine's cores: it is printed, never asserted.

``python benchmarks/bench_portfolio.py`` (``make bench``); the warehouse is built from the shared
data (``WATTSHIFT_DATA_DIR``).
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

from wattshift.config.portfolio import NodeChoice, PortfolioGrid
from wattshift.services.portfolio import PortfolioCase, dask_client, load_cases, run_portfolio
from wattshift.warehouse import Warehouse

SITE = """name = "bench 10 MW"
interconnect_mw = 10.0
[[fleets]]
name = "new"
power_mw = 6.0
efficiency_j_per_th = 17.0
ramp_mw_per_min = 0.5
[[fleets]]
name = "old"
power_mw = 4.0
efficiency_j_per_th = 29.5
"""
HUBS = ("HB_BUSAVG", "HB_HOUSTON", "HB_HUBAVG", "HB_NORTH", "HB_PAN", "HB_SOUTH", "HB_WEST")
OLDER = SITE.replace("bench 10 MW", "bench 10 MW, older").replace("17.0", "21.5").replace("29.5", "34.0")


def _grid(sites: list[Path], nodes: list[tuple[str, str]], year: int) -> PortfolioGrid:
    return PortfolioGrid(
        sites=[str(s) for s in sites],
        years=[year],
        nodes=[NodeChoice(market=m, node=n) for m, n in nodes],
        solver="lp",
    )


def _cases(wh: Warehouse, sites: list[Path]) -> list[PortfolioCase]:
    cases = load_cases(wh, _grid(sites, [("ERCOT", n) for n in HUBS], 2023))
    cases += load_cases(wh, _grid(sites, [("ERCOT", n) for n in HUBS[2:]], 2024))
    return cases


def _timed(cases: list[PortfolioCase], workers: int) -> tuple[float, float, list[object]]:
    started = time.perf_counter()
    with dask_client(n_workers=workers) as client:
        up = time.perf_counter() - started
        start = time.perf_counter()
        rows = run_portfolio(cases, foresight="forecast", solver="lp", client=client)
        return up, time.perf_counter() - start, list(rows)


def main() -> None:
    """Print the 1-worker and 2-worker times and their ratio."""
    from wattshift.data.registry import known_files

    raw = os.environ.get("WATTSHIFT_DATA_DIR")
    data = Path(raw) if raw else Path(__file__).resolve().parents[2] / "shared" / "data"
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "bench.duckdb"
        sites = [Path(folder) / "site.toml", Path(folder) / "older.toml"]
        sites[0].write_text(SITE, encoding="utf-8")
        sites[1].write_text(OLDER, encoding="utf-8")
        with Warehouse(db) as wh:
            wh.ingest_files(known_files(data))
        with Warehouse(db, read_only=True) as wh:
            cases = _cases(wh, sites)
    intervals = {len(c.inputs.interval_start_utc) for c in cases}
    print(f"{len(cases)} site-years, intervals per case: {sorted(intervals)}")
    up1, one, rows1 = _timed(cases, 1)
    up2, two, rows2 = _timed(cases, 2)
    assert rows1 == rows2, "2 workers gave other numbers than 1"
    print(f"1 worker: {one:.1f} s (cluster start {up1:.1f} s); 2 workers: {two:.1f} s (start {up2:.1f} s)")
    print(f"speed-up 2 vs 1 worker: {one / two:.2f}x (target >= 1.7x)")


if __name__ == "__main__":
    main()
