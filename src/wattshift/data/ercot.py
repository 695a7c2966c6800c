"""ERCOT price files → the canonical ISO price frame (:data:`~wattshift.data.schema.ISO_PRICE_COLUMNS`).

One reader per layout; every reader returns ``iso="ERCOT"``, ``node``, ``market``,
``interval_start_utc`` (tz-aware UTC [ns]), ``interval_minutes`` [min] and ``price_usd_per_mwh``
[USD/MWh] (``da_as``: [USD/MW per hour]), long format, sorted by (node, interval_start_utc).

========================================  ==========================================  =======  =====
layout (shared file)                      reader                                      market   step
========================================  ==========================================  =======  =====
DAM hub/LZ SPP, wide, hour-ending CPT     :func:`read_ercot_dam_spp_wide`             da       60
DAM ancillary MCPC, wide, hour-ending     :func:`read_ercot_dam_as_mcpc`              da_as    60
RTM SPP, NP6-905 long (delivery fields)   :func:`read_ercot_rtm_spp_np6905`           rt       15
RTM SPP hubs, wide, UTC + CPT w/ offset   :func:`read_ercot_rtm_spp_wide_utc`         rt       15
RTM SPP load-zone lo/hi pairs (parquet)   :func:`read_ercot_lz_pairs`                 rt       15
SCED LMP per run, naive CPT (parquet)     :func:`read_ercot_sced_lmp_5min`            rt_lmp   5
gridstatus.io HB_HUBAVG, UTC (parquet)    :func:`read_gridstatus_hubavg`              rt / da  15/60
========================================  ==========================================  =======  =====

Each ``read_X(path)`` has a ``parse_X(buf, *, name)`` twin for bytes or file objects.
:func:`to_local` adds ERCOT's local labels (delivery date, hour ending, interval, repeated-hour
flag) and :func:`from_local` maps them back, exactly, across both DST changes
(:mod:`wattshift.data.ercot_time`). :data:`ERCOT_READERS` maps each shared file name in
``power/`` to its reader.

Rules shared by all readers: invalid input raises :class:`~wattshift.errors.DataError` naming
file, line and column; gaps stay gaps (an empty cell gives no row, never a 0); negative prices
and capped prices (5,000 USD/MWh plus adders) are valid, values outside
[``PRICE_MIN_USD_PER_MWH``, ``PRICE_MAX_USD_PER_MWH``] are not.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Final

import pandas as pd

from wattshift.data.ercot_dam import (
    AS_PRODUCTS,
    parse_ercot_dam_as_mcpc,
    parse_ercot_dam_spp_wide,
    read_ercot_dam_as_mcpc,
    read_ercot_dam_spp_wide,
)
from wattshift.data.ercot_parquet import (
    parse_ercot_lz_pairs,
    parse_ercot_sced_lmp_5min,
    parse_gridstatus_hubavg,
    read_ercot_lz_pairs,
    read_ercot_sced_lmp_5min,
    read_gridstatus_hubavg,
)
from wattshift.data.ercot_rtm import (
    parse_ercot_rtm_spp_np6905,
    parse_ercot_rtm_spp_wide_utc,
    read_ercot_rtm_spp_np6905,
    read_ercot_rtm_spp_wide_utc,
)
from wattshift.data.ercot_time import ERCOT_TZ, LOCAL_COLUMNS, from_local, to_local

__all__ = [
    "AS_PRODUCTS",
    "ERCOT_READERS",
    "ERCOT_TZ",
    "LOCAL_COLUMNS",
    "from_local",
    "parse_ercot_dam_as_mcpc",
    "parse_ercot_dam_spp_wide",
    "parse_ercot_lz_pairs",
    "parse_ercot_rtm_spp_np6905",
    "parse_ercot_rtm_spp_wide_utc",
    "parse_ercot_sced_lmp_5min",
    "parse_gridstatus_hubavg",
    "read_ercot_dam_as_mcpc",
    "read_ercot_dam_spp_wide",
    "read_ercot_lz_pairs",
    "read_ercot_rtm_spp_np6905",
    "read_ercot_rtm_spp_wide_utc",
    "read_ercot_sced_lmp_5min",
    "read_gridstatus_hubavg",
    "to_local",
]

#: Shared file name in ``power/`` → reader returning the ISO price frame (used by the registry).
ERCOT_READERS: Final[dict[str, Callable[[Path], pd.DataFrame]]] = {
    "ercot_dam_spp_hub_lz_hourly_2022_2025.csv": read_ercot_dam_spp_wide,
    "ercot_dam_as_mcpc_hourly_2022_2025.csv": read_ercot_dam_as_mcpc,
    "ercot_rtm_spp_15min_hubs_2024_2025_selected_months.csv": read_ercot_rtm_spp_np6905,
    "ercot_rtm_spp_15min_hubs_2023.csv": read_ercot_rtm_spp_wide_utc,
    "ercot_rtm_spp_15min_hubs_2024.csv": read_ercot_rtm_spp_wide_utc,
    "ercot_rtm_spp_15min_hubs_2025.csv": read_ercot_rtm_spp_wide_utc,
    "ercot_rtm_spp_15min_lz_pairs_2023.parquet": read_ercot_lz_pairs,
    "ercot_rt_sced_lmp_5min_hubs_2024_2025.parquet": read_ercot_sced_lmp_5min,
    "ercot_rt_spp_15min_hb_hubavg_2024_2025.parquet": read_gridstatus_hubavg,
    "ercot_da_spp_hourly_hb_hubavg_2024_2025.parquet": read_gridstatus_hubavg,
}
