"""Array types shared by the mining formulas (float, NumPy array or pandas Series in, same out).

The formula modules (:mod:`~wattshift.mining.hashprice`, :mod:`~wattshift.mining.cost`,
:mod:`~wattshift.mining.economics`) import neither NumPy nor pandas: a one-day answer on Python
floats (``wattshift mining --date``) starts without them; arrays and Series work as before.
"""

from __future__ import annotations

import contextlib
import sys
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt
    import pandas as pd

#: A scalar, an array or a Series of floats; formulas return the same kind they were given.
Values = TypeVar("Values", float, "npt.NDArray[np.float64]", "pd.Series[float]")


def quiet_division() -> contextlib.AbstractContextManager[object]:
    """NumPy's ``errstate(divide="ignore", invalid="ignore")`` for array inputs (0/0 → NaN, x/0 → inf).

    Without NumPy loaded the inputs can only be Python floats, on which ``errstate`` has no effect
    anyway (a float division by zero raises ``ZeroDivisionError`` either way): nothing to set.
    """
    numpy = sys.modules.get("numpy")
    if numpy is None:
        return contextlib.nullcontext()
    state: contextlib.AbstractContextManager[object] = numpy.errstate(divide="ignore", invalid="ignore")
    return state
