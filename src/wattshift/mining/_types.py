"""Array types shared by the mining formulas (float, NumPy array or pandas Series in, same out)."""

from __future__ import annotations

from typing import TypeVar

import numpy as np
import numpy.typing as npt
import pandas as pd

#: A scalar, an array or a Series of floats; formulas return the same kind they were given.
Values = TypeVar("Values", float, npt.NDArray[np.float64], "pd.Series[float]")
