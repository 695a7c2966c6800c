"""Alerts as the CLI, the API and the scheduler use them: warehouse → snapshot → rules → apprise → record.

:func:`snapshot` reads the day's signals (:func:`wattshift.services.signals.signals_history`),
hashprice and breakeven (:func:`wattshift.services.mining.mining_day`) and real-time prices from the
warehouse; :func:`check` evaluates the rules (:mod:`wattshift.alerts`), applies the repeat window and
quiet hours, notifies through apprise and records every alert in ``alert_log``.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd

from wattshift.alerts.evaluate import Alert, RuleSpec, SignalDay, Snapshot, evaluate
from wattshift.alerts.policy import Decision, Quiet, decide
from wattshift.config.alert_rules import AlertRules, RuleConfig, load_rules, parse_rules
from wattshift.config.site import SiteConfig
from wattshift.errors import ConfigError, NotInWarehouseError
from wattshift.services.sites import resolve_fleets
from wattshift.signals import SignalRules
from wattshift.warehouse import Warehouse

#: Rules used when no file is given (no site needed): ``wattshift/alerts/default_rules.toml``.
DEFAULT_RULES = "default_rules.toml"


@dataclass(frozen=True)
class CheckResult:
    """One check: the day looked at, the decisions, rules that could not be evaluated and why."""

    day: dt.date
    decisions: tuple[Decision, ...]
    skipped: tuple[tuple[str, str], ...] = field(default_factory=tuple)

    @property
    def fired(self) -> tuple[Alert, ...]:
        """Every alert that fired (sent or suppressed)."""
        return tuple(d.alert for d in self.decisions)


def rules_from(path: str | Path | None) -> AlertRules:
    """Rules from ``path``, else ``$WATTSHIFT_ALERT_RULES``, else the packaged default rules."""
    chosen = path if path is not None else os.environ.get("WATTSHIFT_ALERT_RULES")
    if chosen:
        return load_rules(chosen)
    import tomllib

    text = resources.files("wattshift.alerts").joinpath(DEFAULT_RULES).read_text(encoding="utf-8")
    return parse_rules(tomllib.loads(text), source=f"wattshift/alerts/{DEFAULT_RULES}")


def _spec(r: RuleConfig) -> RuleSpec:
    return RuleSpec(
        r.name,
        r.kind,
        r.severity,
        r.fleet,
        r.event,
        r.within_days,
        r.signal,
        r.zone,
        r.below,
        r.above,
        r.max_mw,
    )


def _day(row: pd.Series) -> SignalDay:
    def num(key: str) -> float | None:
        value = row.get(key)
        return None if value is None or pd.isna(value) else float(value)

    def day(key: str) -> dt.date | None:
        value = row.get(key)
        return None if value is None or pd.isna(value) else pd.Timestamp(value).date()

    count = row.get("confluence_count")
    state = row.get("hash_ribbons_state")
    return SignalDay(
        date=pd.Timestamp(row["date"]).date(),
        puell=num("puell"),
        mvrv_z=num("mvrv_z"),
        fear_greed=num("fear_greed"),
        confluence_count=None if count is None or pd.isna(count) else int(count),
        ribbons_state=None if state is None or pd.isna(state) else str(state),
        ribbons_since=day("hash_ribbons_since"),
        ribbons_last_buy=day("hash_ribbons_last_buy"),
    )


def _efficiency(rule: RuleConfig, efficiencies: dict[str, float], source: str, i: int) -> float:
    if rule.efficiency_j_per_th is not None:
        return rule.efficiency_j_per_th
    if rule.fleet not in efficiencies:
        known = ", ".join(efficiencies) or "none (pass --site)"
        raise ConfigError(f"{source}: rules[{i}].fleet: unknown fleet {rule.fleet!r} (site fleets: {known})")
    return efficiencies[rule.fleet]


def _economics(
    wh: Warehouse, rules: AlertRules, site: SiteConfig | None, day: dt.date, source: str
) -> tuple[dict[str, float], dict[str, float], float | None]:
    """Breakeven hashprice [USD/PH/day] and strike [USD/MWh] per rule, and the day's hashprice."""
    from wattshift.services.mining import mining_day

    efficiencies = (
        {f.name: f.efficiency_j_per_th for f in resolve_fleets(site, wh.asic_models())} if site else {}
    )
    breakeven: dict[str, float] = {}
    strike: dict[str, float] = {}
    hashprice = None
    for i, rule in enumerate(rules.rules):
        if rule.kind not in ("hashprice_below_breakeven", "rt_price_above_strike"):
            continue
        eff = _efficiency(rule, efficiencies, source, i)
        power = rule.power_usd_per_kwh if rule.power_usd_per_kwh is not None else 0.05
        econ = mining_day(wh, day, efficiency_j_per_th=eff, power_usd_per_kwh=power)
        hashprice = econ["hashprice_usd_per_ph_day"]
        if rule.kind == "hashprice_below_breakeven" and econ["breakeven_power_usd_per_kwh"]:
            breakeven[rule.name] = hashprice * power / econ["breakeven_power_usd_per_kwh"]
        if rule.kind == "rt_price_above_strike":
            given = rule.strike_usd_per_mwh
            strike[rule.name] = given if given is not None else float(econ["mining_value_usd_per_mwh"])
    return breakeven, strike, hashprice


def _rt_prices(
    wh: Warehouse, rules: AlertRules, site: SiteConfig | None, day: dt.date
) -> tuple[dict[str, tuple[dt.datetime, float]], list[tuple[str, str]]]:
    prices: dict[str, tuple[dt.datetime, float]] = {}
    skipped: list[tuple[str, str]] = []
    for rule in rules.rules:
        if rule.kind != "rt_price_above_strike":
            continue
        node = rule.node or (site.contract.node if site else "HB_WEST")
        try:
            frame = wh.iso_prices(node, "rt", day, day + dt.timedelta(days=1))
        except NotInWarehouseError:
            skipped.append((rule.name, f"no real-time prices for {node} on {day}"))
            continue
        last = frame.iloc[-1]
        prices[rule.name] = (
            pd.Timestamp(last["interval_start_utc"]).to_pydatetime(),
            float(last["price_usd_per_mwh"]),
        )
    return prices, skipped


def snapshot(
    wh: Warehouse,
    rules: AlertRules,
    *,
    site: SiteConfig | None = None,
    day: dt.date | None = None,
    fleet_mw: dict[str, tuple[float, float]] | None = None,
    source: str = "<rules>",
) -> tuple[Snapshot, list[tuple[str, str]]]:
    """The snapshot the rules look at on ``day`` (default: the latest day with a BTC price)."""
    from wattshift.services.signals import signals_history

    frame = signals_history(wh, None if day is None else day - dt.timedelta(days=1), day)
    frame = frame[frame["price_usd"].notna()] if day is None else frame
    today = _day(frame.iloc[-1])
    yesterday = _day(frame.iloc[-2]) if len(frame) > 1 else None
    breakeven, strike, hashprice = _economics(wh, rules, site, today.date, source)
    prices, skipped = _rt_prices(wh, rules, site, today.date)
    sr = SignalRules()
    zones = {
        "puell": (sr.puell_bottom_below, sr.puell_top_above),
        "mvrv_z": (sr.mvrv_z_bottom_below, sr.mvrv_z_top_above),
    }
    snap = Snapshot(today, yesterday, hashprice, breakeven, strike, prices, fleet_mw or {}, zones)
    for rule in rules.rules:
        if rule.kind == "fleet_deviation" and (fleet_mw is None or rule.fleet not in fleet_mw):
            skipped.append((rule.name, "no fleet reading (pass --inventory and --plan)"))
    return snap, skipped


def notify(urls: list[str], alert: Alert) -> str | None:
    """Send ``alert`` to every apprise URL; returns an error message, or None when all went."""
    import apprise

    sender = apprise.Apprise()
    for url in urls:
        if not sender.add(url):
            return f"not an apprise URL: {url}"
    kinds = {"info": apprise.NotifyType.INFO, "warning": apprise.NotifyType.WARNING}
    ok = sender.notify(
        title=f"wattshift: {alert.rule}",
        body=alert.message,
        notify_type=kinds.get(alert.severity, apprise.NotifyType.FAILURE),
    )
    return None if ok else "notification failed"


def _urls(rules: AlertRules) -> list[str]:
    urls = list(rules.settings.notify)
    if rules.settings.notify_env:
        urls += [u for u in os.environ.get(rules.settings.notify_env, "").split() if u]
    return urls


def check(
    wh: Warehouse,
    rules: AlertRules,
    *,
    site: SiteConfig | None = None,
    day: dt.date | None = None,
    fleet_mw: dict[str, tuple[float, float]] | None = None,
    now: dt.datetime | None = None,
    send: bool = True,
    source: str = "<rules>",
) -> CheckResult:
    """Evaluate, de-duplicate, quiet, notify and record (``wh`` writable when ``send``)."""
    from wattshift.warehouse.operations import append, last_sent

    snap, skipped = snapshot(wh, rules, site=site, day=day, fleet_mw=fleet_mw, source=source)
    alerts = evaluate([_spec(r) for r in rules.rules], snap)
    s = rules.settings
    quiet = Quiet(s.quiet_hours.start, s.quiet_hours.end, s.quiet_hours.timezone) if s.quiet_hours else None
    moment = now or dt.datetime.now(dt.UTC)
    decisions = decide(
        alerts,
        now=moment,
        last_sent=lambda key: last_sent(wh, key),
        repeat_after=dt.timedelta(hours=s.repeat_after_hours),
        quiet=quiet,
    )
    if send:
        urls = _urls(rules)
        final = []
        for d in decisions:
            error = notify(urls, d.alert) if d.sent and urls else None
            final.append(Decision(d.alert, d.sent and error is None, error or d.reason))
        decisions = final
        rows = [
            (
                moment,
                d.alert.rule,
                d.alert.key,
                d.alert.severity,
                d.alert.message,
                d.alert.value,
                d.sent,
                d.reason,
            )
            for d in decisions
        ]
        append(wh, "alert_log", rows)
    return CheckResult(snap.today.date, tuple(decisions), tuple(skipped))


def result_dict(result: CheckResult) -> dict[str, Any]:
    """The JSON document of ``alerts check``."""
    return {
        "date": result.day,
        "fired": len(result.decisions),
        "alerts": [
            {"rule": d.alert.rule, "kind": d.alert.kind, "key": d.alert.key, "severity": d.alert.severity}
            | {"message": d.alert.message, "value": d.alert.value, "sent": d.sent, "suppressed": d.reason}
            for d in result.decisions
        ],
        "skipped": [{"rule": name, "reason": why} for name, why in result.skipped],
    }
