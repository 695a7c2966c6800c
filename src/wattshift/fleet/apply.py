"""Scan a fleet and bring it to planned MW: identify, read, command in ramp-limited batches, read back.

Nothing here raises for a machine: every failure ends in the outcome, per machine (unreachable,
refused, timed out, wrong model, or read back in another state than commanded), so a fleet is never
half-applied without saying which machines differ. Talks to machines only through
:mod:`wattshift.fleet.control` (pyasic).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from wattshift.fleet import control
from wattshift.fleet.model import Action, CommandResult, MinerEntry, MinerReading, RetryPolicy
from wattshift.fleet.targets import FleetSelection, fleet_actions, stagger

T = TypeVar("T")
Sleep = Callable[[float], Awaitable[None]]


@dataclass(frozen=True)
class FleetOutcome:
    """One fleet: planned, expected (from the commands chosen), before and read-back power [MW]."""

    fleet: str
    planned_mw: float
    expected_mw: float
    before_mw: float
    achieved_mw: float | None
    machines: int
    commanded: int
    unreachable: tuple[tuple[str, str], ...]
    differing: tuple[tuple[str, str], ...]
    batches: int
    ramp_seconds: float

    @property
    def complete(self) -> bool:
        """Every machine answered and is in the commanded state."""
        return not self.unreachable and not self.differing


@dataclass(frozen=True)
class ApplyOutcome:
    """What an apply did (or, in a dry run, would do)."""

    dry_run: bool
    fleets: tuple[FleetOutcome, ...]
    actions: tuple[Action, ...]
    commands: tuple[CommandResult, ...]
    readings: tuple[MinerReading, ...]
    seconds: float
    retries: int

    @property
    def complete(self) -> bool:
        """Every fleet complete."""
        return all(f.complete for f in self.fleets)


async def _gather_limited(calls: Sequence[Callable[[], Awaitable[T]]], limit: int) -> list[T]:
    semaphore = asyncio.Semaphore(limit)

    async def run(call: Callable[[], Awaitable[T]]) -> T:
        async with semaphore:
            return await call()

    return list(await asyncio.gather(*(run(c) for c in calls)))


async def scan_async(
    entries: Sequence[MinerEntry], policy: RetryPolicy, sleep: Sleep = asyncio.sleep, *, full: bool = True
) -> tuple[dict[str, Any], list[MinerReading]]:
    """Identify and read every machine; returns (pyasic miners by IP, readings in entry order).

    ``full`` adds temperatures and firmware errors to hashrate and power.
    """
    calls = [lambda e=e: control.identify_and_read(e, policy, sleep, full=full) for e in entries]
    results = await _gather_limited(calls, policy.concurrency)
    miners = {r.ip: m for m, r in results if m is not None}
    return miners, [r for _, r in results]


def _fleet_mw(readings: Sequence[MinerReading]) -> float:
    return sum(r.power_w or 0.0 for r in readings if r.error is None) / 1e6


def _differences(selection: FleetSelection, after: Mapping[str, MinerReading]) -> list[tuple[str, str]]:
    out = []
    for ip, mining in selection.expected_mining.items():
        r = after.get(ip)
        if r is None or r.error is not None:
            out.append((ip, f"not read back: {r.error if r else 'missing'}"))
        elif r.mining is not mining:
            state = f"hashing {r.hashrate_ths or 0:.1f} TH/s" if r.mining else "asleep"
            out.append((ip, f"expected {'hashing' if mining else 'asleep'}, is {state}"))
        elif r.power_limit_w is not None and r.power_limit_w > selection.expected_limit_w.get(ip, 1e12) + 1.0:
            target = selection.expected_limit_w[ip]
            out.append((ip, f"power limit {r.power_limit_w:.0f} W above target {target:.0f} W"))
    return out


async def _run_fleet(
    batches: list[tuple[float, list[Action]]],
    miners: Mapping[str, Any],
    before: Mapping[str, MinerReading],
    policy: RetryPolicy,
    sleep: Sleep,
) -> list[CommandResult]:
    results: list[CommandResult] = []
    start = time.monotonic()
    for offset_s, batch in batches:
        wait = offset_s - (time.monotonic() - start)
        if wait > 0:
            await sleep(wait)

        async def one(a: Action) -> CommandResult:
            started = dt.datetime.now(dt.UTC)
            was_mining = bool(before[a.ip].mining)
            attempts, error, seconds = await control.command(
                miners[a.ip], a.command, a.target_w, was_mining, policy, sleep
            )
            return CommandResult(
                a.ip, a.fleet, a.command, a.target_w, error is None, attempts, error, started, seconds
            )

        results += await _gather_limited([functools.partial(one, a) for a in batch], policy.concurrency)
    return results


async def _read_back(
    entries: Sequence[MinerEntry], miners: Mapping[str, Any], policy: RetryPolicy, sleep: Sleep
) -> dict[str, MinerReading]:
    calls = [
        functools.partial(control.read, e, miners[e.ip], policy, sleep, full=False)
        for e in entries
        if e.ip in miners
    ]
    return {r.ip: r for r in await _gather_limited(calls, policy.concurrency)}


def _differing_ips(selection: FleetSelection, after: Mapping[str, MinerReading]) -> set[str]:
    return {ip for ip, _ in _differences(selection, after)}


async def _execute(
    chosen: Sequence[MinerEntry],
    miners: Mapping[str, Any],
    before: Mapping[str, MinerReading],
    selections: Mapping[str, FleetSelection],
    plans: Mapping[str, list[tuple[float, list[Action]]]],
    policy: RetryPolicy,
    sleep: Sleep,
) -> tuple[list[CommandResult], dict[str, MinerReading]]:
    """Send every fleet's batches, read back, reconcile once; returns (commands, readings after)."""
    runs = await asyncio.gather(*(_run_fleet(p, miners, before, policy, sleep) for p in plans.values()))
    commands = [c for run in runs for c in run]
    after = dict(before) | await _read_back(chosen, miners, policy, sleep)
    # reconcile once: a machine read back in another state than commanded (firmware that
    # acknowledged and did nothing, or a command that failed) gets its command again
    again = [a for sel in selections.values() for a in sel.actions if a.ip in _differing_ips(sel, after)]
    if again:
        commands += await _run_fleet([(0.0, again)], miners, after, policy, sleep)
        redo = [e for e in chosen if e.ip in {a.ip for a in again}]
        after |= await _read_back(redo, miners, policy, sleep)
    return commands, after


def _fleet_outcome(
    selection: FleetSelection,
    planned_mw: float,
    fleet_before: Sequence[MinerReading],
    after: Mapping[str, MinerReading],
    batches: list[tuple[float, list[Action]]],
    dry_run: bool,
) -> FleetOutcome:
    unreachable = tuple(
        (r.ip, r.error or "unknown nominal power: set power_w in the inventory")
        for r in fleet_before
        if r.error is not None or r.nominal_w is None
    )
    return FleetOutcome(
        fleet=selection.fleet,
        planned_mw=planned_mw,
        expected_mw=selection.expected_w / 1e6,
        before_mw=_fleet_mw(fleet_before),
        achieved_mw=None if dry_run else _fleet_mw([after[r.ip] for r in fleet_before]),
        machines=len(fleet_before),
        commanded=len(selection.actions),
        unreachable=unreachable,
        differing=() if dry_run else tuple(_differences(selection, after)),
        batches=len(batches),
        ramp_seconds=batches[-1][0] if batches else 0.0,
    )


async def apply_async(
    entries: Sequence[MinerEntry],
    targets_mw: Mapping[str, float],
    ramps_mw_per_min: Mapping[str, float | None],
    policy: RetryPolicy,
    *,
    step_s: float = 10.0,
    dry_run: bool = True,
    sleep: Sleep = asyncio.sleep,
) -> ApplyOutcome:
    """Bring every fleet in ``targets_mw`` [MW] to its target; see the module docstring.

    Parameters
    ----------
    entries
        The inventory's machines (only those of fleets in ``targets_mw`` are touched).
    targets_mw
        Planned mining power per fleet [MW] (an upper bound).
    ramps_mw_per_min
        Ramp limit per fleet [MW/min]; None = unlimited.
    policy
        Timeout, attempts and backoff per command; concurrency.
    step_s
        Spacing of ramp-limited batches [s].
    dry_run
        Read and choose the commands, send none.
    sleep
        Awaitable sleep (tests pass a fake one).
    """
    start = time.perf_counter()
    chosen = [e for e in entries if e.fleet in targets_mw]
    miners, before_list = await scan_async(chosen, policy, sleep, full=False)
    before = {r.ip: r for r in before_list}
    selections = {
        fleet: fleet_actions(fleet, [r for r in before_list if r.fleet == fleet], target * 1e6)
        for fleet, target in targets_mw.items()
    }
    plans = {f: stagger(s.actions, ramps_mw_per_min.get(f), step_s) for f, s in selections.items()}
    commands: list[CommandResult] = []
    after = before
    if not dry_run:
        commands, after = await _execute(chosen, miners, before, selections, plans, policy, sleep)
    outcomes = [
        _fleet_outcome(sel, targets_mw[f], [r for r in before_list if r.fleet == f], after, plans[f], dry_run)
        for f, sel in selections.items()
    ]
    readings = tuple(after[r.ip] for r in before_list)
    retries = sum(r.attempts - 1 for r in before_list) + sum(c.attempts - 1 for c in commands)
    return ApplyOutcome(
        dry_run,
        tuple(outcomes),
        tuple(a for s in selections.values() for a in s.actions),
        tuple(commands),
        readings,
        time.perf_counter() - start,
        retries,
    )
