"""Where wattshift finds its data directory and its warehouse, and how many CPUs it may use.

``WATTSHIFT_DATA_DIR``: the folder holding the source files (``onchain/``, ``power/``, ``asics/``, ``gpu/``).
``WATTSHIFT_DB``: the DuckDB warehouse file; default ``$XDG_DATA_HOME/wattshift/wattshift.duckdb``
(``~/.local/share/wattshift/wattshift.duckdb``).
"""

from __future__ import annotations

import os
from pathlib import Path

from wattshift.errors import ConfigError


def data_dir(explicit: str | Path | None = None) -> Path:
    """The source-data directory: ``explicit``, else ``$WATTSHIFT_DATA_DIR``.

    Raises
    ------
    ConfigError
        If neither is set, or the folder does not exist.
    """
    raw = explicit if explicit is not None else os.environ.get("WATTSHIFT_DATA_DIR")
    if not raw:
        raise ConfigError(
            "no data directory: set WATTSHIFT_DATA_DIR (or pass --data-dir); "
            "`wattshift data fetch --to DIR` downloads the public data into DIR"
        )
    path = Path(raw).expanduser()
    if not path.is_dir():
        raise ConfigError(f"data directory {path} does not exist")
    return path


def db_path(explicit: str | Path | None = None) -> Path:
    """The warehouse file: ``explicit``, else ``$WATTSHIFT_DB``, else the user's data directory."""
    raw = explicit if explicit is not None else os.environ.get("WATTSHIFT_DB")
    if raw:
        return Path(raw).expanduser()
    base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "wattshift" / "wattshift.duckdb"


def usable_cpus() -> int:
    """CPUs this process may run on (its affinity mask on Linux, else the machine's count), >= 1."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)
