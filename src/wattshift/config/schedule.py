"""The operator's schedule (TOML) for ``wattshift serve --schedule FILE``.

Each job has a trigger (``cron``, a five-field crontab line, or ``every_minutes``) in the
schedule's ``timezone`` and a kind:

- ``alerts``: ``rules`` (and optional ``site``, ``inventory`` + ``plan``) -> ``alerts check``;
- ``fleet_apply``: ``inventory``, ``plan`` (a path pattern; ``{date}`` is the local day), ``confirm``
  (false = dry run, the default) -> ``fleet apply --at now`` at interval starts;
- ``data_refresh``: ingest every known file of ``data_dir`` (default ``$WATTSHIFT_DATA_DIR``);
- ``command``: run ``wattshift ARGS`` in a subprocess (e.g. ``plan`` for tomorrow after the
  day-ahead market publishes), its standard output written to ``stdout`` when given (a path
  pattern); ``{date}`` and ``{tomorrow}`` are replaced by local days.

Paths are relative to the schedule file. Example: ``src/wattshift/examples/schedule.toml``.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any, Literal, Self
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from wattshift.config._errors import format_validation_error
from wattshift.errors import ConfigError


class JobConfig(BaseModel):
    """One scheduled job."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1)
    kind: Literal["alerts", "fleet_apply", "data_refresh", "command"]
    enabled: bool = True
    cron: str | None = None
    every_minutes: float | None = Field(default=None, gt=0)
    rules: str | None = None
    site: str | None = None
    inventory: str | None = None
    plan: str | None = None
    confirm: bool = False
    data_dir: str | None = None
    args: list[str] = Field(default_factory=list)
    stdout: str | None = None

    @model_validator(mode="after")
    def _check(self) -> Self:
        if (self.cron is None) == (self.every_minutes is None):
            raise ValueError("@cron: give exactly one of cron or every_minutes")
        if self.cron is not None and len(self.cron.split()) != 5:
            raise ValueError(f"@cron: {self.cron!r} is not a five-field crontab line")
        if self.kind == "fleet_apply" and (self.inventory is None or self.plan is None):
            raise ValueError("@inventory: fleet_apply needs inventory and plan")
        if self.kind == "command" and not self.args:
            raise ValueError("@args: a command job needs args (the wattshift command line)")
        return self


class ScheduleConfig(BaseModel):
    """The schedule file's top level."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    timezone: str = "UTC"
    jobs: list[JobConfig] = Field(min_length=1)

    @field_validator("timezone")
    @classmethod
    def _tz(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}") from None
        return value


def parse_schedule(data: dict[str, Any], *, source: str = "<schedule>") -> ScheduleConfig:
    """Validate a schedule given as a mapping (parsed TOML)."""
    try:
        return ScheduleConfig.model_validate(data)
    except ValidationError as exc:
        raise format_validation_error(exc, source=source) from None


def load_schedule(path: str | Path) -> ScheduleConfig:
    """Read and validate a schedule TOML file (errors name the file and the field)."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: schedule file not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    return parse_schedule(data, source=str(path))
