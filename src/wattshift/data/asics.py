"""ASIC miner catalogue CSV → the canonical ASIC frame.

Layout (``asics/asic_models.csv``): ``model,vendor,hashrate_ths,power_w,efficiency_j_per_th,release,
source``, one row per model. ``release`` is free text (e.g. ``"2023-09 (announced); 2024 shipping"``)
and is kept as written; ``source`` names where each row's figures were seen.

Checks: every model once; hash rate, power and efficiency positive; and the catalogue efficiency
must agree with ``power_w / hashrate_ths`` (W / (TH/s) = J/TH) within
:data:`EFFICIENCY_TOLERANCE`. The shared catalogue rounds efficiency to two decimals, so its rows
agree within 0.03 %; a larger gap means a typo in one of the three figures.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

import numpy as np
import pandas as pd

from wattshift.data.schema import ASIC_COLUMNS
from wattshift.data.validate import Source, line_of, read_csv_text, require_columns, source_name, to_float
from wattshift.errors import DataError
from wattshift.units import efficiency_j_per_th

#: Largest relative gap allowed between the stated efficiency and power / hash rate [-].
EFFICIENCY_TOLERANCE: Final[float] = 0.03

_TEXT_COLUMNS: Final[tuple[str, ...]] = ("model", "vendor", "release", "source")
_NUMBER_COLUMNS: Final[tuple[str, ...]] = ("hashrate_ths", "power_w", "efficiency_j_per_th")


def parse_asics(buf: Source, *, name: str | None = None) -> pd.DataFrame:
    """Parse an ASIC catalogue CSV.

    Parameters
    ----------
    buf
        Bytes, a path, or an open file.
    name
        File name used in error messages.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`~wattshift.data.schema.ASIC_COLUMNS` in file order: ``hashrate_ths`` [TH/s],
        ``power_w`` [W], ``efficiency_j_per_th`` [J/TH] as float64, the rest as strings.

    Raises
    ------
    DataError
        Missing column, empty text cell, non-numeric or non-positive figure, a duplicate model, or
        an efficiency more than :data:`EFFICIENCY_TOLERANCE` away from ``power_w / hashrate_ths``;
        naming file, line and column.
    """
    name = source_name(buf, name)
    raw = read_csv_text(buf, name)
    require_columns(raw, ASIC_COLUMNS, name)
    for col in _TEXT_COLUMNS:
        blank = raw[col].isna() | (raw[col].str.strip() == "")
        if blank.any():
            pos = int(np.flatnonzero(blank.to_numpy())[0])
            raise DataError("empty cell", file=name, line=line_of(pos), column=col)
    numbers = {col: to_float(raw, col, name, required=True) for col in _NUMBER_COLUMNS}
    for col, values in numbers.items():
        bad = ~(values > 0) | ~np.isfinite(values)
        if bad.any():
            pos = int(np.flatnonzero(bad)[0])
            raise DataError(f"must be positive, got {values[pos]}", file=name, line=line_of(pos), column=col)

    models = raw["model"].str.strip()
    dup = models.duplicated().to_numpy()
    if dup.any():
        pos = int(np.flatnonzero(dup)[0])
        first = int(np.flatnonzero((models == models.iloc[pos]).to_numpy())[0])
        raise DataError(
            f"duplicate model {models.iloc[pos]!r} (first on line {line_of(first)})",
            file=name,
            line=line_of(pos),
            column="model",
        )

    implied = efficiency_j_per_th(numbers["power_w"], numbers["hashrate_ths"])
    gap = np.abs(numbers["efficiency_j_per_th"] / implied - 1.0)
    off = gap > EFFICIENCY_TOLERANCE
    if off.any():
        pos = int(np.flatnonzero(off)[0])
        raise DataError(
            f"efficiency {numbers['efficiency_j_per_th'][pos]:g} J/TH disagrees with power / hash rate "
            f"= {implied[pos]:.4g} J/TH by {gap[pos]:.1%} (more than {EFFICIENCY_TOLERANCE:.0%})",
            file=name,
            line=line_of(pos),
            column="efficiency_j_per_th",
        )

    frame = pd.DataFrame(
        {
            "model": models.to_numpy(),
            "vendor": raw["vendor"].str.strip().to_numpy(),
            "hashrate_ths": numbers["hashrate_ths"],
            "power_w": numbers["power_w"],
            "efficiency_j_per_th": numbers["efficiency_j_per_th"],
            "release": raw["release"].str.strip().to_numpy(),
            "source": raw["source"].to_numpy(),
        },
        columns=list(ASIC_COLUMNS),
    )
    frame.attrs["source"] = name
    return frame


def read_asics(path: str | Path) -> pd.DataFrame:
    """Read an ASIC catalogue CSV file; see :func:`parse_asics`."""
    return parse_asics(Path(path), name=str(path))
