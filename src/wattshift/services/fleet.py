"""Fleet control as the CLI, the API and the scheduler use it: inventory + site + plan → pyasic → audit.

:func:`load_fleet` reads the inventory and its site, checks every entry against the site's fleets,
expands the addresses and resolves credentials (environment or secrets file); nothing is sent to a
machine before all of that has passed. :func:`scan`, :func:`status` and :func:`apply_plan` then talk
to the machines through :mod:`wattshift.fleet.apply` (pyasic only); :func:`apply_plan` records every
command and its result in the warehouse's ``fleet_audit`` table.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import json
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wattshift.config.inventory import InventoryConfig, load_inventory
from wattshift.config.site import SiteConfig, load_site
from wattshift.errors import ConfigError
from wattshift.fleet.addresses import expand_addresses
from wattshift.fleet.apply import ApplyOutcome, apply_async, scan_async
from wattshift.fleet.model import MinerEntry, MinerReading, RetryPolicy
from wattshift.fleet.plan import PlanTargets, targets_at

if TYPE_CHECKING:
    from wattshift.warehouse import Warehouse


@dataclass(frozen=True)
class FleetContext:
    """A checked inventory: the site, its machines, how to talk to them."""

    site: SiteConfig
    site_path: Path | None
    inventory_path: Path
    entries: tuple[MinerEntry, ...]
    policy: RetryPolicy
    step_s: float

    def ramps_mw_per_min(self) -> dict[str, float | None]:
        """Ramp limit per fleet from the site config [MW/min]."""
        return {f.name: f.ramp_mw_per_min for f in self.site.fleets}


def _secrets(inventory: InventoryConfig, base: Path, source: str) -> dict[str, str]:
    if inventory.control.credentials_file is None:
        return {}
    path = Path(os.path.expandvars(inventory.control.credentials_file)).expanduser()
    path = path if path.is_absolute() else base / path
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{source}: control.credentials_file: {path} not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    passwords = data.get("passwords", {})
    return {str(k): str(v) for k, v in passwords.items()} if isinstance(passwords, dict) else {}


def _password(group: Any, i: int, secrets: dict[str, str], source: str) -> str | None:
    if group.password_env is not None:
        value = os.environ.get(group.password_env)
        if value is None:
            raise ConfigError(
                f"{source}: miners[{i}].password_env: environment variable {group.password_env} is not set"
            )
        return value
    if group.credentials is not None:
        if group.credentials not in secrets:
            raise ConfigError(
                f"{source}: miners[{i}].credentials: no password {group.credentials!r} in credentials_file"
            )
        return secrets[group.credentials]
    return None


def resolve_entries(
    inventory: InventoryConfig, site: SiteConfig, *, source: str, base: Path
) -> list[MinerEntry]:
    """Every machine of ``inventory`` checked against ``site`` (see :func:`load_fleet`)."""
    fleets = [f.name for f in site.fleets]
    secrets = _secrets(inventory, base, source)
    seen: dict[str, int] = {}
    out: list[MinerEntry] = []
    for i, group in enumerate(inventory.miners):
        if group.fleet not in fleets:
            raise ConfigError(
                f"{source}: miners[{i}].fleet: site {site.name!r} has no fleet {group.fleet!r} "
                f"(its fleets: {', '.join(fleets) or 'none'})"
            )
        password = _password(group, i, secrets, source)
        for j, spec in enumerate(group.ips):
            for ip in expand_addresses(spec, where=f"{source}: miners[{i}].ips[{j}]"):
                if ip in seen:
                    raise ConfigError(
                        f"{source}: miners[{i}].ips[{j}]: {ip} is already in miners[{seen[ip]}]"
                    )
                seen[ip] = i
                out.append(MinerEntry(ip, group.fleet, group.model, group.power_w, password, group.firmware))
    return out


def load_fleet(inventory_path: str | Path, site_path: str | Path | None = None) -> FleetContext:
    """Read and check an inventory and its site (``site_path``, else the inventory's ``site``).

    Raises
    ------
    ConfigError
        Missing or invalid files, a fleet the site lacks, an address range over 65,536 addresses,
        a duplicate address, a missing credential. Nothing has been sent to any machine.
    """
    inventory_path = Path(inventory_path)
    inventory = load_inventory(inventory_path)
    source = str(inventory_path)
    if site_path is None and inventory.site is None:
        raise ConfigError(f'{source}: site: no site given (pass --site or set site = "..." in the inventory)')
    resolved = Path(site_path) if site_path is not None else inventory_path.parent / str(inventory.site)
    site = load_site(resolved)
    entries = resolve_entries(inventory, site, source=source, base=inventory_path.parent)
    c = inventory.control
    policy = RetryPolicy(c.timeout_s, c.attempts, c.backoff_s, c.concurrency)
    return FleetContext(site, resolved, inventory_path, tuple(entries), policy, c.step_s)


def scan(ctx: FleetContext) -> list[MinerReading]:
    """Identify and read every machine (model, firmware, hashrate, power, temperatures, errors)."""
    _, readings = asyncio.run(scan_async(ctx.entries, ctx.policy))
    return readings


def read_plan(path: str | Path) -> dict[str, Any]:
    """The plan JSON at ``path`` (errors name the file)."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: plan file not found") from None
    except json.JSONDecodeError as exc:
        raise ConfigError(
            f"{path}: line {exc.lineno}, column {exc.colno}: not valid JSON: {exc.msg}"
        ) from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: a plan is a JSON object")
    return data


def plan_targets(ctx: FleetContext, plan: dict[str, Any], at: dt.datetime, *, source: str) -> PlanTargets:
    """The planned MW per fleet at ``at``, checked against the site (see :func:`targets_at`)."""
    return targets_at(
        plan, site_name=ctx.site.name, fleet_names=[f.name for f in ctx.site.fleets], at=at, source=source
    )


def apply_targets(
    ctx: FleetContext,
    targets_mw: dict[str, float],
    *,
    dry_run: bool = True,
    requested_by: str,
    db: Path | None = None,
) -> ApplyOutcome:
    """Bring fleets to ``targets_mw`` [MW]; record every command in ``fleet_audit`` when ``db`` is given."""
    outcome = asyncio.run(
        apply_async(
            ctx.entries, targets_mw, ctx.ramps_mw_per_min(), ctx.policy, step_s=ctx.step_s, dry_run=dry_run
        )
    )
    if db is not None:
        from wattshift.warehouse import Warehouse

        with Warehouse(db) as wh:
            record_outcome(wh, outcome, requested_by)
    return outcome


def record_outcome(wh: Warehouse, outcome: ApplyOutcome, requested_by: str) -> int:
    """Write the commands of ``outcome`` (or, for a dry run, the actions it would send) to ``fleet_audit``."""
    from wattshift.warehouse.operations import append

    now = dt.datetime.now(dt.UTC)
    rows: list[tuple[Any, ...]]
    if outcome.dry_run:
        rows = [
            (now, requested_by, a.ip, a.fleet, a.command, a.target_w, True, 0, None, True)
            for a in outcome.actions
        ]
    else:
        rows = [
            (
                c.started_at,
                requested_by,
                c.ip,
                c.fleet,
                c.command,
                c.target_w,
                c.ok,
                c.attempts,
                c.error,
                False,
            )
            for c in outcome.commands
        ]
    return append(wh, "fleet_audit", rows)


@dataclass(frozen=True)
class FleetStatus:
    """One fleet now, against the site config: machines, power [MW], hashrate [PH/s], errors."""

    fleet: str
    site_machines: int | None
    site_power_mw: float | None
    ramp_mw_per_min: float | None
    machines: int
    reachable: int
    hashing: int
    power_mw: float
    hashrate_phs: float
    in_error: tuple[tuple[str, str], ...]


def fleet_status(ctx: FleetContext, readings: list[MinerReading]) -> list[FleetStatus]:
    """Roll ``readings`` up per site fleet (fleets without machines in the inventory included)."""
    out = []
    for f in ctx.site.fleets:
        rows = [r for r in readings if r.fleet == f.name]
        ok = [r for r in rows if r.error is None]
        errors = [(r.ip, r.error) for r in rows if r.error is not None]
        errors += [(r.ip, "; ".join(r.errors)) for r in ok if r.errors]
        out.append(
            FleetStatus(
                fleet=f.name,
                site_machines=f.count,
                site_power_mw=f.power_mw,
                ramp_mw_per_min=f.ramp_mw_per_min,
                machines=len(rows),
                reachable=len(ok),
                hashing=sum(1 for r in ok if r.mining),
                power_mw=sum(r.power_w or 0.0 for r in ok) / 1e6,
                hashrate_phs=sum(r.hashrate_ths or 0.0 for r in ok) / 1e3,
                in_error=tuple((ip, msg or "") for ip, msg in errors),
            )
        )
    return out


def plain(value: Any) -> Any:
    """Dataclasses (recursively, in lists/tuples/dicts) as dicts, for JSON output."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    return value


def outcome_dict(outcome: ApplyOutcome, targets: PlanTargets | None = None) -> dict[str, Any]:
    """The JSON document of ``fleet apply`` (and ``POST /api/fleet/apply``)."""
    fleets = [plain(f) | {"complete": f.complete} for f in outcome.fleets]
    return {
        "dry_run": outcome.dry_run,
        "complete": outcome.complete,
        "interval_start": targets.interval_start if targets else None,
        "interval_end": targets.interval_end if targets else None,
        "seconds": outcome.seconds,
        "retries": outcome.retries,
        "fleets": fleets,
        "actions": plain(outcome.actions),
        "commands": plain(outcome.commands),
    }
