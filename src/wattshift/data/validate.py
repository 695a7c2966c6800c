"""Checks shared by every adapter; each failure raises :class:`~wattshift.errors.DataError`
naming the file, the 1-based line (header = line 1) and the column.

Adapters read a file into a frame of strings/numbers with the default RangeIndex, where row ``i``
is line ``i + 2`` of a CSV with one header line (``line_of``); for other layouts they pass
``first_data_line``.

For a new adapter, :func:`read_csv_text` is the shared reading path: it rejects compressed, binary
and non-UTF-8 content (:func:`check_text`: byte offset and line), a truncated file (last line
without its line break, or with fewer fields than the header), ragged rows and empty files.
:func:`to_float` applies the one missing-value rule (an empty cell is missing; ``NaN``/``inf``
text is an error). Bounds, future dates and settlement points: :mod:`wattshift.data.plausible`
and :mod:`wattshift.data.nodes` (the warehouse also runs them on every frame it merges).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import IO

import numpy as np
import pandas as pd

from wattshift.data.schema import PRICE_MAX_USD_PER_MWH, PRICE_MIN_USD_PER_MWH
from wattshift.errors import DataError

Source = str | Path | bytes | IO[bytes] | IO[str]


def source_name(source: Source, name: str | None = None) -> str:
    """Name used in error messages: ``name``, else the path, else ``"<buffer>"``."""
    if name is not None:
        return name
    if isinstance(source, str | Path):
        return str(source)
    return "<buffer>"


def read_csv_text(source: Source, name: str) -> pd.DataFrame:
    """Read a CSV as strings (no type guessing), raising :class:`DataError` on empty or ragged files.

    Parameters
    ----------
    source
        A path, raw bytes, or an open text/binary file object.
    name
        File name for error messages.
    """
    raw = read_bytes(source)
    check_text(raw, name)
    _check_not_truncated(raw, name)
    try:
        frame = pd.read_csv(
            io.BytesIO(raw),
            dtype=str,
            keep_default_na=False,
            na_values=[""],
            on_bad_lines="error",
            engine="c",
        )
    except pd.errors.EmptyDataError:
        raise DataError("the file is empty (no header line)", file=name, line=1) from None
    except pd.errors.ParserError as exc:
        line = _line_from_parser_error(str(exc))
        raise DataError(f"malformed CSV (truncated or ragged row): {exc}", file=name, line=line) from None
    except UnicodeDecodeError as exc:
        raise DataError(f"not UTF-8 text: {exc}", file=name) from None
    if frame.empty:
        raise DataError("the file has a header but no data rows", file=name, line=2)
    return frame


def read_bytes(source: Source) -> bytes:
    """The whole content of ``source`` (path, bytes or file object) as bytes; unreadable → DataError."""
    if isinstance(source, bytes):
        return source
    if isinstance(source, str | Path):
        try:
            return Path(source).read_bytes()
        except OSError as exc:
            raise DataError(f"cannot read: {exc.strerror}", file=str(source)) from None
    data = source.read()
    return data.encode() if isinstance(data, str) else data


#: First bytes of compressed or binary formats that are sometimes given in place of a CSV.
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x1f\x8b", "gzip-compressed (decompress it first: gunzip)"),
    (b"PK\x03\x04", "a zip archive (unzip it first)"),
    (b"PAR1", "a parquet file, not CSV text"),
    (b"BZh", "bzip2-compressed (decompress it first)"),
    (b"\xfd7zXZ", "xz-compressed (decompress it first)"),
)


def check_text(raw: bytes, name: str) -> None:
    """Raise unless ``raw`` is UTF-8 text; the error names the byte offset and line of the fault.

    Rejects, in this order: compressed or binary containers recognised by their first bytes
    (gzip, zip, parquet, bzip2, xz), a NUL byte (binary data), and the first byte sequence that
    is not valid UTF-8 (a file saved as Latin-1/Windows-1252, say). A UTF-8 byte-order mark is
    allowed.

    Raises
    ------
    DataError
        With ``offset`` (0-based byte) and ``line`` (1-based) of the first bad byte.
    """
    for magic, what in _MAGIC:
        if raw.startswith(magic):
            raise DataError(f"not a CSV text file: {what}", file=name, line=1, offset=0)
    nul = raw.find(b"\x00")
    if nul >= 0:
        raise DataError(
            "binary data (NUL byte) in a text file", file=name, line=raw.count(b"\n", 0, nul) + 1, offset=nul
        )
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        bad = raw[exc.start : exc.start + 4]
        raise DataError(
            f"not UTF-8 text (bytes {bad!r} cannot be decoded; save the file as UTF-8)",
            file=name,
            line=raw.count(b"\n", 0, exc.start) + 1,
            offset=exc.start,
        ) from None


def _check_not_truncated(raw: bytes, name: str) -> None:
    """Raise if the file looks cut short: no newline after the last line, or too few fields.

    A complete CSV ends with a line break; a file cut inside its last field (``…,14.73`` stored as
    ``…,1``) has the right number of fields but no final newline, so both are checked.
    """
    lines = raw.rstrip(b"\r\n").split(b"\n")
    if len(lines) < 2:
        return
    if not raw.endswith(b"\n"):
        raise DataError(
            "truncated file: the last line does not end with a line break (cut short in transfer?)",
            file=name,
            line=len(lines),
        )
    header, last = lines[0], lines[-1]
    try:
        n_header = len(next(csv.reader([header.decode()])))
        n_last = len(next(csv.reader([last.decode(errors="replace")])))
    except (StopIteration, csv.Error):
        return
    if n_last < n_header:
        raise DataError(
            f"truncated file: the last row has {n_last} of the header's {n_header} fields",
            file=name,
            line=len(lines),
        )


def _line_from_parser_error(message: str) -> int | None:
    # pandas says e.g. "Error tokenizing data. C error: Expected 4 fields in line 7, saw 5"
    marker = " in line "
    if marker in message:
        tail = message.split(marker, 1)[1]
        digits = "".join(ch for ch in tail.split(",", 1)[0] if ch.isdigit())
        if digits:
            return int(digits)
    return None


def line_of(row_position: int, first_data_line: int = 2) -> int:
    """1-based file line of the ``row_position``-th data row (0-based)."""
    return row_position + first_data_line


def require_columns(frame: pd.DataFrame, required: Iterable[str], name: str, *, what: str = "header") -> None:
    """Raise if any of ``required`` is missing from ``frame.columns`` (names the first missing one)."""
    present = {str(c) for c in frame.columns}
    missing = [c for c in required if c not in present]
    if missing:
        raise DataError(
            f"{what} lacks column(s) {', '.join(missing)}; found: {', '.join(map(str, frame.columns))}",
            file=name,
            line=1,
            column=missing[0],
        )


def to_float(
    frame: pd.DataFrame,
    column: str,
    name: str,
    *,
    required: bool = False,
    first_data_line: int = 2,
) -> np.ndarray:
    """Column as float64; empty cells are NaN (or an error if ``required``); anything else is an error.

    The one missing-value rule of every adapter: an **empty cell** is a missing value; the texts
    ``NaN``, ``inf``, ``-inf`` (and any other non-number) are errors naming the line and column.
    """
    raw = frame[column]
    values = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=np.float64)
    bad = ~np.isfinite(values) & raw.notna().to_numpy()
    if bad.any():
        pos = int(np.flatnonzero(bad)[0])
        what = "not a number" if np.isnan(values[pos]) else "not a finite number"
        raise DataError(
            f"{what}: {raw.iloc[pos]!r} (a missing value is an empty cell)",
            file=name,
            line=line_of(pos, first_data_line),
            column=column,
        )
    if required and np.isnan(values).any():
        pos = int(np.flatnonzero(np.isnan(values))[0])
        raise DataError(
            "empty cell in a required column", file=name, line=line_of(pos, first_data_line), column=column
        )
    return values


def to_datetime(
    frame: pd.DataFrame,
    column: str,
    name: str,
    *,
    fmt: str | None = None,
    utc: bool = False,
    first_data_line: int = 2,
) -> pd.Series:
    """Column parsed as timestamps; an empty or unparseable cell is an error naming its line."""
    raw = frame[column]
    parsed = pd.to_datetime(raw, format=fmt, errors="coerce", utc=utc)
    bad = parsed.isna().to_numpy()
    if bad.any():
        pos = int(np.flatnonzero(bad)[0])
        raise DataError(
            f"not a timestamp{f' in format {fmt}' if fmt else ''}: {raw.iloc[pos]!r}",
            file=name,
            line=line_of(pos, first_data_line),
            column=column,
        )
    return parsed


def check_sorted_unique(
    keys: pd.Series | pd.Index | np.ndarray,
    name: str,
    column: str,
    *,
    first_data_line: int = 2,
    positions: Sequence[int] | None = None,
) -> None:
    """Raise if ``keys`` (timestamps or dates, in file order) repeat or go backwards.

    ``positions`` maps each key back to its row position when ``keys`` is a subset of the rows
    (one node of a long file, say).
    """
    values = np.asarray(keys)
    if values.size < 2:
        return
    diffs_ok = values[1:] > values[:-1]
    if diffs_ok.all():
        return
    i = int(np.flatnonzero(~diffs_ok)[0]) + 1
    pos = int(positions[i]) if positions is not None else i
    kind = "duplicate" if values[i] == values[i - 1] else "out of order (earlier than the row before)"
    raise DataError(
        f"{kind} timestamp {pd.Timestamp(values[i])}",
        file=name,
        line=line_of(pos, first_data_line),
        column=column,
    )


def check_price_bounds(
    prices_usd_per_mwh: np.ndarray,
    name: str,
    column: str,
    *,
    first_data_line: int = 2,
    positions: Sequence[int] | None = None,
    lo: float = PRICE_MIN_USD_PER_MWH,
    hi: float = PRICE_MAX_USD_PER_MWH,
) -> None:
    """Raise on a price outside ``[lo, hi]`` USD/MWh (negative prices and the 5,000 cap are fine)."""
    values = np.asarray(prices_usd_per_mwh, dtype=np.float64)
    bad = (values < lo) | (values > hi)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        pos = int(positions[i]) if positions is not None else i
        raise DataError(
            f"price {values[i]} USD/MWh outside the plausible range [{lo}, {hi}] (unit error?)",
            file=name,
            line=line_of(pos, first_data_line),
            column=column,
        )
