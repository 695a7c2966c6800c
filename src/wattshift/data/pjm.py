"""PJM Data Miner 2 LMP exports (``da_hrl_lmps``, ``rt_hrl_lmps``) → the canonical ISO price frame.

Layout (one row per node and hour; all times interval *beginning*, ``M/D/YYYY h:mm:ss AM/PM``)::

    datetime_beginning_utc, datetime_beginning_ept, pnode_id, pnode_name, voltage, equipment, type,
    zone, system_energy_price_rt, total_lmp_rt, congestion_price_rt, marginal_loss_price_rt,
    row_is_current, version_nbr

PJM re-posts corrected hours as new versions: the same node and hour appear with ``version_nbr`` 1,
2, … and only one row has ``row_is_current = True``. The reader keeps that row and checks that it is
the highest version of its hour (2024 PJM-RTO RT: 24 hours of 2024-03-05 appear as versions 1 and 2).
``datetime_beginning_ept`` (Eastern prevailing time) must equal the UTC column in America/New_York.

A second layout, an author-merged DOM-zone export (``datetime_beginning_utc`` ISO with ``+00:00``,
``zone, pnode_name, rt_lmp, …``), is read by :func:`parse_pjm_zone_merged`.

Output: ``iso="PJM"``, ``node`` = ``pnode_name`` (``PJM-RTO``, ``WESTERN HUB``, ``ALDENE``, ``DOM``),
``market`` ``da``/``rt`` from the price column's suffix, 60-minute intervals, ``price_usd_per_mwh`` =
``total_lmp_*`` [USD/MWh].
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

import numpy as np
import pandas as pd

from wattshift.data.market_frame import check_local_matches, long_prices, plausible_floor, price_columns
from wattshift.data.validate import (
    Source,
    line_of,
    read_csv_text,
    require_columns,
    source_name,
    to_datetime,
)
from wattshift.errors import DataError
from wattshift.markets import MARKETS

ISO: Final[str] = "PJM"
_STAMP_FORMAT: Final[str] = "%m/%d/%Y %I:%M:%S %p"
_INTERVAL_MINUTES: Final[int] = 60


def _market_of(columns: list[str], name: str) -> str:
    found = [m for m in ("da", "rt") if f"total_lmp_{m}" in columns]
    if len(found) != 1:
        raise DataError(
            "expected exactly one of the columns total_lmp_da, total_lmp_rt",
            file=name,
            line=1,
            column="total_lmp",
        )
    market = found[0]
    stem = Path(name).name
    other = "rt" if market == "da" else "da"
    if f"_{other}_" in stem and f"_{market}_" not in stem:
        raise DataError(
            f"the file name says {other!r} but the columns hold {market!r} prices", file=name, line=1
        )
    return market


def _check_nodes(nodes: np.ndarray, name: str, column: str) -> None:
    known = set(MARKETS[ISO].nodes)
    unknown = [n for n in pd.unique(nodes) if n not in known]
    if unknown:
        pos = int(np.flatnonzero(nodes == unknown[0])[0])
        raise DataError(
            f"unknown PJM node {unknown[0]!r} (known: {', '.join(MARKETS[ISO].nodes)})",
            file=name,
            line=line_of(pos),
            column=column,
        )


def _current_rows(frame: pd.DataFrame, name: str) -> np.ndarray:
    """Positions of the current version of each (node, hour); raises if that is not the highest version."""
    flag = frame["row_is_current"].str.strip().str.lower()
    bad = ~flag.isin(["true", "false"]).to_numpy()
    if bad.any():
        pos = int(np.flatnonzero(bad)[0])
        raise DataError(
            f"row_is_current must be True or False, got {frame['row_is_current'].iloc[pos]!r}",
            file=name,
            line=line_of(pos),
            column="row_is_current",
        )
    version = pd.to_numeric(frame["version_nbr"], errors="coerce").to_numpy()
    if np.isnan(version).any():
        pos = int(np.flatnonzero(np.isnan(version))[0])
        raise DataError("version_nbr is not a number", file=name, line=line_of(pos), column="version_nbr")
    keys = frame["pnode_name"] + "|" + frame["datetime_beginning_utc"]
    highest = pd.Series(version).groupby(keys.to_numpy()).transform("max").to_numpy()
    current = (flag == "true").to_numpy()
    stale = current & (version < highest)
    if stale.any():
        pos = int(np.flatnonzero(stale)[0])
        raise DataError(
            f"row_is_current=True on version {int(version[pos])}, but a higher version of this hour exists",
            file=name,
            line=line_of(pos),
            column="version_nbr",
        )
    return np.flatnonzero(current)


def parse_pjm_lmps(source: Source, *, name: str | None = None) -> pd.DataFrame:
    """Parse a PJM Data Miner ``da_hrl_lmps``/``rt_hrl_lmps`` export (current versions only).

    Returns
    -------
    pandas.DataFrame
        :data:`~wattshift.data.schema.ISO_PRICE_COLUMNS`, sorted by (node, interval_start_utc).

    Raises
    ------
    DataError
        Missing columns, unknown node, bad timestamp, UTC and Eastern times that disagree, a current
        row that is not the highest version, or an hour twice among the current rows.
    """
    label = source_name(source, name)
    frame = read_csv_text(source, label)
    columns = [str(c) for c in frame.columns]
    if "rt_lmp" in columns and "datetime_beginning_ept" not in columns:
        return parse_pjm_zone_merged(frame, name=label)
    market = _market_of(columns, label)
    price_col = f"total_lmp_{market}"
    require_columns(
        frame,
        (
            "datetime_beginning_utc",
            "datetime_beginning_ept",
            "pnode_name",
            price_col,
            "row_is_current",
            "version_nbr",
        ),
        label,
    )
    keep = _current_rows(frame, label)
    rows = frame.iloc[keep].reset_index(drop=True)
    utc = pd.DatetimeIndex(to_datetime(frame, "datetime_beginning_utc", label, fmt=_STAMP_FORMAT)).as_unit(
        "ns"
    )
    starts = utc[keep].tz_localize("UTC")
    check_local_matches(
        starts,
        rows["datetime_beginning_ept"],
        MARKETS[ISO].timezone,
        label,
        "datetime_beginning_ept",
        first_data_line=2,
        fmt=_STAMP_FORMAT,
    )
    nodes = rows["pnode_name"].to_numpy(dtype=object)
    _check_nodes(frame["pnode_name"].to_numpy(dtype=object), label, "pnode_name")
    prices = price_columns(rows, [price_col], label, first_data_line=2, lo=plausible_floor(None))[:, 0]
    return _long(nodes, starts, prices, market, label, keep)


def _long(
    nodes: np.ndarray,
    starts: pd.DatetimeIndex,
    prices: np.ndarray,
    market: str,
    name: str,
    positions: np.ndarray,
) -> pd.DataFrame:
    """Long frame from per-row nodes; a (node, hour) twice among the kept rows is an error."""
    key = pd.DataFrame({"node": nodes, "t": starts.asi8})
    dup = key.duplicated().to_numpy()
    if dup.any():
        pos = int(np.flatnonzero(dup)[0])
        raise DataError(
            f"hour {starts[pos].isoformat()} of {nodes[pos]} twice among the current rows",
            file=name,
            line=line_of(int(positions[pos])),
            column="datetime_beginning_utc",
        )
    parts = []
    for node in sorted(pd.unique(nodes)):
        sel = nodes == node
        parts.append(long_prices(ISO, market, starts[sel], [str(node)], prices[sel, None], _INTERVAL_MINUTES))
    return pd.concat(parts, ignore_index=True)


def parse_pjm_zone_merged(frame: pd.DataFrame, *, name: str) -> pd.DataFrame:
    """The merged DOM-zone layout: ISO UTC beginnings with ``+00:00``, ``pnode_name``, ``rt_lmp``."""
    require_columns(frame, ("datetime_beginning_utc", "pnode_name", "rt_lmp"), name)
    starts = pd.DatetimeIndex(to_datetime(frame, "datetime_beginning_utc", name, utc=True)).as_unit("ns")
    nodes = frame["pnode_name"].to_numpy(dtype=object)
    _check_nodes(nodes, name, "pnode_name")
    prices = price_columns(frame, ["rt_lmp"], name, first_data_line=2, lo=plausible_floor(None))[:, 0]
    return _long(nodes, starts, prices, "rt", name, np.arange(len(frame)))


def read_pjm_lmps(path: str | Path) -> pd.DataFrame:
    """Read a PJM Data Miner LMP export (see :func:`parse_pjm_lmps`)."""
    return parse_pjm_lmps(Path(path), name=str(path))
