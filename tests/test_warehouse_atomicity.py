"""A bad file changes nothing: every table is unchanged, the error names file/line/column and is logged.

Bad files are built in ``tmp_path`` from the real files' lines (real headers, real values), under
the real file names so that the registry picks the real reader. Valid edge cases (DST days,
negative and capped prices) must ingest.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from wattshift.errors import DataError
from wattshift.warehouse import Warehouse, merge
from wattshift.warehouse.ingest import IngestOptions

HUBS_2023 = "ercot_rtm_spp_15min_hubs_2023.csv"
DAM = "ercot_dam_spp_hub_lz_hourly_2022_2025.csv"
FEAR = "alternative_me_fear_greed_daily_2018-02-01_2026-08-22.csv"
CM_EXT = "coinmetrics_btc_daily_ext_2026-03-23_2026-06-01.csv"
CM_CURRENT = "coinmetrics_btc_daily_2009-01-03_2026-03-23.csv"
ASICS = "asic_models.csv"
SCED = "ercot_rt_sced_lmp_5min_hubs_2024_2025.parquet"


@functools.cache
def _real_lines(path: Path) -> tuple[str, ...]:
    return tuple(path.read_text().splitlines())


def _find(shared: Path, name: str) -> Path:
    return next(shared.glob(f"*/{name}"))


def _write(folder: Path, name: str, lines: list[str] | str) -> Path:
    path = folder / name
    path.write_text(lines if isinstance(lines, str) else "\n".join(lines) + "\n")
    return path


def _hub_lines(shared: Path, *prefixes: str) -> list[str]:
    """Header + the 2023 hub-file rows whose UTC start begins with one of ``prefixes``."""
    lines = _real_lines(_find(shared, HUBS_2023))
    return [lines[0], *(line for line in lines[1:] if line.startswith(prefixes))]


def _set_cell(line: str, header: str, column: str, value: str) -> str:
    cells = line.split(",")
    cells[header.split(",").index(column)] = value
    return ",".join(cells)


@pytest.fixture(scope="module")
def filled(shared_data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A warehouse that already holds data in every table (real small files and real slices)."""
    folder = tmp_path_factory.mktemp("filled")
    dam = _real_lines(_find(shared_data_dir, DAM))
    files = [
        _find(shared_data_dir, ASICS),
        _find(shared_data_dir, FEAR),
        _find(shared_data_dir, CM_EXT),
        _find(shared_data_dir, "gpu_rental_prices.csv"),
        _write(folder, HUBS_2023, _hub_lines(shared_data_dir, "2023-01-01", "2023-01-02")),
        _write(folder, DAM, list(dam[:49])),
    ]
    path = folder / "filled.duckdb"
    with Warehouse(path) as wh:
        assert {r.status for r in wh.ingest_files(files)} == {"ok"}
    return path


@pytest.fixture
def wh(filled: Path) -> Iterator[Warehouse]:
    with Warehouse(filled) as opened:
        yield opened


def _bad_cases(shared: Path) -> dict[str, tuple[str, Callable[[], list[str] | str], int | None, str | None]]:
    """case → (file name, content, expected line, expected column)."""
    hub = _hub_lines(shared, "2023-01-01")
    head = hub[0]
    ext = list(_real_lines(_find(shared, CM_EXT))[:7])
    fear = list(_real_lines(_find(shared, FEAR))[:6])
    asics = list(_real_lines(_find(shared, ASICS))[:5])
    dam = list(_real_lines(_find(shared, DAM)))
    spring = next(i for i, line in enumerate(dam) if line.startswith("2024-03-10 04:00:00"))
    return {
        "truncated": (CM_EXT, lambda: "\n".join(ext[:-1]) + "\n" + ext[-1][: len(ext[-1]) // 2], 7, None),
        "wrong header": (FEAR, lambda: [fear[0].replace("value", "valeur"), *fear[1:]], 1, "value"),
        "missing header": (CM_CURRENT, lambda: list(_real_lines(_find(shared, CM_CURRENT))[1:20]), 1, "time"),
        "non-numeric cell": (
            HUBS_2023,
            lambda: [*hub[:3], _set_cell(hub[3], head, "HB_WEST", "n/a"), *hub[4:]],
            4,
            "HB_WEST",
        ),
        "duplicate timestamp": (HUBS_2023, lambda: [*hub[:4], hub[3], *hub[4:]], 5, "interval_start_utc"),
        "unsorted rows": (HUBS_2023, lambda: [*hub[:3], hub[4], hub[3], *hub[5:]], 5, "interval_start_utc"),
        "price out of range": (
            HUBS_2023,
            lambda: [*hub[:2], _set_cell(hub[2], head, "HB_PAN", "50000"), *hub[3:]],
            3,
            "HB_PAN",
        ),
        "nonexistent local time": (
            DAM,
            lambda: [
                dam[0],
                *dam[spring - 3 : spring],
                dam[spring].replace("04:00:00", "03:00:00", 1),
                *dam[spring + 1 : spring + 4],
            ],
            5,
            "hour_ending_cpt",
        ),
        "duplicate model": (ASICS, lambda: [*asics, asics[2]], 6, "model"),
        "empty file": (CM_EXT, lambda: "", 1, None),
        "header only": (FEAR, lambda: [fear[0]], 2, None),
    }


CASES = [
    "truncated",
    "wrong header",
    "missing header",
    "non-numeric cell",
    "duplicate timestamp",
    "unsorted rows",
    "price out of range",
    "nonexistent local time",
    "duplicate model",
    "empty file",
    "header only",
]


@pytest.mark.parametrize("case", CASES)
def test_bad_file_changes_nothing(case: str, wh: Warehouse, shared_data_dir: Path, tmp_path: Path) -> None:
    name, content, line, column = _bad_cases(shared_data_dir)[case]
    path = _write(tmp_path, name, content())
    before = wh.fingerprint(stored=True)
    with pytest.raises(DataError) as info:
        wh.ingest_file(path)
    error = info.value
    assert error.file is not None and error.file.endswith(name)
    assert name in str(error)
    assert error.line == line
    if column is not None:
        assert error.column == column
        assert f"column {column!r}" in str(error)
    assert f"line {line}" in str(error)
    assert wh.fingerprint(stored=True) == before
    last = wh.ingest_log().iloc[-1]
    assert (last["file_name"], last["status"], last["error"]) == (name, "error", str(error))


def test_corrupt_parquet_and_unknown_name(wh: Warehouse, tmp_path: Path) -> None:
    before = wh.fingerprint(stored=True)
    with pytest.raises(DataError, match=SCED):
        wh.ingest_file(_write(tmp_path, SCED, "PAR1 not really a parquet file"))
    with pytest.raises(DataError, match="unknown data file"):
        wh.ingest_file(_write(tmp_path, "prices.csv", "a,b\n1,2\n"))
    assert wh.fingerprint(stored=True) == before
    assert list(wh.ingest_log()["status"].iloc[-2:]) == ["error", "error"]


@pytest.mark.parametrize("target", ["merge_iso_prices", "merge_btc_daily", "merge_ranked"])
def test_failure_inside_the_transaction_rolls_back(
    target: str, wh: Warehouse, shared_data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The merge runs completely (rows deleted and inserted), then fails: all of it is undone."""
    original = getattr(merge, target)

    def fail_after(*args: Any, **kwargs: Any) -> None:
        original(*args, **kwargs)
        raise RuntimeError("disk full (simulated)")

    monkeypatch.setattr(merge, target, fail_after)
    hub = _hub_lines(shared_data_dir, "2023-01-02", "2023-01-03")  # overlaps the stored day
    sources = {
        "merge_iso_prices": _write(
            tmp_path, HUBS_2023, [hub[0], *(_set_cell(x, hub[0], "HB_WEST", "1.5") for x in hub[1:])]
        ),
        "merge_btc_daily": _write(tmp_path, CM_EXT, list(_real_lines(_find(shared_data_dir, CM_EXT))[:10])),
        "merge_ranked": _write(tmp_path, ASICS, list(_real_lines(_find(shared_data_dir, ASICS))[:3])),
    }
    before = wh.fingerprint(stored=True)
    with pytest.raises(RuntimeError, match="simulated"):  # replace: the shorter files reach the merge
        wh.ingest_file(sources[target], options=IngestOptions(replace=True))
    assert wh.fingerprint(stored=True) == before
    assert wh.ingest_log().iloc[-1]["error"] == "disk full (simulated)"


def test_bad_frames_are_refused(wh: Warehouse) -> None:
    frame = wh.iso_prices("HB_WEST", "rt", "2023-01-01", "2023-01-02")
    before = wh.fingerprint(stored=True)
    twice = pd.concat([frame, frame.iloc[[5]]], ignore_index=True)
    with pytest.raises(DataError, match=r"duplicate interval 2023-01-01T07:15:00Z for HB_WEST rt"):
        wh.ingest_frame("ercot", twice, source_name="mine.csv")
    naive = frame.assign(interval_start_utc=frame["interval_start_utc"].dt.tz_localize(None))
    with pytest.raises(DataError, match="tz-aware"):
        wh.ingest_frame("iso_prices", naive, source_name="mine.csv")
    with pytest.raises(DataError, match="lacks column"):
        wh.ingest_frame("iso_prices", frame.drop(columns="node"), source_name="mine.csv")
    with pytest.raises(DataError, match="not numeric") as info:
        wh.ingest_frame("ercot", frame.assign(price_usd_per_mwh="cheap"), source_name="mine.csv")
    assert info.value.column == "price_usd_per_mwh"
    with pytest.raises(DataError, match="not 5, 15 or 60"):
        wh.ingest_frame("ercot", frame.assign(interval_minutes=7), source_name="mine.csv")
    with pytest.raises(ValueError, match="unknown kind"):
        wh.ingest_frame("caiso", frame, source_name="mine.csv")
    assert wh.fingerprint(stored=True) == before


# -- valid edge cases ----------------------------------------------------------------------------


def test_dst_days_ingest(shared_data_dir: Path, tmp_path: Path) -> None:
    hubs = _real_lines(_find(shared_data_dir, HUBS_2023))
    fall = [hubs[0], *(x for x in hubs[1:] if x.split(",")[1].startswith("2023-11-05"))]
    dam = _real_lines(_find(shared_data_dir, DAM))
    first = next(i for i, x in enumerate(dam) if x.startswith("2024-03-10 01:00:00"))
    spring = [dam[0], *dam[first : first + 23]]  # HE1 .. HE24 (next day's 00:00) without HE3
    assert spring[-1].startswith("2024-03-11 00:00:00")
    with Warehouse(tmp_path / "w.duckdb") as wh:
        wh.ingest_file(_write(tmp_path, HUBS_2023, fall))
        wh.ingest_file(_write(tmp_path, DAM, spring))
        long_day = wh.iso_prices("HB_WEST", "rt", "2023-11-05 05:00", "2023-11-06 06:00")
        assert len(long_day) == 100  # 25 hours of 15-min intervals
        assert (long_day["interval_start_utc"].diff().iloc[1:] == pd.Timedelta(minutes=15)).all()
        short_day = wh.iso_prices("LZ_WEST", "da", "2024-03-10", "2024-03-12")
        assert len(short_day) == 23
        assert short_day["interval_start_utc"].iloc[0] == pd.Timestamp("2024-03-10 06:00", tz="UTC")
        assert (short_day["interval_start_utc"].diff().iloc[1:] == pd.Timedelta(hours=1)).all()


def test_negative_and_capped_prices_are_kept(shared_data_dir: Path, tmp_path: Path) -> None:
    lines = _hub_lines(shared_data_dir, "2023-01-01T06:", "2023-08-18T00:")
    head = lines[0]
    lines[2] = _set_cell(lines[2], head, "HB_NORTH", "-250.00")
    lines[3] = _set_cell(lines[3], head, "HB_NORTH", "5000.00")
    with Warehouse(tmp_path / "w.duckdb") as wh:
        wh.ingest_file(_write(tmp_path, HUBS_2023, lines))
        west = wh.iso_prices("HB_WEST", "rt", "2023-01-01", "2023-08-19").set_index("interval_start_utc")
        north = wh.iso_prices("HB_NORTH", "rt", "2023-01-01", "2023-01-02")["price_usd_per_mwh"]
    assert west.loc[pd.Timestamp("2023-01-01 06:00", tz="UTC"), "price_usd_per_mwh"] == -2.56
    assert west.loc[pd.Timestamp("2023-08-18 00:30", tz="UTC"), "price_usd_per_mwh"] == 5236.81
    np.testing.assert_array_equal(north.iloc[1:3].to_numpy(), [-250.0, 5000.0])
