"""``wattshift mining`` (one day, history) and ``wattshift asics`` (catalogue with breakevens)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from wattshift.cli._common import (
    CsvOrJson,
    DateOption,
    DbOption,
    TableOrJson,
    emit_csv,
    emit_json,
    err,
    friendly_errors,
    open_warehouse,
    out,
)
from wattshift.errors import ConfigError

if TYPE_CHECKING:
    import pandas as pd

    from wattshift.config.mining import MiningAssumptions

mining_app = typer.Typer(
    help="Mining economics of a day or a span: hashprice, cost per BTC, breakeven power price, USD/MWh.",
    rich_markup_mode="rich",
)

AsicOption = Annotated[
    str | None, typer.Option("--asic", help="ASIC model from the catalogue (`wattshift asics`), e.g. 'S21'.")
]
EfficiencyOption = Annotated[
    float | None, typer.Option("--efficiency-j-per-th", help="Machine efficiency [J/TH] (instead of --asic).")
]
PowerOption = Annotated[
    float | None, typer.Option("--power-usd-per-kwh", help="Power price at the meter [USD/kWh], e.g. 0.05.")
]
PueOption = Annotated[float | None, typer.Option("--pue", help="Site PUE [ratio >= 1] [default: 1.05].")]
PoolFeeOption = Annotated[
    float | None, typer.Option("--pool-fee", help="Pool fee [fraction] [default: 0.02].")
]
UptimeOption = Annotated[float | None, typer.Option("--uptime", help="Uptime [fraction] [default: 0.95].")]
OpexOption = Annotated[
    float | None,
    typer.Option("--opex-usd-per-mw-month", help="Non-power opex [USD/MW-month] [default: 5000]."),
]
CapexOption = Annotated[
    float | None, typer.Option("--capex-usd-per-th", help="ASIC price [USD per TH/s] [default: 20].")
]
LifeOption = Annotated[
    float | None, typer.Option("--asic-life-years", help="Depreciation life [years] [default: 5].")
]
SgaOption = Annotated[
    float | None, typer.Option("--sga-usd-per-mw-month", help="SG&A [USD/MW-month] [default: 0].")
]

#: Row labels (with units) of the one-day table.
_DAY_LABELS: tuple[tuple[str, str, int], ...] = (
    ("price_usd", "BTC price [USD]", 0),
    ("difficulty", "difficulty [T]", 2),
    ("hashrate_ehs", "network hashrate [EH/s]", 1),
    ("fees_btc_per_block", "fees per block [BTC]", 4),
    ("hashprice_usd_per_ph_day", "hashprice [USD/PH/day]", 2),
    ("btc_per_ph_day", "BTC per PH/s per day [BTC]", 6),
    ("energy_kwh_per_btc", "energy per BTC [kWh]", 0),
    ("energy_cost_usd_per_btc", "energy cost per BTC [USD]", 0),
    ("all_in_cost_usd_per_btc", "all-in cost per BTC [USD]", 0),
    ("breakeven_power_usd_per_kwh", "breakeven power price [USD/kWh]", 4),
    ("mining_value_usd_per_mwh", "mining value [USD/MWh]", 2),
)


def _assumptions(
    pool_fee: float | None,
    uptime: float | None,
    opex: float | None,
    capex: float | None,
    life: float | None,
    sga: float | None,
) -> MiningAssumptions:
    """Defaults with the options given on the command line; a bad value names its option."""
    from pydantic import ValidationError

    from wattshift.config.mining import MiningAssumptions

    options = {
        "pool_fee": ("--pool-fee", pool_fee),
        "uptime": ("--uptime", uptime),
        "opex_usd_per_mw_month": ("--opex-usd-per-mw-month", opex),
        "capex_usd_per_th": ("--capex-usd-per-th", capex),
        "asic_life_years": ("--asic-life-years", life),
        "sga_usd_per_mw_month": ("--sga-usd-per-mw-month", sga),
    }
    given = {field: value for field, (_, value) in options.items() if value is not None}
    try:
        return MiningAssumptions(**given)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = str(first["loc"][0])
        raise ConfigError(f"{options[field][0]}: {first['msg']} (got {given[field]})") from None


def _require_power(power: float | None) -> float:
    if power is None:
        raise ConfigError("--power-usd-per-kwh is required (power price at the meter, e.g. 0.05)")
    return power


def _fmt(value: Any, digits: int) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return str(value)


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """Dates as ``YYYY-MM-DD`` strings and missing values as None, for CSV/JSON output."""
    import pandas as pd

    result = frame.copy()
    for col in result.columns:
        if pd.api.types.is_datetime64_any_dtype(result[col]):
            result[col] = result[col].dt.strftime("%Y-%m-%d")
    return result.astype(object).where(result.notna(), None)


@mining_app.callback(invoke_without_command=True)
@friendly_errors
def day(
    ctx: typer.Context,
    date: DateOption = None,
    asic: AsicOption = None,
    efficiency: EfficiencyOption = None,
    power: PowerOption = None,
    pue: PueOption = None,
    pool_fee: PoolFeeOption = None,
    uptime: UptimeOption = None,
    opex: OpexOption = None,
    capex: CapexOption = None,
    life: LifeOption = None,
    sga: SgaOption = None,
    fmt: Annotated[TableOrJson, typer.Option("--format", help="Output format.")] = TableOrJson.table,
    db: DbOption = None,
) -> None:
    """Hashprice, cost per BTC and breakeven power price of one day (default: the latest)."""
    if ctx.invoked_subcommand is not None:
        return
    from wattshift.services import mining as service

    assumptions = _assumptions(pool_fee, uptime, opex, capex, life, sga)
    with open_warehouse(db) as wh:
        result = service.mining_day(
            wh,
            date.date() if date is not None else None,
            efficiency_j_per_th=efficiency,
            asic=asic,
            power_usd_per_kwh=_require_power(power),
            pue=pue,
            assumptions=assumptions,
        )
    if fmt is TableOrJson.json:
        emit_json(result)
        return
    info = result["assumptions"]
    machine = info["asic"] or f"{info['efficiency_j_per_th']:g} J/TH"
    table = Table(
        title=escape(
            f"Mining economics on {result['date']}: {machine} at {info['power_usd_per_kwh']:g} USD/kWh"
        )
    )
    table.add_column(escape("quantity [unit]"))
    table.add_column("value", justify="right")
    for key, label, digits in _DAY_LABELS:
        value = result[key]
        if key == "difficulty" and value is not None:
            value = value / 1e12
        table.add_row(escape(label), _fmt(value, digits))
    out.print(table)
    assumptions_table = Table(title="Assumptions")
    assumptions_table.add_column("input")
    assumptions_table.add_column("value", justify="right")
    for key, value in info.items():
        if key != "note":
            text = _fmt(value, 4) if isinstance(value, float) else str(value)
            assumptions_table.add_row(key, escape(text))
    out.print(assumptions_table)
    if info.get("note"):
        err.print(f"[yellow]note:[/] {info['note']}", highlight=False)


@mining_app.command("history")
@friendly_errors
def history(
    start: Annotated[
        dt.datetime | None, typer.Option("--from", formats=["%Y-%m-%d"], help="First day (inclusive).")
    ] = None,
    end: Annotated[
        dt.datetime | None, typer.Option("--to", formats=["%Y-%m-%d"], help="Last day (inclusive).")
    ] = None,
    asic: AsicOption = None,
    efficiency: EfficiencyOption = None,
    power: PowerOption = None,
    pue: PueOption = None,
    pool_fee: PoolFeeOption = None,
    uptime: UptimeOption = None,
    opex: OpexOption = None,
    capex: CapexOption = None,
    life: LifeOption = None,
    sga: SgaOption = None,
    fmt: Annotated[CsvOrJson, typer.Option("--format", help="Output format.")] = CsvOrJson.csv,
    db: DbOption = None,
) -> None:
    """Mining economics of every day in a span, one row per day (CSV, or JSON with the assumptions)."""
    from wattshift.services import mining as service

    assumptions = _assumptions(pool_fee, uptime, opex, capex, life, sga)
    with open_warehouse(db) as wh:
        frame = service.mining_history(
            wh,
            start.date() if start is not None else None,
            end.date() if end is not None else None,
            efficiency_j_per_th=efficiency,
            asic=asic,
            power_usd_per_kwh=_require_power(power),
            pue=pue,
            assumptions=assumptions,
        )
    if fmt is CsvOrJson.json:
        emit_json(
            {"assumptions": frame.attrs["assumptions"], "days": _plain(frame).to_dict(orient="records")}
        )
    else:
        emit_csv(_plain(frame))


@friendly_errors
def asics(
    date: DateOption = None,
    power: Annotated[
        float | None,
        typer.Option("--power-usd-per-kwh", help="Power price [USD/kWh]: adds each model's margin."),
    ] = None,
    pue: PueOption = None,
    pool_fee: PoolFeeOption = None,
    top: Annotated[
        int | None,
        typer.Option(
            "--top",
            min=1,
            help="Show only the N most efficient models, then the widely deployed workhorses.",
        ),
    ] = None,
    fmt: Annotated[TableOrJson, typer.Option("--format", help="Output format.")] = TableOrJson.table,
    db: DbOption = None,
) -> None:
    """The ASIC catalogue, most efficient first, with each model's breakeven power price on a day."""
    from wattshift.services import asics as service

    assumptions = _assumptions(pool_fee, None, None, None, None, None)
    with open_warehouse(db) as wh:
        table = service.asic_table(
            wh, date.date() if date is not None else None, power, pue=pue, assumptions=assumptions
        )
    if top is not None:
        attrs = dict(table.attrs)
        table = service.top_and_workhorses(table, top)
        table.attrs.update(attrs)
    if fmt is TableOrJson.json:
        emit_json(
            {"assumptions": table.attrs["assumptions"], "models": _plain(table).to_dict(orient="records")}
        )
        return
    out.print(_asics_table(table))


def _asics_table(table: pd.DataFrame) -> Table:
    """The Rich table of :func:`asics` (catalogue columns, breakeven, value, margins when priced)."""
    day_text = table["date"].iloc[0] if len(table) else "-"
    hashprice = table["hashprice_usd_per_ph_day"].iloc[0] if len(table) else float("nan")
    rich = Table(title=f"ASIC catalogue on {day_text} (hashprice {hashprice:,.2f} USD/PH/day)")
    columns: list[tuple[str, str, int]] = [("group", "group", 0)] if "group" in table.columns else []
    columns += [
        ("model", "model", 0),
        ("vendor", "vendor", 0),
        ("hashrate_ths", "hashrate [TH/s]", 1),
        ("power_w", "power [W]", 0),
        ("efficiency_j_per_th", "efficiency [J/TH]", 2),
        ("release", "release", 0),
        ("breakeven_power_usd_per_kwh", "breakeven [USD/kWh]", 4),
        ("mining_value_usd_per_mwh", "value [USD/MWh]", 2),
    ]
    if "margin_usd_per_day" in table.columns:
        columns += [
            ("margin_usd_per_day", "margin [USD/day]", 2),
            ("margin_usd_per_mwh", "margin [USD/MWh]", 2),
        ]
    for _, header, _ in columns:
        left = header in {"group", "model", "vendor", "release"}
        rich.add_column(escape(header), justify="left" if left else "right", no_wrap=header != "release")
    for row in table.itertuples(index=False):
        cells = [_fmt(getattr(row, key), digits) for key, _, digits in columns]
        if "release" in table.columns:  # the catalogue's release notes are long: keep the leading date
            i = [key for key, _, _ in columns].index("release")
            cells[i] = cells[i].split(" ", 1)[0].rstrip(";,")
        rich.add_row(*(escape(c) for c in cells))
    return rich


def register(app: typer.Typer) -> None:
    """Add ``mining`` (group: one day by default, ``history``) and ``asics`` to the root command."""
    app.add_typer(mining_app, name="mining")
    app.command("asics")(asics)
