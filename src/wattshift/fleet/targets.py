"""From a fleet's planned MW to per-machine commands, staggered to respect the ramp limit (pure).

Selection (:func:`fleet_actions`): machines already hashing are kept first (fewest switches), then
machines in address order; each is kept at full power while the running total stays at or under the
target. The remainder goes to one more machine as a power target when its firmware supports one
and the remainder is at least :data:`MIN_LIMIT_FRACTION` of its nominal power; every other machine
is put to sleep. The planned MW is an upper bound (the interconnect and the plan's curtailment): the
expected draw never exceeds it.

Staggering (:func:`stagger`): decreases go first, then increases (the fleet never overshoots its
plan on the way); an action is sent at step ``floor(C / B)``, where ``C`` [W] is the absolute change
of the actions sent before it and ``B = ramp [MW/min] * 1e6 * step_s / 60`` [W] the change one step
may carry. The fleet's load therefore changes by at most ``B`` plus one machine per step: the ramp
limit, to one machine's size.
"""

from __future__ import annotations

import ipaddress
import math
from collections.abc import Sequence
from dataclasses import dataclass

from wattshift.fleet.model import Action, MinerReading

#: Smallest power target as a share of nominal power [unitless]: LuxOS's lowest stock profiles sit
#: near 55 % of the default one (an assumption for other firmware); below it the machine sleeps.
MIN_LIMIT_FRACTION = 0.55
_EPS_W = 1e-6


@dataclass(frozen=True)
class FleetSelection:
    """Commands for one fleet, and the draw they should give [W]."""

    fleet: str
    target_w: float
    expected_w: float
    actions: tuple[Action, ...]
    expected_mining: dict[str, bool]
    expected_limit_w: dict[str, float]


def _order(readings: Sequence[MinerReading]) -> list[MinerReading]:
    return sorted(readings, key=lambda r: (not r.mining, int(ipaddress.ip_address(r.ip))))


def _current_w(r: MinerReading, nominal: float) -> float:
    if not r.mining:
        return 0.0
    return r.power_limit_w if r.power_limit_w is not None else nominal


def fleet_actions(fleet: str, readings: Sequence[MinerReading], target_w: float) -> FleetSelection:
    """Commands bringing ``fleet`` to at most ``target_w`` [W] from its current ``readings``.

    Only machines read without error and with a known ``nominal_w`` are commanded; the caller
    reports the others.
    """
    usable = [r for r in readings if r.error is None and r.nominal_w is not None]
    full: list[MinerReading] = []
    total = 0.0
    for r in _order(usable):
        nominal = float(r.nominal_w or 0.0)
        if total + nominal <= target_w + _EPS_W:
            full.append(r)
            total += nominal
    chosen = {r.ip for r in full}
    remainder = target_w - total
    partial: MinerReading | None = None
    for r in _order(usable):
        nominal = float(r.nominal_w or 0.0)
        if r.ip not in chosen and r.supports_power_limit and remainder >= MIN_LIMIT_FRACTION * nominal:
            partial = r
            break
    actions: list[Action] = []
    mining: dict[str, bool] = {}
    limits: dict[str, float] = {}
    for r in usable:
        nominal = float(r.nominal_w or 0.0)
        now = _current_w(r, nominal)
        if r.ip in chosen:
            mining[r.ip] = True
            if not r.mining:
                actions.append(Action(r.ip, fleet, "wake", nominal, nominal))
            elif r.power_limit_w is not None and r.supports_power_limit and r.power_limit_w < nominal - 1.0:
                actions.append(Action(r.ip, fleet, "power_limit", nominal, nominal - now))
                limits[r.ip] = nominal
        elif partial is not None and r.ip == partial.ip:
            mining[r.ip] = True
            limits[r.ip] = remainder
            actions.append(Action(r.ip, fleet, "power_limit", remainder, remainder - now))
        else:
            mining[r.ip] = False
            if r.mining:
                actions.append(Action(r.ip, fleet, "sleep", 0.0, -now))
    expected = total + (remainder if partial is not None else 0.0)
    return FleetSelection(fleet, target_w, expected, tuple(actions), mining, limits)


def stagger(
    actions: Sequence[Action], ramp_mw_per_min: float | None, step_s: float
) -> list[tuple[float, list[Action]]]:
    """Batches ``(offset [s], actions)`` that respect ``ramp_mw_per_min`` [MW/min].

    Decreases first, then increases; see the module docstring for the rule. Without a ramp limit
    every action goes in one batch at offset 0.
    """
    ordered = sorted(actions, key=lambda a: (a.delta_w >= 0, a.ip))
    if not ordered:
        return []
    if ramp_mw_per_min is None:
        return [(0.0, ordered)]
    budget_w = ramp_mw_per_min * 1e6 * step_s / 60.0
    batches: dict[int, list[Action]] = {}
    changed_w = 0.0
    for action in ordered:
        step = math.floor(changed_w / budget_w + 1e-9)
        batches.setdefault(step, []).append(action)
        changed_w += abs(action.delta_w)
    return [(step * step_s, batches[step]) for step in sorted(batches)]
