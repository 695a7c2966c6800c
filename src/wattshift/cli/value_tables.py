"""What ``wattshift value`` and ``wattshift treasury`` print from a result's JSON document."""

from __future__ import annotations

from typing import Any

from rich.table import Table

from wattshift.cli._common import out, print_table
from wattshift.cli._tables import Column, FittedTable


def musd(x: float | None) -> str:
    """USD as USD M with two decimals ("-" for None)."""
    from wattshift.units import usd_to_musd  # NumPy: only when a table is printed

    return "-" if x is None else f"{usd_to_musd(x):,.2f}"


def pct(x: float | None) -> str:
    """A fraction as a percentage with one decimal ("-" for None or NaN)."""
    return "-" if x is None or x != x else f"{100 * x:.1f} %"


def print_value(result: dict[str, Any]) -> None:
    # Fitted to the terminal ($COLUMNS): the ex-terminal NPV, MIRR and the tail percentiles go first.
    table = FittedTable(
        f"{result['site']}: value per MW ({result['paths']} paths, {result['years']} y, "
        f"discount rate {pct(result['discount_rate'])})",
        [
            Column("business"),
            Column("NPV p5 [M$]", "right", priority=2),
            Column("NPV p50 [M$]", "right"),
            Column("NPV p95 [M$]", "right", priority=2),
            Column("NPV mean [M$]", "right", priority=1),
            Column("NPV p50 ex TV [M$]", "right", priority=3),
            Column("TV share", "right"),
            Column("IRR p50", "right"),
            Column("IRR defined", "right"),
            Column("MIRR p50", "right", priority=4),
            Column("EV/MW [M$]", "right"),
        ],
    )
    for b in ("mining", "ai", "hybrid"):
        npv = result["npv_usd"][b]
        ev = result["ev_per_mw_usd"].get(b)
        table.add_row(
            b, musd(npv["p5"]), musd(npv["p50"]), musd(npv["p95"]), musd(npv["mean"]),
            musd(result["npv_ex_terminal_usd"][b]["p50"]), pct(result["terminal_value_share"][b]),
            pct(result["irr"][b]["p50"]), pct(result["irr_defined_share"][b]),
            pct(result["mirr"][b]["p50"]), musd(ev),
        )  # fmt: skip
    print_table(table)
    ratio, net = result["value_ratio_ai_to_mining"], result["value_ratio_ai_to_mining_net_of_capex"]
    out.print(
        f"AI/mining EV ratio per MW: {'-' if ratio is None else f'{ratio:.2f}x'} "
        f"({'-' if net is None else f'{net:.2f}x'} net of "
        f"{musd(result['conversion_capex_usd_per_mw'])} M$/MW conversion capex; "
        f"AI uplift {result['ai_uplift_usd_per_w']:.2f} USD/W); "
        f"P(AI beats mining) = {pct(result['prob_ai_beats_mining'])}"
    )
    print_plan(result)
    if result.get("sensitivity"):
        print_tornado(result["sensitivity"])


def print_tornado(bars: list[dict[str, Any]]) -> None:
    """The tornado as a table: widest swing first."""
    table = Table(title="Sensitivity of the p50 NPV per site MW [M$] (common random numbers)")
    for col in ("input", "business", "low", "high", "NPV at low", "base", "NPV at high", "swing"):
        table.add_column(col, justify="right")
    for b in bars:
        swing = abs(b["npv_high_usd"] - b["npv_low_usd"])
        table.add_row(
            b["input"], b["business"], f"{b['low']:.4g}", f"{b['high']:.4g}", musd(b["npv_low_usd"]),
            musd(b["npv_base_usd"]), musd(b["npv_high_usd"]), musd(swing),
        )  # fmt: skip
    out.print(table)


def print_flex(calibration: dict[str, Any]) -> None:
    """One line on the flex revenue taken from a dispatch backtest (nothing when none was run)."""
    src = calibration.get("flex_source")
    if src is None:
        return
    out.print(
        f"Mining flex revenue from the dispatch backtest ({src['node']} {src['market']}, "
        f"{src['from']}..{src['to']}): {calibration['flex_revenue_usd_per_mw_month']:,.0f} USD/MW-month "
        f"(value of flexibility {src['value_of_flexibility_usd']:,.0f} USD over {src['mining_mw']:.1f} "
        f"mining MW x {src['months']:.2f} months)"
    )


def print_drift(calibration: dict[str, Any]) -> None:
    """One line on the BTC drift the run used and the window it was measured on."""
    window = calibration.get("drift_window")
    span = f" on {window[0]}..{window[1]}" if window else ""
    vol_window = calibration["window"]
    out.print(
        f"BTC drift: {calibration['drift']}{span}, {pct(calibration['price_drift_annual'])}/year (log); "
        f"volatility {pct(calibration['price_vol_annual'])} on {vol_window[0]}..{vol_window[1]}"
    )


def print_plan(result: dict[str, Any]) -> None:
    print_drift(result["calibration"])
    print_flex(result["calibration"])
    plan = [r for r in result["conversion_schedule"] if r["mw"] > 0]
    if not plan:
        out.print("Conversion plan: keep mining (no year in which converting raises expected NPV).")
    else:
        out.print("Conversion plan: " + ", ".join(f"{r['year']}: {r['mw']:.1f} MW" for r in plan))
    out.print(f"Plan margin over the next-best plan: {result['plan_note']}")
    btc = result["btc_to_sell"]
    out.print(
        f"BTC to sell (treasury {btc['treasury_btc']:,.0f} BTC): p50 {btc['total']['p50']:,.1f}, "
        f"p95 {btc['total']['p95']:,.1f}; "
        f"external financing p50 {musd(btc['financing_needed_usd']['p50'])} M$; they fund "
        f"{btc['funds']}: conversion capex {musd(btc['conversion_capex_usd'])} M$ "
        f"(ASIC refreshes {musd(btc['asic_refresh_capex_usd'])} M$ financed apart)"
    )
    strat = result["strategies_value_usd"]
    out.print(
        "Strategy value p50 [M$]: "
        + ", ".join(f"{k.replace('_', '-')} {musd(v['p50'])}" for k, v in strat.items())
    )
