"""``wattshift signals``: cycle signals today, their history, Hash Ribbon episodes and the backtest."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated, Any

import typer

from wattshift.cli._common import (
    CsvOrJson,
    DateOption,
    DbOption,
    TableOrJson,
    db_path,
    emit_csv,
    emit_json,
    friendly_errors,
    lookup_wait,
    open_warehouse,
    out,
)

if TYPE_CHECKING:
    import pandas as pd

#: ``--horizons`` default [days], as text: :data:`wattshift.signals.DEFAULT_HORIZONS_DAYS` joined by
#: commas (spelled out so that ``--help`` does not import the engine; a test keeps the two equal).
DEFAULT_HORIZONS_TEXT = "30,90,180,365"
#: :data:`wattshift.signals.MVRV_Z_LABEL`, spelled out for the same reason (the table of ``signals``
#: then needs no pandas either; ``tests/test_cli_lazy.py`` keeps the two equal).
MVRV_Z_LABEL_TEXT = "MVRV Z (Coin Metrics realized cap, expanding std)"

signals_app = typer.Typer(
    help="Cycle signals: Hash Ribbons, Puell Multiple, MVRV Z, Fear & Greed and their confluence.",
    rich_markup_mode="rich",
)

FormatOption = Annotated[TableOrJson, typer.Option("--format", help="Output format.")]


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """Dates as ``YYYY-MM-DD`` strings and missing values as None, for CSV/JSON output."""
    import pandas as pd

    result = frame.copy()
    for col in result.columns:
        if pd.api.types.is_datetime64_any_dtype(result[col]):
            result[col] = result[col].dt.strftime("%Y-%m-%d")
    return result.astype(object).where(result.notna(), None)


def _fmt(value: Any, digits: int = 2) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return str(value)


@signals_app.callback(invoke_without_command=True)
@friendly_errors
def today(
    ctx: typer.Context,
    date: DateOption = None,
    fmt: FormatOption = TableOrJson.table,
    db: DbOption = None,
) -> None:
    """The four indicators and their confluence on one day (default: the latest)."""
    if ctx.invoked_subcommand is not None:
        return
    from wattshift.services import oneday

    day_ = date.date() if date is not None else None
    # The day's row of the derived table (no pandas); the full service when it cannot answer.
    day = oneday.signals_day(db_path(db), day_, **lookup_wait())
    if day is None:
        from wattshift.services import signals as service

        with open_warehouse(db) as wh:
            day = service.signals_day(wh, day_)
    if fmt is TableOrJson.json:
        emit_json(day)
        return
    ribbons = day["hash_ribbons"]
    fear_greed = day["fear_greed"]
    confluence = day["confluence"]
    from rich.table import Table  # only for table output: --format json does not load Rich tables

    table = Table(title=f"Cycle signals on {day['date']}", show_header=True)
    table.add_column("indicator")
    table.add_column("value", justify="right")
    table.add_column("detail")
    table.add_row("BTC price [USD]", _fmt(day["price_usd"]), "")
    table.add_row(
        "Hash Ribbons",
        _fmt(ribbons["state"]),
        f"since {_fmt(ribbons['since'])}, last buy {_fmt(ribbons['last_buy'])}",
    )
    table.add_row("Puell Multiple", _fmt(day["puell"]), "bottom < 0.5, top > 4")
    table.add_row("MVRV Z", _fmt(day["mvrv_z"]), f"{MVRV_Z_LABEL_TEXT}; bottom < 0, top > 7")
    table.add_row("Fear & Greed", _fmt(fear_greed["value"], 0), _fmt(fear_greed["classification"]))
    names = ", ".join(confluence["indicators"]) or "none"
    table.add_row(
        "Confluence",
        f"{_fmt(confluence['count'])}/{confluence['available']}",
        f"in bottom zone: {names}",
    )
    out.print(table)


@signals_app.command("history")
@friendly_errors
def history(
    start: Annotated[
        dt.datetime | None, typer.Option("--from", formats=["%Y-%m-%d"], help="First day (inclusive).")
    ] = None,
    end: Annotated[
        dt.datetime | None,
        typer.Option("--to", formats=["%Y-%m-%d"], help="Last day (inclusive, as every --to of wattshift)."),
    ] = None,
    fmt: Annotated[CsvOrJson, typer.Option("--format", help="Output format.")] = CsvOrJson.csv,
    db: DbOption = None,
) -> None:
    """Daily indicators, zones and confluence between two days (one row per day)."""
    from wattshift.services import signals as service

    with open_warehouse(db) as wh:
        frame = service.signals_history(
            wh, start.date() if start is not None else None, end.date() if end is not None else None
        )
    plain = _plain(frame)
    if fmt is CsvOrJson.json:
        emit_json(plain.to_dict(orient="records"))
    else:
        emit_csv(plain)


@signals_app.command("ribbons")
@friendly_errors
def ribbons(
    fmt: FormatOption = TableOrJson.table,
    merge_gap_days: Annotated[
        int,
        typer.Option(
            "--merge-gap-days", min=0, help="Merge capitulations broken by a recovery of <= N days."
        ),
    ] = 2,
    previous_day: Annotated[
        bool,
        typer.Option("--previous-day-hashrate", help="Use yesterday's hash rate (Capriole's convention)."),
    ] = False,
    db: DbOption = None,
) -> None:
    """Hash Ribbons episodes: capitulation, recovery, buy, price at buy and what followed."""
    from wattshift.services import signals as service
    from wattshift.services.signals import DEFAULT_HORIZONS_DAYS

    with open_warehouse(db) as wh:
        rows = service.ribbons(wh, merge_gap_days=merge_gap_days, use_previous_day_hashrate=previous_day)
    if fmt is TableOrJson.json:
        emit_json(rows)
        return
    from rich.table import Table  # only for table output: --format json does not load Rich tables

    table = Table(title="Hash Ribbons episodes (30/60-day hash rate SMAs; buy: 10-day > 20-day price SMA)")
    for col in ("capitulation", "recovery", "buy", "price at buy [USD]", "days", "whipsaws"):
        table.add_column(col, justify="right")
    horizons = [h for h in DEFAULT_HORIZONS_DAYS if rows and f"return_{h}d" in rows[0]]
    for h in horizons:
        table.add_column(f"{h} d", justify="right")
    for row in rows:
        returns = ["-" if row[f"return_{h}d"] is None else f"{row[f'return_{h}d']:+.0%}" for h in horizons]
        table.add_row(
            _fmt(row["capitulation_start"]),
            _fmt(row["recovery"]),
            _fmt(row["buy"]),
            _fmt(row["price_at_buy_usd"], 0),
            _fmt(row["duration_days"]),
            str(row["whipsaws"]),
            *returns,
        )
    out.print(table)


def _parse_horizons(text: str) -> list[int]:
    try:
        horizons = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise typer.BadParameter(f"expected comma-separated whole days, got {text!r}") from None
    if not horizons or any(h <= 0 for h in horizons):
        raise typer.BadParameter(f"horizons must be positive whole days, got {text!r}")
    return horizons


@signals_app.command("backtest")
@friendly_errors
def backtest(
    horizons: Annotated[
        str, typer.Option("--horizons", help="Forward-return horizons [days], comma-separated.")
    ] = DEFAULT_HORIZONS_TEXT,
    fmt: FormatOption = TableOrJson.table,
    db: DbOption = None,
) -> None:
    """Forward BTC returns after each confluence level, zone entry and Hash Ribbon buy, vs all days."""
    import pandas as pd

    from wattshift.services import signals as service

    days = _parse_horizons(horizons)
    with open_warehouse(db) as wh:
        frame = service.backtest(wh, days)
    if fmt is TableOrJson.json:
        emit_json(_plain(frame).to_dict(orient="records"))
        return
    from rich.table import Table  # only for table output: --format json does not load Rich tables

    table = Table(title="Forward BTC returns after each signal (hit rate = share of positive returns)")
    for col in ("signal", "horizon [d]", "n", "median", "mean", "hit rate", "worst"):
        table.add_column(col, justify="left" if col == "signal" else "right")
    for record in frame.to_dict(orient="records"):
        stats = [
            "-" if pd.isna(record[k]) else f"{record[k]:+.1%}"
            for k in ("median_return", "mean_return", "hit_rate", "worst_return")
        ]
        stats[2] = stats[2].lstrip("+")
        table.add_row(str(record["signal"]), str(record["horizon_days"]), str(record["n"]), *stats)
    out.print(table)


def register(app: typer.Typer) -> None:
    """Add the ``signals`` command group to the root command."""
    app.add_typer(signals_app, name="signals")
