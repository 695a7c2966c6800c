"""What ``wattshift data fetch`` downloads: one entry per file of the shared data folder.

Each :class:`~wattshift.data.fetch_origins.ManifestEntry` names the target file (relative to the data
folder, e.g. ``onchain/coinmetrics_btc_daily_2009-01-03_2026-03-23.csv``), its public origin(s) pinned
to a commit, the licence/attribution to carry with it, a transform from the downloaded bytes to
the target layout, and the pinned SHA-256 of the result (:mod:`wattshift.data.fetch_hashes`).
Where the shared file is the origin file unchanged the transform is :func:`verbatim`. Transforms
are pure functions ``list[bytes] -> bytes`` (one input per origin, in order, see
:mod:`wattshift.data.fetch_transforms`); they keep values unchanged and only reshape, rename or
re-encode.

Origins are relative to a *host key* (``github_raw``, ``alternative_me``) that
:data:`DEFAULT_HOSTS` maps to a base URL; ``fetch_all(base_urls=...)`` overrides it (tests, mirrors).
The entries of the markets beyond ERCOT, FX, ERCOT load and 4CP are in
:mod:`wattshift.data.fetch_markets`.

The origin layouts the ERCOT transforms assume are listed in :mod:`wattshift.data.fetch_transforms`.
"""

from __future__ import annotations

import datetime as dt
from functools import partial
from typing import Final

from wattshift.data.fetch_markets import MARKET_ENTRIES
from wattshift.data.fetch_origins import DEFAULT_HOSTS, MIRROR_ONLY, ManifestEntry, Origin, gh
from wattshift.data.fetch_transforms import (
    concat_np6_905_months,
    fear_greed_json_to_csv,
    gridstatus_hubs_wide,
    gridstatus_lz_pairs,
    merge_sced_lmp,
    rename_first_column_2dp,
    select_csv,
    verbatim,
)
from wattshift.errors import DataError

_COINMETRICS_LICENCE = (
    "Coin Metrics Community Data, CC BY-NC 4.0 (non-commercial use, attribution required): "
    "Source: Coin Metrics, https://coinmetrics.io/community-network-data/ (github.com/coinmetrics/data)"
)
_ERCOT_LICENCE = (
    "ERCOT public market data (https://www.ercot.com/mp/data-products); copied by the named "
    "public GitHub repository, which has no LICENSE file"
)


# ---------------------------------------------------------------- the manifest


_KUSH = "KushKod04/totalenergies_price_forecasting"
_KUSH_AT = "98c0b38ca8ca3eff23dde2eefb311d605adf1a3b"
_KUSH_NOTE = "timestamp column renamed datetime_col -> hour_ending_cpt; prices written with 2 decimals"
_MICK = "MickB74/eighty760-Home"
_MICK_AT = "effb6ba15491cd45d738d5bc70f2a1674e13a9e7"
_AYMAN = "aymanazeem/Ercot-Battery-Arbitrage"
_AYMAN_AT = "27a91bc3ccecdd719f3fb95b953251a83502a959"
_MELTVAR_MONTHS = (
    "June_2024",
    "July_2024",
    "August_2024",
    "December_2024",
    "January_2025",
    "February_2025",
    "June_2025",
    "July_2025",
    "August_2025",
)
_HUBS_5 = ("HOUSTON", "NORTH", "PAN", "SOUTH", "WEST")
_CM_EXT_COLUMNS = (
    "time",
    "PriceUSD",
    "CapMrktCurUSD",
    "CapMVRVCur",
    "HashRate",
    "IssTotUSD",
    "FeeTotNtv",
    "TxCnt",
    "AdrActCnt",
    "FlowInExUSD",
    "FlowOutExUSD",
)


def _rtm_year(year: int) -> ManifestEntry:
    return ManifestEntry(
        target=f"power/ercot_rtm_spp_15min_hubs_{year}.csv",
        description=f"ERCOT real-time 15-min settlement point prices, 7 trading hubs, {year}",
        origins=(gh(_MICK, _MICK_AT, f"public/data/prices/ercot_rtm_{year}.parquet"),),
        licence=_ERCOT_LICENCE + f" ({_MICK}; saved from gridstatus Ercot().get_rtm_spp(year={year}))",
        transform=gridstatus_hubs_wide,
        transform_note="trading-hub rows pivoted wide; UTC and Central (with offset) timestamps",
    )


#: Every file of the data folder, in download order.
MANIFEST: Final[tuple[ManifestEntry, ...]] = (
    ManifestEntry(
        target="onchain/coinmetrics_btc_daily_2009-01-03_2026-03-23.csv",
        description="Coin Metrics community daily BTC metrics, current schema (32 columns)",
        origins=(gh("chrisshao0/APS1052", "13c566a4", "data/raw/coinmetrics_btc.csv"),),
        licence=_COINMETRICS_LICENCE
        + " (snapshot of coinmetrics/data csv/btc.csv kept in chrisshao0/APS1052)",
        transform=verbatim,
    ),
    ManifestEntry(
        target="onchain/coinmetrics_btc_daily_ext_2026-03-23_2026-06-01.csv",
        description="Coin Metrics community API v4 snapshot, 11 columns, 2026-03-23..2026-06-01",
        origins=(gh("GabrielMazzali/onchain-vs-price", "07062f86", "data/raw/coinmetrics_btc.csv"),),
        licence=_COINMETRICS_LICENCE + " (snapshot kept in GabrielMazzali/onchain-vs-price)",
        transform=partial(
            select_csv,
            columns=_CM_EXT_COLUMNS,
            date_column="time",
            first_day=dt.date(2026, 3, 23),
            last_day=dt.date(2026, 6, 1),
        ),
        transform_note="11 Coin Metrics columns of the days 2026-03-23..2026-06-01, cells verbatim",
    ),
    ManifestEntry(
        target="onchain/coinmetrics_btc_daily_legacy_2009-01-03_2020-07-27.csv",
        description="Coin Metrics community daily BTC metrics, legacy 2020 schema (43 columns)",
        origins=(gh("SciEcon/data", "dd6e7d6f", "csv/btc.csv"),),
        licence=_COINMETRICS_LICENCE + " (SciEcon/data, a fork of coinmetrics/data)",
        transform=verbatim,
    ),
    ManifestEntry(
        target="onchain/coinmetrics_metrics_legacy_2020.csv",
        description="Metric dictionary of the legacy Coin Metrics schema",
        origins=(gh("SciEcon/data", "dd6e7d6f", "csv/metrics.csv"),),
        licence=_COINMETRICS_LICENCE + " (SciEcon/data)",
        transform=verbatim,
    ),
    ManifestEntry(
        target="onchain/alternative_me_fear_greed_daily_2018-02-01_2026-08-22.csv",
        description="alternative.me Crypto Fear & Greed Index, daily",
        origins=(Origin("alternative_me", "/fng/?limit=0&format=json"),),
        licence="Crypto Fear & Greed Index by alternative.me "
        "(https://alternative.me/crypto/fear-and-greed-index/); "
        "terms of use not verified, attribute alternative.me",
        transform=partial(
            fear_greed_json_to_csv, first_day=dt.date(2018, 2, 1), last_day=dt.date(2026, 8, 22)
        ),
        transform_note="API JSON (newest first) to date,timestamp,value,classification rows for "
        "2018-02-01..2026-08-22 (the span in the file name)",
    ),
    ManifestEntry(
        target="power/ercot_dam_spp_hub_lz_hourly_2022_2025.csv",
        description="ERCOT day-ahead settlement point prices, 7 hubs + 8 load zones, hourly 2022..2025-05-18",
        origins=(gh(_KUSH, _KUSH_AT, "data/prices/DAMLZHBSPP_2022_to_2025.csv"),),
        licence=_ERCOT_LICENCE + f" ({_KUSH}; from ERCOT NP4-180-ER DAMLZHBSPP)",
        transform=partial(rename_first_column_2dp, old="datetime_col", new="hour_ending_cpt"),
        transform_note=_KUSH_NOTE,
    ),
    ManifestEntry(
        target="power/ercot_dam_as_mcpc_hourly_2022_2025.csv",
        description="ERCOT day-ahead ancillary service clearing prices (REGDN/REGUP/RRS/NSPIN/ECRS), hourly",
        origins=(gh(_KUSH, _KUSH_AT, "data/prices/DAMASMCPC_2022_to_2025.csv"),),
        licence=_ERCOT_LICENCE + f" ({_KUSH}; from ERCOT NP4-181-ER DAMASMCPC)",
        transform=partial(rename_first_column_2dp, old="datetime_col", new="hour_ending_cpt"),
        transform_note=_KUSH_NOTE,
    ),
    ManifestEntry(
        target="power/ercot_rt_sced_lmp_5min_hubs_2024_2025.parquet",
        description="ERCOT real-time SCED LMPs (no adders), 5 hubs, 2024-01-01..2025-02-25",
        origins=tuple(
            gh(
                "sxcben/ERCOT_DART_Trading",
                "f471483693441f86f257a7ef1965757150c61791",
                f"Data/rtm_LMP_HB_{hub}.parquet",
            )
            for hub in _HUBS_5
        ),
        licence=_ERCOT_LICENCE + " (sxcben/ERCOT_DART_Trading; from the ERCOT API np6-788-cd)",
        transform=merge_sced_lmp,
        transform_note="five per-hub files merged into one long table with snake_case columns",
    ),
    ManifestEntry(
        target="power/ercot_rtm_spp_15min_hubs_2024_2025_selected_months.csv",
        description="ERCOT real-time settlement point prices, 4 hubs, "
        "Jun-Aug 2024, Dec 2024-Feb 2025, Jun-Aug 2025",
        origins=tuple(
            gh(
                "meltvar/ERCOT-BESS-Valuation",
                "6be46f68001a3c0b36f250b9ed403400f11f3d43",
                f"ercot_data/{m}.csv",
            )
            for m in _MELTVAR_MONTHS
        ),
        licence=_ERCOT_LICENCE + " (meltvar/ERCOT-BESS-Valuation; raw ERCOT NP6-905 files)",
        transform=concat_np6_905_months,
        transform_note="nine monthly files concatenated; interval_ending_cpt added; snake_case columns",
    ),
    ManifestEntry(
        target="power/ercot_rt_spp_15min_hb_hubavg_2024_2025.parquet",
        description="ERCOT real-time settlement point price HB_HUBAVG, 15 min, 2024..2025-11 (UTC)",
        origins=(gh(_AYMAN, _AYMAN_AT, "data/processed/rt_prices.parquet"),),
        licence=_ERCOT_LICENCE + f" ({_AYMAN}; pulled from the gridstatus.io API)",
        transform=verbatim,
    ),
    ManifestEntry(
        target="power/ercot_da_spp_hourly_hb_hubavg_2024_2025.parquet",
        description="ERCOT day-ahead settlement point price HB_HUBAVG, hourly, 2024..2025-11 (UTC)",
        origins=(gh(_AYMAN, _AYMAN_AT, "data/processed/da_prices.parquet"),),
        licence=_ERCOT_LICENCE + f" ({_AYMAN}; pulled from the gridstatus.io API)",
        transform=verbatim,
    ),
    _rtm_year(2023),
    ManifestEntry(
        target="power/ercot_rtm_spp_15min_lz_pairs_2023.parquet",
        description="ERCOT real-time settlement point prices, 8 load zones (LZ and LZEW pair), 2023",
        origins=(gh(_MICK, _MICK_AT, "public/data/prices/ercot_rtm_2023.parquet"),),
        licence=_ERCOT_LICENCE + f" ({_MICK}; saved from gridstatus Ercot().get_rtm_spp(year=2023))",
        transform=gridstatus_lz_pairs,
        transform_note="load-zone rows; the two unlabelled rows per zone and interval kept as lo/hi",
    ),
    _rtm_year(2024),
    _rtm_year(2025),
    ManifestEntry(
        target="asics/asic_models.csv",
        description="ASIC miner catalogue (50 models, 2016-2026), compiled row by row",
        origins=(),
        licence="Compiled from vendor, review and news pages named in each row's source column",
        transform=verbatim,
        transform_note=f"{MIRROR_ONLY} (compiled row by row; no single public origin)",
    ),
    ManifestEntry(
        target="gpu/gpu_rental_prices.csv",
        description="GPU rental prices (H100/H200/B200/A100) 2023-2026: "
        "tracker series, list snapshot, quotes",
        origins=(),
        licence="tugot17/gpu-price-tracker (MIT) daily selection; ddbit/llamaboxweb snapshot; quoted pages "
        "named in the source column (see gpu/README.md)",
        transform=verbatim,
        transform_note=f"{MIRROR_ONLY} (compiled from three kinds of sources)",
    ),
    *MARKET_ENTRIES,
)


__all__ = ["DEFAULT_HOSTS", "MANIFEST", "ManifestEntry", "Origin", "manifest_entry"]


def manifest_entry(target_or_name: str) -> ManifestEntry:
    """The entry whose target (``onchain/x.csv``), registry key (``SE3/2024.csv``) or file name is given.

    Raises
    ------
    DataError
        For a name that is no public data file, or a file name that several folders share.
    """
    found = [e for e in MANIFEST if target_or_name in (e.target, e.label, e.name)]
    exact = [e for e in found if target_or_name in (e.target, e.label)]
    if len(exact) == 1 or len(found) == 1:
        return (exact or found)[0]
    if found:
        targets = ", ".join(e.target for e in found)
        raise DataError(
            f"{target_or_name!r} names several public data files ({targets}); give the folder too"
        )
    raise DataError(f"{target_or_name!r} is not a public data file (see: wattshift data fetch --list)")
