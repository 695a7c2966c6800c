"""``wattshift fleet scan|status|apply`` end to end on emulated miners, and every bad input."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from wattshift.cli import app
from wattshift.testing.miners import EmulatedMiner, MinerFarm, can_bind_port_80, loopback_addresses

W = 3068.0
SITE = """
name = "Emulated site"
interconnect_mw = 1.0
[[fleets]]
name = "west"
power_mw = 0.0184
efficiency_j_per_th = 29.5
[[fleets]]
name = "east"
power_mw = 0.0184
efficiency_j_per_th = 29.5
"""


def _inventory(tmp: Path, ips_west: str, ips_east: str, extra: str = "") -> Path:
    text = f"""
site = "site.toml"
[control]
timeout_s = 2.0
attempts = 2
backoff_s = 0.01
[[miners]]
fleet = "west"
ips = "{ips_west}"
model = "Antminer S19j Pro"
firmware = "luxos"
power_w = {W}
[[miners]]
fleet = "east"
ips = "{ips_east}"
model = "Antminer S19j Pro"
power_w = {W}
{extra}
"""
    path = tmp / "inventory.toml"
    path.write_text(text)
    return path


def _plan(tmp: Path, site: str = "Emulated site", date: str = "2026-06-01", west: float = 0.0) -> Path:
    plan = {
        "date": date,
        "site": site,
        "timezone": "UTC",
        "intervals": [{"start": f"{date}T00:00:00+00:00", "mining_mw": {"west": west, "east": 3 * W / 1e6}}],
        "strike_prices_usd_per_mwh": {},
        "expected_net_usd": 0.0,
    }
    path = tmp / "plan.json"
    path.write_text(json.dumps(plan))
    return path


@pytest.fixture
def site_dir(tmp_path: Path) -> Path:
    (tmp_path / "site.toml").write_text(SITE)
    return tmp_path


@pytest.fixture
def farm() -> Iterator[MinerFarm]:
    if not can_bind_port_80():
        pytest.skip("needs root or CAP_NET_BIND_SERVICE (port 80)")
    ips = loopback_addresses(12, base="127.45.0.0")
    miners = [EmulatedMiner(ip, "luxos" if i < 6 else "antminer", power_w=W) for i, ip in enumerate(ips)]
    with MinerFarm.start(miners) as running:
        yield running


def test_scan_status_apply_and_audit(site_dir: Path, farm: MinerFarm) -> None:
    from wattshift.warehouse import Warehouse
    from wattshift.warehouse.operations import recent

    inv = _inventory(site_dir, "127.45.0.1-6", "127.45.0.7-127.45.0.12")
    runner = CliRunner()
    scanned = runner.invoke(app, ["fleet", "scan", "-i", str(inv), "--format", "json"])
    assert scanned.exit_code == 0, scanned.output
    miners = json.loads(scanned.stdout)["miners"]
    assert len(miners) == 12 and {m["firmware"] for m in miners} == {"LuxOS", "Stock"}
    status = runner.invoke(app, ["fleet", "status", "-i", str(inv), "--format", "json"])
    fleets = {f["fleet"]: f for f in json.loads(status.stdout)["fleets"]}
    assert fleets["west"]["hashing"] == 6 and fleets["west"]["power_mw"] == pytest.approx(6 * W / 1e6)
    assert fleets["east"]["hashrate_phs"] == pytest.approx(6 * 104.0 / 1e3)

    db = site_dir / "w.duckdb"
    plan = _plan(site_dir)
    base = ["fleet", "apply", "-i", str(inv), "--plan", str(plan), "--at", "2026-06-01T00:30:00+00:00"]
    dry = runner.invoke(app, [*base, "--format", "json", "--db", str(db)])
    assert dry.exit_code == 0, dry.output
    assert json.loads(dry.stdout)["dry_run"] and not any(m.control_log for m in farm.miners.values())
    sent = runner.invoke(app, [*base, "--no-dry-run", "--yes", "--format", "json", "--db", str(db)])
    assert sent.exit_code == 0, sent.output
    doc = json.loads(sent.stdout)
    by_fleet = {f["fleet"]: f for f in doc["fleets"]}
    assert by_fleet["west"]["achieved_mw"] == pytest.approx(6 * 15 / 1e6)  # asleep: 15 W each
    assert by_fleet["east"]["achieved_mw"] == pytest.approx(3 * W / 1e6)
    assert sum(m.mining for m in farm.miners.values()) == 3
    with Warehouse(db, read_only=True) as wh:
        audit = recent(wh, "fleet_audit")
    assert len(audit) == 9 + 9  # 9 would-be commands (dry run) + 9 sent
    assert set(audit["command"]) == {"sleep"} and audit["requested_by"].str.startswith("cli:").all()
    assert audit.loc[~audit["dry_run"], "ok"].all()


def test_apply_reports_machines_that_differ(site_dir: Path, farm: MinerFarm) -> None:
    farm.miners["127.45.0.2"].faults.reject_control = True
    inv = _inventory(site_dir, "127.45.0.1-6", "127.45.0.7-12")
    args = ["fleet", "apply", "-i", str(inv), "--plan", str(_plan(site_dir)), "--at", "2026-06-01T00:05:00Z"]
    result = CliRunner().invoke(app, [*args, "--no-dry-run", "--yes", "--db", str(site_dir / "w.duckdb")])
    assert result.exit_code == 1
    assert "west 127.45.0.2 differs from the plan: expected asleep, is hashing" in " ".join(
        result.stderr.split()
    )


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("fleet", "miners[2].fleet: site 'Emulated site' has no fleet 'north'"),
        ("range", "has 131,072 addresses, more than the 65,536 allowed"),
        ("site", "site: the plan is for site 'Another site', the site config is 'Emulated site'"),
        (
            "day",
            "date: the plan is for 2026-06-02, the requested time 2026-06-01T00:05:00+00:00 is on 2026-06-01",
        ),
        ("password", "miners[0].password: passwords never go in the inventory"),
        ("env", "password_env: environment variable WATTSHIFT_TEST_UNSET_PASSWORD is not set"),
    ],
)
def test_bad_input_is_one_clear_error_and_nothing_is_sent(site_dir: Path, case: str, message: str) -> None:
    extra = {
        "fleet": '[[miners]]\nfleet = "north"\nips = "127.45.1.1"',
        "range": '[[miners]]\nfleet = "west"\nips = "10.0.0.0/15"',
        "env": '[[miners]]\nfleet = "west"\nips = "127.45.1.2"\n'
        'password_env = "WATTSHIFT_TEST_UNSET_PASSWORD"',
    }.get(case, "")
    inv = _inventory(site_dir, "127.45.0.1-6", "127.45.0.7-12", extra)
    if case == "password":
        text = inv.read_text().replace(
            "power_w = 3068.0\n[[miners]]", 'power_w = 3068.0\npassword = "x"\n[[miners]]', 1
        )
        inv.write_text(text)
    plan = _plan(site_dir, site="Another site" if case == "site" else "Emulated site")
    if case == "day":
        plan = _plan(site_dir, date="2026-06-02")
    # no farm runs: had anything been sent, pyasic would report unreachable machines, not this error
    args = ["fleet", "apply", "-i", str(inv), "--plan", str(plan), "--at", "2026-06-01T00:05:00Z", "--yes"]
    result = CliRunner().invoke(app, [*args, "--no-dry-run", "--db", str(site_dir / "w.duckdb")])
    assert result.exit_code == 3  # bad input (wattshift.errors.ExitCode)
    assert message in " ".join(result.stderr.split())
    assert not (site_dir / "w.duckdb").exists()


@pytest.mark.parametrize(("password", "complete"), [("s3cret", True), ("wrong", False)])
def test_web_password_from_environment(
    site_dir: Path, farm: MinerFarm, monkeypatch: pytest.MonkeyPatch, password: str, complete: bool
) -> None:
    # the stock Antminers' web API checks the digest against their password: only the right one
    # (read from the environment, never from the inventory) puts them to sleep
    for m in farm.miners.values():
        m.password = "s3cret"
    monkeypatch.setenv("WATTSHIFT_TEST_MINER_PW", password)
    inv = _inventory(site_dir, "127.45.0.1-6", "127.45.0.7-12")
    with_env = 'power_w = 3068.0\npassword_env = "WATTSHIFT_TEST_MINER_PW"\n\n'
    inv.write_text(inv.read_text().replace("power_w = 3068.0\n\n", with_env))
    assert 'password_env = "WATTSHIFT_TEST_MINER_PW"' in inv.read_text()
    args = ["fleet", "apply", "-i", str(inv), "--plan", str(_plan(site_dir, west=6 * W / 1e6))]
    args += ["--at", "2026-06-01T00:05:00Z", "--no-dry-run", "--yes", "--db", str(site_dir / "w.duckdb")]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == (0 if complete else 1), result.output
    east_hashing = sum(farm.miners[f"127.45.0.{i}"].mining for i in range(7, 13))
    assert east_hashing == (3 if complete else 6)
