"""Assertion helpers for canonical frames and data errors (``assert_*``; raise ``AssertionError``).

Like :mod:`pandas.testing`, each helper checks one contract and says what broke: which column,
which row, which key.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from wattshift.data.gpu import GPU_PRICE_COLUMNS
from wattshift.data.schema import ASIC_COLUMNS, BTC_DAILY_COLUMNS, FEAR_GREED_COLUMNS, ISO_PRICE_COLUMNS
from wattshift.errors import DataError

#: dtype of a tz-aware UTC interval start.
UTC_DTYPE = "datetime64[ns, UTC]"
#: dtype of a day key (naive midnight, meaning the UTC day).
DAY_DTYPE = "datetime64[ns]"

#: Canonical dtypes per layout (keys = the columns of :mod:`wattshift.data.schema`, in order).
BTC_DAILY_DTYPES: Mapping[str, str] = {"date": DAY_DTYPE, **dict.fromkeys(BTC_DAILY_COLUMNS[1:], "float64")}
FEAR_GREED_DTYPES: Mapping[str, str] = dict(
    zip(FEAR_GREED_COLUMNS, (DAY_DTYPE, "float64", "str"), strict=True)
)
ISO_PRICE_DTYPES: Mapping[str, str] = dict(
    zip(ISO_PRICE_COLUMNS, ("str", "str", "str", UTC_DTYPE, "int64", "float64"), strict=True)
)
ASIC_DTYPES: Mapping[str, str] = dict(
    zip(ASIC_COLUMNS, ("str", "str", "float64", "float64", "float64", "str", "str"), strict=True)
)
GPU_PRICE_DTYPES: Mapping[str, str] = dict(
    zip(GPU_PRICE_COLUMNS, (DAY_DTYPE, "str", "float64", "str", "str", "str"), strict=True)
)


def assert_columns_and_dtypes(frame: pd.DataFrame, dtypes: Mapping[str, str]) -> None:
    """``frame`` has exactly the columns of ``dtypes``, in that order, each of that dtype."""
    assert list(frame.columns) == list(dtypes), f"columns {list(frame.columns)} != {list(dtypes)}"
    wrong = {c: str(frame[c].dtype) for c, want in dtypes.items() if str(frame[c].dtype) != want}
    assert not wrong, f"dtypes {wrong} != { ({c: dtypes[c] for c in wrong}) }"


def assert_utc_starts(values: pd.Series) -> None:
    """Interval starts are tz-aware UTC (``datetime64[ns, UTC]``) with no missing value."""
    assert str(values.dtype) == UTC_DTYPE, f"{values.name}: dtype {values.dtype}, not {UTC_DTYPE}"
    assert not values.isna().any(), f"{values.name}: missing interval starts"


def assert_day_keys(values: pd.Series) -> None:
    """Day keys are naive midnights (``datetime64[ns]``, the UTC day) with no missing value."""
    assert str(values.dtype) == DAY_DTYPE, f"{values.name}: dtype {values.dtype}, not {DAY_DTYPE}"
    assert not values.isna().any(), f"{values.name}: missing days"
    off = values[values != values.dt.normalize()]
    assert off.empty, f"{values.name}: not at midnight, e.g. {off.iloc[0]}"


def assert_unique(frame: pd.DataFrame, key: Sequence[str]) -> None:
    """No two rows share ``key`` (no key: no two rows are identical)."""
    dup = frame.duplicated(list(key) if key else None, keep=False)
    assert not dup.any(), f"duplicate {list(key) or 'rows'}:\n{frame[dup].head(4)}"


def assert_sorted(frame: pd.DataFrame, by: Sequence[str]) -> None:
    """Rows are in ascending (lexicographic) order of the columns ``by``."""
    order = pd.MultiIndex.from_frame(frame[list(by)])
    assert order.is_monotonic_increasing, f"rows not sorted by {list(by)}"


def assert_data_error(err: BaseException, *, file: str, line: int | None, column: str | None) -> None:
    """``err`` is a :class:`DataError` naming ``file``, ``line`` and ``column``, in its fields and message."""
    assert isinstance(err, DataError), f"{type(err).__name__}: {err}"
    assert (err.file, err.line, err.column) == (file, line, column), (
        f"DataError names {(err.file, err.line, err.column)}, expected {(file, line, column)}: {err}"
    )
    message = str(err)
    assert file in message, message
    if line is not None:
        assert f"line {line}" in message, message
    if column is not None:
        assert repr(column) in message, message
