"""Full ingest of the shared data: wall time and peak memory.

Targets: every known file of ``WATTSHIFT_DATA_DIR`` into a new warehouse in <= 10 s, <= 1 GiB RSS.

Run as a script for one clean measurement in a fresh process (prints per-file seconds)::

    .venv/bin/python benchmarks/bench_ingest.py [DATA_DIR]

or with pytest-benchmark (``make bench``)::

    .venv/bin/pytest benchmarks/bench_ingest.py --benchmark-only
"""

from __future__ import annotations

import os
import resource
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import psutil

from wattshift.data.registry import known_files
from wattshift.warehouse import IngestResult, Warehouse

_DEFAULT = Path(__file__).resolve().parents[2] / "shared" / "data"


def _data_dir() -> Path:
    return Path(os.environ.get("WATTSHIFT_DATA_DIR") or _DEFAULT)


class PeakRss:
    """Sample this process's resident set size [bytes] every ``interval`` seconds; keep the peak."""

    def __init__(self, interval: float = 0.01) -> None:
        self.interval = interval
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._process = psutil.Process()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self._process.memory_info().rss)
            self._stop.wait(self.interval)

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self._process.memory_info().rss)


def full_ingest(data_dir: Path, db: Path) -> list[IngestResult]:
    """Ingest every known file of ``data_dir`` into a new warehouse at ``db``."""
    with Warehouse(db) as wh:
        return wh.ingest_files(known_files(data_dir))


def test_bench_full_ingest(benchmark: Any, tmp_path: Path) -> None:
    data_dir = _data_dir()
    if not (data_dir / "power").is_dir():
        import pytest

        pytest.skip("shared data not available (set WATTSHIFT_DATA_DIR)")
    counter = iter(range(1_000))

    def run() -> list[IngestResult]:
        return full_ingest(data_dir, tmp_path / f"w{next(counter)}.duckdb")

    results = benchmark.pedantic(run, rounds=2, iterations=1)
    assert all(r.status == "ok" for r in results)


def main(argv: list[str]) -> int:
    data_dir = Path(argv[1]) if len(argv) > 1 else _data_dir()
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.duckdb"
        cpu0 = time.process_time()
        with PeakRss() as rss:
            t0 = time.perf_counter()
            results = full_ingest(data_dir, db)
            wall = time.perf_counter() - t0
        cpu = time.process_time() - cpu0
        size = db.stat().st_size
    rows = sum(r.rows for r in results)
    maxrss_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    for r in results:
        print(f"{r.file:60s} {r.rows:>9,d} rows {r.seconds:6.2f} s  {r.status}")
    print(
        f"full ingest: {len(results)} files, {rows:,} rows in {wall:.2f} s wall ({cpu:.2f} s CPU), "
        f"peak RSS {rss.peak / 2**20:.0f} MiB (ru_maxrss {maxrss_kib / 1024:.0f} MiB), "
        f"warehouse {size / 2**20:.1f} MiB"
    )
    failed = [r for r in results if r.status == "error"]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
