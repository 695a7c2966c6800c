"""``serve --schedule``: the schedule file, APScheduler triggers, and job runs recorded in the warehouse."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from wattshift.config.schedule import load_schedule, parse_schedule
from wattshift.errors import ConfigError
from wattshift.services.schedule import build_scheduler, run_job
from wattshift.services.sites import examples_dir
from wattshift.warehouse import Warehouse
from wattshift.warehouse.operations import recent

EXAMPLES = examples_dir()


class _Access:
    """The server's WarehouseAccess, reduced to ``write()`` on one file."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @contextmanager
    def write(self) -> Iterator[Warehouse]:
        with Warehouse(self.path) as wh:
            yield wh


def test_example_schedule_triggers() -> None:
    schedule = load_schedule(EXAMPLES / "schedule.toml")
    scheduler = build_scheduler(schedule, EXAMPLES, _Access(Path("unused.duckdb")))
    jobs = {j.name: j for j in scheduler.get_jobs()}
    assert set(jobs) == {"data refresh", "plan tomorrow", "alerts"}  # fleet apply is disabled
    start = dt.datetime(2026, 3, 7, 12, 0, tzinfo=dt.UTC)  # 06:00 CST
    fire = jobs["plan tomorrow"].trigger.get_next_fire_time(None, start)
    assert fire.isoformat() == "2026-03-07T13:45:00-06:00"
    # across the DST change (2026-03-08): 13:45 CDT is 18:45 UTC
    after = jobs["plan tomorrow"].trigger.get_next_fire_time(fire, fire + dt.timedelta(minutes=1))
    assert after.astimezone(dt.UTC).isoformat() == "2026-03-08T18:45:00+00:00"
    alerts = jobs["alerts"].trigger
    first = alerts.get_next_fire_time(None, start)
    assert alerts.get_next_fire_time(first, first) - first == dt.timedelta(minutes=5)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"jobs": [{"name": "a", "kind": "alerts"}]},
            "jobs[0].cron: give exactly one of cron or every_minutes",
        ),
        ({"jobs": [{"name": "a", "kind": "alerts", "cron": "5 * *"}]}, "is not a five-field crontab line"),
        (
            {"timezone": "Mars/Olympus", "jobs": [{"name": "a", "kind": "alerts", "cron": "* * * * *"}]},
            "timezone: unknown time zone",
        ),
        (
            {"jobs": [{"name": "a", "kind": "fleet_apply", "every_minutes": 15}]},
            "fleet_apply needs inventory and plan",
        ),
    ],
)
def test_schedule_errors(data: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_schedule(data, source="schedule.toml")
    assert str(info.value).startswith("schedule.toml: ") and message in str(info.value)


@pytest.mark.shared_data
def test_runs_are_recorded(warehouse_path: Path, tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    shutil.copy(warehouse_path, db)
    (tmp_path / "rules.toml").write_text('[[rules]]\nname = "fg"\nkind = "fear_greed_extreme"\nbelow = 100\n')
    schedule = parse_schedule(
        {
            "jobs": [
                {"name": "alerts", "kind": "alerts", "every_minutes": 5, "rules": "rules.toml"},
                {"name": "version", "kind": "command", "cron": "0 0 * * *", "args": ["--version"]}
                | {"stdout": "out/{date}.txt"},
                {"name": "broken", "kind": "command", "cron": "0 0 * * *", "args": ["no-such-command"]},
            ]
        }
    )
    access = _Access(db)
    outcomes = {job.name: run_job(job, tmp_path, access, "UTC") for job in schedule.jobs}
    assert outcomes["alerts"] == ("fired", "1 fired, 1 sent")  # F&G <= 100 fires on the latest day
    assert outcomes["version"][0] == "ok"
    written = list((tmp_path / "out").glob("*.txt"))
    assert len(written) == 1 and written[0].read_text().startswith("wattshift ")
    assert outcomes["broken"][0] == "error" and "No such command" in outcomes["broken"][1]
    with Warehouse(db, read_only=True) as wh:
        runs = recent(wh, "job_runs")
        alerts = recent(wh, "alert_log")
    assert sorted(runs["job"]) == ["alerts", "broken", "version"]
    assert len(alerts) == 1 and bool(alerts["sent"].iloc[0])
