"""Alerts: known answers on the real data, repeat window, quiet hours, apprise to a loopback webhook."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest
from typer.testing import CliRunner

from wattshift.alerts.evaluate import RuleSpec, SignalDay, Snapshot, evaluate
from wattshift.alerts.policy import Quiet, decide
from wattshift.cli import app
from wattshift.config.alert_rules import parse_rules
from wattshift.errors import ConfigError
from wattshift.services import alerts as service
from wattshift.warehouse import Warehouse

pytestmark = pytest.mark.shared_data


@pytest.fixture
def wh_copy(warehouse_path: Path, tmp_path: Path) -> Iterator[Warehouse]:
    """A writable copy of the session warehouse (alerts are recorded in it)."""
    path = tmp_path / "w.duckdb"
    shutil.copy(warehouse_path, path)
    with Warehouse(path) as wh:
        yield wh


def _rules(*rules: dict[str, Any], **settings: Any) -> Any:
    return parse_rules({"settings": settings, "rules": list(rules)}, source="rules.toml")


def _day(wh: Warehouse, rules: Any, day: str, **kw: Any) -> service.CheckResult:
    return service.check(wh, rules, day=dt.date.fromisoformat(day), send=False, **kw)


def test_signal_rules_known_days(wh_copy: Warehouse) -> None:
    rules = _rules(
        {"name": "buy", "kind": "hash_ribbons", "event": "buy"},
        {"name": "mvrv bottom", "kind": "zone", "signal": "mvrv_z", "zone": "bottom"},
        {"name": "fg", "kind": "fear_greed_extreme", "below": 20, "above": 80},
    )
    # Hash Ribbons buy of 2023-01-14 (Capriole's published signal dates; README)
    fired = _day(wh_copy, rules, "2023-01-14").fired
    assert [a.key for a in fired if a.rule == "buy"] == ["buy|2023-01-14"]
    assert not [a for a in _day(wh_copy, rules, "2023-01-16").fired if a.rule == "buy"]
    # 2022-06-13: the first negative MVRV Z day (README) -> entering the bottom zone, once
    entered = [a for a in _day(wh_copy, rules, "2022-06-13").fired if a.rule == "mvrv bottom"]
    assert len(entered) == 1 and "entered its bottom zone (< 0)" in entered[0].message
    assert entered[0].value is not None and entered[0].value < 0
    assert not [a for a in _day(wh_copy, rules, "2022-06-14").fired if a.rule == "mvrv bottom"]
    # Fear & Greed 6 on 2022-06-18 (alternative.me)
    fg = [a for a in _day(wh_copy, rules, "2022-06-18").fired if a.rule == "fg"]
    assert fg[0].value == 6.0 and "extreme fear" in fg[0].message


def test_hashprice_below_breakeven(wh_copy: Warehouse) -> None:
    # 2026-03-01 at 20 J/TH: hashprice 28.776 USD/PH/day, breakeven power 0.05595 USD/kWh (README)
    at = {"name": "hp", "kind": "hashprice_below_breakeven", "efficiency_j_per_th": 20.0}
    assert not _day(wh_copy, _rules(at | {"power_usd_per_kwh": 0.05}), "2026-03-01").fired
    fired = _day(wh_copy, _rules(at | {"power_usd_per_kwh": 0.06}), "2026-03-01").fired
    assert fired[0].value == pytest.approx(28.7757, abs=1e-3)
    # breakeven hashprice at 6 c/kWh = 28.776 x 0.06 / 0.055953 = 30.857 USD/PH/day
    assert "breakeven 30.86 USD/PH/day" in fired[0].message


def test_rt_price_above_strike(wh_copy: Warehouse) -> None:
    day = dt.date(2023, 8, 24)
    last = wh_copy.iso_prices("HB_WEST", "rt", day, day + dt.timedelta(days=1)).iloc[-1]
    price = float(last["price_usd_per_mwh"])
    rule = {"name": "rt", "kind": "rt_price_above_strike", "efficiency_j_per_th": 20.0, "node": "HB_WEST"}
    above = _day(wh_copy, _rules(rule | {"strike_usd_per_mwh": price - 1.0}), "2023-08-24").fired
    assert above[0].value == pytest.approx(price)
    assert not _day(wh_copy, _rules(rule | {"strike_usd_per_mwh": price + 1.0}), "2023-08-24").fired
    # default strike: the fleet's mining value that day (breakeven power price in USD/MWh)
    result = _day(wh_copy, _rules(rule), "2026-03-01")
    assert result.skipped == (("rt", "no real-time prices for HB_WEST on 2026-03-01"),)


def test_rules_errors() -> None:
    with pytest.raises(ConfigError, match=r"rules\.toml: rules\[0\]\.signal: unknown signal 'nvt'"):
        _rules({"name": "x", "kind": "zone", "signal": "nvt", "zone": "top"})
    with pytest.raises(ConfigError, match=r"rules\[0\]\.kind: unknown kind 'price_spike'"):
        _rules({"name": "x", "kind": "price_spike"})
    with pytest.raises(ConfigError, match=r"rules\[0\]\.power_usd_per_kwh: required"):
        _rules({"name": "x", "kind": "hashprice_below_breakeven", "efficiency_j_per_th": 20})


def test_deviation_and_confluence_pure() -> None:
    today = SignalDay(dt.date(2024, 1, 2), confluence_count=2)
    snap = Snapshot(today, SignalDay(dt.date(2024, 1, 1), confluence_count=1), fleet_mw={"a": (1.0, 2.5)})
    rules = [
        RuleSpec("dev", "fleet_deviation", fleet="a", max_mw=1.0),
        RuleSpec("dev wide", "fleet_deviation", fleet="a", max_mw=2.0),
        RuleSpec("conf", "confluence_changed"),
    ]
    fired = evaluate(rules, snap)
    assert [(a.rule, a.value) for a in fired] == [("dev", 1.5), ("conf", 2.0)]


def test_repeat_window_and_quiet_hours() -> None:
    alert = evaluate(
        [RuleSpec("conf", "confluence_changed")],
        Snapshot(
            SignalDay(dt.date(2024, 1, 2), confluence_count=2),
            SignalDay(dt.date(2024, 1, 1), confluence_count=1),
        ),
    )[0]
    now = dt.datetime(2024, 1, 2, 4, 0, tzinfo=dt.UTC)  # 22:00 in Chicago (CST, UTC-6)
    sent_at = now - dt.timedelta(hours=3)
    first = decide([alert], now=now, last_sent=lambda k: None, repeat_after=dt.timedelta(hours=24))
    assert first[0].sent
    again = decide([alert], now=now, last_sent=lambda k: sent_at, repeat_after=dt.timedelta(hours=24))
    assert not again[0].sent and again[0].reason == "duplicate (sent at 2024-01-02 01:00 UTC)"
    later = decide([alert], now=now, last_sent=lambda k: sent_at, repeat_after=dt.timedelta(hours=2))
    assert later[0].sent
    quiet = Quiet(dt.time(21, 0), dt.time(7, 0), "America/Chicago")  # wraps midnight
    held = decide([alert], now=now, last_sent=lambda k: None, repeat_after=dt.timedelta(0), quiet=quiet)
    assert held[0].reason == "quiet hours"
    critical = type(alert)(alert.rule, alert.kind, alert.key, "critical", alert.message, alert.value)
    assert decide([critical], now=now, last_sent=lambda k: None, repeat_after=dt.timedelta(0), quiet=quiet)[
        0
    ].sent


class _Hook(BaseHTTPRequestHandler):
    received: ClassVar[list[dict[str, Any]]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        _Hook.received.append({"path": self.path, "json": json.loads(body)})
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def webhook() -> Iterator[tuple[int, list[dict[str, Any]]]]:
    server = HTTPServer(("127.0.0.1", 0), _Hook)
    _Hook.received = []
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield server.server_address[1], _Hook.received
    server.shutdown()
    server.server_close()


def test_apprise_webhook_duplicates_and_record(wh_copy: Warehouse, webhook: tuple[int, list[Any]]) -> None:
    from wattshift.warehouse.operations import recent

    port, received = webhook
    rules = _rules(
        {"name": "fg", "kind": "fear_greed_extreme", "below": 20},
        notify=[f"json://127.0.0.1:{port}/hook"],
        repeat_after_hours=24,
    )
    now = dt.datetime(2026, 1, 1, 12, tzinfo=dt.UTC)
    day = dt.date(2022, 6, 18)
    first = service.check(wh_copy, rules, day=day, now=now, send=True)
    assert first.decisions[0].sent and len(received) == 1
    assert received[0]["path"] == "/hook"
    assert received[0]["json"]["title"] == "wattshift: fg"
    assert received[0]["json"]["message"] == "Fear & Greed 6 on 2022-06-18: extreme fear"
    second = service.check(wh_copy, rules, day=day, now=now + dt.timedelta(hours=1), send=True)
    assert not second.decisions[0].sent and len(received) == 1
    log = recent(wh_copy, "alert_log")
    assert list(log["sent"]) == [False, True] and log["suppressed_reason"].iloc[0].startswith("duplicate")


def test_cli_exit_codes(warehouse_path: Path, tmp_path: Path) -> None:
    rules = tmp_path / "rules.toml"
    rules.write_text('[[rules]]\nname = "fg"\nkind = "fear_greed_extreme"\nbelow = 20\n')
    args = [
        "alerts",
        "check",
        "--rules",
        str(rules),
        "--db",
        str(warehouse_path),
        "--no-notify",
        "--format",
        "json",
    ]
    fired = CliRunner().invoke(app, [*args, "--date", "2022-06-18"])
    assert fired.exit_code == 1 and json.loads(fired.stdout)["fired"] == 1
    calm = CliRunner().invoke(app, [*args, "--date", "2024-03-05"])
    assert calm.exit_code in (0, 1)
    assert (calm.exit_code == 0) == (json.loads(calm.stdout)["fired"] == 0)
    rules.write_text('[[rules]]\nname = "z"\nkind = "zone"\nsignal = "nvt"\nzone = "top"\n')
    bad = CliRunner().invoke(app, args)
    assert bad.exit_code == 3 and "unknown signal 'nvt'" in " ".join(bad.stderr.split())


def test_fleet_deviation_through_cli(warehouse_path: Path, tmp_path: Path) -> None:
    from wattshift.testing.miners import EmulatedMiner, MinerFarm, loopback_addresses

    (tmp_path / "site.toml").write_text(
        'name = "S"\ninterconnect_mw = 1\n'
        '[[fleets]]\nname = "a"\npower_mw = 0.02\nefficiency_j_per_th = 29.5\n'
    )
    (tmp_path / "inv.toml").write_text(
        'site = "site.toml"\n[[miners]]\nfleet = "a"\nips = "127.47.0.1-4"\nmodel = "Antminer S19j Pro"\n'
        'firmware = "luxos"\npower_w = 3068\n'
    )
    today = dt.datetime.now(dt.UTC).date().isoformat()
    plan = {
        "date": today,
        "site": "S",
        "timezone": "UTC",
        "intervals": [{"start": f"{today}T{h:02d}:00:00Z", "mining_mw": {"a": 0.0}} for h in range(24)],
    }
    (tmp_path / "plan.json").write_text(json.dumps(plan))
    (tmp_path / "rules.toml").write_text(
        '[[rules]]\nname = "off plan"\nkind = "fleet_deviation"\nfleet = "a"\nmax_mw = 0.01\n'
    )
    miners = [EmulatedMiner(ip, "luxos") for ip in loopback_addresses(4, base="127.47.0.0")]
    args = [
        "alerts",
        "check",
        "--rules",
        str(tmp_path / "rules.toml"),
        "--db",
        str(warehouse_path),
        "--no-notify",
    ]
    args += [
        "--inventory",
        str(tmp_path / "inv.toml"),
        "--plan",
        str(tmp_path / "plan.json"),
        "--format",
        "json",
    ]
    with MinerFarm.start(miners):
        result = CliRunner().invoke(app, args)
    assert result.exit_code == 1, result.output
    alert = json.loads(result.stdout)["alerts"][0]
    # 4 machines hashing at 3,068 W against 0 MW planned: +0.012272 MW, over the 0.01 MW limit
    assert alert["value"] == pytest.approx(4 * 3068 / 1e6)
    assert alert["message"] == "fleet a draws 0.012 MW against 0.000 MW planned (+0.012 MW, limit 0.01)"
