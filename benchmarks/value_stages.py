"""``wattshift value --site converting_to_ai --paths 100000 --years 15 --seed 7 --format json`` by stage.

Run in a fresh process by ``benchmarks/bench_valuation.py`` (``make bench``), or alone
(``python benchmarks/value_stages.py``, with ``WATTSHIFT_DB`` set). It takes the service path of
the CLI (without Typer): the imports, :func:`~wattshift.services.valuation.prepare_valuation` with
the warehouse open (then closed), :func:`~wattshift.services.valuation.value_prepared` and the
JSON, and reads the clocks around the service's two engine calls (the Monte Carlo ``run`` and the
strategies pass ``_conversion``: wrapped, not changed). For each stage: CPU time (user + system,
all threads), wall time and the process's peak RSS so far (``ru_maxrss``); the imports stage counts
from the start of the process (CPU from ``time.process_time``, wall from ``/proc/self/stat``).
"""

from __future__ import annotations

import os
import resource
import time
from pathlib import Path


def _seconds_since_process_start() -> float:
    """Wall time since this process started [s] (Linux ``/proc``: field 22 of ``stat``, in clock ticks
    since boot, against ``uptime``)."""
    start_ticks = int(Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()[19])
    uptime_s = float(Path("/proc/uptime").read_text().split()[0])
    return uptime_s - start_ticks / os.sysconf("SC_CLK_TCK")


WALL0 = time.perf_counter() - _seconds_since_process_start()

import contextlib  # noqa: E402  (the clocks above are read before any import that costs time)
import io  # noqa: E402
from typing import Any  # noqa: E402

Row = tuple[str, float, float, float]


def value_stages() -> list[Row]:
    """``(stage, CPU s, wall s, peak RSS MiB so far)`` of each stage, then the total (module docstring)."""
    clock = [0.0, WALL0]
    rows: list[Row] = []

    def mark(stage: str) -> None:
        cpu, wall = time.process_time(), time.perf_counter()
        peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
        rows.append((stage, cpu - clock[0], wall - clock[1], peak_mib))
        clock[:] = [cpu, wall]

    import wattshift.services.valuation as service
    from wattshift.cli._common import emit_json, open_warehouse
    from wattshift.services.sites import load_site

    mark("imports")
    engine_run, conversion = service.run, service._conversion  # type: ignore[attr-defined]

    def timed_run(*args: Any, **kwargs: Any) -> Any:
        out = engine_run(*args, **kwargs)
        mark("Monte Carlo")
        return out

    def timed_conversion(*args: Any, **kwargs: Any) -> Any:
        out = conversion(*args, **kwargs)
        mark("strategies")
        return out

    service.run, service._conversion = timed_run, timed_conversion  # type: ignore[attr-defined]
    request = service.ValuationRequest(load_site("converting_to_ai"), paths=100_000, years=15, seed=7)
    with open_warehouse(None) as wh:
        prepared = service.prepare_valuation(wh, request)
    mark("read + calibrate")
    result = service.value_prepared(prepared)
    with contextlib.redirect_stdout(io.StringIO()):
        emit_json(result)
    mark("results + JSON")
    rows.append(("total", time.process_time(), time.perf_counter() - WALL0, rows[-1][3]))
    return rows


if __name__ == "__main__":
    print(f"  {'stage':<18} {'CPU s':>7} {'wall s':>7} {'peak RSS MiB':>13}")
    for stage, cpu, wall, rss in value_stages():
        print(f"  {stage:<18} {cpu:7.2f} {wall:7.2f} {rss:13.0f}")
