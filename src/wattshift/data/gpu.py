"""GPU rental price CSV (``gpu/gpu_rental_prices.csv``) → the GPU price frame.

Layout: ``date,gpu,price_usd_per_gpu_hour,kind,provider_or_index,source``. The file mixes a dense
daily marketplace series, one dated list-price snapshot and quoted index figures (see
``gpu/README.md``); ``kind`` says which a row is, and rows are kept as written (no averaging).
The same day, GPU and provider may appear more than once (several list prices), so rows are not
keyed by those columns.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

import numpy as np
import pandas as pd

from wattshift.data.validate import (
    Source,
    line_of,
    read_csv_text,
    require_columns,
    source_name,
    to_datetime,
    to_float,
)
from wattshift.errors import DataError

#: Columns of the file, in order.
CSV_COLUMNS: Final[tuple[str, ...]] = (
    "date",
    "gpu",
    "price_usd_per_gpu_hour",
    "kind",
    "provider_or_index",
    "source",
)

#: Columns of the parsed frame (``provider_or_index`` renamed ``provider``).
GPU_PRICE_COLUMNS: Final[tuple[str, ...]] = (
    "date",
    "gpu",
    "price_usd_per_gpu_hour",
    "kind",
    "provider",
    "source",
)

#: Plausible rental price range [USD per GPU-hour]; outside it a cell is a unit or typing error.
PRICE_RANGE_USD_PER_GPU_HOUR: Final[tuple[float, float]] = (0.01, 100.0)


def parse_gpu_prices(buf: Source, *, name: str | None = None) -> pd.DataFrame:
    """Parse the GPU rental price CSV.

    Parameters
    ----------
    buf
        Bytes, a path, or an open file.
    name
        File name used in error messages.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`GPU_PRICE_COLUMNS` in file order: ``date`` (datetime64[ns], day),
        ``price_usd_per_gpu_hour`` [USD/GPU-hour] float64, the rest strings.

    Raises
    ------
    DataError
        Missing column, bad date, empty GPU name, non-numeric price or a price outside
        :data:`PRICE_RANGE_USD_PER_GPU_HOUR`; naming file, line and column.
    """
    name = source_name(buf, name)
    raw = read_csv_text(buf, name)
    require_columns(raw, CSV_COLUMNS, name)
    dates = to_datetime(raw, "date", name, fmt="%Y-%m-%d").astype("datetime64[ns]")
    gpu = raw["gpu"].fillna("").str.strip()
    blank = (gpu == "").to_numpy()
    if blank.any():
        pos = int(np.flatnonzero(blank)[0])
        raise DataError("empty GPU name", file=name, line=line_of(pos), column="gpu")
    prices = to_float(raw, "price_usd_per_gpu_hour", name, required=True)
    lo, hi = PRICE_RANGE_USD_PER_GPU_HOUR
    bad = (prices < lo) | (prices > hi)
    if bad.any():
        pos = int(np.flatnonzero(bad)[0])
        raise DataError(
            f"price {prices[pos]} USD/GPU-hour outside [{lo}, {hi}]",
            file=name,
            line=line_of(pos),
            column="price_usd_per_gpu_hour",
        )
    frame = pd.DataFrame(
        {
            "date": dates.to_numpy(),
            "gpu": gpu.to_numpy(),
            "price_usd_per_gpu_hour": prices,
            "kind": raw["kind"].to_numpy(),
            "provider": raw["provider_or_index"].to_numpy(),
            "source": raw["source"].to_numpy(),
        },
        columns=list(GPU_PRICE_COLUMNS),
    )
    frame.attrs["source"] = name
    return frame


def read_gpu_prices(path: str | Path) -> pd.DataFrame:
    """Read the GPU rental price CSV file; see :func:`parse_gpu_prices`."""
    return parse_gpu_prices(Path(path), name=str(path))
