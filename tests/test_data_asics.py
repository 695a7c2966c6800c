"""Tests of the ASIC catalogue adapter."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from wattshift.data.asics import EFFICIENCY_TOLERANCE, parse_asics, read_asics
from wattshift.data.schema import ASIC_COLUMNS
from wattshift.errors import DataError


@pytest.fixture(scope="module")
def real(shared_data_dir: Path) -> pd.DataFrame:
    return read_asics(shared_data_dir / "asics" / "asic_models.csv")


def test_real_catalogue(real: pd.DataFrame) -> None:
    assert list(real.columns) == list(ASIC_COLUMNS)
    assert len(real) == 50 and real["model"].is_unique
    assert set(real["vendor"]) == {"Bitmain", "MicroBT", "Canaan", "Bitdeer", "Auradine"}
    s21 = real.set_index("model").loc["Antminer S21 (200T)"]
    assert (s21["hashrate_ths"], s21["power_w"], s21["efficiency_j_per_th"]) == (200.0, 3500.0, 17.5)
    # the catalogue rounds efficiency to 2 decimals: every row within 0.03 % of W / (TH/s)
    gap = real["efficiency_j_per_th"] / (real["power_w"] / real["hashrate_ths"]) - 1
    assert np.abs(gap).max() < 3e-4 < EFFICIENCY_TOLERANCE


HEAD = ",".join(ASIC_COLUMNS)
S21 = "Antminer S21 (200T),Bitmain,200,3500,17.5,2024-01,vendor page"
M60 = "Whatsminer M60 (172T),MicroBT,172,3422,19.9,2023-10,vendor page"


def _csv(*rows: str, head: str = HEAD) -> bytes:
    return ("\n".join([head, *rows]) + "\n").encode()


def test_small_catalogue() -> None:
    frame = parse_asics(_csv(S21, M60), name="a.csv")
    assert frame["efficiency_j_per_th"].tolist() == [17.5, 19.9]
    assert frame["power_w"].dtype == np.float64


@pytest.mark.parametrize(
    ("rows", "line", "column", "words"),
    [
        ((S21, S21.replace("Bitmain", "Other")), 3, "model", "duplicate model"),
        ((S21.replace(",17.5,", ",20.0,"),), 2, "efficiency_j_per_th", "disagrees"),
        ((S21.replace(",3500,", ",0,"),), 2, "power_w", "positive"),
        ((S21.replace(",200,", ",2OO,"),), 2, "hashrate_ths", "not a number"),
        ((S21.replace(",vendor page", ","),), 2, "source", "empty cell"),
        ((S21, "Whatsminer M60,MicroBT,172"), 3, None, "truncated"),
    ],
)
def test_bad_inputs(rows: tuple[str, ...], line: int, column: str | None, words: str) -> None:
    with pytest.raises(DataError, match=words) as info:
        parse_asics(_csv(*rows), name="a.csv")
    assert (info.value.file, info.value.line, info.value.column) == ("a.csv", line, column)


def test_missing_column() -> None:
    with pytest.raises(DataError) as info:
        parse_asics(_csv(S21.rsplit(",", 1)[0], head=HEAD.rsplit(",", 1)[0]), name="a.csv")
    assert (info.value.line, info.value.column) == (1, "source")
