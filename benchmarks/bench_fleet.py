"""Speed target of fleet control (issue 14): ≥ 200 emulated machines applied in ≤ 10 s.

Starts emulated miners on loopback in a child process (:mod:`wattshift.testing.miners`: half LuxOS
on the RPC port, half stock Antminer on RPC + web API), then applies a plan through pyasic exactly
as ``wattshift fleet apply --no-dry-run --yes`` does: identify every machine, read it, send
sleep/wake/power-limit commands, read back, re-send to any machine that differs. A few machines
carry faults: transient errors on six that the plan puts to sleep (retries absorb them) and one
machine that refuses every connection (reported). pyasic is imported before the clock starts (a
one-off cost of a few seconds per process).

Run: ``python benchmarks/bench_fleet.py [MACHINES]`` (needs root or CAP_NET_BIND_SERVICE for port 80).
"""

from __future__ import annotations

import asyncio
import multiprocessing as mp
import sys
import time
from multiprocessing.connection import Connection
from typing import Literal

from wattshift.fleet.apply import apply_async
from wattshift.fleet.model import MinerEntry, RetryPolicy
from wattshift.testing.miners import EmulatedMiner, MinerFarm, can_bind_port_80, loopback_addresses

TARGET_S = 10.0
POWER_W = 3068.0  # Antminer S19j Pro at its default profile


def _miners(count: int) -> list[EmulatedMiner]:
    ips = loopback_addresses(count, base="127.43.0.0")
    firmwares: list[Literal["luxos", "antminer"]] = ["antminer", "luxos"]
    miners = [EmulatedMiner(ip, firmwares[i % 2], power_w=POWER_W) for i, ip in enumerate(ips)]
    half = count // 2
    for m in miners[half - 6 : half]:  # machines the plan puts to sleep
        m.faults.fail_times = 1
    miners[-1].faults.refuse = True
    return miners


def _serve(count: int, conn: Connection) -> None:
    with MinerFarm.start(_miners(count)) as farm:
        conn.send("ready")
        conn.recv()
        conn.send((farm.requests, farm.total_power_w()))


def main(count: int = 240) -> int:
    """Apply a plan to ``count`` emulated machines and print the figures; exit 1 when over target."""
    import pyasic.miners.factory  # noqa: F401  (import cost is not part of an apply)

    if not can_bind_port_80():
        print("bench_fleet: skipped (needs root or CAP_NET_BIND_SERVICE to listen on port 80)")
        return 0
    miners = _miners(count)
    half = count // 2
    entries = [
        MinerEntry(m.ip, "west" if i < half else "east", m.model, POWER_W, firmware=m.firmware)
        for i, m in enumerate(miners)
    ]
    targets_mw = {"west": 0.25 * half * POWER_W / 1e6, "east": 0.6 * (count - half) * POWER_W / 1e6}
    policy = RetryPolicy(timeout_s=3.0, attempts=3, backoff_s=0.2, concurrency=64)
    parent, child = mp.Pipe()
    server = mp.get_context("fork").Process(target=_serve, args=(count, child), daemon=True)
    server.start()
    try:
        parent.recv()
        start = time.perf_counter()
        outcome = asyncio.run(apply_async(entries, targets_mw, {}, policy, dry_run=False))
        seconds = time.perf_counter() - start
        parent.send("stop")
        requests, drawn_w = parent.recv()
    finally:
        server.join(timeout=30)
    header = ("fleet", "machines", "planned MW", "achieved MW", "commands", "unreachable", "differ")
    print("{:8} {:>8} {:>11} {:>12} {:>9} {:>12} {:>7}".format(*header))
    for f in outcome.fleets:
        print(
            f"{f.fleet:8} {f.machines:8d} {f.planned_mw:11.4f} {f.achieved_mw or 0:12.4f} {f.commanded:9d} "
            f"{len(f.unreachable):12d} {len(f.differing):7d}"
        )
    ok = seconds <= TARGET_S
    print(
        f"{count} machines (LuxOS RPC + Antminer web API), {len(outcome.commands)} commands, "
        f"{outcome.retries} retries, {requests} requests served, {drawn_w / 1e6:.4f} MW drawn after: "
        f"applied and read back in {seconds:.2f} s (target ≤ {TARGET_S:.0f} s) "
        f"{'OK' if ok else 'OVER TARGET'}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 240))
