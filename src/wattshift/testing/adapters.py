"""One contract every data adapter passes (gridstatus' ``BaseTestISO`` style); needs pytest.

Subclass :class:`AdapterContract` in ``tests/test_data_contract.py`` with a few class attributes
and pytest runs its tests against the adapter: on the real shared file, then on two corrupted
copies of its head (a cell made non-numeric, a cut last line).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import ClassVar

import pandas as pd
import pytest

from wattshift.errors import DataError
from wattshift.testing.assertions import (
    assert_columns_and_dtypes,
    assert_data_error,
    assert_day_keys,
    assert_sorted,
    assert_unique,
    assert_utc_starts,
)

#: What a cell is replaced with to make it non-numeric.
NOT_A_NUMBER = "not-a-number"


def _csv_fields(line: str, delimiter: str = ",") -> list[str]:
    return next(csv.reader([line], delimiter=delimiter))


def _csv_line(fields: list[str], ending: str, delimiter: str = ",") -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator=ending, delimiter=delimiter).writerow(fields)
    return out.getvalue()


def _ending(line: str) -> str:
    return "\r\n" if line.endswith("\r\n") else "\n"


class AdapterContract:
    """The contract of a ``read_*`` adapter: canonical frame out, :class:`DataError` on bad input.

    Checks, on the real shared file ``shared_data_dir / data_file`` (the ``shared_data_dir``
    fixture of ``tests/conftest.py``; skipped without the shared data):

    - the columns and dtypes are exactly ``dtypes`` (canonical layouts of
      :mod:`wattshift.data.schema`, e.g. :data:`~wattshift.testing.ISO_PRICE_DTYPES`), with rows;
    - ``interval_start_utc`` is tz-aware UTC; ``date`` is a naive midnight (the UTC day);
    - no two rows share ``key`` (no key: no two identical rows), and rows are sorted by ``sort_by``;

    and on the file's first ``sample_lines`` lines (CSV) or rows (parquet), written to a temporary
    copy under the same file name:

    - a cell of ``bad_column`` on line ``bad_line`` made non-numeric raises :class:`DataError`
      naming the file, that line and ``error_column`` (CSV lines count the header as line 1;
      parquet lines are 1-based row numbers);
    - a CSV whose last line is cut in half raises :class:`DataError` naming the file and that line;
      a parquet file cut in half raises one naming the file.

    To add an adapter, subclass with the class attributes below, named ``Test<Source>`` so that
    pytest collects it; e.g.::

        class TestFearGreed(AdapterContract):
            data_file = "onchain/alternative_me_fear_greed_daily_2018-02-01_2026-08-22.csv"
            reader = read_fear_greed
            dtypes = FEAR_GREED_DTYPES
            key = ("date",)
            bad_column = "value"

    Attributes
    ----------
    data_file
        Path of a real shared file, relative to the data folder.
    reader
        ``read_*(path) -> DataFrame`` (a plain function; it is not bound to the test instance).
    dtypes
        Canonical columns, in order, and their dtypes (``str(series.dtype)``).
    key
        Columns no two rows share (``()``: the frame has no key; then no row may repeat).
    sort_by
        Columns the rows are sorted by (``None``: ``key``; ``()``: file order, not checked).
    bad_column
        A numeric column *of the file* (before renaming) to corrupt.
    error_column
        The column the error names (``None``: ``bad_column``).
    bad_line
        Line (CSV) or row (parquet) to corrupt, 1-based.
    sample_lines
        Lines (CSV, header included) or rows (parquet) kept in the corrupted copies.
    header_line
        Line of the CSV header, 1-based (EIA files have a 3-line preamble above it: 4).
    delimiter
        CSV field separator (Energinet: ``;``).
    copy_parents
        Parent folders of ``data_file`` kept in the copy's path (the Nordic zone files are
        ``SE1/2021.csv``: the folder names the zone, so 1).
    """

    data_file: ClassVar[str]
    reader: ClassVar[Callable[[Path], pd.DataFrame]]
    dtypes: ClassVar[Mapping[str, str]]
    key: ClassVar[tuple[str, ...]]
    bad_column: ClassVar[str]
    sort_by: ClassVar[tuple[str, ...] | None] = None
    error_column: ClassVar[str | None] = None
    bad_line: ClassVar[int] = 3
    sample_lines: ClassVar[int] = 40
    header_line: ClassVar[int] = 1
    delimiter: ClassVar[str] = ","
    copy_parents: ClassVar[int] = 0

    # -- helpers ---------------------------------------------------------------------------------

    @classmethod
    def read(cls, path: Path) -> pd.DataFrame:
        """Run the adapter on ``path``."""
        return cls.reader(path)

    @classmethod
    def source(cls, shared_data_dir: Path) -> Path:
        """The real shared file (the test is skipped when it is absent)."""
        path = shared_data_dir / cls.data_file
        if not path.is_file():
            pytest.skip(f"{cls.data_file} is not in the shared data")
        return path

    def _copy(self, source: Path, tmp_path: Path, *, corrupt: str) -> Path:
        """Head of ``source`` with one defect (``"cell"`` or ``"cut"``), under the same file name."""
        kept = Path(*source.parts[len(source.parts) - 1 - self.copy_parents :])
        target = tmp_path / kept
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.suffix == ".parquet":
            frame = pd.read_parquet(source).head(self.sample_lines).reset_index(drop=True)
            if corrupt == "cell":
                text = frame[self.bad_column].astype(str)
                text.iloc[self.bad_line - 1] = NOT_A_NUMBER
                frame[self.bad_column] = text
            frame.to_parquet(target, index=False)
            if corrupt == "cut":
                data = target.read_bytes()
                target.write_bytes(data[: len(data) // 2])
            return target
        with source.open(encoding="utf-8", newline="") as handle:
            lines = [handle.readline() for _ in range(self.sample_lines)]
        lines = [line for line in lines if line]
        sep = self.delimiter
        if corrupt == "cell":
            fields = _csv_fields(lines[self.bad_line - 1], sep)
            fields[_csv_fields(lines[self.header_line - 1], sep).index(self.bad_column)] = NOT_A_NUMBER
            lines[self.bad_line - 1] = _csv_line(fields, _ending(lines[self.bad_line - 1]), sep)
        else:
            fields = _csv_fields(lines[-1], sep)
            lines[-1] = _csv_line(fields[: max(1, len(fields) // 2)], _ending(lines[-1]), sep)
        target.write_text("".join(lines), encoding="utf-8", newline="")
        return target

    # -- fixtures --------------------------------------------------------------------------------

    @pytest.fixture(scope="class")
    @classmethod
    def frame(cls, shared_data_dir: Path) -> pd.DataFrame:
        """The adapter's frame of the whole real file (read once per subclass)."""
        return cls.read(cls.source(shared_data_dir))

    # -- the contract ----------------------------------------------------------------------------

    def test_canonical_columns_and_dtypes(self, frame: pd.DataFrame) -> None:
        assert_columns_and_dtypes(frame, self.dtypes)
        assert len(frame) > 0

    def test_times_are_utc_starts_or_day_keys(self, frame: pd.DataFrame) -> None:
        times = [c for c in ("interval_start_utc", "interval_end_utc") if c in frame.columns]
        for column in times:
            assert_utc_starts(frame[column])
        if "date" in frame.columns:
            assert_day_keys(frame["date"])

    def test_no_duplicate_keys(self, frame: pd.DataFrame) -> None:
        assert_unique(frame, self.key)

    def test_sorted(self, frame: pd.DataFrame) -> None:
        by = self.key if self.sort_by is None else self.sort_by
        if by:
            assert_sorted(frame, by)

    def test_non_numeric_cell_names_file_line_and_column(self, shared_data_dir: Path, tmp_path: Path) -> None:
        bad = self._copy(self.source(shared_data_dir), tmp_path, corrupt="cell")
        with pytest.raises(DataError) as info:
            self.read(bad)
        column = self.error_column or self.bad_column
        assert_data_error(info.value, file=str(bad), line=self.bad_line, column=column)

    def test_truncated_file_names_file_and_line(self, shared_data_dir: Path, tmp_path: Path) -> None:
        source = self.source(shared_data_dir)
        bad = self._copy(source, tmp_path, corrupt="cut")
        with pytest.raises(DataError) as info:
            self.read(bad)
        if source.suffix == ".parquet":
            assert_data_error(info.value, file=str(bad), line=None, column=None)
        else:
            lines = min(self.sample_lines, len(bad.read_text(encoding="utf-8").splitlines()))
            assert_data_error(info.value, file=str(bad), line=lines, column=None)
