"""``wattshift alerts``: evaluate alert rules on the warehouse, notify, record; list recent alerts."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from wattshift.cli._common import DateOption, DbOption, TableOrJson, emit_json, err, friendly_errors, out
from wattshift.errors import WattshiftError

if TYPE_CHECKING:
    from wattshift.services.alerts import CheckResult

alerts_app = typer.Typer(
    help="Alert rules on hashprice, prices, cycle signals and fleets.", rich_markup_mode="rich"
)


def register(app: typer.Typer) -> None:
    """Add the ``alerts`` command group to ``app``."""
    app.add_typer(alerts_app, name="alerts")


def _fleet_mw(
    inventory: Path, plan: Path, site: Path | None
) -> tuple[dict[str, tuple[float, float]], Path | None]:
    from wattshift.services import fleet as fleet_service

    ctx = fleet_service.load_fleet(inventory, site)
    targets = fleet_service.plan_targets(
        ctx, fleet_service.read_plan(plan), dt.datetime.now(dt.UTC), source=str(plan)
    )
    rows = fleet_service.fleet_status(ctx, fleet_service.scan(ctx))
    return {r.fleet: (targets.mining_mw.get(r.fleet, 0.0), r.power_mw) for r in rows}, ctx.site_path


@alerts_app.command("check")
@friendly_errors
def check(
    rules: Annotated[
        Path | None,
        typer.Option(
            "--rules", help="Rules TOML [default: $WATTSHIFT_ALERT_RULES, else the packaged rules]."
        ),
    ] = None,
    site: Annotated[Path | None, typer.Option("--site", help="Site TOML (for rules naming a fleet).")] = None,
    inventory: Annotated[
        Path | None, typer.Option("--inventory", help="Inventory (fleet_deviation rules).")
    ] = None,
    plan: Annotated[Path | None, typer.Option("--plan", help="Plan JSON (fleet_deviation rules).")] = None,
    date: DateOption = None,
    notify: Annotated[
        bool, typer.Option("--notify/--no-notify", help="Send and record (else only print).")
    ] = True,
    fmt: Annotated[TableOrJson, typer.Option("--format", help="Output format.")] = TableOrJson.table,
    db: DbOption = None,
) -> None:
    """Print the alerts that fire; exit code 1 when any fires (0 when none).

    Fired alerts go to the rules' apprise URLs (unless a repeat of one sent within
    `repeat_after_hours`, or in quiet hours) and every one is recorded in the warehouse.
    """
    from wattshift.services import alerts as service
    from wattshift.services.sites import load_site
    from wattshift.services.store import Warehouse
    from wattshift.settings import db_path

    ruleset = service.rules_from(rules)
    fleet_mw = None
    if inventory is not None and plan is not None:
        fleet_mw, found_site = _fleet_mw(inventory, plan, site)
        site = site or found_site
    site_cfg = load_site(site) if site is not None else None
    path = db_path(db)
    if not path.exists():
        raise WattshiftError(
            f"no warehouse at {path}: run `wattshift data ingest --all` first (or pass --db)"
        )
    with Warehouse(path, read_only=not notify) as wh:
        result = service.check(
            wh,
            ruleset,
            site=site_cfg,
            day=date.date() if date else None,
            fleet_mw=fleet_mw,
            send=notify,
            source=str(rules or "rules"),
        )
    if fmt is TableOrJson.json:
        emit_json(service.result_dict(result))
    else:
        _print_result(result)
    if result.decisions:
        raise typer.Exit(code=1)


def _print_result(result: CheckResult) -> None:
    """The fired alerts as a table (stdout), and the rules not evaluated with why (stderr)."""
    table = Table(title=f"Alerts on {result.day}: {len(result.decisions)} fired")
    for col in ("rule", "severity", "message", "sent"):
        table.add_column(col)
    for d in result.decisions:
        table.add_row(d.alert.rule, d.alert.severity, d.alert.message, "yes" if d.sent else f"no: {d.reason}")
    out.print(table)
    for name, why in result.skipped:
        err.print(f"not evaluated: {name}: {why}", highlight=False)


@alerts_app.command("list")
@friendly_errors
def list_alerts(
    limit: Annotated[int, typer.Option("--limit", min=1, help="Rows.")] = 50,
    db: DbOption = None,
) -> None:
    """The most recent alerts recorded (sent or suppressed), as JSON."""
    from wattshift.cli._common import open_warehouse
    from wattshift.services.operations import recent

    with open_warehouse(db) as wh:
        frame = recent(wh, "alert_log", limit)
    emit_json(frame.to_dict(orient="records"))
