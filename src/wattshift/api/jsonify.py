"""Service results as JSON values, the same way the CLI's ``--format json`` writes them."""

from __future__ import annotations

from typing import Any

import pandas as pd
from fastapi.exceptions import RequestValidationError

from wattshift.jsonable import to_jsonable


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """One JSON object per row, as the CLI's JSON output of a history frame.

    Naive midnight timestamps become ``YYYY-MM-DD``, other timestamps ISO 8601, and missing
    values (NaN, NaT, ``<NA>``) ``null``.
    """
    plain = frame.astype(object).where(frame.notna(), None)
    result: list[dict[str, Any]] = to_jsonable(plain.to_dict(orient="records"))
    return result


def jsonable(value: Any) -> Any:
    """Any service result (dict, list, frame, NumPy/pandas scalars) as plain JSON values."""
    if isinstance(value, pd.DataFrame):
        return records(value)
    return to_jsonable(value)


def bad_param(field: str, message: str, *, where: str = "query") -> RequestValidationError:
    """A 422 naming ``field`` for a check FastAPI's declarations cannot express."""
    return RequestValidationError([{"loc": (where, field), "msg": message, "type": "value_error"}])
