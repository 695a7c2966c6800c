"""ERCOT parquet files (long layouts) → the ISO price frame.

- **Load-zone pairs** (``ercot_rtm_spp_15min_lz_pairs_2023.parquet``): RTM 15-minute prices per load
  zone with two values per interval, ``spp_lo_usd_mwh`` <= ``spp_hi_usd_mwh``. Upstream had two rows
  per zone and interval, ERCOT's ``LZ`` and ``LZEW`` (energy-weighted) prices, but the labels were
  lost and the row order is inconsistent, so which of lo/hi is ``LZ`` is unknown. Both values are
  kept as they are, as two nodes ``"<LZ>:lo"`` and ``"<LZ>:hi"`` (e.g. ``LZ_WEST:lo``). No mean
  or pick is computed: the pair mean matches an averaged upstream file, but neither it nor a
  choice of one value is an ERCOT price for certain. 71 % of the pairs are equal.
- **SCED 5-minute LMPs** (``ercot_rt_sced_lmp_5min_hubs_*.parquet``): one row per SCED run and hub,
  ``sced_timestamp_cpt`` (naive Central, irregular seconds such as 00:00:27), ``repeat_hour_flag``
  (True on the second, CST, reading of the fall-back hour), ``settlement_point``, ``lmp_usd_mwh``.
  A row repeated verbatim (same hub, timestamp, flag and LMP; one per hub on 2024-08-23
  00:04:31 CDT in the real file) is the same SCED run recorded twice and counted once; the same
  timestamp with a different LMP is an error. Each run is floored to its 5-minute interval start.
  When several runs land in one interval (SCED re-runs, e.g. 20:14:12 and 20:14:52 on 2024-01-01)
  the **last run is kept** — the price that stood at the end of the interval; the earlier runs are
  dropped (about 1,774 per hub in the shared file). These are LMPs without
  ORDC/reliability adders (market ``rt_lmp``), not settlement prices.
- **gridstatus.io HB_HUBAVG series** (``ercot_{rt_spp_15min,da_spp_hourly}_hb_hubavg_*.parquet``):
  ``interval_start_utc`` (tz-aware), ``settlement_point``, ``price_usd_per_mwh`` (``regime`` is
  ignored). The file name tells the market: ``rt_spp_15min`` → ``rt``/15 min, ``da_spp_hourly`` →
  ``da``/60 min.

Errors name the file, the 1-based row as "line" (row ``i`` → line ``i + 1``) and the column.

References
----------
ERCOT NP6-788-CD "LMPs by Resource Nodes, Load Zones and Trading Hubs" (SCED); NP6-785-ER
(historical RTM load zone and hub prices, LZ and LZEW); gridstatus.io ERCOT datasets,
https://www.gridstatus.io
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from wattshift.data.ercot_common import (
    PARQUET_FIRST_ROW,
    NodeColumn,
    check_aligned,
    check_order,
    localize_wall,
    price_frame,
    read_parquet_source,
    required_float,
    required_nodes,
)
from wattshift.data.validate import Source, line_of, source_name
from wattshift.errors import DataError

LZ_PAIR_COLUMNS: Final[tuple[str, ...]] = (
    "interval_start_utc",
    "settlement_point",
    "spp_lo_usd_mwh",
    "spp_hi_usd_mwh",
)
SCED_COLUMNS: Final[tuple[str, ...]] = (
    "sced_timestamp_cpt",
    "repeat_hour_flag",
    "settlement_point",
    "lmp_usd_mwh",
)
HUBAVG_COLUMNS: Final[tuple[str, ...]] = ("interval_start_utc", "settlement_point", "price_usd_per_mwh")
#: File-name marker → (market, interval_minutes) of the gridstatus.io series.
HUBAVG_MARKETS: Final[dict[str, tuple[str, int]]] = {"rt_spp_15min": ("rt", 15), "da_spp_hourly": ("da", 60)}
SCED_INTERVAL_MINUTES: Final[int] = 5
_ROW: Final[int] = PARQUET_FIRST_ROW
_SCED_NS: Final[int] = SCED_INTERVAL_MINUTES * 60 * 10**9


def _fail(message: str, name: str, pos: int, column: str) -> DataError:
    return DataError(message, file=name, line=line_of(pos, _ROW), column=column)


def _all_parsed(idx: pd.DatetimeIndex, col: pd.Series, name: str, column: str) -> pd.DatetimeIndex:
    """``idx`` unchanged, or a DataError naming the first cell of ``col`` that did not parse."""
    missing = np.asarray(idx.isna(), dtype=bool)
    if missing.any():
        pos = int(np.flatnonzero(missing)[0])
        raise _fail(f"not a timestamp: {col.iloc[pos]!r}", name, pos, column)
    return idx


def _utc_column(frame: pd.DataFrame, column: str, name: str) -> pd.DatetimeIndex:
    """A tz-aware timestamp column as UTC [ns]; naive or missing values are errors."""
    col = frame[column]
    if isinstance(col.dtype, pd.DatetimeTZDtype):
        idx = pd.DatetimeIndex(col).tz_convert("UTC").as_unit("ns")
    elif pd.api.types.is_datetime64_dtype(col.dtype):
        raise _fail("timestamps are naive; expected tz-aware UTC", name, 0, column)
    else:
        idx = pd.DatetimeIndex(pd.to_datetime(col, format="ISO8601", utc=True, errors="coerce")).as_unit("ns")
    return _all_parsed(idx, col, name, column)


def parse_ercot_lz_pairs(buf: Source, *, name: str | None = None) -> pd.DataFrame:
    """Parse the 2023 load-zone pair parquet (two RTM prices per zone and 15-minute interval).

    Parameters
    ----------
    buf
        Path, bytes or binary file object of the parquet file.
    name
        File name for error messages.

    Returns
    -------
    pandas.DataFrame
        ISO price frame, market ``rt``, 15 minutes, two rows per input row: node ``"<LZ>:lo"``
        (``spp_lo_usd_mwh``) and ``"<LZ>:hi"`` (``spp_hi_usd_mwh``) [USD/MWh].

    Raises
    ------
    DataError
        Missing column, missing/naive/off-grid timestamp, empty or implausible price,
        ``spp_lo_usd_mwh > spp_hi_usd_mwh``, duplicate or out-of-order interval for a zone,
        empty or unreadable file.
    """
    name = source_name(buf, name)
    frame = read_parquet_source(buf, name, LZ_PAIR_COLUMNS)
    utc = _utc_column(frame, "interval_start_utc", name)
    zones = required_nodes(frame, "settlement_point", name, first_data_line=_ROW)
    lo = required_float(frame, "spp_lo_usd_mwh", name, first_data_line=_ROW)
    hi = required_float(frame, "spp_hi_usd_mwh", name, first_data_line=_ROW)
    inverted = lo > hi
    if inverted.any():
        pos = int(np.flatnonzero(inverted)[0])
        raise _fail(f"spp_hi {hi[pos]} is below spp_lo {lo[pos]}", name, pos, "spp_hi_usd_mwh")
    check_aligned(utc, 15, name, "interval_start_utc", first_data_line=_ROW)
    check_order(zones, utc.asi8, utc, name, "interval_start_utc", first_data_line=_ROW)
    k = len(zones.labels)
    nodes = NodeColumn(
        np.concatenate([zones.codes, zones.codes + k]),
        np.concatenate([zones.labels + ":lo", zones.labels + ":hi"]),
    )
    stamps = pd.DatetimeIndex(np.concatenate([utc.asi8, utc.asi8]).view("M8[ns]")).tz_localize("UTC")
    return price_frame(nodes, "rt", stamps, 15, np.concatenate([lo, hi]))


def read_ercot_lz_pairs(path: str | Path) -> pd.DataFrame:
    """Read ``ercot_rtm_spp_15min_lz_pairs_*.parquet`` (see :func:`parse_ercot_lz_pairs`)."""
    return parse_ercot_lz_pairs(Path(path), name=str(path))


def _flag_column(frame: pd.DataFrame, column: str, name: str) -> npt.NDArray[np.bool_]:
    col = frame[column]
    if pd.api.types.is_bool_dtype(col.dtype) and not col.isna().any():
        return col.to_numpy(dtype=bool)
    text = col.astype("str").str.strip().str.upper()
    ok = text.isin(["TRUE", "FALSE", "Y", "N"]).to_numpy() & col.notna().to_numpy()
    if not ok.all():
        pos = int(np.flatnonzero(~ok)[0])
        raise _fail(f"expected a boolean (or Y/N), got {col.iloc[pos]!r}", name, pos, column)
    return text.isin(["TRUE", "Y"]).to_numpy(dtype=bool)


def _naive_column(frame: pd.DataFrame, column: str, name: str) -> pd.DatetimeIndex:
    col = frame[column]
    if isinstance(col.dtype, pd.DatetimeTZDtype):
        raise _fail("expected naive Central wall-clock timestamps, found tz-aware ones", name, 0, column)
    idx = pd.DatetimeIndex(pd.to_datetime(col, errors="coerce")).as_unit("ns")
    return _all_parsed(idx, col, name, column)


def parse_ercot_sced_lmp_5min(buf: Source, *, name: str | None = None) -> pd.DataFrame:
    """Parse the SCED 5-minute LMP parquet (one row per SCED run and hub).

    Parameters
    ----------
    buf
        Path, bytes or binary file object of the parquet file.
    name
        File name for error messages.

    Returns
    -------
    pandas.DataFrame
        ISO price frame: market ``rt_lmp``, 5-minute intervals, ``price_usd_per_mwh`` = the LMP of
        the last SCED run in each interval [USD/MWh].

    Raises
    ------
    DataError
        Missing column; missing, tz-aware or nonexistent (spring-forward) timestamp; flag on an
        hour that is not repeated; empty or implausible LMP; duplicate SCED timestamp or rows
        out of order for a hub; empty or unreadable file.

    Notes
    -----
    ``interval_start_utc = floor_5min(localize(sced_timestamp_cpt, repeat_hour_flag))``; flooring
    in UTC equals flooring on the wall clock because Central offsets are whole hours.
    """
    name = source_name(buf, name)
    frame = read_parquet_source(buf, name, SCED_COLUMNS)
    wall = _naive_column(frame, "sced_timestamp_cpt", name)
    repeated = _flag_column(frame, "repeat_hour_flag", name)
    nodes = required_nodes(frame, "settlement_point", name, first_data_line=_ROW)
    lmp = required_float(frame, "lmp_usd_mwh", name, first_data_line=_ROW)
    utc_run, key = localize_wall(
        wall,
        repeated,
        name,
        "sced_timestamp_cpt",
        first_data_line=_ROW,
        flag_column="repeat_hour_flag",
    )
    # A row repeated verbatim (same hub, timestamp, flag and LMP: the real file has one per hub
    # at 2024-08-23 00:04:31) is one SCED run recorded twice; a repeat with another LMP is an error.
    order = np.lexsort((lmp, utc_run.asi8, nodes.codes))
    c, t, p = nodes.codes[order], utc_run.asi8[order], lmp[order]
    same_run = np.zeros(len(order), dtype=bool)
    same_run[order[1:]] = (c[1:] == c[:-1]) & (t[1:] == t[:-1]) & (p[1:] == p[:-1])
    rows = np.flatnonzero(~same_run)
    nodes, utc_run, key, lmp = nodes.take(rows), utc_run[rows], key[rows], lmp[rows]
    check_order(nodes, key, utc_run, name, "sced_timestamp_cpt", first_data_line=_ROW, positions=rows)
    # several runs in one interval: keep the last run (latest SCED timestamp)
    order = np.lexsort((utc_run.asi8, nodes.codes))
    c = nodes.codes[order]
    start_ns = utc_run.asi8[order] // _SCED_NS * _SCED_NS
    last = np.ones(len(order), dtype=bool)
    last[:-1] = (c[1:] != c[:-1]) | (start_ns[1:] != start_ns[:-1])
    keep = order[last]
    start = pd.DatetimeIndex(start_ns[last].view("M8[ns]")).tz_localize("UTC")
    return price_frame(nodes.take(keep), "rt_lmp", start, SCED_INTERVAL_MINUTES, lmp[keep])


def read_ercot_sced_lmp_5min(path: str | Path) -> pd.DataFrame:
    """Read ``ercot_rt_sced_lmp_5min_*.parquet`` (see :func:`parse_ercot_sced_lmp_5min`)."""
    return parse_ercot_sced_lmp_5min(Path(path), name=str(path))


def hubavg_market(name: str) -> tuple[str, int]:
    """(market, interval_minutes) of a gridstatus.io hub-average file, from its name."""
    base = Path(name).name
    for marker, market in HUBAVG_MARKETS.items():
        if marker in base:
            return market
    raise DataError(
        f"cannot tell the market from the file name (expected {' or '.join(HUBAVG_MARKETS)} in it)",
        file=name,
    )


def parse_gridstatus_hubavg(
    buf: Source, *, name: str | None = None, market: tuple[str, int] | None = None
) -> pd.DataFrame:
    """Parse a gridstatus.io-style UTC price parquet (``interval_start_utc``, ``settlement_point``, price).

    Parameters
    ----------
    buf
        Path, bytes or binary file object of the parquet file.
    name
        File name for error messages; also tells the market when ``market`` is None.
    market
        (market, interval_minutes), e.g. ``("rt", 15)``; default from ``name`` (:func:`hubavg_market`).

    Returns
    -------
    pandas.DataFrame
        ISO price frame [USD/MWh], sorted by (node, interval_start_utc).

    Raises
    ------
    DataError
        Unknown market; missing column; missing, naive or off-grid timestamp; empty or
        implausible price; duplicate or out-of-order interval; empty or unreadable file.
    """
    name = source_name(buf, name)
    market_name, minutes = market if market is not None else hubavg_market(name)
    frame = read_parquet_source(buf, name, HUBAVG_COLUMNS)
    utc = _utc_column(frame, "interval_start_utc", name)
    nodes = required_nodes(frame, "settlement_point", name, first_data_line=_ROW)
    prices = required_float(frame, "price_usd_per_mwh", name, first_data_line=_ROW)
    check_aligned(utc, minutes, name, "interval_start_utc", first_data_line=_ROW)
    check_order(nodes, utc.asi8, utc, name, "interval_start_utc", first_data_line=_ROW)
    return price_frame(nodes, market_name, utc, minutes, prices)


def read_gridstatus_hubavg(path: str | Path) -> pd.DataFrame:
    """Read ``ercot_*_hb_hubavg_*.parquet`` (see :func:`parse_gridstatus_hubavg`)."""
    return parse_gridstatus_hubavg(Path(path), name=str(path))
