"""Fleet control against emulated miners on loopback (pyasic talks to them as to real firmware)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from wattshift.fleet.apply import ApplyOutcome, apply_async
from wattshift.fleet.model import MinerEntry, RetryPolicy
from wattshift.testing.miners import EmulatedMiner, MinerFarm, can_bind_port_80, loopback_addresses

pytestmark = pytest.mark.skipif(not can_bind_port_80(), reason="needs root or CAP_NET_BIND_SERVICE (port 80)")

W = 3068.0  # Antminer S19j Pro, default profile [W]
FAST = RetryPolicy(timeout_s=2.0, attempts=3, backoff_s=0.01, concurrency=64)


@pytest.fixture
def farm() -> Iterator[MinerFarm]:
    """4 stock Antminers (.1-.4: RPC + web API) and 4 LuxOS machines (.5-.8: RPC), all hashing."""
    ips = loopback_addresses(8, base="127.44.0.0")
    miners = [EmulatedMiner(ip, "antminer" if i < 4 else "luxos", power_w=W) for i, ip in enumerate(ips)]
    with MinerFarm.start(miners) as running:
        yield running


def _entries(farm: MinerFarm, pinned: bool = True) -> list[MinerEntry]:
    return [
        MinerEntry(m.ip, "a", m.model, W, firmware=m.firmware if pinned else None)
        for m in farm.miners.values()
    ]


def _apply(farm: MinerFarm, target_mw: float, policy: RetryPolicy = FAST, **kw: object) -> ApplyOutcome:
    return asyncio.run(apply_async(_entries(farm), {"a": target_mw}, {"a": None}, policy, **kw))  # type: ignore[arg-type]


def test_discovery_identifies_both_firmwares(farm: MinerFarm) -> None:
    from wattshift.fleet.apply import scan_async

    miners, readings = asyncio.run(scan_async(_entries(farm, pinned=False), FAST))
    kinds = {ip: type(m).__name__ for ip, m in miners.items()}
    assert kinds["127.44.0.1"] == "BMMinerS19jPro" and kinds["127.44.0.5"] == "LUXMinerS19jPro"
    assert all(r.error is None and r.mining for r in readings)
    luxos = next(r for r in readings if r.ip == "127.44.0.5")
    assert luxos.power_w == W and not luxos.power_estimated and luxos.supports_power_limit
    stock = next(r for r in readings if r.ip == "127.44.0.1")
    assert (
        stock.hashrate_ths == pytest.approx(104.0) and stock.power_estimated and stock.temperature_c == 52.5
    )


def test_apply_sleep_and_power_target(farm: MinerFarm) -> None:
    # 3.6 machines' worth: .1-.3 stay at full power, the 0.6 x 3,068 W = 1,840.8 W rest goes to the
    # first LuxOS machine (.5) as a power target (pyasic picks the 1,687 W profile, the highest
    # at or under it), .4 and .6-.8 sleep.
    outcome = _apply(farm, 3.6 * W / 1e6, dry_run=False)
    fleet = outcome.fleets[0]
    assert fleet.complete and outcome.complete
    assert fleet.expected_mw == pytest.approx(3.6 * W / 1e6)
    asleep = {ip for ip, m in farm.miners.items() if not m.mining}
    assert asleep == {"127.44.0.4", "127.44.0.6", "127.44.0.7", "127.44.0.8"}
    assert farm.miners["127.44.0.5"].profile == "-3"
    # drawn: 3 x 3,068 + 1,687.4 (55 %) + 4 x 15 W asleep = 10,951.4 W; read back: the stock firmware does not
    # report power (estimated 3,068 W hashing, 0 asleep), LuxOS does (1,687 W; 15 W asleep)
    assert farm.total_power_w() == pytest.approx(10_951.4)
    assert fleet.achieved_mw == pytest.approx((3 * W + 1687 + 3 * 15) / 1e6)
    assert sorted(c.command for c in outcome.commands) == ["power_limit"] + ["sleep"] * 4
    # and back to full power: wake every machine, the limited one back to its default profile
    again = _apply(farm, 8 * W / 1e6, dry_run=False)
    assert again.complete and all(m.mining and m.profile == "default" for m in farm.miners.values())


def test_dry_run_sends_nothing(farm: MinerFarm) -> None:
    outcome = _apply(farm, 0.0, dry_run=True)
    assert len(outcome.actions) == 8 and outcome.commands == ()
    assert all(not m.control_log and m.mining for m in farm.miners.values())


def test_faults_are_retried_then_reported(farm: MinerFarm) -> None:
    m = farm.miners
    m["127.44.0.5"].faults.fail_times = 2  # transient: third try works
    m["127.44.0.6"].faults.refuse = True  # unreachable
    m["127.44.0.7"].faults.model = "Antminer S21"  # wrong model
    m["127.44.0.8"].faults.reject_control = True  # refuses every command
    m["127.44.0.2"].faults.ignore_control = True  # stock firmware acknowledges, does nothing
    m["127.44.0.3"].faults.hang = True  # accepts, never answers
    outcome = _apply(farm, 0.0, RetryPolicy(timeout_s=0.5, attempts=3, backoff_s=0.01), dry_run=False)
    fleet = outcome.fleets[0]
    assert not outcome.complete
    unreachable = dict(fleet.unreachable)
    assert set(unreachable) == {"127.44.0.3", "127.44.0.6", "127.44.0.7"}
    # pyasic's RPC helper swallows the cancellation of a timed-out read: "no answer within 0.5 s"
    assert unreachable["127.44.0.3"] == "no answer on the RPC port 4028 within 0.5 s"
    assert "wrong model" in unreachable["127.44.0.7"] and "'Antminer S21'" in unreachable["127.44.0.7"]
    assert not m["127.44.0.6"].control_log and not m["127.44.0.7"].control_log  # nothing sent
    by_ip = {c.ip: c for c in outcome.commands if c.ip == "127.44.0.5"}
    assert by_ip["127.44.0.5"].ok and by_ip["127.44.0.5"].attempts == 3 and not m["127.44.0.5"].mining
    differing = dict(fleet.differing)
    assert set(differing) == {"127.44.0.2", "127.44.0.8"}
    assert differing["127.44.0.8"].startswith("expected asleep, is hashing")
    assert m["127.44.0.2"].control_log == ["set_miner_conf miner-mode=1"] * 2  # re-sent once on read-back
    assert len(m["127.44.0.8"].control_log) == 6  # 3 tries, then 3 more after read-back
    assert outcome.retries >= 2 + 2 + 2


def test_ramp_limit_staggers_batches(farm: MinerFarm) -> None:
    waits: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        waits.append(seconds)

    # 8 machines to sleep at 6 kW/min in 10 s steps (1 kW per step): 3,068 W each, machine k goes
    # at step floor(3.068 k): 0, 3, 6, 9, 12, 15, 18, 21 -> 0, 30, ..., 210 s
    outcome = asyncio.run(
        apply_async(
            _entries(farm), {"a": 0.0}, {"a": 0.006}, FAST, step_s=10.0, dry_run=False, sleep=fake_sleep
        )
    )
    assert outcome.complete and outcome.fleets[0].batches == 8
    assert outcome.fleets[0].ramp_seconds == 210.0
    # the fake sleep does not move the clock, so each wait is the batch's whole offset
    assert waits == pytest.approx([30.0 * k for k in range(1, 8)], abs=1.0)
