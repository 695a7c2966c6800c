"""Alert rules over a snapshot of the day's signals, economics, prices and fleets (pure).

Each rule kind is one function ``(rule, snapshot) -> Alert | None``. An alert's ``key`` identifies
the event it reports (the rule, plus the day of a zone change or a Hash Ribbons signal) so that
:mod:`wattshift.alerts.policy` can suppress repeats of the same event.

Formulas: breakeven hashprice [USD/PH/day] at power price ``p`` = hashprice x ``p`` / breakeven
power price (DESIGN.md section 3: breakeven power price = hashprice / (e x 24 / 1000), so the ratio
holds every other assumption fixed); a fleet's strike price is its mining value [USD/MWh] = hashprice /
(e x 24 x 1e-6) (DESIGN.md section 3), the power price above which mining loses money.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class RuleSpec:
    """One rule, as the engine sees it (see :mod:`wattshift.config.alert_rules` for the fields)."""

    name: str
    kind: str
    severity: str = "warning"
    fleet: str | None = None
    event: str | None = None
    within_days: int = 1
    signal: str | None = None
    zone: str | None = None
    below: float | None = None
    above: float | None = None
    max_mw: float | None = None


@dataclass(frozen=True)
class SignalDay:
    """The cycle indicators on one day (None where unknown)."""

    date: dt.date
    puell: float | None = None
    mvrv_z: float | None = None
    fear_greed: float | None = None
    confluence_count: int | None = None
    ribbons_state: str | None = None
    ribbons_since: dt.date | None = None
    ribbons_last_buy: dt.date | None = None


@dataclass(frozen=True)
class Snapshot:
    """What the rules look at; economics are per rule name (each rule has its own fleet/price).

    ``breakeven_usd_per_ph_day`` and ``strike_usd_per_mwh`` are per rule; ``rt_price`` per rule is
    (interval start UTC, price [USD/MWh]); ``fleet_mw`` per fleet is (planned, read back) [MW];
    ``zones`` per signal is (bottom below, top above).
    """

    today: SignalDay
    yesterday: SignalDay | None
    hashprice_usd_per_ph_day: float | None = None
    breakeven_usd_per_ph_day: Mapping[str, float] = field(default_factory=dict)
    strike_usd_per_mwh: Mapping[str, float] = field(default_factory=dict)
    rt_price: Mapping[str, tuple[dt.datetime, float]] = field(default_factory=dict)
    fleet_mw: Mapping[str, tuple[float, float]] = field(default_factory=dict)
    zones: Mapping[str, tuple[float, float]] = field(default_factory=dict)


@dataclass(frozen=True)
class Alert:
    """A rule that fired: ``value`` is the number it fired on (units in ``message``)."""

    rule: str
    kind: str
    key: str
    severity: str
    message: str
    value: float | None


def _alert(rule: RuleSpec, message: str, value: float | None, event: str = "") -> Alert:
    key = f"{rule.name}|{event}" if event else rule.name
    return Alert(rule.name, rule.kind, key, rule.severity, message, value)


def _hashprice(rule: RuleSpec, s: Snapshot) -> Alert | None:
    hp, be = s.hashprice_usd_per_ph_day, s.breakeven_usd_per_ph_day.get(rule.name)
    if hp is None or be is None or hp >= be:
        return None
    who = rule.fleet or "the fleet"
    msg = f"hashprice {hp:.2f} USD/PH/day on {s.today.date} is below {who}'s breakeven {be:.2f} USD/PH/day"
    return _alert(rule, msg, hp)


def _rt_price(rule: RuleSpec, s: Snapshot) -> Alert | None:
    strike, latest = s.strike_usd_per_mwh.get(rule.name), s.rt_price.get(rule.name)
    if strike is None or latest is None or latest[1] <= strike:
        return None
    at, price = latest
    who = rule.fleet or "the fleet"
    msg = (
        f"real-time price {price:.2f} USD/MWh at {at:%Y-%m-%d %H:%M} UTC is above {who}'s strike "
        f"{strike:.2f} USD/MWh"
    )
    return _alert(rule, msg, price, f"{at:%Y-%m-%dT%H:%M}")


def _ribbons(rule: RuleSpec, s: Snapshot) -> Alert | None:
    day = s.today
    window = dt.timedelta(days=rule.within_days - 1)
    if rule.event == "buy" and day.ribbons_last_buy is not None and day.date - day.ribbons_last_buy <= window:
        return _alert(
            rule, f"Hash Ribbons buy signal on {day.ribbons_last_buy}", None, str(day.ribbons_last_buy)
        )
    since = day.ribbons_since
    new = since is not None and day.date - since <= window
    if rule.event == "capitulation" and day.ribbons_state == "capitulation" and new:
        return _alert(rule, f"Hash Ribbons: new miner capitulation since {since}", None, str(since))
    return None


def _in_zone(value: float | None, zone: str, limits: tuple[float, float]) -> bool | None:
    if value is None:
        return None
    return value < limits[0] if zone == "bottom" else value > limits[1]


def _zone(rule: RuleSpec, s: Snapshot) -> Alert | None:
    assert rule.signal is not None and rule.zone is not None
    default = s.zones.get(rule.signal, (float("-inf"), float("inf")))
    limits = (
        rule.below if rule.below is not None else default[0],
        rule.above if rule.above is not None else default[1],
    )
    value = getattr(s.today, rule.signal)
    now = _in_zone(value, rule.zone, limits)
    before = _in_zone(getattr(s.yesterday, rule.signal), rule.zone, limits) if s.yesterday else None
    if now is None or before is None or now == before:
        return None
    verb = "entered" if now else "left"
    edge = f"< {limits[0]:g}" if rule.zone == "bottom" else f"> {limits[1]:g}"
    msg = f"{rule.signal} {value:.2f} {verb} its {rule.zone} zone ({edge}) on {s.today.date}"
    return _alert(rule, msg, value, f"{verb}|{s.today.date}")


def _fear_greed(rule: RuleSpec, s: Snapshot) -> Alert | None:
    value = s.today.fear_greed
    low = rule.below if rule.below is not None else 20.0
    high = rule.above if rule.above is not None else 80.0
    if value is None or low < value <= high:
        return None
    label = "extreme fear" if value <= low else "extreme greed"
    return _alert(rule, f"Fear & Greed {value:.0f} on {s.today.date}: {label}", value, str(s.today.date))


def _confluence(rule: RuleSpec, s: Snapshot) -> Alert | None:
    now = s.today.confluence_count
    before = s.yesterday.confluence_count if s.yesterday else None
    if now is None or before is None or now == before:
        return None
    msg = f"confluence changed from {before} to {now} indicators in their bottom zone on {s.today.date}"
    return _alert(rule, msg, float(now), str(s.today.date))


def _deviation(rule: RuleSpec, s: Snapshot) -> Alert | None:
    assert rule.fleet is not None and rule.max_mw is not None
    if rule.fleet not in s.fleet_mw:
        return None
    planned, actual = s.fleet_mw[rule.fleet]
    gap = actual - planned
    if abs(gap) <= rule.max_mw:
        return None
    msg = (
        f"fleet {rule.fleet} draws {actual:.3f} MW against {planned:.3f} MW planned "
        f"({gap:+.3f} MW, limit {rule.max_mw:g})"
    )
    return _alert(rule, msg, gap)


EVALUATORS: dict[str, Callable[[RuleSpec, Snapshot], Alert | None]] = {
    "hashprice_below_breakeven": _hashprice,
    "rt_price_above_strike": _rt_price,
    "hash_ribbons": _ribbons,
    "zone": _zone,
    "fear_greed_extreme": _fear_greed,
    "confluence_changed": _confluence,
    "fleet_deviation": _deviation,
}


def evaluate(rules: Sequence[RuleSpec], snapshot: Snapshot) -> list[Alert]:
    """Every alert that fires, in rule order."""
    fired = (EVALUATORS[r.kind](r, snapshot) for r in rules)
    return [a for a in fired if a is not None]
