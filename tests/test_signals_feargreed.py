"""Fear & Greed: the record low, missing days kept missing, the published bands and zones."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from wattshift.signals import classify_fear_greed, fear_greed_zones
from wattshift.testing import fear_greed_frame


@pytest.fixture(scope="module")
def raw(fear_greed_history: pd.DataFrame) -> pd.DataFrame:
    return fear_greed_history


@pytest.fixture(scope="module")
def zones(raw: pd.DataFrame) -> pd.DataFrame:
    return fear_greed_zones(raw).set_index("date")


def test_record_low_5_on_2019_08_22(zones: pd.DataFrame) -> None:
    assert zones["value"].min() == 5
    assert zones["value"].idxmin() == pd.Timestamp("2019-08-22")
    assert zones.loc["2019-08-22", "classification"] == "Extreme Fear"
    assert zones.loc["2019-08-22", "zone"] == "bottom"


@pytest.mark.parametrize("day", ["2018-04-14", "2018-04-15", "2018-04-16", "2024-10-26"])
def test_days_missing_upstream_stay_missing(raw: pd.DataFrame, zones: pd.DataFrame, day: str) -> None:
    assert (raw["date"] != pd.Timestamp(day)).all()
    assert np.isnan(zones["value"].loc[day])
    assert pd.isna(zones["classification"].loc[day])
    assert pd.isna(zones["zone"].loc[day])


def test_complete_calendar_and_only_four_gaps(raw: pd.DataFrame, zones: pd.DataFrame) -> None:
    assert len(zones) == (raw["date"].max() - raw["date"].min()).days + 1
    assert int(zones["value"].isna().sum()) == 4


def test_bands_agree_with_the_published_classification(raw: pd.DataFrame) -> None:
    ours = classify_fear_greed(raw["value"])
    assert (ours.to_numpy() == raw["classification"].to_numpy()).all()


@pytest.mark.parametrize(
    ("value", "band", "zone"),
    [
        (0, "Extreme Fear", "bottom"),
        (25, "Extreme Fear", "bottom"),
        (26, "Fear", "neutral"),
        (46, "Fear", "neutral"),
        (47, "Neutral", "neutral"),
        (54, "Neutral", "neutral"),
        (55, "Greed", "neutral"),
        (75, "Greed", "neutral"),
        (76, "Extreme Greed", "top"),
        (100, "Extreme Greed", "top"),
    ],
)
def test_band_edges(value: float, band: str, zone: str) -> None:
    frame = fear_greed_zones(fear_greed_frame("2024-01-01", [value]))
    assert frame["classification"].iloc[0] == band
    assert frame["zone"].iloc[0] == zone


def test_bottom_threshold_is_configurable() -> None:
    frame = fear_greed_zones(fear_greed_frame("2024-01-01", [20.0, 30.0]), bottom_max=30)
    assert frame["zone"].tolist() == ["bottom", "bottom"]
