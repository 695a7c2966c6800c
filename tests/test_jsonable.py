"""`to_jsonable`: the one conversion behind the CLI's JSON and the API's responses."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pandas as pd

from wattshift.jsonable import to_jsonable


def test_missing_values_become_null() -> None:
    assert to_jsonable({"a": float("nan"), "b": pd.NaT, "c": None, "d": np.float64("inf")}) == {
        "a": None,
        "b": None,
        "c": None,
        "d": None,
    }


def test_dates_and_timestamps() -> None:
    # A naive midnight timestamp is a day; a tz-aware interval start keeps its time and offset.
    assert to_jsonable(pd.Timestamp("2024-04-20")) == "2024-04-20"
    assert to_jsonable(pd.Timestamp("2024-11-03 06:00", tz="UTC")) == "2024-11-03T06:00:00+00:00"
    assert to_jsonable(dt.date(2012, 11, 28)) == "2012-11-28"


def test_numpy_values_become_python_values() -> None:
    value = to_jsonable({"n": np.int64(840_000), "x": np.float32(3.125), "v": np.array([1.5, np.nan])})
    assert value == {"n": 840_000, "x": 3.125, "v": [1.5, None]}
    assert isinstance(value["n"], int)
    json.dumps(value)  # plain types only
