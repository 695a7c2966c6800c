"""U.S. EIA wholesale electricity market files → the canonical ISO price frame.

EIA republishes each ISO's real-time LMP at its hubs or zones (eia.gov/electricity/wholesalemarkets)
in one CSV layout shared by MISO, NYISO, ISO-NE, SPP and CAISO::

    MISO Hourly Real-Time Locational Marginal Prices ($/megawatt) for Hubs     <- preamble (3 lines)
    Hourly real-time locational marginal prices for MISO
    Source: EIA collected from MISO
    UTC Timestamp (Interval Ending),Local Timestamp Eastern Standard Time (Interval Beginning),...,
        Arkansas Hub LMP,...,Arkansas Hub (Congestion),...,Arkansas Hub (Loss),...

The trimmed ``*_LMPonly.csv`` variants (SPP, CAISO) drop the preamble and keep only the UTC column,
the local interval-beginning column and the ``<node> LMP`` columns. Several nodes per file.

Output: one row per node and interval, ``iso`` = the market (:data:`wattshift.markets.MARKETS`),
``node`` = the EIA node name without `` LMP``, ``market="rt"``, ``interval_start_utc`` = UTC interval
end minus the market's real-time interval, ``price_usd_per_mwh`` = the LMP [USD/MWh]. Empty cells
and missing intervals stay absent (EIA's 2023 Q3 outage removes 13-51 % of intervals).

Checks: the ``Source`` line (or, for trimmed files, the node names) must belong to the market the
file is read as; the local interval-beginning column must equal the UTC start in the market's time
zone (so a CAISO file read as SPP fails on line 2); UTC ends on the interval grid, strictly
increasing. Errors name file, 1-based line (preamble counted) and column.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Final

import numpy as np
import pandas as pd

from wattshift.data.market_frame import (
    check_local_matches,
    long_prices,
    plausible_floor,
    price_columns,
    shift_lines,
)
from wattshift.data.validate import (
    Source,
    check_sorted_unique,
    line_of,
    read_bytes,
    read_csv_text,
    source_name,
    to_datetime,
)
from wattshift.errors import DataError
from wattshift.markets import MARKETS, market_of_nodes

UTC_END_COLUMN: Final[str] = "UTC Timestamp (Interval Ending)"
_SOURCE_PREFIX: Final[str] = "Source: EIA collected from "
#: Name in EIA's ``Source`` line → market key.
_EIA_SOURCE_NAMES: Final[dict[str, str]] = {
    "MISO": "MISO",
    "NYISO": "NYISO",
    "ISONE": "ISONE",
    "SPP": "SPP",
    "CAISO": "CAISO",
    "PJM": "PJM",
}
#: Markets read from EIA files.
EIA_MARKETS: Final[tuple[str, ...]] = ("MISO", "NYISO", "ISONE", "SPP", "CAISO")


def _split_preamble(raw: bytes, name: str) -> tuple[int, str | None, bytes]:
    """(preamble line count, market named by the ``Source`` line or None, bytes from the header on)."""
    lines = raw.split(b"\n", 6)
    for index, line in enumerate(lines[:5]):
        if line.lstrip(b"\xef\xbb\xbf").startswith(b"UTC Timestamp"):
            source = None
            for pre in lines[:index]:
                text = pre.decode(errors="replace").strip()
                if text.startswith(_SOURCE_PREFIX):
                    source = text[len(_SOURCE_PREFIX) :].strip()
            body = raw.split(b"\n", index)[-1] if index else raw
            return index, source, body
    raise DataError(
        f"no header line starting with {UTC_END_COLUMN!r} in the first 5 lines (not an EIA market file)",
        file=name,
        line=1,
    )


def _check_market(iso: str, eia_source: str | None, nodes: list[str], name: str, preamble: int) -> None:
    if eia_source is not None:
        named = _EIA_SOURCE_NAMES.get(eia_source)
        if named != iso:
            raise DataError(
                f"this is an EIA file of {eia_source}, read as {iso}: check the file name",
                file=name,
                line=preamble,
            )
    unknown = [n for n in nodes if n not in MARKETS[iso].nodes]
    if unknown:
        owner = market_of_nodes(nodes)
        hint = f"; these are {owner} nodes: a file of {owner} under a {iso} name?" if owner else ""
        raise DataError(
            f"unknown {iso} node {unknown[0]!r} (known: {', '.join(MARKETS[iso].nodes)}){hint}",
            file=name,
            line=preamble + 1,
            column=f"{unknown[0]} LMP",
        )


def parse_eia_market(source: Source, *, iso: str, name: str | None = None) -> pd.DataFrame:
    """Parse an EIA wholesale-market CSV (full or ``_LMPonly``) of market ``iso``.

    Parameters
    ----------
    source
        Path, bytes or file object.
    iso
        Market the file must belong to (``MISO``, ``NYISO``, ``ISONE``, ``SPP``, ``CAISO``).
    name
        File name for error messages.

    Returns
    -------
    pandas.DataFrame
        :data:`~wattshift.data.schema.ISO_PRICE_COLUMNS`, sorted by (node, interval_start_utc).

    Raises
    ------
    DataError
        Wrong market, unknown node, bad timestamp or price, duplicate or off-grid interval.
    """
    label = source_name(source, name)
    raw = read_bytes(source)
    preamble, eia_source, body = _split_preamble(raw, label)
    try:
        frame = read_csv_text(body, label)
    except DataError as exc:
        raise shift_lines(exc, preamble, label) from None
    header = [str(c) for c in frame.columns]
    first = preamble + 2
    lmp_columns = [c for c in header if c.endswith(" LMP")]
    nodes = [c[: -len(" LMP")] for c in lmp_columns]
    local_columns = [c for c in header if c.startswith("Local Timestamp") and "Interval Beginning" in c]
    if UTC_END_COLUMN not in header or not lmp_columns or not local_columns:
        raise DataError(
            f"expected {UTC_END_COLUMN!r}, a local interval-beginning column and '<node> LMP' columns; "
            f"found: {', '.join(header)}",
            file=label,
            line=preamble + 1,
        )
    _check_market(iso, eia_source, nodes, label, preamble)
    spec = MARKETS[iso]
    step = spec.interval_minutes("rt")
    ends = pd.DatetimeIndex(
        to_datetime(frame, UTC_END_COLUMN, label, fmt="%Y-%m-%d %H:%M:%S", utc=True, first_data_line=first)
    ).as_unit("ns")
    starts = ends - pd.Timedelta(minutes=step)
    off_grid = starts.asi8 % (step * 60 * 10**9) != 0
    if off_grid.any():
        pos = int(np.flatnonzero(off_grid)[0])
        raise DataError(
            f"interval end {ends[pos]} is not on {iso}'s {step}-minute grid",
            file=label,
            line=line_of(pos, first),
            column=UTC_END_COLUMN,
        )
    check_sorted_unique(starts.asi8, label, UTC_END_COLUMN, first_data_line=first)
    check_local_matches(
        starts,
        frame[local_columns[0]],
        spec.timezone,
        label,
        local_columns[0],
        first_data_line=first,
        fmt="%Y-%m-%d %H:%M:%S",
    )
    block = price_columns(
        frame, lmp_columns, label, first_data_line=first, lo=plausible_floor(spec.price_floor)
    )
    return long_prices(iso, "rt", starts, nodes, block, step)


def read_eia_market(path: str | Path, *, iso: str) -> pd.DataFrame:
    """Read an EIA wholesale-market file of market ``iso`` (see :func:`parse_eia_market`)."""
    return parse_eia_market(Path(path), iso=iso, name=str(path))


#: Market → reader (used by the registry: ``wattshift.data.eia_market:EIA_READERS[MISO]``).
EIA_READERS: Final[dict[str, Callable[[Path], pd.DataFrame]]] = {
    iso: partial(read_eia_market, iso=iso) for iso in EIA_MARKETS
}
