"""``wattshift mining`` (one day, history) and ``wattshift asics`` (catalogue with breakevens)."""

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
    err,
    friendly_errors,
    lookup_wait,
    open_warehouse,
    out,
    print_table,
)
from wattshift.errors import ConfigError

if TYPE_CHECKING:
    import pandas as pd

    from wattshift.cli._tables import FittedTable
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
    from wattshift.services import oneday

    assumptions = _assumptions(pool_fee, uptime, opex, capex, life, sga)
    day_ = date.date() if date is not None else None
    inputs: dict[str, Any] = {
        "efficiency_j_per_th": efficiency,
        "asic": asic,
        "power_usd_per_kwh": _require_power(power),
        "pue": pue,
        "assumptions": assumptions,
    }
    # The day's row of the derived table (no pandas); the full service when it cannot answer.
    result = oneday.mining_day(db_path(db), day_, **inputs, **lookup_wait())
    if result is None:
        from wattshift.services import mining as service

        with open_warehouse(db) as wh:
            result = service.mining_day(wh, day_, **inputs)
    if fmt is TableOrJson.json:
        emit_json(result)
        return
    _print_day(result)


def _print_day(result: dict[str, Any]) -> None:
    """The one-day table, the assumptions table and the day's note (Rich tables: imported here, so
    ``--format json`` does not load them)."""
    from rich.markup import escape
    from rich.table import Table

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
    print_table(_assumptions_table(info))
    if info.get("note"):
        err.print(f"[yellow]note:[/] {info['note']}", highlight=False)


@mining_app.command("history")
@friendly_errors
def history(
    start: Annotated[
        dt.datetime | None, typer.Option("--from", formats=["%Y-%m-%d"], help="First day (inclusive).")
    ] = None,
    end: Annotated[
        dt.datetime | None,
        typer.Option("--to", formats=["%Y-%m-%d"], help="Last day (inclusive, as every --to of wattshift)."),
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
    print_table(_asics_table(table))


#: Assumption rows of the one-day table: (key, label with unit, scale, digits); fractions shown as %.
_ASSUMPTION_LABELS: tuple[tuple[str, str, float, int], ...] = (
    ("asic", "ASIC model", 1.0, 0),
    ("efficiency_j_per_th", "efficiency [J/TH]", 1.0, 2),
    ("power_usd_per_kwh", "power price [USD/kWh]", 1.0, 4),
    ("pool_fee", "pool fee [%]", 100.0, 2),
    ("uptime", "uptime [%]", 100.0, 1),
    ("pue", "PUE [ratio]", 1.0, 2),
    ("opex_usd_per_mw_month", "non-power opex [USD/MW-month]", 1.0, 0),
    ("capex_usd_per_th", "ASIC price [USD per TH/s]", 1.0, 2),
    ("asic_life_years", "depreciation life [years]", 1.0, 1),
    ("sga_usd_per_mw_month", "SG&A [USD/MW-month]", 1.0, 0),
    ("hashprice_form", "hashprice form", 1.0, 0),
)


def _assumptions_table(info: dict[str, Any]) -> FittedTable:
    """The assumptions of :func:`day` with units, fractions as %, and no row for an unset value."""
    from wattshift.cli._tables import Column, FittedTable

    table = FittedTable("Assumptions", [Column("input"), Column("value", justify="right")])
    known = {key for key, _, _, _ in _ASSUMPTION_LABELS} | {"note"}
    rows = list(_ASSUMPTION_LABELS) + [(k, k, 1.0, 4) for k in info if k not in known]
    for key, label, scale, digits in rows:
        value = info.get(key)
        if value is None:
            continue
        if isinstance(value, int | float) and not isinstance(value, bool):
            value = float(value) * scale
        table.add_row(label, _fmt(value, digits))
    return table


def _asics_table(table: pd.DataFrame) -> FittedTable:
    """The table of :func:`asics`: catalogue columns, breakeven, value, margins when priced.

    At narrow widths the vendor, release, hashrate and power columns go first, then the margin per
    day; the model, efficiency, breakeven and value always stay (see :mod:`wattshift.cli._tables`).
    """
    from wattshift.cli._tables import Column, FittedTable

    day_text = table["date"].iloc[0] if len(table) else "-"
    hashprice = table["hashprice_usd_per_ph_day"].iloc[0] if len(table) else float("nan")
    specs: list[tuple[str, Column, int]] = []
    if "group" in table.columns:
        specs.append(("group", Column("group"), 0))
    specs += [
        ("model", Column("model", wrap=True), 0),
        ("vendor", Column("vendor", priority=5), 0),
        ("hashrate_ths", Column("hashrate [TH/s]", "right", priority=3), 1),
        ("power_w", Column("power [W]", "right", priority=3), 0),
        ("efficiency_j_per_th", Column("efficiency [J/TH]", "right"), 2),
        ("release", Column("release", priority=4), 0),
        ("breakeven_power_usd_per_kwh", Column("breakeven [USD/kWh]", "right"), 4),
        ("mining_value_usd_per_mwh", Column("value [USD/MWh]", "right"), 2),
    ]
    if "margin_usd_per_day" in table.columns:
        specs += [
            ("margin_usd_per_day", Column("margin [USD/day]", "right", priority=2), 2),
            ("margin_usd_per_mwh", Column("margin [USD/MWh]", "right", priority=1), 2),
        ]
    title = f"ASIC catalogue on {day_text} (hashprice {hashprice:,.2f} USD/PH/day)"
    fitted = FittedTable(title, [column for _, column, _ in specs])
    for row in table.itertuples(index=False):
        cells = [_fmt(getattr(row, key), digits) for key, _, digits in specs]
        if "release" in table.columns:  # the catalogue's release notes are long: keep the leading date
            i = [key for key, _, _ in specs].index("release")
            cells[i] = cells[i].split(" ", 1)[0].rstrip(";,")
        fitted.add_row(*cells)
    return fitted


def register(app: typer.Typer) -> None:
    """Add ``mining`` (group: one day by default, ``history``) and ``asics`` to the root command."""
    app.add_typer(mining_app, name="mining")
    app.command("asics")(asics)
