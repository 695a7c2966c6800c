"""Result values as plain JSON types, shared by the CLI's ``--format json`` and the HTTP API."""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import math
from typing import Any

import numpy as np
import pandas as pd


def to_jsonable(value: Any) -> Any:
    """Convert NumPy / pandas / datetime values (recursively) into plain JSON types; NaN → null.

    A dataclass becomes an object of its fields in order (field metadata ``json`` renames a key,
    e.g. to ``"from"``; ``omit_none`` leaves a None field out); a pydantic model its ``model_dump()``.
    """
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _dataclass_jsonable(value)
    if hasattr(value, "model_dump") and callable(value.model_dump):
        return to_jsonable(value.model_dump())
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return [to_jsonable(v) for v in value.tolist()]
    if value is pd.NaT or value is None:
        return None
    if isinstance(value, pd.Timestamp):
        if value.tzinfo is None and value == value.normalize():
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, enum.Enum):
        return value.value
    return value


def _dataclass_jsonable(value: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in dataclasses.fields(value):
        item = getattr(value, f.name)
        if item is None and f.metadata.get("omit_none", False):
            continue
        out[f.metadata.get("json", f.name)] = to_jsonable(item)
    return out
