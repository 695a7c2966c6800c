"""``wattshift fleet``: scan the machines, roll them up per fleet, apply a plan (through pyasic)."""

from __future__ import annotations

import datetime as dt
import getpass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from wattshift.cli._common import DbOption, TableOrJson, emit_json, err, friendly_errors, out

if TYPE_CHECKING:
    from wattshift.fleet.apply import ApplyOutcome

fleet_app = typer.Typer(
    help="Fleet control through pyasic: scan, status, apply a plan.", rich_markup_mode="rich"
)

InventoryOption = Annotated[
    Path, typer.Option("--inventory", "-i", help="Inventory TOML (miners by IP/CIDR/range -> site fleets).")
]
SiteOption = Annotated[
    Path | None,
    typer.Option("--site", help="Site TOML [default: the inventory's `site`].", show_default=False),
]
FormatOption = Annotated[TableOrJson, typer.Option("--format", help="Output format.")]


def register(app: typer.Typer) -> None:
    """Add the ``fleet`` command group to ``app``."""
    app.add_typer(fleet_app, name="fleet")


def _f(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{value:,.{digits}f}"


@fleet_app.command("scan")
@friendly_errors
def scan(inventory: InventoryOption, site: SiteOption = None, fmt: FormatOption = TableOrJson.table) -> None:
    """Discover and list every machine: model, firmware, hashrate, power, temperature, errors."""
    from wattshift.services import fleet as service

    ctx = service.load_fleet(inventory, site)
    readings = service.scan(ctx)
    if fmt is TableOrJson.json:
        emit_json({"site": ctx.site.name, "miners": service.plain(readings)})
        return
    table = Table(title=f"{len(readings)} machines of {ctx.site.name}")
    for col in ("ip", "fleet", "model", "firmware", "TH/s", "W", "°C", "state / errors"):
        table.add_column(col, justify="right" if col in ("TH/s", "W", "°C") else "left")
    for r in readings:
        state = r.error or ("hashing" if r.mining else "asleep") + (
            f"; {'; '.join(r.errors)}" if r.errors else ""
        )
        power = _f(r.power_w, 0) + ("*" if r.power_estimated else "")
        table.add_row(
            r.ip,
            r.fleet,
            r.model or "-",
            r.firmware or "-",
            _f(r.hashrate_ths),
            power,
            _f(r.temperature_c, 0),
            state,
        )
    out.print(table)
    if any(r.power_estimated for r in readings):
        err.print("* power estimated from nominal power (the firmware does not report it)")


@fleet_app.command("status")
@friendly_errors
def status(
    inventory: InventoryOption, site: SiteOption = None, fmt: FormatOption = TableOrJson.table
) -> None:
    """Per fleet: machines in the site config and inventory, reachable, hashing, MW, PH/s, errors."""
    from wattshift.services import fleet as service

    ctx = service.load_fleet(inventory, site)
    rows = service.fleet_status(ctx, service.scan(ctx))
    if fmt is TableOrJson.json:
        emit_json({"site": ctx.site.name, "fleets": service.plain(rows)})
        return
    table = Table(title=f"Fleets of {ctx.site.name}")
    for col in (
        "fleet",
        "site machines",
        "site MW",
        "inventory",
        "reachable",
        "hashing",
        "MW now",
        "PH/s",
        "in error",
    ):
        table.add_column(col, justify="left" if col == "fleet" else "right")
    for s in rows:
        table.add_row(
            s.fleet,
            "-" if s.site_machines is None else f"{s.site_machines:,}",
            _f(s.site_power_mw),
            f"{s.machines:,}",
            f"{s.reachable:,}",
            f"{s.hashing:,}",
            _f(s.power_mw, 3),
            _f(s.hashrate_phs, 2),
            f"{len(s.in_error):,}",
        )
    out.print(table)
    for s in rows:
        for ip, msg in s.in_error[:20]:
            err.print(f"{s.fleet} {ip}: {msg}", highlight=False)


def _parse_at(at: str | None) -> dt.datetime:
    if at is None:
        return dt.datetime.now(dt.UTC)
    try:
        value = dt.datetime.fromisoformat(at)
    except ValueError:
        raise typer.BadParameter(f"{at!r} is not an ISO 8601 time (e.g. 2026-06-01T14:00-05:00)") from None
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


@fleet_app.command("apply")
@friendly_errors
def apply(
    inventory: InventoryOption,
    plan: Annotated[Path, typer.Option("--plan", help="Plan JSON from `wattshift plan`.")],
    site: SiteOption = None,
    at: Annotated[
        str | None, typer.Option("--at", help="Time in the plan to apply (ISO 8601) [default: now].")
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run/--no-dry-run", help="Only show the commands.")] = True,
    yes: Annotated[bool, typer.Option("--yes", help="Really send the commands (with --no-dry-run).")] = False,
    fmt: FormatOption = TableOrJson.table,
    db: DbOption = None,
) -> None:
    """Bring each fleet to its planned MW (sleep/wake or power targets), ramp-limited, then read back.

    A dry run (the default) reads the machines and prints the commands it would send. Sending them
    needs `--no-dry-run --yes`. Exit code 1 when a machine could not be reached or reads back in
    another state than commanded (each one is listed).
    """
    from wattshift.services import fleet as service
    from wattshift.settings import db_path

    ctx = service.load_fleet(inventory, site)
    targets = service.plan_targets(ctx, service.read_plan(plan), _parse_at(at), source=str(plan))
    really = not dry_run and yes
    if not dry_run and not yes:
        err.print("[yellow]--no-dry-run without --yes: nothing is sent (dry run)[/]")
    outcome = service.apply_targets(
        ctx, targets.mining_mw, dry_run=not really, requested_by=f"cli:{getpass.getuser()}", db=db_path(db)
    )
    if fmt is TableOrJson.json:
        emit_json(service.outcome_dict(outcome, targets))
    else:
        _print_outcome(outcome, targets)
    if not outcome.complete:
        raise typer.Exit(code=1)


def _print_outcome(outcome: ApplyOutcome, targets: Any) -> None:
    kind = "DRY RUN: would send" if outcome.dry_run else "sent"
    title = f"Plan interval {targets.interval_start:%Y-%m-%d %H:%M}-{targets.interval_end:%H:%M} UTC ({kind})"
    table = Table(title=title)
    for col in (
        "fleet",
        "machines",
        "planned MW",
        "before MW",
        "expected MW",
        "achieved MW",
        "commands",
        "batches",
    ):
        table.add_column(col, justify="left" if col == "fleet" else "right")
    for f in outcome.fleets:
        table.add_row(
            f.fleet,
            f"{f.machines:,}",
            _f(f.planned_mw, 3),
            _f(f.before_mw, 3),
            _f(f.expected_mw, 3),
            _f(f.achieved_mw, 3),
            f"{f.commanded:,}",
            f"{f.batches} over {f.ramp_seconds:.0f} s",
        )
    out.print(table)
    err.print(
        f"{len(outcome.commands)} commands, {outcome.retries} retries, {outcome.seconds:.2f} s",
        highlight=False,
    )
    for f in outcome.fleets:
        for ip, msg in f.unreachable:
            err.print(f"[red]{f.fleet} {ip} not commanded:[/] {msg}", highlight=False)
        for ip, msg in f.differing:
            err.print(f"[red]{f.fleet} {ip} differs from the plan:[/] {msg}", highlight=False)
