"""One-day answers read from the derived daily table: ``wattshift mining --date`` and ``signals``.

The full services (:func:`wattshift.services.mining.mining_day`,
:func:`wattshift.services.signals.signals_day`) read the whole BTC history into pandas and run the
engines over it; for one day that is ~0.5 s of imports and work before the answer. Here the same
answers come from the row of that day in the derived daily table (:mod:`wattshift.warehouse.derived`,
written at ingest by :func:`wattshift.services.derived.refresh_derived`), read through a DuckDB-only
connection, and the day's mining economics are computed on Python floats by the engine's own
:func:`wattshift.mining.economics.economics_values` (the same IEEE arithmetic as on arrays). Nothing
here imports NumPy or pandas.

Each function returns None when it cannot answer from the table (no warehouse file, a table not
derived yet or stale — its stamp differs from the current source tables or code, see
:func:`code_stamp` —, a day not in the table, an ASIC model to look up): the caller then runs the
full service, which gives the answer or the error message. Answers are identical to the full
services' (``tests/test_oneday.py`` compares them day by day).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib.metadata
import math
from pathlib import Path
from typing import Any

import wattshift
from wattshift.config.mining import MiningAssumptions
from wattshift.mining.economics import economics_values
from wattshift.services.mining_inputs import (
    VALUE_KEYS,
    assumption_dict,
    check_machine,
    checked_power_usd_per_kwh,
    cost_assumptions,
    day_note,
    resolve_assumptions,
)
from wattshift.warehouse.derived import Latest
from wattshift.warehouse.lock import DEFAULT_WAIT_S, OnWait
from wattshift.warehouse.reader import DayReader

#: Source files (under the ``wattshift`` package) whose code computes the derived rows: a change to
#: any of them changes :func:`code_stamp`, so a table derived by other code is never served.
STAMPED_SOURCES: tuple[str, ...] = (
    "signals",
    "mining",
    "chain.py",
    "units.py",
    "data/schema.py",
    "services/derived.py",
    "warehouse/derived.py",
    "warehouse/queries.py",
)

#: Prefix of the derived columns that flag an indicator in its bottom zone (in confluence order).
_BOTTOM = "bottom_"


#: Libraries whose version is part of :func:`code_stamp` (their numerics compute the rows).
STAMPED_LIBRARIES: tuple[str, ...] = ("numpy", "pandas")


def code_stamp() -> str:
    """SHA-256 of the files of :data:`STAMPED_SOURCES` (paths and contents) and of the installed
    versions of :data:`STAMPED_LIBRARIES` (read from their metadata, not imported), hex."""
    root = Path(wattshift.__file__).resolve().parent
    digest = hashlib.sha256()
    for library in STAMPED_LIBRARIES:
        digest.update(f"{library}=={importlib.metadata.version(library)};".encode())
    for entry in STAMPED_SOURCES:
        path = root / entry
        for file in sorted(path.rglob("*.py")) if path.is_dir() else [path]:
            digest.update(file.relative_to(root).as_posix().encode())
            digest.update(file.read_bytes())
    return digest.hexdigest()


def _fresh_row(
    path: Path, day: dt.date | None, latest: Latest, wait_s: float, on_wait: OnWait | None
) -> dict[str, Any] | None:
    """The derived row of ``day`` if the table is fresh, else None (see the module docstring)."""
    if not path.is_file():
        return None
    import duckdb  # already loaded by the reader's import; named here for the except clause

    try:
        with DayReader(path, wait_s=wait_s, on_wait=on_wait) as reader:
            if not reader.fresh(code_stamp()):
                return None
            return reader.derived_day(day, latest)
    except duckdb.Error:
        return None


def _number(value: object) -> float | None:
    """A finite float, or None for NULL and NaN."""
    if value is None:
        return None
    number = float(value)  # type: ignore[arg-type]
    return number if math.isfinite(number) else None


def _iso(value: object) -> str | None:
    """An ISO date of a DATE or TIMESTAMP value, or None."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    assert isinstance(value, dt.date)
    return value.isoformat()


def mining_day(
    path: Path,
    date: dt.date | None,
    *,
    efficiency_j_per_th: float | None,
    asic: str | None,
    power_usd_per_kwh: float,
    pue: float | None = None,
    assumptions: MiningAssumptions | None = None,
    wait_s: float = DEFAULT_WAIT_S,
    on_wait: OnWait | None = None,
) -> dict[str, Any] | None:
    """:func:`wattshift.services.mining.mining_day` on the warehouse file ``path``, or None.

    Raises
    ------
    ConfigError
        The input errors of the full service (a bad efficiency, power price or PUE), with its messages.
    """
    if asic is not None:
        return None
    row = _fresh_row(path, date, "hashprice", wait_s, on_wait)
    if row is None:
        return None
    eff = check_machine(efficiency_j_per_th, asic)
    assert eff is not None
    power = checked_power_usd_per_kwh(power_usd_per_kwh)
    a = resolve_assumptions(assumptions, pue)
    price = _number(row["price_usd"])
    btc_per_th_day = _number(row["btc_per_th_day"])
    if price is None or btc_per_th_day is None or row["hashprice_form"] in (None, "missing"):
        return None  # the full service names the span that can be priced
    values = economics_values(btc_per_th_day, price, eff, power, cost_assumptions(a))
    day = _iso(row["date"])
    assert day is not None
    result: dict[str, Any] = {"date": day}
    for key in VALUE_KEYS:
        result[key] = _number(row[key] if key in row else values[key])
    info = assumption_dict(a, eff, None, power)
    info["hashprice_form"] = str(row["hashprice_form"])
    info["note"] = day_note(info["hashprice_form"], day)
    result["assumptions"] = info
    return result


def signals_day(
    path: Path, date: dt.date | None, *, wait_s: float = DEFAULT_WAIT_S, on_wait: OnWait | None = None
) -> dict[str, Any] | None:
    """:func:`wattshift.services.signals.signals_day` (default rules) on the file ``path``, or None."""
    row = _fresh_row(path, date, "priced", wait_s, on_wait)
    if row is None:
        return None
    count = row["confluence_count"]
    flagged = [key[len(_BOTTOM) :] for key, flag in row.items() if key.startswith(_BOTTOM) and flag is True]
    return {
        "date": _iso(row["date"]),
        "price_usd": _number(row["price_usd"]),
        "mvrv_z": _number(row["mvrv_z"]),
        "puell": _number(row["puell"]),
        "hash_ribbons": {
            "state": row["hash_ribbons_state"],
            "since": _iso(row["hash_ribbons_since"]),
            "last_buy": _iso(row["hash_ribbons_last_buy"]),
        },
        "fear_greed": {
            "value": _number(row["fear_greed"]),
            "classification": row["fear_greed_classification"],
        },
        "confluence": {
            "count": None if count is None else int(count),
            "indicators": flagged,
            "available": int(row["confluence_available"]),
        },
    }
