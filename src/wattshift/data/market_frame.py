"""Pieces shared by the adapters of markets beyond ERCOT (EIA, PJM, Nord Pool, Energinet).

- :func:`long_prices`: wide (rows × nodes) prices → the canonical long ISO price frame.
- :func:`check_local_matches`: a file's local-time column must equal its UTC column in the market's
  time zone (this is what catches a file of one market read as another's, and DST mistakes).
- :func:`price_columns`: float columns, empty cells NaN, bounds-checked, errors naming the line.
- :func:`shift_lines`: re-raise a :class:`~wattshift.errors.DataError` with line numbers moved by a
  preamble.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import pandas as pd

from wattshift.data.schema import ISO_PRICE_COLUMNS, PRICE_MIN_USD_PER_MWH
from wattshift.data.validate import check_price_bounds, line_of, to_float
from wattshift.errors import DataError

FloatArray = npt.NDArray[np.float64]


def long_prices(
    iso: str,
    market: str,
    utc_starts: pd.DatetimeIndex,
    nodes: Sequence[str],
    block: FloatArray,
    interval_minutes: int | npt.NDArray[np.int64],
    *,
    price_column: str = "price_usd_per_mwh",
) -> pd.DataFrame:
    """Wide prices → long frame sorted by (node, interval start); NaN cells give no row (never 0).

    Parameters
    ----------
    iso, market
        Values of the ``iso`` and ``market`` columns.
    utc_starts
        tz-aware interval starts, one per row of ``block``.
    nodes
        Node name of each column of ``block``.
    block
        Prices, shape (rows, nodes) [currency/MWh].
    interval_minutes
        Interval length [min], a scalar or one per row of ``block``.
    price_column
        Name of the price column (``price_eur_per_mwh`` for euro markets).
    """
    n_rows = block.shape[0]
    minutes = np.broadcast_to(np.asarray(interval_minutes, dtype=np.int64), (n_rows,))
    order_nodes = np.argsort(np.asarray(nodes, dtype=object), kind="stable")
    utc_ns = pd.DatetimeIndex(utc_starts).tz_convert("UTC").as_unit("ns").asi8
    by_time = np.argsort(utc_ns, kind="stable")
    frames = []
    for j in order_nodes:
        values = block[by_time, j]
        keep = ~np.isnan(values)
        frames.append(
            pd.DataFrame(
                {
                    "iso": iso,
                    "node": str(nodes[j]),
                    "market": market,
                    "interval_start_utc": pd.DatetimeIndex(utc_ns[by_time][keep].view("M8[ns]")).tz_localize(
                        "UTC"
                    ),
                    "interval_minutes": minutes[by_time][keep],
                    price_column: values[keep],
                }
            )
        )
    columns = [*ISO_PRICE_COLUMNS[:-1], price_column]
    out = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)
    for col in ("iso", "node", "market"):
        out[col] = out[col].astype("str")
    return out[columns]


def plausible_floor(price_floor: float | None) -> float:
    """Lowest plausible settled price [currency/MWh] for a market with offer floor ``price_floor``.

    An LMP is energy + congestion + losses, so a node can settle below the offer floor (NYISO zone K
    reached -1,086.21 USD/MWh in 2021 with a -1,000 floor); twice the floor, and never above the
    generic bound :data:`~wattshift.data.schema.PRICE_MIN_USD_PER_MWH`, is the plausibility limit.
    """
    if price_floor is None:
        return PRICE_MIN_USD_PER_MWH
    return min(PRICE_MIN_USD_PER_MWH, 2.0 * price_floor)


def price_columns(
    raw: pd.DataFrame,
    columns: Sequence[str],
    name: str,
    *,
    first_data_line: int,
    lo: float = PRICE_MIN_USD_PER_MWH,
) -> FloatArray:
    """Float block (rows × columns) of price cells; empty is NaN, text or an absurd value is an error."""
    block = np.empty((len(raw), len(columns)), dtype=np.float64)
    for j, col in enumerate(columns):
        block[:, j] = to_float(raw, col, name, first_data_line=first_data_line)
        check_price_bounds(block[:, j], name, col, first_data_line=first_data_line, lo=lo)
    return block


def check_local_matches(
    utc_starts: pd.DatetimeIndex,
    local_text: pd.Series,
    tz: str,
    name: str,
    column: str,
    *,
    first_data_line: int,
    fmt: str | None = None,
) -> None:
    """Raise unless every local timestamp equals the UTC instant in ``tz`` (naive wall clock).

    Raises
    ------
    DataError
        Naming the first line where they differ, with both readings (a file of another market, or a
        local column in another time zone, fails here).
    """
    local = pd.to_datetime(local_text, format=fmt, errors="coerce")
    expected = pd.DatetimeIndex(utc_starts).tz_convert(tz).tz_localize(None)
    bad = np.asarray(local.isna(), dtype=bool) | (local.to_numpy() != expected.to_numpy())
    if bad.any():
        pos = int(np.flatnonzero(bad)[0])
        raise DataError(
            f"local time {local_text.iloc[pos]!r} is not {pd.Timestamp(utc_starts[pos]).isoformat()} in "
            f"{tz} ({expected[pos]}): a file of another market or time zone?",
            file=name,
            line=line_of(pos, first_data_line),
            column=column,
        )


def shift_lines(exc: DataError, offset: int, name: str) -> DataError:
    """The same error with its line moved down by ``offset`` lines (a preamble the parser did not see)."""
    line = exc.line + offset if exc.line is not None else None
    return DataError(exc.reason, file=name, line=line, column=exc.column)
