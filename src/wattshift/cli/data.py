"""``wattshift data``: fetch the public data, ingest it into the warehouse, show what it holds."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from wattshift.cli._common import (
    DEFAULT_WAIT_S,
    DbOption,
    TableOrJson,
    WaitOption,
    emit_json,
    err,
    friendly_errors,
    open_warehouse,
    out,
    print_table,
)
from wattshift.cli._tables import Column, FittedTable
from wattshift.errors import ExitCode, WattshiftError
from wattshift.settings import data_dir

if TYPE_CHECKING:
    import pandas as pd
    from rich.progress import Progress

data_app = typer.Typer(
    help="Get the public data (fetch), load it into the warehouse (ingest), and see what it holds (status).",
    rich_markup_mode="rich",
    no_args_is_help=True,
)

DataDirOption = Annotated[
    Path | None,
    typer.Option("--data-dir", help="Data folder [default: $WATTSHIFT_DATA_DIR].", show_default=False),
]
FormatOption = Annotated[TableOrJson, typer.Option("--format", help="Output format.")]
ReplaceOption = Annotated[
    bool,
    typer.Option(
        "--replace",
        help="Accept a new version of a file that lacks rows its earlier version stored "
        "(they are deleted); without it such a file is refused and nothing changes.",
    ),
]
AllowNewNodesOption = Annotated[
    bool,
    typer.Option(
        "--allow-new-nodes",
        help="Accept settlement points that are not in the market's published list.",
    ),
]
MirrorOption = Annotated[
    str | None,
    typer.Option(
        "--mirror",
        help="Base URL of a web server over a copy of a data folder: every file is fetched from "
        "<URL>/<folder>/<file> (hash-checked). The only way to get the mirror-only files "
        "(ASIC catalogue, GPU prices, ERCOT native load, 4CP table).",
        show_default=False,
    ),
]
CacheDirOption = Annotated[
    Path | None,
    typer.Option(
        "--cache-dir",
        help="Download cache [default: $WATTSHIFT_CACHE_DIR or the user cache folder].",
        show_default=False,
    ),
]
OnlyOption = Annotated[
    list[str] | None,
    typer.Option(
        "--only",
        help="Fetch only this file (name or folder/name as in --list; repeatable) [default: all].",
        show_default=False,
    ),
]


def _when(value: object) -> str:
    """A day as ``YYYY-MM-DD``, an instant as ``YYYY-MM-DD HH:MM`` (UTC); missing as ``""``."""
    import pandas as pd

    if not isinstance(value, pd.Timestamp | str) or pd.isna(value):
        return ""
    stamp = pd.Timestamp(value)
    return stamp.strftime("%Y-%m-%d") if stamp == stamp.normalize() else stamp.strftime("%Y-%m-%d %H:%M")


def _records(frame: pd.DataFrame) -> list[dict[str, object]]:
    """Rows as dicts with missing values as ``None`` (JSON null)."""
    import pandas as pd

    return [
        {str(k): (None if not isinstance(v, str) and pd.isna(v) else v) for k, v in row.items()}
        for row in frame.to_dict(orient="records")
    ]


@data_app.command("ingest")
@friendly_errors
def ingest_command(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(help="Data files to ingest (kind from the file name).", show_default=False),
    ] = None,
    all_files: Annotated[
        bool, typer.Option("--all", help="Ingest every known file in the data folder.")
    ] = False,
    data_dir_opt: DataDirOption = None,
    db: DbOption = None,
    fmt: FormatOption = TableOrJson.table,
    replace: ReplaceOption = False,
    allow_new_nodes: AllowNewNodesOption = False,
    wait: WaitOption = DEFAULT_WAIT_S,
) -> None:
    """Ingest files into the warehouse, each all-or-nothing; a bad file is reported and skipped.

    Stored history never shrinks silently: a file that lacks rows its earlier version stored is
    refused (the message names the span) unless --replace. Exit code 3 if any file failed (the
    good ones are ingested); 6 if another writer held the warehouse past --wait seconds.
    """
    from wattshift.services import data as service

    files = list(paths or [])
    if all_files:
        files += service.known_data_files(data_dir(data_dir_opt))
    if not files:
        raise WattshiftError(
            "nothing to ingest: give data files or --all (with --data-dir or $WATTSHIFT_DATA_DIR)"
        )
    with open_warehouse(db, read_only=False, wait_s=wait) as wh, _file_progress() as bar:
        task = bar.add_task("ingest", total=len(files))

        def progress(done: int, total: int, name: str) -> None:
            bar.update(task, completed=done, total=total, description=name or "done")

        results = service.ingest(wh, files, progress, replace=replace, allow_new_nodes=allow_new_nodes)
    failed = [r for r in results if r.status == "error"]
    if fmt is TableOrJson.json:
        emit_json(service.results_records(results))
    else:
        table = Table(title="Ingest", title_justify="left")
        for column in ("file", "kind", "rows", "seconds", "status"):
            table.add_column(
                column, justify="right" if column in ("rows", "seconds") else "left", overflow="fold"
            )
        colour = {"ok": "green", "unchanged": "dim", "error": "bold red"}
        for r in results:
            table.add_row(
                r.file, r.kind, f"{r.rows:,}", f"{r.seconds:.2f}", f"[{colour[r.status]}]{r.status}[/]"
            )
        out.print(table)
    for r in failed:
        err.print(f"[bold red]error:[/] {r.error}", highlight=False)
    if failed:
        raise typer.Exit(code=ExitCode.BAD_INPUT)


def _file_progress() -> Progress:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    )


@data_app.command("status")
@friendly_errors
def status_command(
    db: DbOption = None, fmt: FormatOption = TableOrJson.table, wait: WaitOption = DEFAULT_WAIT_S
) -> None:
    """Rows, first and last timestamp (UTC) and last ingest per table and source file; gaps in prices."""
    from wattshift.services import data as service

    with open_warehouse(db, wait_s=wait) as wh:
        frame = service.status(wh)
        gap_frame = service.gaps(wh)
    if fmt is TableOrJson.json:
        emit_json(_records(frame))
        return
    columns = [
        Column("table"),
        Column("source", wrap=True),  # file names break after _ - . only, never mid-word
        Column("rows", "right"),
        Column("first"),
        Column("last"),
        Column("last ingest", priority=1),  # dropped first when the terminal is narrow
    ]
    table = FittedTable(f"Warehouse {wh.path}", columns)
    for row in frame.itertuples(index=False):
        table.add_row(
            str(row.table),
            str(row.source),
            f"{row.rows:,}",
            _when(row.first),
            _when(row.last),
            _when(row.last_ingest),
        )
    print_table(table)
    _print_gaps(gap_frame)


@data_app.command("gaps")
@friendly_errors
def gaps_command(db: DbOption = None, fmt: FormatOption = TableOrJson.table) -> None:
    """Gaps in every price series (missing intervals between held ones; never filled)."""
    from wattshift.services import data as service

    with open_warehouse(db) as wh:
        frame = service.gaps(wh)
    if fmt is TableOrJson.json:
        emit_json(_records(frame))
        return
    _print_gaps(frame)


def _print_gaps(frame: pd.DataFrame) -> None:
    """Price series with missing intervals (e.g. EIA's 2023 Q3 outage): shown, never filled."""
    if frame.empty:
        return
    table = Table(title="Gaps in price series (missing intervals; never filled)", title_justify="left")
    for column in ("market", "node", "product", "gaps", "missing", "longest gap (UTC)", "hours"):
        table.add_column(column, justify="right" if column in ("gaps", "missing", "hours") else "left")
    for row in frame.itertuples(index=False):
        table.add_row(
            str(row.iso),
            str(row.node),
            str(row.market),
            f"{row.gaps:,}",
            f"{row.missing_intervals:,}",
            f"{_when(row.longest_gap_start)} → {_when(row.longest_gap_end)}",
            f"{row.longest_gap_hours:,.1f}",
        )
    out.print(table)


@data_app.command("fetch")
@friendly_errors
def fetch_command(
    to: Annotated[
        Path | None,
        typer.Option(
            "--to", help="Folder to download into [default: $WATTSHIFT_DATA_DIR].", show_default=False
        ),
    ] = None,
    list_only: Annotated[
        bool, typer.Option("--list", help="List the files, their origins and licences; fetch nothing.")
    ] = False,
    mirror: MirrorOption = None,
    cache_dir: CacheDirOption = None,
    retries: Annotated[int, typer.Option("--retries", min=0, help="Extra attempts per failed download.")] = 2,
    only: OnlyOption = None,
    fmt: FormatOption = TableOrJson.table,
) -> None:
    """Download the public data (pinned origins and SHA-256, retries, a download cache) into a folder
    laid out like the shared data folder."""
    from wattshift.services import data as service

    if list_only:
        _print_public_files(service.public_files(), fmt)
        return
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn

    dest = to if to is not None else data_dir()
    with Progress(
        TextColumn("[bold]{task.description}"), BarColumn(), DownloadColumn(), console=err, transient=True
    ) as bar:
        tasks: dict[str, int] = {}

        def progress(name: str, done: int, total: int) -> None:
            if name not in tasks:
                tasks[name] = int(bar.add_task(name, total=total or None))
            bar.update(tasks[name], completed=done, total=total or None)  # type: ignore[arg-type]

        written = service.fetch_public(
            dest, progress=progress, mirror=mirror, cache_dir=cache_dir, retries=retries, only=only
        )
    for path in written:
        out.print(str(path), highlight=False)
    if mirror is None:
        err.print("mirror-only files skipped (no public origin); get them with --mirror URL")
    err.print(f"{len(written)} files in {dest}; next: wattshift data ingest --all --data-dir {dest}")


def _print_public_files(entries: list[dict[str, object]], fmt: TableOrJson) -> None:
    """``data fetch --list``: every file with its origin (or "mirror only") and its licence."""
    if fmt is TableOrJson.json:
        emit_json(entries)
        return
    table = Table(title="Public data files (licence of each; sha256 in --format json)", title_justify="left")
    for column in ("target", "origin", "licence"):
        table.add_column(column, overflow="fold", ratio=1)
    for entry in entries:
        urls = entry["urls"]
        if entry["mirror_only"]:
            origin = "MIRROR ONLY (no public origin): --mirror URL"
        else:
            origin = "\n".join(map(str, urls)) if isinstance(urls, list) else str(urls)
        table.add_row(str(entry["target"]), origin, str(entry["licence"]))
    out.print(table)


def register(app: typer.Typer) -> None:
    """Add the ``data`` group to the ``wattshift`` app."""
    app.add_typer(data_app, name="data")
