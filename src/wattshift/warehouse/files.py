"""What the warehouse file must be before DuckDB opens it (DuckDB and the standard library only)."""

from __future__ import annotations

from pathlib import Path
from typing import Final

from wattshift.errors import NotInWarehouseError, WattshiftError

#: DuckDB database files carry this at byte offset 8.
DUCKDB_MAGIC: Final[bytes] = b"DUCK"


def check_warehouse_file(path: Path, read_only: bool) -> None:
    """Refuse a missing file (read-only), a directory, or an existing file that is not DuckDB's.

    Without this, DuckDB opens a CSV given as ``--db`` as an empty in-memory database: an ingest
    would report success and save nothing.

    Raises
    ------
    NotInWarehouseError
        A read-only open of a missing file.
    WattshiftError
        A directory, an unreadable file or a file that is not a DuckDB database.
    """
    if not path.exists():
        if read_only:
            raise NotInWarehouseError(f"no warehouse at {path}: run `wattshift data ingest --all` first")
        return
    if path.is_dir():
        raise WattshiftError(f"the warehouse path {path} is a directory; give a .duckdb file")
    try:
        with path.open("rb") as handle:
            head = handle.read(12)
    except OSError as exc:
        raise WattshiftError(f"cannot read the warehouse {path}: {exc.strerror}") from None
    if head and head[8:12] != DUCKDB_MAGIC:
        raise WattshiftError(
            f"{path} is not a wattshift warehouse (not a DuckDB file: a data file given as --db?)"
        )
