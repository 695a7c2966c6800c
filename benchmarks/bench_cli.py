"""What a user waits for: cold ``wattshift`` processes on the demo warehouse (issue 13, items 1-3).

Each command is started the way a user starts it (``.venv/bin/wattshift …`` in a fresh process, bytecode
compiled at install), three times; the table shows the median wall time, the median CPU time (user +
system, which load on a shared machine does not inflate the way it inflates wall time), the largest peak
RSS of the three runs (from ``os.wait4``'s resource usage of that child alone) and, for ``report``, the
size of the HTML file. The machine's load average is printed before and after: on a shared 2-core
machine a wall time above its target may be the neighbours' work, not ours.

Run with ``make bench`` (which exports ``WATTSHIFT_DB``, the demo warehouse of ``make demo``) or
``python benchmarks/bench_cli.py [--runs N] [--only NAME]``.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MIB = 1024.0 * 1024.0


@dataclass(frozen=True)
class Case:
    """One user command and its targets.

    Attributes
    ----------
    name
        Short label in the table.
    args
        Arguments after ``wattshift``; ``{out}`` is replaced by a fresh temporary directory.
    seconds
        Target median wall time [s].
    rss_mib
        Target peak resident set size [MiB], or None.
    output_mb
        Target size of ``{out}/index.html`` [MB = 1e6 bytes], or None.
    """

    name: str
    args: tuple[str, ...]
    seconds: float
    rss_mib: float | None = None
    output_mb: float | None = None


CASES = (
    Case(
        "mining one day",
        (
            *("mining", "--date", "2026-03-01", "--efficiency-j-per-th", "20"),
            *("--power-usd-per-kwh", "0.05", "--format", "json"),
        ),
        0.5,
    ),
    Case("signals", ("signals", "--date", "2026-03-01", "--format", "json"), 0.7),
    Case(
        "dispatch West Texas 2024",
        (
            *("dispatch", "--site", "west_texas_hybrid", "--from", "2024-01-01"),
            *("--to", "2025-01-01", "--format", "json"),
        ),
        1.2,
    ),
    Case("report", ("report", "--out", "{out}"), 3.0, output_mb=3.0),
    Case(
        "value 100k x 180",
        (
            *("value", "--site", "converting_to_ai", "--paths", "100000", "--years", "15"),
            *("--seed", "7", "--format", "json"),
        ),
        4.0,
        rss_mib=600.0,
    ),
)


@dataclass(frozen=True)
class Run:
    """One fresh process: wall [s], CPU [s], peak RSS [MiB], output size [MB] (0 when none)."""

    wall_s: float
    cpu_s: float
    rss_mib: float
    output_mb: float


def _run_once(exe: Path, case: Case) -> Run:
    import time

    with tempfile.TemporaryDirectory(prefix="wattshift-bench-") as out:
        argv = [str(exe), *(a.replace("{out}", out) for a in case.args)]
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
        if proc.returncode != 0:
            raise SystemExit(f"{case.name}: `{' '.join(argv)}` exited {proc.returncode}\n{err}")
        html = Path(out) / "index.html"
        size_mb = html.stat().st_size / 1e6 if html.exists() else 0.0
    # ru_maxrss is in KiB on Linux.
    return Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024.0, size_mb)


def stale_bytecode() -> list[str]:
    """Modules of the CLI path whose compiled bytecode is missing or older than the source."""
    names = ("wattshift.cli", "wattshift.services.mining", "pandas", "numpy", "duckdb", "typer")
    stale: list[str] = []
    for name in names:
        spec = importlib.util.find_spec(name)
        if spec is None or spec.origin is None or not spec.origin.endswith(".py"):
            continue
        folder = Path(spec.origin).parent
        for source in folder.rglob("*.py"):
            cached = Path(importlib.util.cache_from_source(str(source)))
            if not cached.exists() or cached.stat().st_mtime < source.stat().st_mtime:
                stale.append(str(source))
    return stale


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} cores"


def _verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def _row(case: Case, runs: list[Run]) -> str:
    wall = statistics.median(r.wall_s for r in runs)
    cpu = statistics.median(r.cpu_s for r in runs)
    rss = max(r.rss_mib for r in runs)
    size = max(r.output_mb for r in runs)
    checks = [wall <= case.seconds]
    target = f"<= {case.seconds:g} s"
    if case.rss_mib is not None:
        checks.append(rss <= case.rss_mib)
        target += f", <= {case.rss_mib:g} MiB"
    if case.output_mb is not None:
        checks.append(size <= case.output_mb)
        target += f", <= {case.output_mb:g} MB"
    extra = f"{size:.2f} MB" if case.output_mb is not None else ""
    return (
        f"{case.name:<26} {target:<24} {wall:>7.2f} {cpu:>7.2f} {rss:>8.0f} {extra:>8}  "
        f"{_verdict(all(checks))}"
    )


def main() -> int:
    """Time every case (or ``--only`` ones) and print the table; skipped (exit 0) without a warehouse."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="fresh processes per command (median)")
    parser.add_argument("--only", action="append", default=[], help="substring of a case name")
    opts = parser.parse_args()
    exe = Path(sys.executable).parent / "wattshift"
    db = os.environ.get("WATTSHIFT_DB")
    if not db or not Path(db).exists():
        print("bench_cli: skipped, no demo warehouse at WATTSHIFT_DB (run `make demo` first)")
        return 0
    stale = stale_bytecode()
    print(f"bytecode: {'all compiled' if not stale else f'{len(stale)} stale or missing, e.g. {stale[0]}'}")
    print(f"load average before: {_load()} (shared machine: wall times include the neighbours' work)")
    print(f"{'command':<26} {'target':<24} {'wall s':>7} {'cpu s':>7} {'RSS MiB':>8} {'output':>8}")
    for case in CASES:
        if opts.only and not any(part in case.name for part in opts.only):
            continue
        runs = [_run_once(exe, case) for _ in range(opts.runs)]
        print(_row(case, runs), flush=True)
    print(f"load average after:  {_load()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
