"""Warehouse tables: their DDL, keys and the version of the layout.

Tables (DESIGN.md §2):

``btc_daily``
    One row per UTC day, :data:`~wattshift.data.schema.BTC_DAILY_COLUMNS` plus ``vintage`` (the
    newest snapshot date that contributed a value to the row). It is *derived*: rebuilt from
    ``btc_daily_layers`` after every Coin Metrics ingest (see :mod:`wattshift.warehouse.merge`).
``btc_daily_layers``
    Every ingested Coin Metrics file as it was parsed, keyed by ``(source_file, date)`` with the
    file's ``vintage``. Keeping each file's values makes the column-by-column merge independent of
    the order in which the files were ingested.
``fear_greed``, ``asic_models``
    Canonical frames plus ``priority`` and ``source_file``.
``iso_prices`` (a view) over ``iso_price_values``, ``price_series`` and ``price_sources``
    The ISO price frame plus ``priority`` and ``source_file``. The 2.4 M price rows store integer
    ids for the series ``(iso, node, market)`` and the source file instead of three strings and a
    file name: that made bulk inserts 3.4x faster (600 k rows: 0.55 s vs 1.9 s, DuckDB 2.0).
    ``interval_start_utc`` is a naive ``TIMESTAMP`` meaning UTC (no session time zone involved),
    returned tz-aware. The key ``(iso, node, market, interval_start_utc)`` - i.e.
    ``(series_id, interval_start_utc)`` - is unique by construction (the merge deletes the rows it
    replaces before inserting, and rejects a frame with a key twice). It is not declared as a
    ``PRIMARY KEY`` because maintaining DuckDB's ART index made bulk loads 3-5x slower (2 M rows:
    0.6 s unindexed vs 2-5 s indexed), which alone would break the 10 s budget for a full
    ingest; rows go in sorted by series and time, so zone maps prune range queries instead.
``gpu_prices``
    GPU rental quotes; one file replaces its own rows (``(source_file, row_index)`` key), since
    the same day, GPU and provider may carry several list prices.
``fx_rates``
    ECB reference rates, ``units_per_eur`` per ``(date, currency)`` (business days only).
``system_load``
    Hourly system and zone load [MW] per ``(iso, zone, interval_start_utc)`` (naive UTC).
``cp4_intervals``
    ERCOT's official 4CP interval per ``(year, month)`` (naive UTC start, 15 min, MW).
``price_currency``
    Currency of each price series that is not USD (``iso, node, market, currency``). Prices are
    stored in their market's currency in ``price_usd_per_mwh`` (for a ``EUR`` series that column
    holds EUR/MWh) and converted at query time with the ECB rate of the delivery day
    (:mod:`wattshift.warehouse.fx`); a series absent from this table is in USD.
``ingest_log``
    One row per ingest attempt: ``ok``, ``unchanged`` (same file name and SHA-256 as an earlier
    successful ingest; skipped) or ``error`` (with the message; written after the rollback).
``schema_version``
    One row holding :data:`SCHEMA_VERSION`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from wattshift.data.ecb import FX_COLUMNS
from wattshift.data.ercot_4cp import CP4_COLUMNS
from wattshift.data.ercot_load import LOAD_COLUMNS
from wattshift.data.gpu import GPU_PRICE_COLUMNS
from wattshift.data.schema import ASIC_COLUMNS, BTC_DAILY_COLUMNS, FEAR_GREED_COLUMNS, ISO_PRICE_COLUMNS
from wattshift.warehouse.version import SCHEMA_VERSION as SCHEMA_VERSION

#: Float columns of the BTC daily frame (everything but ``date``).
BTC_VALUE_COLUMNS: Final[tuple[str, ...]] = BTC_DAILY_COLUMNS[1:]


@dataclass(frozen=True)
class TableSpec:
    """How one data table is keyed and which canonical columns it returns.

    Attributes
    ----------
    name
        Table name.
    columns
        Canonical frame columns, in order.
    key
        Columns that identify a row (unique in the table).
    time_column
        Column used for first/last in status reports (``None``: none).
    """

    name: str
    columns: tuple[str, ...]
    key: tuple[str, ...]
    time_column: str | None


TABLES: Final[dict[str, TableSpec]] = {
    "btc_daily": TableSpec("btc_daily", BTC_DAILY_COLUMNS, ("date",), "date"),
    "fear_greed": TableSpec("fear_greed", FEAR_GREED_COLUMNS, ("date",), "date"),
    "iso_prices": TableSpec(
        "iso_prices", ISO_PRICE_COLUMNS, ("iso", "node", "market", "interval_start_utc"), "interval_start_utc"
    ),
    "asic_models": TableSpec("asic_models", ASIC_COLUMNS, ("model",), None),
    "gpu_prices": TableSpec("gpu_prices", GPU_PRICE_COLUMNS, ("source_file", "row_index"), "date"),
    "fx_rates": TableSpec("fx_rates", FX_COLUMNS, ("date", "currency"), "date"),
    "system_load": TableSpec(
        "system_load", LOAD_COLUMNS, ("iso", "zone", "interval_start_utc"), "interval_start_utc"
    ),
    "cp4_intervals": TableSpec("cp4_intervals", CP4_COLUMNS, ("year", "month"), "interval_start_utc"),
}

#: The data as users see it (tables and the ``iso_prices`` view); independent of ingest order.
DATA_TABLES: Final[tuple[str, ...]] = (
    "btc_daily",
    "btc_daily_layers",
    "fear_greed",
    "iso_prices",
    "asic_models",
    "gpu_prices",
    "fx_rates",
    "system_load",
    "cp4_intervals",
    "price_currency",
)

#: Every stored table but the log (ids in ``price_series``/``price_sources`` follow ingest order).
STORED_TABLES: Final[tuple[str, ...]] = (
    "btc_daily",
    "btc_daily_layers",
    "fear_greed",
    "iso_price_values",
    "price_series",
    "price_sources",
    "asic_models",
    "gpu_prices",
    "fx_rates",
    "system_load",
    "cp4_intervals",
    "price_currency",
)

_BTC_VALUES_DDL = ",\n    ".join(f"{c} DOUBLE" for c in BTC_VALUE_COLUMNS)

DDL: Final[tuple[str, ...]] = (
    "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)",
    f"""CREATE TABLE IF NOT EXISTS btc_daily_layers (
    source_file VARCHAR NOT NULL,
    vintage DATE NOT NULL,
    date DATE NOT NULL,
    {_BTC_VALUES_DDL},
    PRIMARY KEY (source_file, date)
)""",
    f"""CREATE TABLE IF NOT EXISTS btc_daily (
    date DATE PRIMARY KEY,
    {_BTC_VALUES_DDL},
    vintage DATE NOT NULL
)""",
    """CREATE TABLE IF NOT EXISTS fear_greed (
    date DATE PRIMARY KEY,
    value DOUBLE NOT NULL,
    classification VARCHAR NOT NULL,
    priority INTEGER NOT NULL,
    source_file VARCHAR NOT NULL
)""",
    """CREATE TABLE IF NOT EXISTS price_series (
    series_id INTEGER PRIMARY KEY,
    iso VARCHAR NOT NULL,
    node VARCHAR NOT NULL,
    market VARCHAR NOT NULL,
    UNIQUE (iso, node, market)
)""",
    """CREATE TABLE IF NOT EXISTS price_sources (
    source_id INTEGER PRIMARY KEY,
    file_name VARCHAR NOT NULL UNIQUE
)""",
    """CREATE TABLE IF NOT EXISTS iso_price_values (
    series_id INTEGER NOT NULL,
    interval_start_utc TIMESTAMP NOT NULL,
    interval_minutes SMALLINT NOT NULL,
    price_usd_per_mwh DOUBLE NOT NULL,
    priority SMALLINT NOT NULL,
    source_id INTEGER NOT NULL
)""",
    """CREATE OR REPLACE VIEW iso_prices AS
SELECT s.iso, s.node, s.market, v.interval_start_utc, v.interval_minutes, v.price_usd_per_mwh,
       v.priority, f.file_name AS source_file
FROM iso_price_values AS v
JOIN price_series AS s USING (series_id)
JOIN price_sources AS f USING (source_id)""",
    """CREATE TABLE IF NOT EXISTS asic_models (
    model VARCHAR PRIMARY KEY,
    vendor VARCHAR NOT NULL,
    hashrate_ths DOUBLE NOT NULL,
    power_w DOUBLE NOT NULL,
    efficiency_j_per_th DOUBLE NOT NULL,
    release VARCHAR,
    source VARCHAR,
    priority INTEGER NOT NULL,
    source_file VARCHAR NOT NULL
)""",
    """CREATE TABLE IF NOT EXISTS gpu_prices (
    source_file VARCHAR NOT NULL,
    row_index INTEGER NOT NULL,
    date DATE NOT NULL,
    gpu VARCHAR NOT NULL,
    price_usd_per_gpu_hour DOUBLE NOT NULL,
    kind VARCHAR,
    provider VARCHAR,
    source VARCHAR,
    PRIMARY KEY (source_file, row_index)
)""",
    """CREATE TABLE IF NOT EXISTS fx_rates (
    date DATE NOT NULL,
    currency VARCHAR NOT NULL,
    units_per_eur DOUBLE NOT NULL,
    priority INTEGER NOT NULL,
    source_file VARCHAR NOT NULL,
    PRIMARY KEY (date, currency)
)""",
    """CREATE TABLE IF NOT EXISTS system_load (
    iso VARCHAR NOT NULL,
    zone VARCHAR NOT NULL,
    interval_start_utc TIMESTAMP NOT NULL,
    interval_minutes SMALLINT NOT NULL,
    load_mw DOUBLE NOT NULL,
    priority INTEGER NOT NULL,
    source_file VARCHAR NOT NULL,
    PRIMARY KEY (iso, zone, interval_start_utc)
)""",
    """CREATE TABLE IF NOT EXISTS cp4_intervals (
    year INTEGER NOT NULL,
    month INTEGER NOT NULL,
    interval_start_utc TIMESTAMP NOT NULL,
    interval_minutes SMALLINT NOT NULL,
    total_4cp_mw DOUBLE NOT NULL,
    annual_average_4cp_mw DOUBLE NOT NULL,
    priority INTEGER NOT NULL,
    source_file VARCHAR NOT NULL,
    PRIMARY KEY (year, month)
)""",
    """CREATE TABLE IF NOT EXISTS price_currency (
    iso VARCHAR NOT NULL,
    node VARCHAR NOT NULL,
    market VARCHAR NOT NULL,
    currency VARCHAR NOT NULL,
    PRIMARY KEY (iso, node, market)
)""",
    """CREATE TABLE IF NOT EXISTS ingest_log (
    source VARCHAR NOT NULL,
    table_name VARCHAR,
    file_name VARCHAR NOT NULL,
    file_sha256 VARCHAR,
    rows BIGINT,
    started_at TIMESTAMP NOT NULL,
    finished_at TIMESTAMP NOT NULL,
    status VARCHAR NOT NULL,
    error VARCHAR
)""",
)
