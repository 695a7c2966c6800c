"""alternative.me Crypto Fear & Greed Index → the canonical Fear & Greed frame.

Two inputs give the same frame:

- the daily CSV ``date,timestamp,value,classification`` (``timestamp`` = UTC midnight of ``date`` in
  Unix seconds), as in ``onchain/alternative_me_fear_greed_daily_*.csv``;
- the public API's JSON, ``https://api.alternative.me/fng/?limit=0&format=json``:
  ``{"name": ..., "data": [{"value": "30", "value_classification": "Fear",
  "timestamp": "1517443200"}, ...], "metadata": {"error": null}}``, newest first.

Values are 0..100; each classification must match its value's band (alternative.me's bands, see
``signals.md``): 0-25 Extreme Fear, 26-46 Fear, 47-54 Neutral, 55-75 Greed, 76-100 Extreme Greed.
Missing days stay missing (four upstream: 2018-04-14..16 and 2024-10-26).

References
----------
alternative.me, "Crypto Fear & Greed Index", https://alternative.me/crypto/fear-and-greed-index/
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from wattshift.data.schema import FEAR_GREED_COLUMNS
from wattshift.data.validate import (
    Source,
    check_sorted_unique,
    line_of,
    read_bytes,
    read_csv_text,
    require_columns,
    source_name,
    to_datetime,
    to_float,
)
from wattshift.errors import DataError

#: (lowest value, highest value, classification), inclusive bands [index points 0-100].
BANDS: Final[tuple[tuple[int, int, str], ...]] = (
    (0, 25, "Extreme Fear"),
    (26, 46, "Fear"),
    (47, 54, "Neutral"),
    (55, 75, "Greed"),
    (76, 100, "Extreme Greed"),
)
CSV_COLUMNS: Final[tuple[str, ...]] = ("date", "timestamp", "value", "classification")


def classify(value: float) -> str:
    """Band name of an index value [0-100] (values between bands round to the nearest integer)."""
    v = round(value)
    for lo, hi, label in BANDS:
        if lo <= v <= hi:
            return label
    raise ValueError(f"Fear & Greed value {value} is outside 0..100")


def _check_values(
    values: npt.NDArray[np.float64],
    labels: pd.Series,
    name: str,
    where: list[tuple[int | None, str, str]],
) -> None:
    """Range and band checks; ``where[i]`` = (line, value field, classification field) of row i."""
    out = ~((values >= 0) & (values <= 100))
    if out.any():
        i = int(np.flatnonzero(out)[0])
        raise DataError(f"value {values[i]} outside 0..100", file=name, line=where[i][0], column=where[i][1])
    known = {label for _, _, label in BANDS}
    for i, (value, label) in enumerate(zip(values, labels, strict=True)):
        if label not in known:
            raise DataError(
                f"unknown classification {label!r}; expected one of {', '.join(sorted(known))}",
                file=name,
                line=where[i][0],
                column=where[i][2],
            )
        expected = classify(float(value))
        if label != expected:
            raise DataError(
                f"classification {label!r} does not match value {value:g} (band {expected!r})",
                file=name,
                line=where[i][0],
                column=where[i][2],
            )


def _frame(dates: pd.Series, values: npt.NDArray[np.float64], labels: pd.Series, name: str) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "date": pd.DatetimeIndex(dates).astype("datetime64[ns]"),
            "value": values.astype(np.float64),
            "classification": labels.astype(str).to_numpy(),
        },
        columns=list(FEAR_GREED_COLUMNS),
    )
    frame.attrs["source"] = name
    return frame


def parse_fear_greed_csv(buf: Source, *, name: str | None = None) -> pd.DataFrame:
    """Parse the daily CSV (``date,timestamp,value,classification``).

    Parameters
    ----------
    buf
        Bytes, a path, or an open file.
    name
        File name used in error messages.

    Returns
    -------
    pandas.DataFrame
        Columns ``date`` (datetime64[ns], UTC day), ``value`` [0-100, float64], ``classification``
        (str); ascending by date, missing days absent.

    Raises
    ------
    DataError
        Empty/truncated file, missing column, bad date, a ``timestamp`` that is not the UTC midnight
        of ``date``, value outside 0..100, unknown or inconsistent classification, duplicate or
        unsorted dates; naming file, line and column.
    """
    name = source_name(buf, name)
    raw = read_csv_text(buf, name)
    require_columns(raw, CSV_COLUMNS, name)
    dates = to_datetime(raw, "date", name, fmt="%Y-%m-%d").astype("datetime64[ns]")
    stamps = to_float(raw, "timestamp", name, required=True)
    expected = (dates.astype("int64") // 10**9).to_numpy(dtype=np.float64)
    off = stamps != expected
    if off.any():
        i = int(np.flatnonzero(off)[0])
        raise DataError(
            f"timestamp {stamps[i]:.0f} is not 00:00 UTC of {raw['date'].iloc[i]}",
            file=name,
            line=line_of(i),
            column="timestamp",
        )
    check_sorted_unique(dates, name, "date")
    values = to_float(raw, "value", name, required=True)
    labels = raw["classification"].fillna("")
    where: list[tuple[int | None, str, str]] = [
        (line_of(i), "value", "classification") for i in range(len(raw))
    ]
    _check_values(values, labels, name, where)
    return _frame(dates, values, labels, name)


def _json_entries(raw: bytes, name: str) -> list[Any]:
    """The non-empty ``data`` list of an alternative.me API document.

    Raises
    ------
    DataError
        Empty file, invalid JSON, not an object, an API error in ``metadata.error``, or no entries.
    """
    if not raw.strip():
        raise DataError("the file is empty", file=name, line=1)
    try:
        doc: Any = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        line = getattr(exc, "lineno", None)
        raise DataError(f"not valid JSON: {exc}", file=name, line=line) from None
    if not isinstance(doc, dict):
        raise DataError("expected a JSON object with a 'data' list", file=name)
    metadata = doc.get("metadata")
    if isinstance(metadata, dict) and metadata.get("error"):
        raise DataError(f"the API reported an error: {metadata['error']}", file=name, column="metadata.error")
    entries = doc.get("data")
    if not isinstance(entries, list) or not entries:
        raise DataError("no 'data' entries", file=name, column="data")
    return entries


def parse_fear_greed_json(buf: Source, *, name: str | None = None) -> pd.DataFrame:
    """Parse the alternative.me API JSON (``/fng/?limit=0&format=json``), newest first.

    Parameters
    ----------
    buf
        Bytes, a path, or an open file.
    name
        File name used in error messages (fields are named like ``data[3].value``).

    Returns
    -------
    pandas.DataFrame
        Same frame as :func:`parse_fear_greed_csv`, sorted ascending.

    Raises
    ------
    DataError
        Invalid JSON, an API error in ``metadata.error``, missing or malformed entries, values out of
        range, inconsistent classifications, or the same day twice.
    """
    name = source_name(buf, name)
    entries = _json_entries(read_bytes(buf), name)
    stamps: list[int] = []
    values: list[float] = []
    labels: list[str] = []
    for i, entry in enumerate(entries):
        if not isinstance(entry, dict):
            raise DataError("entry is not an object", file=name, column=f"data[{i}]")
        for key in ("timestamp", "value", "value_classification"):
            if key not in entry:
                raise DataError(f"missing field {key!r}", file=name, column=f"data[{i}].{key}")
        try:
            stamps.append(int(entry["timestamp"]))
        except (TypeError, ValueError):
            raise DataError(
                f"not a Unix timestamp: {entry['timestamp']!r}", file=name, column=f"data[{i}].timestamp"
            ) from None
        try:
            values.append(float(entry["value"]))
        except (TypeError, ValueError):
            raise DataError(
                f"not a number: {entry['value']!r}", file=name, column=f"data[{i}].value"
            ) from None
        labels.append(str(entry["value_classification"]))
        if stamps[-1] % 86_400:
            raise DataError(
                f"timestamp {stamps[-1]} is not a UTC midnight", file=name, column=f"data[{i}].timestamp"
            )

    order = np.argsort(np.asarray(stamps), kind="stable")
    value_arr = np.asarray(values, dtype=np.float64)
    where: list[tuple[int | None, str, str]] = [
        (None, f"data[{i}].value", f"data[{i}].value_classification") for i in range(len(entries))
    ]
    _check_values(value_arr, pd.Series(labels, dtype=object), name, where)
    dates = pd.Series(pd.to_datetime(np.asarray(stamps)[order], unit="s"))
    sorted_stamps = np.asarray(stamps)[order]
    dup = np.flatnonzero(np.diff(sorted_stamps) == 0)
    if dup.size:
        i = int(order[dup[0] + 1])
        raise DataError(
            f"duplicate day {dates.iloc[int(dup[0]) + 1].date()}", file=name, column=f"data[{i}].timestamp"
        )
    return _frame(dates, value_arr[order], pd.Series(np.asarray(labels, dtype=object)[order]), name)


def fear_greed_to_csv(frame: pd.DataFrame) -> bytes:
    """Write a Fear & Greed frame in the daily CSV layout (``date,timestamp,value,classification``).

    The output matches ``onchain/alternative_me_fear_greed_daily_*.csv`` byte for byte: ISO date,
    Unix seconds of 00:00 UTC, value with one decimal (``30.0``), ``\\n`` line ends.
    """
    out = pd.DataFrame(
        {
            "date": frame["date"].dt.strftime("%Y-%m-%d"),
            "timestamp": frame["date"].astype("datetime64[ns]").astype("int64") // 10**9,
            "value": frame["value"].astype(np.float64),
            "classification": frame["classification"],
        }
    )
    text = io.StringIO()
    out.to_csv(text, index=False, lineterminator="\n", float_format="%.1f")
    return text.getvalue().encode()


def read_fear_greed(path: str | Path) -> pd.DataFrame:
    """Read a Fear & Greed file: JSON if it ends in ``.json``, else the daily CSV."""
    p = Path(path)
    if p.suffix.lower() == ".json":
        return parse_fear_greed_json(p, name=str(path))
    return parse_fear_greed_csv(p, name=str(path))
