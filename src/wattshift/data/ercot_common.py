"""Building blocks shared by the ERCOT adapters: frame assembly, order and range checks, parquet input.

Every check raises :class:`~wattshift.errors.DataError` naming the file, the 1-based line (CSV:
header = line 1, so data row ``i`` is line ``i + 2``; parquet: row ``i`` is "line" ``i + 1``) and
the column. Nothing here fills a gap or drops a value silently.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from wattshift.data.ercot_time import ERCOT_TZ, BoolArray, IntArray, order_key_ns, wall_to_utc
from wattshift.data.schema import ISO_PRICE_COLUMNS, PRICE_MAX_USD_PER_MWH, PRICE_MIN_USD_PER_MWH
from wattshift.data.validate import (
    Source,
    check_price_bounds,
    line_of,
    read_bytes,
    require_columns,
    to_float,
)
from wattshift.errors import DataError

ISO: Final[str] = "ERCOT"
#: Hub and load-zone settlement point names (``HB_WEST``, ``LZ_AEN``, ...).
SETTLEMENT_POINT_RE: Final[re.Pattern[str]] = re.compile(r"^(HB|LZ)_[A-Z0-9]+$")
#: First "line" of a parquet row (row ``i`` → ``i + 1``; there is no header line).
PARQUET_FIRST_ROW: Final[int] = 1

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class NodeColumn:
    """Node per row as integer codes into a small table of names (cheap to sort and compare).

    Attributes
    ----------
    codes
        Index into ``labels`` for each row.
    labels
        Distinct node names.
    """

    codes: npt.NDArray[np.intp]
    labels: npt.NDArray[np.object_]

    def take(self, rows: npt.NDArray[np.intp]) -> NodeColumn:
        """The nodes of ``rows`` only."""
        return NodeColumn(self.codes[rows], self.labels)

    def name_at(self, row: int) -> str:
        """Node name of one row."""
        return str(self.labels[self.codes[row]])


def price_frame(
    nodes: NodeColumn,
    market: str,
    utc: pd.DatetimeIndex,
    interval_minutes: int,
    prices_usd_per_mwh: FloatArray,
) -> pd.DataFrame:
    """Assemble the canonical ISO price frame, sorted by (node, interval_start_utc).

    Parameters
    ----------
    nodes
        Node per row.
    market
        ``rt``, ``da``, ``rt_lmp`` or ``da_as``.
    utc
        tz-aware UTC interval starts, one per row.
    interval_minutes
        Interval length [min].
    prices_usd_per_mwh
        Price per row [USD/MWh] (``da_as``: [USD/MW per hour]).
    """
    by_name = np.argsort(nodes.labels, kind="stable")
    rank = np.empty(len(by_name), dtype=np.intp)
    rank[by_name] = np.arange(len(by_name))
    node_rank = rank[nodes.codes]
    utc_ns = pd.DatetimeIndex(utc).tz_convert("UTC").as_unit("ns")
    order = np.lexsort((utc_ns.asi8, node_rank))
    zeros = np.zeros(len(order), dtype=np.intp)
    frame = pd.DataFrame(
        {
            "iso": pd.array([ISO], dtype="str").take(zeros),
            "node": pd.array(nodes.labels[by_name], dtype="str").take(node_rank[order]),
            "market": pd.array([market], dtype="str").take(zeros),
            "interval_start_utc": utc_ns[order],
            "interval_minutes": np.full(len(order), interval_minutes, dtype=np.int64),
            "price_usd_per_mwh": np.asarray(prices_usd_per_mwh, dtype=np.float64)[order],
        }
    )
    return frame[list(ISO_PRICE_COLUMNS)]


def localize_wall(
    wall: pd.DatetimeIndex,
    repeated: BoolArray | None,
    name: str,
    column: str,
    *,
    first_data_line: int = 2,
    flag_column: str | None = None,
    strict_flag: bool = True,
) -> tuple[pd.DatetimeIndex, IntArray]:
    """Central wall-clock interval starts → (UTC starts, order key), rejecting impossible times.

    ``strict_flag=False`` is for flags derived from repeated labels (hourly files): a flag on an
    hour that is not repeated is ignored there, so the row becomes a duplicate that
    :func:`check_order` reports as such.

    Raises
    ------
    DataError
        On a wall time in the spring-forward gap (``column``), or (``strict_flag``) a repeated-hour
        flag on an hour that is not repeated (``flag_column``).
    """
    utc, nonexistent, ambiguous = wall_to_utc(wall, repeated, tz=ERCOT_TZ)
    if nonexistent.any():
        pos = int(np.flatnonzero(nonexistent)[0])
        raise DataError(
            f"local time {wall[pos]} does not exist in US Central time (spring-forward gap)",
            file=name,
            line=line_of(pos, first_data_line),
            column=column,
        )
    if repeated is not None and strict_flag:
        misplaced = np.asarray(repeated, dtype=bool) & ~ambiguous
        if misplaced.any():
            pos = int(np.flatnonzero(misplaced)[0])
            raise DataError(
                f"repeated-hour flag set on {wall[pos]}, which is not a repeated (fall-back) hour",
                file=name,
                line=line_of(pos, first_data_line),
                column=flag_column or column,
            )
    return utc, order_key_ns(wall, utc, ambiguous, tz=ERCOT_TZ)


def check_order(
    nodes: NodeColumn | None,
    order_key_ns: IntArray,
    utc: pd.DatetimeIndex,
    name: str,
    column: str,
    *,
    first_data_line: int = 2,
    positions: IntArray | None = None,
) -> None:
    """Raise on a duplicate interval or on rows going backwards in time, per node, in file order.

    Parameters
    ----------
    nodes
        Node per row (None: one series, as in a wide file).
    order_key_ns
        Key that must be non-decreasing per node [ns] (see
        :func:`~wattshift.data.ercot_time.order_key_ns`).
    utc
        UTC interval start per row; equal values for one node are duplicates.
    positions
        File row position of each row when the rows are a subset of the file (default: 0..n-1).
    """
    n = len(order_key_ns)
    if n < 2:
        return
    codes = np.zeros(n, dtype=np.intp) if nodes is None else nodes.codes
    utc_ns = pd.DatetimeIndex(utc).asi8
    # duplicates: equal (node, utc) neighbours after sorting; the later file row is at fault
    by_time = np.lexsort((np.arange(n), utc_ns, codes))
    twin = (codes[by_time][1:] == codes[by_time][:-1]) & (utc_ns[by_time][1:] == utc_ns[by_time][:-1])
    dup = np.zeros(n, dtype=bool)
    dup[by_time[1:][twin]] = True
    # order: within a node, in file order, the key must not decrease
    by_file = np.argsort(codes, kind="stable")
    same = codes[by_file][1:] == codes[by_file][:-1]
    back_sorted = same & (order_key_ns[by_file][1:] < order_key_ns[by_file][:-1])
    back = np.zeros(n, dtype=bool)
    back[by_file[1:][back_sorted]] = True
    bad = dup | back
    if not bad.any():
        return
    i = int(np.flatnonzero(bad)[0])
    node = "" if nodes is None else f" for node {nodes.name_at(i)}"
    stamp = pd.Timestamp(utc_ns[i], tz="UTC")
    kind = "duplicate interval" if dup[i] else "out of order (earlier than the row before) at"
    pos = i if positions is None else int(positions[i])
    raise DataError(
        f"{kind} {stamp.isoformat()}{node}", file=name, line=line_of(pos, first_data_line), column=column
    )


def check_aligned(
    utc: pd.DatetimeIndex, interval_minutes: int, name: str, column: str, *, first_data_line: int = 2
) -> None:
    """Raise if an interval start is not on the ``interval_minutes`` grid (e.g. 15-min data at :07)."""
    step_ns = interval_minutes * 60 * 10**9
    off = pd.DatetimeIndex(utc).asi8 % step_ns != 0
    if off.any():
        pos = int(np.flatnonzero(off)[0])
        raise DataError(
            f"interval start {utc[pos]} is not on the {interval_minutes}-minute grid",
            file=name,
            line=line_of(pos, first_data_line),
            column=column,
        )


def check_prices(
    prices_usd_per_mwh: FloatArray,
    name: str,
    column: str,
    *,
    first_data_line: int = 2,
) -> None:
    """Bounds check on the non-missing prices (:func:`~wattshift.data.validate.check_price_bounds`)."""
    values = np.asarray(prices_usd_per_mwh, dtype=np.float64)
    bad = (values < PRICE_MIN_USD_PER_MWH) | (values > PRICE_MAX_USD_PER_MWH)  # NaN compares False
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        check_price_bounds(values[i : i + 1], name, column, first_data_line=first_data_line, positions=[i])


def float_column(
    frame: pd.DataFrame, column: str, name: str, *, required: bool = False, first_data_line: int = 2
) -> FloatArray:
    """:func:`~wattshift.data.validate.to_float`, with a fast Arrow cast for clean text columns.

    Text that Arrow cannot cast, and ``NaN``/``inf`` texts (which Arrow casts to non-finite
    floats), fall back to ``to_float``, which names the offending line.
    """
    col = frame[column]
    if not required and isinstance(col.dtype, pd.StringDtype) and col.dtype.storage == "pyarrow":
        try:
            cast = pc.cast(pa.array(col), pa.float64())
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            pass
        else:
            values = np.asarray(cast.to_numpy(zero_copy_only=False), dtype=np.float64)
            # "NaN"/"inf" text casts to a non-finite float: only empty cells may be missing
            if np.isfinite(values).sum() == len(values) - cast.null_count:
                return values
    return to_float(frame, column, name, required=required, first_data_line=first_data_line)


def wide_prices(raw: pd.DataFrame, columns: Sequence[str], name: str) -> FloatArray:
    """Price columns of a wide CSV as a 2-D float array [USD/MWh]; empty cells are NaN."""
    block = np.empty((len(raw), len(columns)), dtype=np.float64)
    for j, col in enumerate(columns):
        block[:, j] = float_column(raw, col, name)
        check_prices(block[:, j], name, col)
    return block


def melt_wide(
    utc: pd.DatetimeIndex, columns: Sequence[str], block: FloatArray, market: str, interval_minutes: int
) -> pd.DataFrame:
    """Wide (rows × nodes) prices → long ISO frame; empty cells give no row (never a 0)."""
    n_rows, n_cols = block.shape
    codes = np.repeat(np.arange(n_cols, dtype=np.intp), n_rows)
    stamps = pd.DatetimeIndex(np.tile(utc.asi8, n_cols).view("M8[ns]")).tz_localize("UTC")
    values = block.T.reshape(-1)
    keep = ~np.isnan(values)
    nodes = NodeColumn(codes[keep], np.asarray(columns, dtype=object))
    return price_frame(nodes, market, stamps[keep], interval_minutes, values[keep])


def check_node_columns(columns: Sequence[str], name: str) -> list[str]:
    """Node columns of a wide hub/zone file; anything not named like ``HB_X``/``LZ_X`` is an error."""
    nodes = list(columns)
    if not nodes:
        raise DataError("no price columns after the timestamp column(s)", file=name, line=1)
    for col in nodes:
        if not SETTLEMENT_POINT_RE.match(col):
            raise DataError(
                "unexpected column (expected hub/load-zone names such as HB_WEST or LZ_AEN)",
                file=name,
                line=1,
                column=col,
            )
    return nodes


def read_parquet_source(source: Source, name: str, required: Sequence[str]) -> pd.DataFrame:
    """Read a parquet file or buffer, raising :class:`DataError` on empty, truncated or unreadable input."""
    raw = read_bytes(source)
    if not raw:
        raise DataError("the file is empty (0 bytes)", file=name)
    try:
        table = pq.read_table(io.BytesIO(raw))
    except Exception as exc:  # pyarrow raises several types (ArrowInvalid, OSError) for bad files
        raise DataError(f"not a readable parquet file (truncated or corrupt?): {exc}", file=name) from None
    _check_parquet_finite(table, name)
    frame: pd.DataFrame = table.to_pandas()
    require_columns(frame, required, name, what="parquet schema")
    if frame.empty:
        raise DataError("the parquet file has no rows", file=name, line=PARQUET_FIRST_ROW)
    return frame.reset_index(drop=True)


def _check_parquet_finite(table: pa.Table, name: str) -> None:
    """Float columns may hold nulls (missing values) but never NaN or ±inf (the CSV rule, see
    :func:`~wattshift.data.validate.to_float`); the error names the row ("line" = row + 1)."""
    for field in table.schema:
        if not pa.types.is_floating(field.type):
            continue
        column = table.column(field.name)
        finite = pc.fill_null(pc.is_finite(column), True)
        if pc.all(finite).as_py() is False:
            pos = int(pc.index(finite, False).as_py())
            raise DataError(
                f"not a finite number: {column[pos].as_py()} (a missing value is a null)",
                file=name,
                line=pos + PARQUET_FIRST_ROW,
                column=field.name,
            )


def required_float(frame: pd.DataFrame, column: str, name: str, *, first_data_line: int) -> FloatArray:
    """A price column that must be present on every row, as float64, bounds-checked [USD/MWh]."""
    values = float_column(frame, column, name, first_data_line=first_data_line)
    if np.isnan(values).any():
        values = to_float(frame, column, name, required=True, first_data_line=first_data_line)
    check_prices(values, name, column, first_data_line=first_data_line)
    return values


def required_nodes(frame: pd.DataFrame, column: str, name: str, *, first_data_line: int) -> NodeColumn:
    """A node-name column with no empty cell, factorised (:class:`NodeColumn`)."""
    codes, labels = pd.factorize(frame[column])
    label_array = np.asarray(labels, dtype=object)
    blank = np.array([str(label).strip() == "" for label in label_array], dtype=bool)
    missing = (codes < 0) | np.append(blank, False)[codes]
    if missing.any():
        pos = int(np.flatnonzero(missing)[0])
        raise DataError(
            "empty cell in a required column", file=name, line=line_of(pos, first_data_line), column=column
        )
    return NodeColumn(np.asarray(codes, dtype=np.intp), np.array([str(v) for v in label_array], dtype=object))
