"""Scheduled jobs for ``wattshift serve --schedule``: APScheduler triggers, job bodies, run records.

Each run is recorded in the warehouse's ``job_runs`` table (job, start, end, ``ok``/``fired``/
``incomplete``/``error``, a one-line detail) through the server's :class:`WarehouseAccess`, which
serialises warehouse writes with the API's reads. Jobs that write (alerts, fleet audit, data
refresh) write the same way; ``command`` jobs run ``wattshift ARGS`` in a subprocess (read-only
commands such as ``plan``).
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from wattshift.config.schedule import JobConfig, ScheduleConfig, load_schedule
from wattshift.errors import WattshiftError

#: Longest a ``command`` job may run [s].
COMMAND_TIMEOUT_S = 1800


class WriteAccess(Protocol):
    """What jobs need from the server: a serialised writable warehouse."""

    def write(self) -> AbstractContextManager[Any]:
        """A writable warehouse, exclusive while held."""
        ...


def _path(base: Path, text: str | None, day: dt.date | None = None) -> Path | None:
    if text is None:
        return None
    filled = text.format(date=day.isoformat()) if day is not None else text
    path = Path(filled).expanduser()
    return path if path.is_absolute() else base / path


def _days(tz: str) -> tuple[dt.date, dt.date]:
    today = dt.datetime.now(ZoneInfo(tz)).date()
    return today, today + dt.timedelta(days=1)


def run_alerts(job: JobConfig, base: Path, access: WriteAccess, tz: str) -> tuple[str, str]:
    from wattshift.config.site import load_site
    from wattshift.services import alerts

    rules = alerts.rules_from(_path(base, job.rules))
    site_path = _path(base, job.site)
    site = load_site(site_path) if site_path else None
    with access.write() as wh:
        result = alerts.check(wh, rules, site=site, source=str(job.rules))
    sent = sum(d.sent for d in result.decisions)
    return ("fired" if result.decisions else "ok"), f"{len(result.decisions)} fired, {sent} sent"


def run_fleet_apply(job: JobConfig, base: Path, access: WriteAccess, tz: str) -> tuple[str, str]:
    from wattshift.services import fleet

    today, _ = _days(tz)
    inventory, plan = _path(base, job.inventory), _path(base, job.plan, today)
    assert inventory is not None and plan is not None
    ctx = fleet.load_fleet(inventory, _path(base, job.site))
    now = dt.datetime.now(dt.UTC)
    targets = fleet.plan_targets(ctx, fleet.read_plan(plan), now, source=str(plan))
    outcome = fleet.apply_targets(
        ctx, targets.mining_mw, dry_run=not job.confirm, requested_by=f"schedule:{job.name}"
    )
    with access.write() as wh:
        fleet.record_outcome(wh, outcome, f"schedule:{job.name}")
    mode = "sent" if job.confirm else "dry run"
    detail = f"{mode}: {len(outcome.commands) or len(outcome.actions)} commands, {outcome.retries} retries"
    return ("ok" if outcome.complete else "incomplete"), detail


def run_data_refresh(job: JobConfig, base: Path, access: WriteAccess, tz: str) -> tuple[str, str]:
    from wattshift.data.registry import known_files
    from wattshift.settings import data_dir

    folder = data_dir(_path(base, job.data_dir))
    from wattshift.services.data import ingest

    with access.write() as wh:
        results = ingest(wh, known_files(folder))
    failed = [r for r in results if r.status == "error"]
    return ("error" if failed else "ok"), f"{len(results)} files, {len(failed)} failed"


def run_command(job: JobConfig, base: Path, access: WriteAccess, tz: str) -> tuple[str, str]:
    today, tomorrow = _days(tz)
    args = [a.format(date=today.isoformat(), tomorrow=tomorrow.isoformat()) for a in job.args]
    done = subprocess.run(  # the wattshift CLI itself, with fixed arguments from the schedule file
        [sys.executable, "-c", "from wattshift.cli import run; run()", *args],
        cwd=base,
        capture_output=True,
        text=True,
        timeout=COMMAND_TIMEOUT_S,
        check=False,
    )
    last = (done.stderr.strip().splitlines() or [""])[-1][:300]
    if done.returncode == 0 and job.stdout is not None:
        target = Path(job.stdout.format(date=today.isoformat(), tomorrow=tomorrow.isoformat())).expanduser()
        target = target if target.is_absolute() else base / target
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(done.stdout, encoding="utf-8")
        last = f"wrote {target}"
    return ("ok" if done.returncode == 0 else "error"), f"exit {done.returncode}: {last}"


RUNNERS: dict[str, Callable[[JobConfig, Path, WriteAccess, str], tuple[str, str]]] = {
    "alerts": run_alerts,
    "fleet_apply": run_fleet_apply,
    "data_refresh": run_data_refresh,
    "command": run_command,
}


def run_job(job: JobConfig, base: Path, access: WriteAccess, tz: str) -> tuple[str, str]:
    """Run one job and record it in ``job_runs``; returns (status, detail). Never raises."""
    from wattshift.warehouse.operations import append

    started = dt.datetime.now(dt.UTC)
    try:
        status, detail = RUNNERS[job.kind](job, base, access, tz)
    except WattshiftError as exc:
        status, detail = "error", str(exc)
    except Exception as exc:  # a job must never take the server down; the record says what failed
        status, detail = "error", f"{type(exc).__name__}: {exc}"
    try:
        with access.write() as wh:
            append(wh, "job_runs", [(job.name, started, dt.datetime.now(dt.UTC), status, detail[:1000])])
    except Exception as exc:  # the warehouse itself failing is reported on stderr only
        print(f"wattshift schedule: could not record {job.name}: {exc}", file=sys.stderr)
    return status, detail


def build_scheduler(schedule: ScheduleConfig, base: Path, access: WriteAccess) -> Any:
    """An APScheduler ``BackgroundScheduler`` with one job per enabled schedule entry (not started)."""
    from apscheduler.schedulers.background import BackgroundScheduler
    from apscheduler.triggers.cron import CronTrigger
    from apscheduler.triggers.interval import IntervalTrigger

    tz = ZoneInfo(schedule.timezone)
    scheduler = BackgroundScheduler(timezone=tz)
    for job in schedule.jobs:
        if not job.enabled:
            continue
        if job.cron is not None:
            trigger: Any = CronTrigger.from_crontab(job.cron, timezone=tz)
        else:
            trigger = IntervalTrigger(minutes=job.every_minutes, timezone=tz)
        scheduler.add_job(
            run_job,
            trigger,
            args=[job, base, access, schedule.timezone],
            id=job.name,
            name=job.name,
            max_instances=1,
            coalesce=True,
            misfire_grace_time=300,
        )
    return scheduler


@contextmanager
def start(path: str | Path, access: WriteAccess) -> Iterator[Any]:
    """Load ``path`` and yield the started scheduler; shuts it down afterwards."""
    path = Path(path)
    schedule = load_schedule(path)
    scheduler = build_scheduler(schedule, path.resolve().parent, access)
    scheduler.start()
    try:
        yield scheduler
    finally:
        scheduler.shutdown(wait=False)
