"""Bulk merges of one parsed frame into the warehouse (called inside a transaction).

Every merge registers the frame with DuckDB (zero-copy scan of the pandas/Arrow buffers) and runs
set-based SQL; no row-by-row inserts. The rules make the end state independent of ingest order:

Coin Metrics (``btc_daily``)
    Each file is kept as a layer (``btc_daily_layers``), replacing the earlier layer of the same
    file name. ``btc_daily`` is then rebuilt: for each day and each column, the value of the layer
    with the latest ``(vintage, source_file)`` that has a value there. A missing cell in a newer
    file never erases an older value; a revised file replaces its own earlier values.
Ranked tables (``fear_greed``, ``asic_models``, ``iso_prices``)
    Each row carries its file's ``priority`` and ``source_file``. An incoming row replaces a stored
    row with the same key when ``(priority, source_file)`` of the incoming row is greater than or
    equal to the stored one (so re-ingesting a file replaces its values); otherwise the stored row
    stays. Implemented as ``DELETE … USING`` the rows it beats, then ``INSERT`` of the incoming
    rows whose key is free.
``gpu_prices``
    A file replaces all of its own rows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from wattshift.data.gpu import GPU_PRICE_COLUMNS
from wattshift.errors import DataError
from wattshift.warehouse.queries import fetch_one
from wattshift.warehouse.schema import BTC_VALUE_COLUMNS, TABLES

_INCOMING = "_wattshift_incoming"


def _require(frame: pd.DataFrame, columns: tuple[str, ...], source: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise DataError(
            f"frame lacks column(s) {', '.join(missing)}; found: {', '.join(map(str, frame.columns))}",
            file=source,
            column=missing[0],
        )


def _check_keys(frame: pd.DataFrame, key: tuple[str, ...], source: str) -> None:
    """No empty key cell and no key twice (reported with the 0-based row of the parsed frame)."""
    for col in key:
        empty = frame[col].isna().to_numpy()
        if empty.any():
            pos = int(np.flatnonzero(empty)[0])
            raise DataError(f"empty key cell in parsed row {pos}", file=source, column=col)
    dup = frame.duplicated(list(key)).to_numpy()
    if dup.any():
        pos = int(np.flatnonzero(dup)[0])
        shown = ", ".join(f"{c}={frame[c].iloc[pos]}" for c in key)
        raise DataError(f"duplicate key ({shown}) in parsed row {pos}", file=source, column=key[-1])


def _floats(frame: pd.DataFrame, column: str, source: str) -> np.ndarray:
    """Column as float64 (NaN = missing); anything else is a :class:`DataError` naming the column."""
    try:
        return pd.to_numeric(frame[column]).to_numpy(dtype=np.float64)
    except (ValueError, TypeError) as exc:
        raise DataError(f"not numeric: {exc}", file=source, column=column) from None


def _as_day(values: pd.Series, source: str, column: str) -> pd.Series:
    """Naive midnight ``datetime64[ns]``; a time of day or a time zone is an error."""
    try:
        stamps = pd.to_datetime(values)
    except (ValueError, TypeError) as exc:
        raise DataError(f"not a date: {exc}", file=source, column=column) from None
    if isinstance(stamps.dtype, pd.DatetimeTZDtype):
        stamps = stamps.dt.tz_convert("UTC").dt.tz_localize(None)
    off = (stamps.notna() & (stamps != stamps.dt.normalize())).to_numpy()
    if off.any():
        pos = int(np.flatnonzero(off)[0])
        raise DataError(
            f"expected a day, got {stamps.iloc[pos]} (parsed row {pos})", file=source, column=column
        )
    return stamps.astype("datetime64[ns]")


def prepare_btc_daily(frame: pd.DataFrame, source: str) -> tuple[pd.DataFrame, dt.date]:
    """Check a BTC daily frame; return it (date + float columns) and its vintage.

    The vintage is ``frame.attrs["vintage"]`` (set by :func:`wattshift.data.coinmetrics.parse_coinmetrics`:
    the last day of the snapshot), else the frame's last date.
    """
    _require(frame, ("date", *BTC_VALUE_COLUMNS), source)
    out = pd.DataFrame({"date": _as_day(frame["date"], source, "date")})
    for col in BTC_VALUE_COLUMNS:
        out[col] = _floats(frame, col, source)
    _check_keys(out, ("date",), source)
    vintage = frame.attrs.get("vintage")
    if isinstance(vintage, dt.datetime):
        vintage = vintage.date()
    if not isinstance(vintage, dt.date):
        if out.empty:
            raise DataError("no rows", file=source)
        vintage = pd.Timestamp(out["date"].max()).date()
    return out.sort_values("date", ignore_index=True), vintage


def prepare_ranked(table: str, frame: pd.DataFrame, source: str) -> pd.DataFrame:
    """Check and normalise a frame for a small ranked table (``fear_greed``, ``asic_models``)."""
    spec = TABLES[table]
    _require(frame, spec.columns, source)
    out = frame.loc[:, list(spec.columns)].copy()
    if table == "fear_greed":
        out["date"] = _as_day(out["date"], source, "date")
        out["value"] = _floats(out, "value", source)
    elif table == "asic_models":
        for col in ("hashrate_ths", "power_w", "efficiency_j_per_th"):
            out[col] = _floats(out, col, source)
    _check_keys(out, spec.key, source)
    return out.sort_values(list(spec.key), ignore_index=True)


@dataclass(frozen=True)
class PreparedPrices:
    """An ISO price frame split into integer-coded rows and the series they belong to.

    Attributes
    ----------
    values
        ``code`` (int32, index into ``series``), ``interval_start_utc`` (naive UTC),
        ``interval_minutes`` (int16), ``price_usd_per_mwh`` (float64); rows without a price dropped.
    series
        ``code, iso, node, market``, one row per series in the frame.
    """

    values: pd.DataFrame
    series: pd.DataFrame

    def __len__(self) -> int:
        return len(self.values)


def _dictionary_encode(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes (-1 = missing) and the distinct labels of a string column (Arrow, no Python loop)."""
    array = pa.array(values, type=pa.large_string(), from_pandas=True)
    if isinstance(array, pa.ChunkedArray):  # a pandas column backed by several Arrow chunks
        array = array.combine_chunks()
    encoded = pc.dictionary_encode(array)
    codes = encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
    return codes, np.asarray(encoded.dictionary.to_pylist(), dtype=object)


def _interval_minutes(frame: pd.DataFrame, keep: np.ndarray, source: str) -> np.ndarray:
    """``interval_minutes`` as floats; a priced row (``keep``) must have 5, 15 or 60 (else DataError)."""
    minutes = _floats(frame, "interval_minutes", source)
    bad = keep & ~np.isin(minutes, [5, 15, 60])
    if bad.any():
        pos = int(np.flatnonzero(bad)[0])
        raise DataError(
            f"interval_minutes {minutes[pos]} is not 5, 15 or 60 (parsed row {pos})",
            file=source,
            column="interval_minutes",
        )
    return minutes


def _key_codes(frame: pd.DataFrame, source: str) -> tuple[np.ndarray, list[np.ndarray]]:
    """One integer per row for its (iso, node, market), and the labels of each key column.

    ``code = (iso_code * n_node + node_code) * n_market + market_code``. An empty key cell is a
    :class:`DataError` naming the row and column.
    """
    codes = np.zeros(len(frame), dtype=np.int64)
    labels: list[np.ndarray] = []
    for col in ("iso", "node", "market"):
        col_codes, uniques = _dictionary_encode(frame[col])
        if (col_codes < 0).any():
            pos = int(np.flatnonzero(col_codes < 0)[0])
            raise DataError(f"empty key cell in parsed row {pos}", file=source, column=col)
        codes = codes * len(uniques) + col_codes
        labels.append(uniques)
    return codes, labels


def prepare_iso_prices(frame: pd.DataFrame, source: str) -> PreparedPrices:
    """Check an ISO price frame and code its series as integers.

    ``interval_start_utc`` must be tz-aware (converted to UTC, stored naive); rows without a price
    are dropped (absent, never filled); ``interval_minutes`` must be 5, 15 or 60; keys must not be
    empty or repeated. Rows come out sorted by series and time (as the adapters deliver them).

    Raises
    ------
    DataError
        Naive timestamps, a bad interval length, an empty key cell or a repeated key.
    """
    _require(frame, TABLES["iso_prices"].columns, source)
    stamps = frame["interval_start_utc"]
    if not isinstance(stamps.dtype, pd.DatetimeTZDtype):
        raise DataError(
            f"interval_start_utc must be tz-aware UTC, got dtype {stamps.dtype}",
            file=source,
            column="interval_start_utc",
        )
    prices = _floats(frame, "price_usd_per_mwh", source)
    keep = ~np.isnan(prices)
    minutes = _interval_minutes(frame, keep, source)
    codes, labels = _key_codes(frame, source)
    utc = stamps.dt.tz_convert("UTC").dt.tz_localize(None).to_numpy(dtype="datetime64[us]")
    if np.isnat(utc).any():
        pos = int(np.flatnonzero(np.isnat(utc))[0])
        raise DataError(f"empty key cell in parsed row {pos}", file=source, column="interval_start_utc")
    codes, utc, minutes, prices = codes[keep], utc[keep], minutes[keep], prices[keep]
    # series codes → dense 0..k-1 (the combined code space is tiny: isos x nodes x markets)
    present = np.zeros(int(codes.max()) + 1 if codes.size else 1, dtype=bool)
    present[codes] = True
    series_codes = np.flatnonzero(present)
    dense = (np.cumsum(present) - 1)[codes].astype(np.int32)
    stamps_us = utc.astype(np.int64)
    in_order = (dense[1:] > dense[:-1]) | ((dense[1:] == dense[:-1]) & (stamps_us[1:] > stamps_us[:-1]))
    if not in_order.all():  # adapters sort by (node, time); sort otherwise, then look for repeats
        order = np.lexsort((stamps_us, dense))
        dense, utc, minutes, prices, stamps_us = (x[order] for x in (dense, utc, minutes, prices, stamps_us))
        repeat = (dense[1:] == dense[:-1]) & (stamps_us[1:] == stamps_us[:-1])
        if repeat.any():
            i = int(np.flatnonzero(repeat)[0]) + 1
            code = int(series_codes[dense[i]])
            n_node, n_market = len(labels[1]), len(labels[2])
            raise DataError(
                f"duplicate interval {pd.Timestamp(utc[i]).isoformat()}Z for "
                f"{labels[1][(code // n_market) % n_node]} {labels[2][code % n_market]}",
                file=source,
                column="interval_start_utc",
            )
    n_node, n_market = len(labels[1]), len(labels[2])
    series = pd.DataFrame(
        {
            "code": np.arange(len(series_codes), dtype=np.int32),
            "iso": labels[0][series_codes // (n_node * n_market)],
            "node": labels[1][(series_codes // n_market) % n_node],
            "market": labels[2][series_codes % n_market],
        }
    )
    values = pd.DataFrame(
        {
            "code": dense,
            "interval_start_utc": utc,
            "interval_minutes": minutes.astype(np.int16),
            "price_usd_per_mwh": prices,
        }
    )
    return PreparedPrices(values, series)


def prepare_gpu_prices(frame: pd.DataFrame, source: str) -> pd.DataFrame:
    """Check a GPU price frame and number its rows (the table key is ``(source_file, row_index)``)."""
    _require(frame, GPU_PRICE_COLUMNS, source)
    out = frame.loc[:, list(GPU_PRICE_COLUMNS)].copy()
    out["date"] = _as_day(out["date"], source, "date")
    out["price_usd_per_gpu_hour"] = _floats(out, "price_usd_per_gpu_hour", source)
    out.insert(0, "row_index", np.arange(len(out), dtype=np.int32))
    return out


def _registered(con: duckdb.DuckDBPyConnection, frame: pd.DataFrame) -> None:
    con.register(_INCOMING, frame)


def merge_btc_daily(
    con: duckdb.DuckDBPyConnection, frame: pd.DataFrame, *, vintage: dt.date, source_file: str
) -> None:
    """Replace the file's layer, then rebuild ``btc_daily`` column by column from all layers."""
    _registered(con, frame)
    cols = ", ".join(BTC_VALUE_COLUMNS)
    con.execute("DELETE FROM btc_daily_layers WHERE source_file = ?", [source_file])
    con.execute(
        f"INSERT INTO btc_daily_layers (source_file, vintage, date, {cols}) "
        f"SELECT ?, ?, CAST(date AS DATE), {cols} FROM {_INCOMING} ORDER BY date",
        [source_file, vintage],
    )
    con.unregister(_INCOMING)
    picks = ",\n  ".join(
        f"arg_max({c}, (vintage, source_file)) FILTER (WHERE {c} IS NOT NULL) AS {c}"
        for c in BTC_VALUE_COLUMNS
    )
    con.execute("DELETE FROM btc_daily")
    con.execute(
        f"INSERT INTO btc_daily (date, {cols}, vintage) "
        f"SELECT date, {', '.join(BTC_VALUE_COLUMNS)}, vintage FROM ("
        f"SELECT date,\n  {picks},\n  max(vintage) AS vintage FROM btc_daily_layers GROUP BY date"
        f") ORDER BY date"
    )


def merge_ranked(
    con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame, *, priority: int, source_file: str
) -> None:
    """Upsert ``frame`` into a ranked table: the higher ``(priority, source_file)`` wins per key."""
    spec = TABLES[table]
    _registered(con, frame)
    on = " AND ".join(f"t.{k} = i.{k}" for k in spec.key)
    cols = ", ".join(spec.columns)
    params: list[Any] = [priority, priority, source_file]
    con.execute(
        f"DELETE FROM {table} AS t USING {_INCOMING} AS i WHERE {on} "
        f"AND (? > t.priority OR (? = t.priority AND ? >= t.source_file))",
        params,
    )
    con.execute(
        f"INSERT INTO {table} ({cols}, priority, source_file) "
        f"SELECT {', '.join('i.' + c for c in spec.columns)}, ?, ? FROM {_INCOMING} AS i "
        f"WHERE NOT EXISTS (SELECT 1 FROM {table} AS t WHERE {on}) "
        f"ORDER BY {', '.join('i.' + k for k in spec.key)}",
        [priority, source_file],
    )
    con.unregister(_INCOMING)


def _file_id(con: duckdb.DuckDBPyConnection, file_name: str) -> int:
    con.execute(
        "INSERT INTO price_sources SELECT (SELECT coalesce(max(source_id), 0) + 1 FROM price_sources), ? "
        "WHERE NOT EXISTS (SELECT 1 FROM price_sources WHERE file_name = ?)",
        [file_name, file_name],
    )
    row = fetch_one(con, "SELECT source_id FROM price_sources WHERE file_name = ?", [file_name])
    assert row is not None
    return int(row[0])


def _series_ids(con: duckdb.DuckDBPyConnection, series: pd.DataFrame) -> np.ndarray:
    """``series_id`` for each ``code`` of ``series`` (new series are added to ``price_series``)."""
    con.register(_INCOMING, series)
    con.execute(
        "INSERT INTO price_series "
        "SELECT (SELECT coalesce(max(series_id), 0) FROM price_series) "
        "+ row_number() OVER (ORDER BY i.iso, i.node, i.market), i.iso, i.node, i.market "
        f"FROM {_INCOMING} AS i WHERE NOT EXISTS (SELECT 1 FROM price_series AS s "
        "WHERE s.iso = i.iso AND s.node = i.node AND s.market = i.market)"
    )
    ids = con.execute(
        f"SELECT i.code, s.series_id FROM {_INCOMING} AS i JOIN price_series AS s "
        "ON s.iso = i.iso AND s.node = i.node AND s.market = i.market ORDER BY i.code"
    ).fetchnumpy()
    con.unregister(_INCOMING)
    return np.asarray(ids["series_id"], dtype=np.int32)


def merge_iso_prices(
    con: duckdb.DuckDBPyConnection, prepared: PreparedPrices, *, priority: int, source_file: str
) -> None:
    """Upsert ISO prices (keys unique, checked by :func:`prepare_iso_prices`): per key, the higher
    ``(priority, source_file)`` wins."""
    ids = _series_ids(con, prepared.series)
    source_id = _file_id(con, source_file)
    values = prepared.values.assign(series_id=ids[prepared.values["code"].to_numpy()])
    con.register(_INCOMING, values)
    on = "t.series_id = i.series_id AND t.interval_start_utc = i.interval_start_utc"
    overlap = fetch_one(
        con,
        f"SELECT count(*) FROM iso_price_values AS t WHERE t.series_id IN (SELECT DISTINCT series_id FROM "
        f"{_INCOMING}) AND t.interval_start_utc BETWEEN (SELECT min(interval_start_utc) FROM {_INCOMING}) "
        f"AND (SELECT max(interval_start_utc) FROM {_INCOMING})",
    )
    select = (
        "SELECT i.series_id, i.interval_start_utc, i.interval_minutes, i.price_usd_per_mwh, "
        f"{int(priority)}, {source_id} FROM {_INCOMING} AS i"
    )
    if overlap is not None and overlap[0] > 0:
        con.execute(
            f"DELETE FROM iso_price_values AS t USING {_INCOMING} AS i, price_sources AS f "
            f"WHERE {on} AND f.source_id = t.source_id "
            "AND (? > t.priority OR (? = t.priority AND ? >= f.file_name))",
            [priority, priority, source_file],
        )
        select += f" WHERE NOT EXISTS (SELECT 1 FROM iso_price_values AS t WHERE {on})"
    con.execute(f"INSERT INTO iso_price_values {select}")
    con.unregister(_INCOMING)


def merge_gpu_prices(con: duckdb.DuckDBPyConnection, frame: pd.DataFrame, *, source_file: str) -> None:
    """Replace every row of ``source_file`` in ``gpu_prices``."""
    _registered(con, frame)
    cols = ", ".join(GPU_PRICE_COLUMNS)
    con.execute("DELETE FROM gpu_prices WHERE source_file = ?", [source_file])
    con.execute(
        f"INSERT INTO gpu_prices (source_file, row_index, {cols}) "
        f"SELECT ?, row_index, {cols} FROM {_INCOMING} ORDER BY row_index",
        [source_file],
    )
    con.unregister(_INCOMING)
