"""Alert rules (TOML): what to watch, how often to repeat, quiet hours and where to notify.

Kinds of rule and their fields (``severity`` is ``info``, ``warning`` or ``critical`` everywhere):

- ``hashprice_below_breakeven``: ``fleet`` (a site fleet, for its efficiency) or
  ``efficiency_j_per_th``, and ``power_usd_per_kwh``: fires when the day's hashprice is under the
  fleet's breakeven hashprice at that power price.
- ``rt_price_above_strike``: ``fleet`` or ``efficiency_j_per_th``, ``node`` (default the site's),
  optional ``strike_usd_per_mwh`` (default: the fleet's mining value, the price above which mining
  loses money): fires when the latest real-time price is above it.
- ``hash_ribbons``: ``event`` = ``buy`` or ``capitulation``: fires on a new buy signal or a new
  capitulation within ``within_days`` (default 1) of the day.
- ``zone``: ``signal`` = ``puell`` or ``mvrv_z``, ``zone`` = ``bottom`` or ``top``: fires on the day
  the indicator enters or leaves the zone (thresholds of :class:`wattshift.signals.SignalRules`,
  or ``below``/``above``).
- ``fear_greed_extreme``: fires when Fear & Greed is at most ``below`` (default 20) or above
  ``above`` (default 80).
- ``confluence_changed``: fires when the number of indicators in their bottom zone changes.
- ``fleet_deviation``: ``fleet``, ``max_mw``: fires when the fleet's read-back MW differs from the
  plan's by more than ``max_mw`` (needs ``--inventory`` and ``--plan``).

Example: ``src/wattshift/examples/alerts/rules.toml``.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path
from typing import Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from wattshift.config._errors import format_validation_error
from wattshift.errors import ConfigError

RuleKind = Literal[
    "hashprice_below_breakeven",
    "rt_price_above_strike",
    "hash_ribbons",
    "zone",
    "fear_greed_extreme",
    "confluence_changed",
    "fleet_deviation",
]
#: Signals a ``zone`` rule may watch.
ZONE_SIGNALS = ("puell", "mvrv_z")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class QuietHours(_Strict):
    """Local hours when only ``critical`` alerts are sent (others are recorded as held)."""

    start: dt.time
    end: dt.time
    timezone: str = "UTC"


class AlertSettings(_Strict):
    """Repeat window [h], quiet hours, apprise URLs (or the env variable holding them)."""

    repeat_after_hours: float = Field(default=24.0, ge=0)
    quiet_hours: QuietHours | None = None
    notify: list[str] = Field(default_factory=list)
    notify_env: str | None = None


class RuleConfig(_Strict):
    """One rule; which fields apply depends on ``kind`` (see the module docstring)."""

    name: str = Field(min_length=1)
    kind: str
    severity: Literal["info", "warning", "critical"] = "warning"
    fleet: str | None = None
    efficiency_j_per_th: float | None = Field(default=None, gt=0)
    power_usd_per_kwh: float | None = Field(default=None, ge=0)
    node: str | None = None
    strike_usd_per_mwh: float | None = None
    event: Literal["buy", "capitulation"] | None = None
    within_days: int = Field(default=1, ge=1)
    signal: str | None = None
    zone: Literal["bottom", "top"] | None = None
    below: float | None = None
    above: float | None = None
    max_mw: float | None = Field(default=None, ge=0)

    @model_validator(mode="after")
    def _fields_for_kind(self) -> Self:
        kinds = RuleKind.__args__  # type: ignore[attr-defined]
        if self.kind not in kinds:
            raise ValueError(f"@kind: unknown kind {self.kind!r} (known: {', '.join(kinds)})")
        if self.kind == "zone":
            if self.signal not in ZONE_SIGNALS:
                raise ValueError(
                    f"@signal: unknown signal {self.signal!r} (known: {', '.join(ZONE_SIGNALS)})"
                )
            if self.zone is None:
                raise ValueError("@zone: required (bottom or top)")
        elif self.signal is not None:
            raise ValueError(f"@signal: only for kind = 'zone' (this rule is {self.kind!r})")
        needs_efficiency = self.kind in ("hashprice_below_breakeven", "rt_price_above_strike")
        if needs_efficiency and self.fleet is None and self.efficiency_j_per_th is None:
            raise ValueError("@fleet: give a site fleet or efficiency_j_per_th")
        if self.kind == "hashprice_below_breakeven" and self.power_usd_per_kwh is None:
            raise ValueError("@power_usd_per_kwh: required for hashprice_below_breakeven")
        if self.kind == "hash_ribbons" and self.event is None:
            raise ValueError("@event: required (buy or capitulation)")
        if self.kind == "fleet_deviation" and (self.fleet is None or self.max_mw is None):
            raise ValueError("@fleet: fleet and max_mw are required for fleet_deviation")
        return self


class AlertRules(_Strict):
    """The rules file's top level."""

    settings: AlertSettings = Field(default_factory=AlertSettings)
    rules: list[RuleConfig] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> Self:
        names = [r.name for r in self.rules]
        if len(set(names)) != len(names):
            raise ValueError("@rules: rule names must be unique")
        return self


def parse_rules(data: dict[str, Any], *, source: str = "<rules>") -> AlertRules:
    """Validate alert rules given as a mapping (parsed TOML)."""
    try:
        return AlertRules.model_validate(data)
    except ValidationError as exc:
        raise format_validation_error(exc, source=source) from None


def load_rules(path: str | Path) -> AlertRules:
    """Read and validate an alert rules TOML file (errors name the file and the field)."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: rules file not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    return parse_rules(data, source=str(path))
