"""A day's dispatch plan (``wattshift plan`` JSON) → the MW each fleet should draw at a time (pure).

The plan's shape: ``{date, site, timezone, intervals: [{start, mining_mw: {FLEET: MW}, gpu_mw,
reserves_mw, curtailed_mw, price_usd_per_mwh}], strike_prices_usd_per_mwh, expected_net_usd}``.
An interval runs from its ``start`` to the next one's; the last one as long as the one before it
(one hour when the plan has a single interval).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from wattshift.errors import ConfigError


@dataclass(frozen=True)
class PlanTargets:
    """Mining MW per fleet for the interval holding ``at`` (times in UTC)."""

    site: str
    date: dt.date
    interval_start: dt.datetime
    interval_end: dt.datetime
    mining_mw: dict[str, float]


def _timestamp(text: Any, tz: ZoneInfo, where: str) -> dt.datetime:
    try:
        value = dt.datetime.fromisoformat(str(text))
    except ValueError:
        raise ConfigError(f"{where}: {text!r} is not an ISO 8601 time") from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=tz)
    return value.astimezone(dt.UTC)


def _field(plan: Mapping[str, Any], name: str, source: str) -> Any:
    if name not in plan:
        raise ConfigError(f"{source}: {name}: required field missing")
    return plan[name]


def targets_at(
    plan: Mapping[str, Any], *, site_name: str, fleet_names: Sequence[str], at: dt.datetime, source: str
) -> PlanTargets:
    """The fleets' planned MW at ``at`` (timezone-aware).

    Raises
    ------
    ConfigError
        The plan is for another site, for another day than ``at``'s (in the plan's time zone), has
        no interval holding ``at``, names a fleet the site lacks, or a field is malformed.
    """
    plan_site = _field(plan, "site", source)
    if plan_site != site_name:
        raise ConfigError(
            f"{source}: site: the plan is for site {plan_site!r}, the site config is {site_name!r}"
        )
    tz_name = str(plan.get("timezone", "UTC"))
    try:
        tz = ZoneInfo(tz_name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"{source}: timezone: unknown time zone {tz_name!r}") from None
    try:
        day = dt.date.fromisoformat(str(_field(plan, "date", source)))
    except ValueError:
        raise ConfigError(f"{source}: date: {plan['date']!r} is not a YYYY-MM-DD date") from None
    local_day = at.astimezone(tz).date()
    if local_day != day:
        raise ConfigError(
            f"{source}: date: the plan is for {day}, the requested time {at.isoformat()} is on "
            f"{local_day} ({tz_name}); make the plan for that day or pass --at within {day}"
        )
    intervals = _field(plan, "intervals", source)
    if not isinstance(intervals, list) or not intervals:
        raise ConfigError(f"{source}: intervals: the plan has no intervals")
    starts = [
        _timestamp(iv.get("start"), tz, f"{source}: intervals[{i}].start") for i, iv in enumerate(intervals)
    ]
    length = starts[-1] - starts[-2] if len(starts) > 1 else dt.timedelta(hours=1)
    ends = [*starts[1:], starts[-1] + length]
    at_utc = at.astimezone(dt.UTC)
    index = next((i for i, (s, e) in enumerate(zip(starts, ends, strict=True)) if s <= at_utc < e), None)
    if index is None:
        raise ConfigError(
            f"{source}: intervals: no interval holds {at.isoformat()} (the plan covers "
            f"{starts[0].isoformat()} to {ends[-1].isoformat()})"
        )
    raw = intervals[index].get("mining_mw") or {}
    mining: dict[str, float] = {}
    for fleet, mw in raw.items():
        if fleet not in fleet_names:
            raise ConfigError(
                f"{source}: intervals[{index}].mining_mw.{fleet}: site {site_name!r} has no fleet {fleet!r}"
            )
        if not isinstance(mw, int | float) or mw < 0:
            raise ConfigError(f"{source}: intervals[{index}].mining_mw.{fleet}: must be a number >= 0 [MW]")
        mining[fleet] = float(mw)
    return PlanTargets(str(plan_site), day, starts[index], ends[index], mining)
