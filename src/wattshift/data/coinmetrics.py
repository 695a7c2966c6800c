"""Coin Metrics community daily BTC CSV → the canonical BTC daily frame.

Three header layouts are recognised (by the columns present, extra columns are ignored):

``legacy``
    The 2020 schema (43 columns in the reference file, last day 2020-07-27). It still carries
    ``CapRealUSD``, ``DiffMean`` and ``FeeTotUSD``, which are used as they are.
``current``
    The schema of ``coinmetrics/data`` ``csv/btc.csv`` since 2021 (32 columns in the reference
    file, last day 2026-03-23). Realized cap, difficulty and fees in USD are derived.
``extension``
    An 11-column subset from the Coin Metrics community API v4 (reference file 2026-03-23 ..
    2026-06-01). It lacks ``BlkCnt``, ``IssTotNtv`` and ``SplyCur``: issuance in BTC is
    ``IssTotUSD / PriceUSD``, blocks are issuance / block subsidy (:mod:`wattshift.chain`), supply
    stays missing.

Derivations (see ``signals.md``; checked against the legacy file, which has both):

- realized cap [USD] = ``CapMrktCurUSD / CapMVRVCur`` (max. rel. error 1.05e-8 vs ``CapRealUSD``,
  the rounding of the published MVRV);
- mean difficulty [-] = ``HashRate * 1e12 * 86400 / (BlkCnt * 2**32)`` with ``HashRate`` in TH/s:
  Coin Metrics estimates the hash rate as ``BlkCnt * DiffMean * 2**32 / 86400`` (expected hashes
  per block is ``difficulty * 2**32``, Nakamoto 2008 / Bitcoin Core ``GetBlockProof``), so this
  inverts it exactly (8e-15 vs ``DiffMean``);
- fees [USD] = ``FeeTotNtv * PriceUSD``; miner revenue [USD] = ``IssTotUSD + fees`` (``IssTotNtv``
  is the block subsidy only);
- hash rate [EH/s] = ``HashRate`` [TH/s] / 1e6.

Vintage: every frame carries ``frame.attrs["schema"]`` (``"legacy"``, ``"current"`` or
``"extension"``) and ``frame.attrs["vintage"]`` (a :class:`datetime.date`: the last day in the
file, i.e. the snapshot date). :func:`coinmetrics_vintage` returns it (or, given a schema name, the
vintage of that schema's reference file, :data:`SCHEMA_VINTAGE`). Where files overlap, the one
with the later vintage wins.

References
----------
Coin Metrics community data, https://github.com/coinmetrics/data (CC BY-NC 4.0);
metric definitions: https://docs.coinmetrics.io/info/metrics.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import Final, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from wattshift.chain import subsidy_btc_on
from wattshift.data.schema import BTC_DAILY_COLUMNS
from wattshift.data.validate import (
    Source,
    check_sorted_unique,
    line_of,
    read_csv_text,
    require_columns,
    source_name,
    to_datetime,
    to_float,
)
from wattshift.errors import DataError
from wattshift.units import HASHES_PER_TH, SECONDS_PER_DAY, TH_PER_EH, TWO_POW_32

Schema = Literal["legacy", "current", "extension"]
FloatArray = npt.NDArray[np.float64]

#: Columns each schema must have (the date column ``time`` first). Detection tries them in order.
SCHEMA_COLUMNS: Final[Mapping[Schema, tuple[str, ...]]] = {
    "legacy": (
        "time",
        "AdrActCnt",
        "BlkCnt",
        "CapMVRVCur",
        "CapMrktCurUSD",
        "CapRealUSD",
        "DiffMean",
        "FeeTotNtv",
        "FeeTotUSD",
        "HashRate",
        "IssTotNtv",
        "IssTotUSD",
        "PriceUSD",
        "SplyCur",
        "TxCnt",
    ),
    "current": (
        "time",
        "AdrActCnt",
        "BlkCnt",
        "CapMVRVCur",
        "CapMrktCurUSD",
        "FeeTotNtv",
        "HashRate",
        "IssTotNtv",
        "IssTotUSD",
        "PriceUSD",
        "SplyCur",
        "TxCnt",
    ),
    "extension": (
        "time",
        "PriceUSD",
        "CapMrktCurUSD",
        "CapMVRVCur",
        "HashRate",
        "IssTotUSD",
        "FeeTotNtv",
        "TxCnt",
        "AdrActCnt",
    ),
}

#: Last day of each schema's reference file (the snapshot date of that vintage).
SCHEMA_VINTAGE: Final[Mapping[Schema, dt.date]] = {
    "legacy": dt.date(2020, 7, 27),
    "current": dt.date(2026, 3, 23),
    "extension": dt.date(2026, 6, 1),
}

#: The fifth halving (height 1,050,000) is expected in 2028; its day is only estimated
#: (:data:`wattshift.chain.NEXT_HALVING_TIME_ESTIMATED`), so block counts are not derived from
#: 2028 on, where the subsidy of a day may be either 3.125 or 1.5625 BTC.
_SUBSIDY_KNOWN_BEFORE: Final[dt.date] = dt.date(2028, 1, 1)

#: Columns that must not be negative (a sign there means a corrupt cell).
_NON_NEGATIVE: Final[tuple[str, ...]] = (
    "AdrActCnt",
    "BlkCnt",
    "CapMVRVCur",
    "CapMrktCurUSD",
    "CapRealUSD",
    "DiffMean",
    "FeeTotNtv",
    "FeeTotUSD",
    "HashRate",
    "IssTotNtv",
    "IssTotUSD",
    "PriceUSD",
    "SplyCur",
    "TxCnt",
)


def detect_schema(columns: list[str] | pd.Index, name: str = "<buffer>") -> Schema:
    """Which Coin Metrics layout a header is.

    Parameters
    ----------
    columns
        Header column names.
    name
        File name for the error message.

    Raises
    ------
    DataError
        If no known layout fits; names line 1 and the first column missing from the closest one.
    """
    present = {str(c) for c in columns}
    missing: dict[Schema, list[str]] = {}
    for schema, required in SCHEMA_COLUMNS.items():
        lacking = [c for c in required if c not in present]
        if not lacking:
            return schema
        missing[schema] = lacking
    closest = min(missing, key=lambda s: len(missing[s]))
    raise DataError(
        f"not a known Coin Metrics header; closest is the {closest} schema, which also needs "
        f"{', '.join(missing[closest])}",
        file=name,
        line=1,
        column=missing[closest][0],
    )


def coinmetrics_vintage(frame_or_schema: pd.DataFrame | str) -> dt.date:
    """Snapshot date of a parsed frame, or of a schema's reference file.

    Parameters
    ----------
    frame_or_schema
        A frame from :func:`parse_coinmetrics` (uses ``attrs["vintage"]``, else its last date), or a
        schema name from :data:`SCHEMA_VINTAGE`.

    Returns
    -------
    datetime.date
        The later this date, the newer the data (newer wins where files overlap).
    """
    if isinstance(frame_or_schema, str):
        for schema, vintage_of_schema in SCHEMA_VINTAGE.items():
            if schema == frame_or_schema:
                return vintage_of_schema
        raise ValueError(f"unknown Coin Metrics schema {frame_or_schema!r}; known: {list(SCHEMA_VINTAGE)}")
    vintage = frame_or_schema.attrs.get("vintage")
    if isinstance(vintage, dt.date):
        return vintage
    if frame_or_schema.empty:
        raise ValueError("an empty frame has no vintage")
    return pd.Timestamp(frame_or_schema["date"].max()).date()


def subsidy_btc_by_day(days: pd.Series) -> FloatArray:
    """Block subsidy [BTC] in force on each UTC day; NaN where it is not one value all day.

    Parameters
    ----------
    days
        ``datetime64`` values (midnight, UTC days).

    Returns
    -------
    numpy.ndarray
        The subsidy [BTC] from :func:`wattshift.chain.subsidy_btc_on` (consensus rule: 50 BTC
        halved every 210,000 blocks, Bitcoin Core ``GetBlockSubsidy``); NaN on halving days (two
        subsidies mixed, so issuance / subsidy is not a block count) and from 2028 on (the next
        halving's day is only estimated).
    """
    subsidy = np.asarray(subsidy_btc_on(days.to_numpy()), dtype=np.float64)
    halvings = np.log2(50.0 / subsidy)
    mixed = ~np.isclose(halvings, np.round(halvings), rtol=0.0, atol=1e-12)
    late = (days.dt.date >= _SUBSIDY_KNOWN_BEFORE).to_numpy()
    return np.where(mixed | late, np.nan, subsidy)


def _safe_div(num: FloatArray, den: FloatArray) -> FloatArray:
    """``num / den`` with NaN where ``den`` is zero or missing."""
    out = np.full_like(num, np.nan)
    ok = np.isfinite(den) & (den != 0)
    np.divide(num, den, out=out, where=ok)
    return out


def difficulty_from_hashrate(hashrate_ths: FloatArray, blocks: FloatArray) -> FloatArray:
    """Mean difficulty of a day from its hash rate estimate and block count.

    ``difficulty = HashRate [TH/s] * 1e12 * 86400 / (blocks * 2**32)``.

    Parameters
    ----------
    hashrate_ths
        Coin Metrics ``HashRate`` [TH/s].
    blocks
        Blocks mined that day [-].

    Returns
    -------
    numpy.ndarray
        Mean difficulty [-]; NaN where there were no blocks.

    Notes
    -----
    Coin Metrics defines ``HashRate = BlkCnt * DiffMean * 2**32 / 86400`` (hashes per second);
    one block needs ``difficulty * 2**32`` hashes on average (Bitcoin Core ``GetBlockProof``).
    """
    return _safe_div(hashrate_ths * HASHES_PER_TH * SECONDS_PER_DAY, blocks * TWO_POW_32)


def _utc_days(raw: pd.DataFrame, name: str) -> pd.Series:
    """The ``time`` column as naive UTC midnights, sorted and unique.

    Raises
    ------
    DataError
        A time of day other than midnight, or a bad, duplicate or unsorted date (file, line, column).
    """
    stamps = to_datetime(raw, "time", name, fmt="ISO8601", utc=True)
    not_midnight = (stamps != stamps.dt.normalize()).to_numpy()
    if not_midnight.any():
        pos = int(np.flatnonzero(not_midnight)[0])
        raise DataError(
            f"expected a UTC day, got a time of day: {raw['time'].iloc[pos]!r}",
            file=name,
            line=line_of(pos),
            column="time",
        )
    dates: pd.Series = stamps.dt.tz_localize(None).astype("datetime64[ns]")
    check_sorted_unique(dates, name, "time")
    return dates


def _check_non_negative(num: dict[str, FloatArray], name: str) -> None:
    """Raise :class:`DataError` at the first negative cell of a column that cannot be negative."""
    for col in _NON_NEGATIVE:
        if col in num:
            negative = num[col] < 0
            if negative.any():
                pos = int(np.flatnonzero(negative)[0])
                raise DataError(f"negative value {num[col][pos]}", file=name, line=line_of(pos), column=col)


def parse_coinmetrics(buf: Source, *, name: str | None = None) -> pd.DataFrame:
    """Parse a Coin Metrics daily BTC CSV (any known schema) into the BTC daily frame.

    Parameters
    ----------
    buf
        Bytes, a path, or an open file.
    name
        File name used in error messages.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`~wattshift.data.schema.BTC_DAILY_COLUMNS`, one row per day in file order
        (ascending); NaN where a cell is empty (e.g. the partial last day of a snapshot). Units:
        USD, BTC, EH/s, counts. ``attrs``: ``schema``, ``vintage`` (last date), ``source``.

    Raises
    ------
    DataError
        Unknown header, empty or truncated file, non-numeric or negative cell, bad, duplicate or
        unsorted date; the message names the file, line and column.
    """
    name = source_name(buf, name)
    raw = read_csv_text(buf, name)
    schema = detect_schema(raw.columns, name)
    require_columns(raw, SCHEMA_COLUMNS[schema], name)

    dates = _utc_days(raw, name)
    num = {c: to_float(raw, c, name) for c in SCHEMA_COLUMNS[schema][1:]}
    _check_non_negative(num, name)

    price_usd = num["PriceUSD"]
    fees_btc = num["FeeTotNtv"]
    hashrate_ths = num["HashRate"]
    issuance_usd = num["IssTotUSD"]
    realized_cap_usd = _safe_div(num["CapMrktCurUSD"], num["CapMVRVCur"])
    fees_usd = fees_btc * price_usd
    nan = np.full(len(raw), np.nan)
    if schema == "extension":
        issuance_btc = _safe_div(issuance_usd, price_usd)
        blocks = issuance_btc / subsidy_btc_by_day(dates)
        difficulty = difficulty_from_hashrate(hashrate_ths, blocks)
        supply_btc = nan
    else:
        issuance_btc = num["IssTotNtv"]
        blocks = num["BlkCnt"]
        supply_btc = num["SplyCur"]
        if schema == "legacy":
            realized_cap_usd = num["CapRealUSD"]
            difficulty = num["DiffMean"]
            fees_usd = num["FeeTotUSD"]
        else:
            difficulty = difficulty_from_hashrate(hashrate_ths, blocks)

    frame = pd.DataFrame(
        {
            "date": dates.to_numpy(),
            "price_usd": price_usd,
            "market_cap_usd": num["CapMrktCurUSD"],
            "realized_cap_usd": realized_cap_usd,
            "mvrv": num["CapMVRVCur"],
            "hashrate_ehs": hashrate_ths / TH_PER_EH,
            "difficulty": difficulty,
            "blocks": blocks,
            "issuance_btc": issuance_btc,
            "issuance_usd": issuance_usd,
            "fees_btc": fees_btc,
            "fees_usd": fees_usd,
            "revenue_usd": issuance_usd + fees_usd,
            "supply_btc": supply_btc,
            "tx_count": num["TxCnt"],
            "active_addresses": num["AdrActCnt"],
        },
        columns=list(BTC_DAILY_COLUMNS),
    )
    frame.attrs["schema"] = schema
    frame.attrs["vintage"] = pd.Timestamp(dates.iloc[-1]).date()
    frame.attrs["source"] = name
    return frame


def read_coinmetrics(path: str | Path) -> pd.DataFrame:
    """Read a Coin Metrics daily BTC CSV file; see :func:`parse_coinmetrics`."""
    return parse_coinmetrics(Path(path), name=str(path))
