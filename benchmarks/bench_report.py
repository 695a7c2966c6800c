"""Where ``wattshift report``'s time goes: import time, then each section's wall and CPU seconds (issue 13).

One fresh process per run (``--runs``, default 3, median), on the demo warehouse (``WATTSHIFT_DB``):
the imports of the report's modules are timed first (what a cold ``wattshift report`` pays before it
builds anything), then the warehouse is opened and :func:`wattshift.report.build.build_report` runs,
timed between its progress calls: each section in page order, the last one with the page written
after it. The section timings include whatever each section imports lazily.
``benchmarks/bench_cli.py --only report`` is the headline (the whole command, cold); this splits it.
Nothing is cached between runs: every process starts cold.

Run with ``python benchmarks/bench_report.py [--runs N]``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

_CHILD = r"""
import json, os, tempfile, time
from pathlib import Path

def clock():
    t = os.times()
    return time.perf_counter(), t.user + t.system

marks = [("imports", *clock())]
from wattshift.report.build import build_report
from wattshift.services.store import Warehouse
marks.append(("open", *clock()))
with Warehouse(Path(os.environ["WATTSHIFT_DB"]), read_only=True) as wh, tempfile.TemporaryDirectory() as out:
    build_report(wh, Path(out), progress=lambda name: marks.append((name, *clock())))
    marks.append(("end", *clock()))
# each part lasts from its mark to the next one; the last section's part includes the page
parts = {a[0]: (b[1] - a[1], b[2] - a[2]) for a, b in zip(marks, marks[1:])}
print(json.dumps(parts))
"""


def main() -> int:
    """Print the median wall and CPU seconds of the imports, each section and the page."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="fresh processes (median)")
    opts = parser.parse_args()
    db = os.environ.get("WATTSHIFT_DB")
    if not db or not Path(db).exists():
        print("bench_report: skipped, no demo warehouse at WATTSHIFT_DB (run `make demo` first)")
        return 0
    runs: list[dict[str, list[float]]] = []
    load = os.getloadavg()
    for _ in range(opts.runs):
        done = subprocess.run([sys.executable, "-c", _CHILD], capture_output=True, text=True, check=True)
        runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
    print(f"load average before: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} on {os.cpu_count()} cores")
    print(f"{'part':<12} {'wall s':>7} {'cpu s':>7}")
    total_wall = total_cpu = 0.0
    for part in runs[0]:
        wall = statistics.median(r[part][0] for r in runs)
        cpu = statistics.median(r[part][1] for r in runs)
        total_wall, total_cpu = total_wall + wall, total_cpu + cpu
        print(f"{part:<12} {wall:>7.2f} {cpu:>7.2f}")
    print(f"{'sum':<12} {total_wall:>7.2f} {total_cpu:>7.2f}")
    load = os.getloadavg()
    print(f"load average after:  {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
