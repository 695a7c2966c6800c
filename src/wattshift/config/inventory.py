"""Miner inventory: which machines (IP, CIDR block or range) belong to which fleet of a site (TOML).

Credentials never live in the inventory: an entry names an environment variable
(``password_env``) or a key of a secrets file outside the repository (``credentials`` +
``credentials_file``, a TOML table ``[passwords]``). A literal ``password`` field is an error.

Example (``src/wattshift/examples/fleet/inventory.toml``)::

    site = "../sites/west_texas_hybrid.toml"
    [control]
    timeout_s = 3.0      # per command [s]
    attempts = 3         # tries per command (backoff doubles from backoff_s)
    [[miners]]
    fleet = "s19jpro"
    ips = ["10.0.1.0/24", "10.0.2.10-10.0.2.60"]
    model = "Antminer S19j Pro"   # expected model: another one reported is an error for that machine
    firmware = "luxos"            # optional: skip discovery (with model), talk to this firmware at once
    power_w = 3068                # nominal draw at full profile [W]
    password_env = "WATTSHIFT_MINER_PASSWORD"
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from wattshift.config._errors import format_validation_error
from wattshift.errors import ConfigError


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ControlConfig(_Strict):
    """How commands are sent: timeout [s], attempts, first backoff [s], ramp step [s], concurrency."""

    timeout_s: float = Field(default=3.0, gt=0, le=120)
    attempts: int = Field(default=3, ge=1, le=10)
    backoff_s: float = Field(default=0.5, ge=0, le=60)
    step_s: float = Field(default=10.0, gt=0, le=3600)
    concurrency: int = Field(default=256, ge=1, le=4096)
    credentials_file: str | None = None


class MinerGroupConfig(_Strict):
    """One inventory entry: addresses of one fleet, with the expected model and nominal power."""

    fleet: str = Field(min_length=1)
    ips: list[str] = Field(min_length=1)
    model: str | None = None
    firmware: Literal["antminer", "braiins", "luxos", "vnish", "epic", "whatsminer", "avalon"] | None = None
    power_w: float | None = Field(default=None, gt=0)
    password_env: str | None = None
    credentials: str | None = None

    @model_validator(mode="after")
    def _firmware_needs_model(self) -> Self:
        if self.firmware is not None and self.model is None:
            raise ValueError("@model: required with firmware (pyasic picks its class by firmware and model)")
        return self

    @field_validator("ips", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value


class InventoryConfig(_Strict):
    """The inventory file's top level."""

    site: str | None = None
    control: ControlConfig = Field(default_factory=ControlConfig)
    miners: list[MinerGroupConfig] = Field(min_length=1)


def _reject_passwords(data: dict[str, Any], source: str) -> None:
    for i, group in enumerate(data.get("miners", []) or []):
        if isinstance(group, dict) and ("password" in group or "pwd" in group):
            raise ConfigError(
                f"{source}: miners[{i}].password: passwords never go in the inventory; name an "
                "environment variable (password_env) or a key of a secrets file (credentials)"
            )


def parse_inventory(data: dict[str, Any], *, source: str = "<inventory>") -> InventoryConfig:
    """Validate an inventory given as a mapping (parsed TOML)."""
    _reject_passwords(data, source)
    try:
        return InventoryConfig.model_validate(data)
    except ValidationError as exc:
        raise format_validation_error(exc, source=source) from None


def load_inventory(path: str | Path) -> InventoryConfig:
    """Read and validate an inventory TOML file (errors name the file and the field)."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: inventory file not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    return parse_inventory(data, source=str(path))
