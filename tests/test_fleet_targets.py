"""Fleet engine, pure parts: address specs, machine selection, ramp-limited batches, plan intervals."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wattshift.errors import ConfigError
from wattshift.fleet.addresses import MAX_ADDRESSES, expand_addresses
from wattshift.fleet.model import MinerReading
from wattshift.fleet.plan import targets_at
from wattshift.fleet.targets import fleet_actions, stagger


def _machines(n: int, watts: float = 3000.0, mining: bool = True, limit: bool = False) -> list[MinerReading]:
    return [
        MinerReading(f"10.0.0.{i + 1}", "a", nominal_w=watts, mining=mining, supports_power_limit=limit)
        for i in range(n)
    ]


def test_addresses_cidr_range_and_single() -> None:
    assert len(expand_addresses("10.0.0.0/24")) == 254  # network and broadcast excluded
    assert expand_addresses("10.0.0.10-12") == ["10.0.0.10", "10.0.0.11", "10.0.0.12"]
    assert expand_addresses("10.0.0.255-10.0.1.1") == ["10.0.0.255", "10.0.1.0", "10.0.1.1"]
    assert expand_addresses(" 192.168.1.7 ") == ["192.168.1.7"]
    assert len(expand_addresses("10.0.0.0/16")) == MAX_ADDRESSES - 2


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("10.0.0.0/15", "131,072 addresses"),
        ("10.0.0.0-10.1.0.0", "65,537 addresses"),
        ("10.0.0.9-3", "ends before it starts"),
        ("10.0.0.300", "not an IPv4 address"),
    ],
)
def test_addresses_bad_specs(spec: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        expand_addresses(spec, where="inv.toml: miners[0].ips[0]")


def test_selection_hand_computed() -> None:
    # 10 machines of 3,000 W hashing, target 13.8 kW: 4 at full power (12 kW), the 1.8 kW rest is
    # 60 % of a machine: a power target when the firmware has one, else asleep.
    with_limit = fleet_actions("a", _machines(10, limit=True), 13_800.0)
    assert with_limit.expected_w == pytest.approx(13_800.0)
    commands = sorted(a.command for a in with_limit.actions)
    assert commands == ["power_limit"] + ["sleep"] * 5
    assert [a.target_w for a in with_limit.actions if a.command == "power_limit"] == [pytest.approx(1_800.0)]
    # 1.5 kW is half a machine, under the 55 % floor: asleep even with power targets
    assert fleet_actions("a", _machines(10, limit=True), 13_500.0).expected_w == 12_000.0
    without = fleet_actions("a", _machines(10), 13_800.0)
    assert without.expected_w == pytest.approx(12_000.0)
    assert [a.command for a in without.actions] == ["sleep"] * 6
    # machines already hashing are kept before sleeping ones are woken
    mixed = [*_machines(2, mining=False), MinerReading("10.0.0.9", "a", nominal_w=3000.0, mining=True)]
    picked = fleet_actions("a", mixed, 3_000.0)
    assert picked.actions == () and picked.expected_mining["10.0.0.9"]


def test_unreadable_machines_are_not_commanded() -> None:
    readings = [*_machines(2, mining=False), MinerReading("10.0.0.7", "a", error="timeout after 3 s")]
    selection = fleet_actions("a", readings, 9_000.0)
    assert {a.ip for a in selection.actions} == {"10.0.0.1", "10.0.0.2"}
    assert selection.expected_w == 6_000.0


@settings(max_examples=200, deadline=None)
@given(
    watts=st.lists(st.floats(500, 5000), min_size=1, max_size=40),
    mining=st.lists(st.booleans(), min_size=40, max_size=40),
    share=st.floats(0, 1.2),
    limit=st.booleans(),
)
def test_selection_never_exceeds_target(
    watts: list[float], mining: list[bool], share: float, limit: bool
) -> None:
    readings = [
        MinerReading(f"10.0.1.{i + 1}", "a", nominal_w=w, mining=mining[i], supports_power_limit=limit)
        for i, w in enumerate(watts)
    ]
    target = share * sum(watts)
    selection = fleet_actions("a", readings, target)
    assert selection.expected_w <= target + 1e-6
    # the shortfall is less than one machine (every machine left out is larger than the rest)
    assert min(target, sum(watts)) - selection.expected_w < max(watts) + 1e-6
    on = sum(w for r, w in zip(readings, watts, strict=True) if selection.expected_mining[r.ip])
    assert selection.expected_w <= on + 1e-6


@settings(max_examples=200, deadline=None)
@given(
    n=st.integers(1, 60),
    ramp=st.floats(0.001, 0.05),
    step=st.floats(1, 30),
    target_share=st.floats(0, 1),
)
def test_stagger_respects_ramp(n: int, ramp: float, step: float, target_share: float) -> None:
    readings = [
        MinerReading(f"10.0.2.{i + 1}", "a", nominal_w=3000.0, mining=i % 2 == 0, supports_power_limit=True)
        for i in range(n)
    ]
    selection = fleet_actions("a", readings, target_share * 3000.0 * n)
    batches = stagger(selection.actions, ramp, step)
    assert sum(len(b) for _, b in batches) == len(selection.actions)
    budget_w = ramp * 1e6 * step / 60.0
    for _, batch in batches:  # one step carries at most the ramp budget plus one machine
        assert sum(abs(a.delta_w) for a in batch) <= budget_w + 3000.0 + 1e-6
    flat = [a for _, b in batches for a in b]
    signs = [a.delta_w >= 0 for a in flat]
    assert signs == sorted(signs)  # every decrease before any increase


def test_stagger_hand_computed() -> None:
    # 3 machines of 3 kW to wake at 6 kW/min in 10 s steps (1 kW per step): every 30 s.
    selection = fleet_actions("a", _machines(3, mining=False), 9_000.0)
    batches = stagger(selection.actions, 0.006, 10.0)
    assert [offset for offset, _ in batches] == [0.0, 30.0, 60.0]
    assert stagger(selection.actions, None, 10.0) == [(0.0, sorted(selection.actions, key=lambda a: a.ip))]


PLAN = {
    "date": "2026-06-01",
    "site": "S",
    "timezone": "America/Chicago",
    "intervals": [
        {"start": "2026-06-01T00:00:00-05:00", "mining_mw": {"a": 10.0, "b": 5.0}},
        {"start": "2026-06-01T00:15:00-05:00", "mining_mw": {"a": 2.5, "b": 0.0}},
    ],
}


def test_plan_interval_at_time() -> None:
    at = dt.datetime(2026, 6, 1, 5, 20, tzinfo=dt.UTC)  # 00:20 in Chicago (CDT, UTC-5)
    targets = targets_at(PLAN, site_name="S", fleet_names=["a", "b"], at=at, source="p.json")
    assert targets.mining_mw == {"a": 2.5, "b": 0.0}
    assert targets.interval_end - targets.interval_start == dt.timedelta(minutes=15)


@pytest.mark.parametrize(
    ("site", "fleets", "at", "message"),
    [
        ("Other", ["a", "b"], dt.datetime(2026, 6, 1, 5, 5, tzinfo=dt.UTC), "plan is for site 'S'"),
        ("S", ["a", "b"], dt.datetime(2026, 6, 2, 5, 5, tzinfo=dt.UTC), "the plan is for 2026-06-01"),
        ("S", ["a", "b"], dt.datetime(2026, 6, 1, 7, 0, tzinfo=dt.UTC), "no interval holds"),
        ("S", ["a"], dt.datetime(2026, 6, 1, 5, 5, tzinfo=dt.UTC), "has no fleet 'b'"),
    ],
)
def test_plan_errors(site: str, fleets: list[str], at: dt.datetime, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        targets_at(PLAN, site_name=site, fleet_names=fleets, at=at, source="p.json")
