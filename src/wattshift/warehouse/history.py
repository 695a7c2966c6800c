"""The one rule for rows missing from a new version of a file: stored history never shrinks silently.

When a file is ingested again under the same name with different content, every row that its
earlier version stored and that the new version no longer holds (a key of the table absent from
the new file, or a price cell now empty) would be lost. The rule, the same for every table:

- **without** ``replace`` the ingest is refused (:class:`~wattshift.errors.HistoryShrinkError`,
  exit code 3): nothing changes, and the message names the table, the number of rows and the span
  (first and last key) that would be lost;
- **with** ``replace`` (``wattshift data ingest --replace``) the new version is the whole truth of
  that file: its missing rows are deleted. Rows of *other* files are never touched (for
  ``btc_daily`` another file's values show through again; an ISO price row that a lower-priority
  file lost to this file earlier is not restored: re-ingest that file).

Rows present in both versions are updated by the table's merge (:mod:`~wattshift.warehouse.merge`).
A row's identity is the table key: ``date`` (``btc_daily``, ``fear_greed``), ``model``
(``asic_models``), ``(iso, node, market, interval_start_utc)`` (``iso_prices``) and
``(date, gpu, kind, provider, source)`` (``gpu_prices``, whose stored key is the row number).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import duckdb
import pandas as pd

from wattshift.errors import HistoryShrinkError
from wattshift.warehouse.merge import PreparedPrices
from wattshift.warehouse.queries import fetch_one

_NEW = "_wattshift_new_keys"
_NEW_SERIES = "_wattshift_new_series"

#: Identity of a GPU quote across file versions.
GPU_IDENTITY: Final[tuple[str, ...]] = ("date", "gpu", "kind", "provider", "source")


@dataclass(frozen=True)
class Lost:
    """Rows an ingest would delete: how many, and the first and last key."""

    table: str
    rows: int
    first: str
    last: str


def _span(row: tuple[object, ...] | None, table: str) -> Lost | None:
    if row is None or not row[0]:
        return None
    return Lost(table, int(str(row[0])), str(row[1]), str(row[2]))


def _lost_keyed(
    con: duckdb.DuckDBPyConnection, table: str, stored: str, key: tuple[str, ...], where: str, file: str
) -> Lost | None:
    """Rows of ``stored`` from ``file`` whose ``key`` is absent from the registered new keys."""
    on = " AND ".join(f"n.{k} IS NOT DISTINCT FROM t.{k}" for k in key)
    shown = key[0]
    row = fetch_one(
        con,
        f"SELECT count(*), min(t.{shown}), max(t.{shown}) FROM {stored} AS t WHERE {where} "
        f"AND NOT EXISTS (SELECT 1 FROM {_NEW} AS n WHERE {on})",
        [file],
    )
    return _span(row, table)


def _delete_keyed(
    con: duckdb.DuckDBPyConnection, stored: str, key: tuple[str, ...], where: str, file: str
) -> None:
    on = " AND ".join(f"n.{k} IS NOT DISTINCT FROM t.{k}" for k in key)
    con.execute(
        f"DELETE FROM {stored} AS t WHERE {where} AND NOT EXISTS (SELECT 1 FROM {_NEW} AS n WHERE {on})",
        [file],
    )


def _iso_lost(
    con: duckdb.DuckDBPyConnection, prepared: PreparedPrices, file: str, delete: bool
) -> Lost | None:
    con.register(_NEW_SERIES, prepared.series)
    keys = (
        f"SELECT s.series_id, v.interval_start_utc FROM {_NEW} AS v JOIN {_NEW_SERIES} AS i USING (code) "
        "JOIN price_series AS s ON s.iso = i.iso AND s.node = i.node AND s.market = i.market"
    )
    mine = "t.source_id = (SELECT source_id FROM price_sources WHERE file_name = ?)"
    missing = (
        f"{mine} AND NOT EXISTS (SELECT 1 FROM ({keys}) AS n "
        "WHERE n.series_id = t.series_id AND n.interval_start_utc = t.interval_start_utc)"
    )
    try:
        if delete:
            con.execute(f"DELETE FROM iso_price_values AS t WHERE {missing}", [file])
            return None
        row = fetch_one(
            con,
            "SELECT count(*), min(t.interval_start_utc), max(t.interval_start_utc), "
            "min(p.node) FROM iso_price_values AS t JOIN price_series AS p USING (series_id) "
            f"WHERE {missing}",
            [file],
        )
    finally:
        con.unregister(_NEW_SERIES)
    lost = _span(row, "iso_prices")
    if lost is None or row is None:
        return None
    return Lost(f"iso_prices (node {row[3]}, ...)", lost.rows, f"{lost.first}Z", f"{lost.last}Z")


def _new_keys(table: str, prepared: pd.DataFrame | PreparedPrices) -> pd.DataFrame:
    if isinstance(prepared, PreparedPrices):
        return prepared.values[["code", "interval_start_utc"]]
    assert isinstance(prepared, pd.DataFrame)
    if table == "gpu_prices":
        return prepared[list(GPU_IDENTITY)]
    if table == "asic_models":
        return prepared[["model"]]
    return prepared[["date"]].assign(date=pd.to_datetime(prepared["date"]).dt.date)


def guard(
    con: duckdb.DuckDBPyConnection,
    table: str,
    prepared: pd.DataFrame | PreparedPrices,
    *,
    source_file: str,
    replace: bool,
) -> None:
    """Apply the rule above before ``prepared`` (the new version of ``source_file``) is merged.

    Call inside the ingest's transaction, before the merge. With ``replace`` the missing rows are
    deleted here (``btc_daily`` layers and ``gpu_prices`` drop the whole file in their merge).

    Raises
    ------
    HistoryShrinkError
        Without ``replace``, when rows would be lost (the message names count and span).
    """
    con.register(_NEW, _new_keys(table, prepared))
    try:
        lost = _find_lost(con, table, prepared, source_file, replace)
    finally:
        con.unregister(_NEW)
    if lost is not None:
        raise HistoryShrinkError(
            f"this version would delete {lost.rows:,} row(s) of {lost.table} stored from this file, "
            f"{lost.first} .. {lost.last}, which it no longer holds; refused (nothing changed). "
            "Ingest with --replace to accept the loss",
            file=source_file,
        )


def _find_lost(
    con: duckdb.DuckDBPyConnection,
    table: str,
    prepared: pd.DataFrame | PreparedPrices,
    source_file: str,
    replace: bool,
) -> Lost | None:
    if isinstance(prepared, PreparedPrices):
        return _iso_lost(con, prepared, source_file, delete=replace)
    where = "t.source_file = ?"
    stored = "btc_daily_layers" if table == "btc_daily" else table
    key = {"gpu_prices": GPU_IDENTITY, "asic_models": ("model",)}.get(table, ("date",))
    if replace:
        if table in ("fear_greed", "asic_models"):  # the other merges drop the file's rows themselves
            _delete_keyed(con, stored, key, where, source_file)
        return None
    return _lost_keyed(con, table, stored, key, where, source_file)
