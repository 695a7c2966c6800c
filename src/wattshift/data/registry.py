"""Which reader, table and priority each known data file has.

Every file of the shared data set (``WATTSHIFT_DATA_DIR``, see ``data/README.md``) is listed in
:data:`KNOWN_FILES` under its file name. A file is recognised by its name alone, so a user's own
download of the same public file under the same name is read the same way; a few name patterns
(:data:`PATTERNS`) cover newer snapshots of the Coin Metrics and Fear & Greed files.

Priority decides between files that hold the same rows (same ISO, node, market and interval):
the higher priority wins per row, whatever the ingest order.

- ERCOT real-time settlement prices: the yearly archives ``ercot_rtm_spp_15min_hubs_<year>.csv``
  (ERCOT NP6-785-ER via gridstatus; these hold ERCOT's *corrected* prices) beat the raw monthly
  NP6-905 files (``…_selected_months.csv``; equal to the archive within 2e-4 USD/MWh), which beat
  the gridstatus.io API series ``ercot_rt_spp_15min_hb_hubavg_2024_2025.parquet`` (first postings;
  237 of 67,176 HB_HUBAVG intervals differ from the archive, by up to 1,596 USD/MWh).
- ERCOT day-ahead: the NP4-180-ER yearly DAM file beats the gridstatus.io API HB_HUBAVG series.
- Nord Pool SE3/SE4 2023-24: Energinet's Elspotprices (the TSO's publication) beats the
  elprisetjustnu.se republication (they differ in one hour: 2023-05-28 12:00 UTC, -10 vs 0 EUR/MWh).
- Coin Metrics files are merged by *vintage* (snapshot date) instead, column by column; see
  :mod:`wattshift.warehouse.merge`. Their priority is informational.

Readers are imported only when a file is read, so listing the registry needs no adapter.
"""

from __future__ import annotations

import fnmatch
import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Final, cast

import pandas as pd

from wattshift.errors import DataError

Reader = Callable[[Path], pd.DataFrame]

#: Priorities (higher wins per row where files overlap).
PRIORITY_ARCHIVE: Final[int] = 30  # ERCOT yearly archives (corrected prices)
PRIORITY_RAW: Final[int] = 20  # raw ERCOT report files, single-source series
PRIORITY_API: Final[int] = 10  # gridstatus.io API first postings


@dataclass(frozen=True)
class FileSpec:
    """One known data file.

    Attributes
    ----------
    name
        File name (or, in :data:`PATTERNS`, a glob pattern on the file name).
    folder
        Sub-folder of the data directory (``onchain``, ``power``, ``asics``, ``gpu``).
    kind
        Source kind: ``coinmetrics``, ``fear_greed``, ``ercot``, ``asics``, ``gpu``, ``eia_market``,
        ``pjm``, ``nordic``, ``fx``, ``ercot_load`` or ``ercot_4cp``.
    table
        Warehouse table the rows go to.
    reader
        ``"module:function"`` or ``"module:MAPPING[key]"``; resolved lazily by :meth:`load_reader`.
    priority
        Higher wins per row where files overlap.
    description
        What the file holds.
    """

    name: str
    folder: str
    kind: str
    table: str
    reader: str
    priority: int
    description: str

    @property
    def pending(self) -> bool:
        """True for a known file whose adapter is not written yet (``reader`` is empty)."""
        return not self.reader

    def load_reader(self) -> Reader:
        """Import and return the reader function (``read_X(path) -> DataFrame``).

        Raises
        ------
        DataError
            If the adapter module or the reader in it is not available.
        """
        if self.pending:
            raise DataError(
                f"known {self.kind} file, but wattshift has no reader for it yet ({self.description})",
                file=self.name,
            )
        module_name, _, attr = self.reader.partition(":")
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            raise DataError(f"no reader for {self.kind} files yet ({exc})", file=self.name) from None
        key = None
        if attr.endswith("]") and "[" in attr:
            attr, _, rest = attr.partition("[")
            key = rest[:-1]
        target = getattr(module, attr, None)
        if key is not None and isinstance(target, Mapping):
            target = target.get(key)
        if not callable(target):
            raise DataError(f"reader {self.reader} is not available", file=self.name)
        return cast(Reader, target)

    def read(self, path: Path) -> pd.DataFrame:
        """Parse ``path`` with this file's reader (raises :class:`DataError` on bad input)."""
        return self.load_reader()(path)


def _cm(name: str, what: str) -> FileSpec:
    return FileSpec(
        name, "onchain", "coinmetrics", "btc_daily", "wattshift.data.coinmetrics:read_coinmetrics", 0, what
    )


def _ercot(name: str, priority: int, what: str) -> FileSpec:
    return FileSpec(
        name, "power", "ercot", "iso_prices", f"wattshift.data.ercot:ERCOT_READERS[{name}]", priority, what
    )


_SPECS: Final[tuple[FileSpec, ...]] = (
    _cm(
        "coinmetrics_btc_daily_legacy_2009-01-03_2020-07-27.csv", "Coin Metrics legacy schema (2020 snapshot)"
    ),
    _cm("coinmetrics_btc_daily_2009-01-03_2026-03-23.csv", "Coin Metrics btc.csv (2026-03-23 snapshot)"),
    _cm("coinmetrics_btc_daily_ext_2026-03-23_2026-06-01.csv", "Coin Metrics API v4 extension"),
    FileSpec(
        "alternative_me_fear_greed_daily_2018-02-01_2026-08-22.csv",
        "onchain",
        "fear_greed",
        "fear_greed",
        "wattshift.data.feargreed:read_fear_greed",
        PRIORITY_RAW,
        "alternative.me Crypto Fear & Greed Index, daily",
    ),
    FileSpec(
        "asic_models.csv",
        "asics",
        "asics",
        "asic_models",
        "wattshift.data.asics:read_asics",
        PRIORITY_RAW,
        "ASIC miner catalogue",
    ),
    FileSpec(
        "gpu_rental_prices.csv",
        "gpu",
        "gpu",
        "gpu_prices",
        "wattshift.data.gpu:read_gpu_prices",
        PRIORITY_RAW,
        "GPU rental prices [USD/GPU-hour], 2023-2026",
    ),
    _ercot(
        "ercot_rtm_spp_15min_hubs_2023.csv", PRIORITY_ARCHIVE, "RT SPP 15 min, 7 hubs, 2023 (yearly archive)"
    ),
    _ercot(
        "ercot_rtm_spp_15min_hubs_2024.csv", PRIORITY_ARCHIVE, "RT SPP 15 min, 7 hubs, 2024 (yearly archive)"
    ),
    _ercot(
        "ercot_rtm_spp_15min_hubs_2025.csv", PRIORITY_ARCHIVE, "RT SPP 15 min, 7 hubs, 2025 (yearly archive)"
    ),
    _ercot(
        "ercot_rtm_spp_15min_hubs_2024_2025_selected_months.csv",
        PRIORITY_RAW,
        "RT SPP 15 min, 4 hubs, selected months 2024-25 (raw NP6-905)",
    ),
    _ercot(
        "ercot_rt_spp_15min_hb_hubavg_2024_2025.parquet",
        PRIORITY_API,
        "RT SPP 15 min HB_HUBAVG 2024-25 (gridstatus.io API, first postings)",
    ),
    _ercot("ercot_rtm_spp_15min_lz_pairs_2023.parquet", PRIORITY_RAW, "RT SPP 15 min, load zones, 2023"),
    _ercot(
        "ercot_dam_spp_hub_lz_hourly_2022_2025.csv",
        PRIORITY_ARCHIVE,
        "DA SPP hourly, hubs and load zones 2022-25",
    ),
    _ercot(
        "ercot_da_spp_hourly_hb_hubavg_2024_2025.parquet",
        PRIORITY_API,
        "DA SPP hourly HB_HUBAVG 2024-25 (gridstatus.io API)",
    ),
    _ercot("ercot_dam_as_mcpc_hourly_2022_2025.csv", PRIORITY_RAW, "DA ancillary clearing prices 2022-25"),
    _ercot(
        "ercot_rt_sced_lmp_5min_hubs_2024_2025.parquet", PRIORITY_RAW, "RT SCED LMP ~5 min, 5 hubs 2024-25"
    ),
)


def _spec(
    name: str, folder: str, kind: str, table: str, reader: str, what: str, priority: int = PRIORITY_RAW
) -> FileSpec:
    return FileSpec(name, folder, kind, table, reader, priority, what)


def _eia(market: str, names: tuple[str, ...], what: str) -> tuple[FileSpec, ...]:
    reader = f"wattshift.data.eia_market:EIA_READERS[{market.upper()}]"
    return tuple(
        _spec(
            name, f"markets/{market}", "eia_market", "iso_prices", reader, f"{what} (U.S. EIA wholesale file)"
        )
        for name in names
    )


_QUARTERS: Final[tuple[str, ...]] = tuple(f"{y}Q{q}" for y in range(2021, 2025) for q in range(1, 5))

#: Markets beyond ERCOT, FX rates, ERCOT load and 4CP. The Nordic zone files share names across
#: folders, so their registry key is ``ZONE/NAME``. Energinet (the TSO's own publication) beats the
#: elprisetjustnu.se republication where both hold an hour (they differ in one hour of 2023).
_MARKET_SPECS: Final[tuple[FileSpec, ...]] = (
    *_eia("miso", tuple(f"miso_lmp_rt_hr_hubs_{y}.csv" for y in range(2021, 2025)), "MISO RT LMP, hubs"),
    *_eia("nyiso", tuple(f"nyiso_lmp_rt_hr_zones_{y}.csv" for y in range(2021, 2025)), "NYISO RT LBMP"),
    *_eia("isone", tuple(f"isone_lmp_rt_hr_hubs_{y}.csv" for y in range(2021, 2025)), "ISO-NE RT LMP"),
    *_eia(
        "spp",
        tuple(f"spp_lmp_rt_5min_hubs_{q}_LMPonly.csv" for q in _QUARTERS if q >= "2022Q1"),
        "SPP RT LMP 5 min, hubs",
    ),
    *_eia(
        "caiso",
        tuple(f"caiso_lmp_rt_15min_zones_{q}_LMPonly.csv" for q in _QUARTERS),
        "CAISO RT FMM LMP 15 min",
    ),
    *(
        _spec(
            name,
            "markets/pjm",
            "pjm",
            "iso_prices",
            "wattshift.data.pjm:read_pjm_lmps",
            f"PJM Data Miner {what}",
        )
        for name, what in (
            ("pjm_aldene_node_da_hrl_lmps_2025-06_2026-06.csv", "DA hourly LMP, ALDENE node"),
            ("pjm_aldene_node_rt_hrl_lmps_2025-06_2026-06.csv", "RT hourly LMP, ALDENE node"),
            ("pjm_hubs_da_hrl_lmps_2025-05-01_2025-07-31.csv", "DA hourly LMP, 12 hubs"),
            ("pjm_hubs_rt_hrl_lmps_2025-05-01_2025-07-31.csv", "RT hourly LMP, 12 hubs"),
            ("pjm_dom_zone_rt_hrl_lmps_2018_2022.csv", "RT hourly LMP, DOM zone"),
            ("pjm_rto_rt_hrl_lmps_2024.csv", "RT hourly LMP, PJM-RTO"),
            ("pjm_rto_da_hrl_lmps_2025.csv", "DA hourly LMP, PJM-RTO"),
        )
    ),
    *(
        _spec(
            f"{zone}/{year}.csv",
            "markets/nordic",
            "nordic",
            "iso_prices",
            "wattshift.data.nordic:read_nordic_dayahead",
            f"Nord Pool DA {zone} {year} [EUR/MWh]",
        )
        for zone in ("SE1", "SE2", "SE3", "SE4")
        for year in range(2021, 2027)
    ),
    _spec(
        "energinet_Elspotprices_SE3_SE4_2023_2024.csv",
        "markets/nordic",
        "nordic",
        "iso_prices",
        "wattshift.data.nordic:read_energinet_elspot",
        "Energinet Elspotprices SE3/SE4 2023-24 [EUR/MWh]",
        PRIORITY_ARCHIVE,
    ),
    _spec(
        "ecb_eurofxref_hist_1999-01-04_2025-05-09.csv",
        "fx",
        "fx",
        "fx_rates",
        "wattshift.data.ecb:read_ecb_rates",
        "ECB euro reference rates",
    ),
    *(
        _spec(
            f"ercot_native_load_hourly_{year}.csv",
            "power",
            "ercot_load",
            "system_load",
            "wattshift.data.ercot_load:read_ercot_native_load",
            f"ERCOT hourly native load {year} [MW]",
        )
        for year in (2023, 2024, 2025)
    ),
    _spec(
        "ercot_4cp_intervals_2022_2025.csv",
        "power",
        "ercot_4cp",
        "cp4_intervals",
        "wattshift.data.ercot_4cp:read_ercot_4cp",
        "ERCOT official 4CP intervals 2022-25",
    ),
)

#: Every known file, by registry key: the file name, or ``ZONE/NAME`` where one name is reused per folder.
KNOWN_FILES: Final[Mapping[str, FileSpec]] = {spec.name: spec for spec in (*_SPECS, *_MARKET_SPECS)}

#: File-name patterns for other snapshots of the same sources (tried after the exact names).
PATTERNS: Final[tuple[FileSpec, ...]] = (
    _cm("coinmetrics_btc_daily_*.csv", "Coin Metrics daily BTC CSV (any schema)"),
    _cm("btc.csv", "Coin Metrics daily BTC CSV (coinmetrics/data csv/btc.csv)"),
    FileSpec(
        "alternative_me_fear_greed_*.csv",
        "onchain",
        "fear_greed",
        "fear_greed",
        "wattshift.data.feargreed:read_fear_greed",
        PRIORITY_RAW,
        "alternative.me Crypto Fear & Greed Index, daily",
    ),
)

#: Files in the data folders that are documentation, not data (skipped by :func:`known_files`).
NOT_DATA: Final[frozenset[str]] = frozenset({"README.md", "coinmetrics_metrics_legacy_2020.csv"})


def spec_for(path: str | Path) -> FileSpec:
    """The :class:`FileSpec` of a file, matched by its name.

    Raises
    ------
    DataError
        For a file name that is not a known data file (the message lists the known names).
    """
    name = Path(path).name
    spec = KNOWN_FILES.get(name) or KNOWN_FILES.get(registry_key(path))
    if spec is not None:
        return spec
    for pattern in PATTERNS:
        if fnmatch.fnmatchcase(name, pattern.name) and name not in NOT_DATA:
            return pattern
    known = ", ".join(sorted(KNOWN_FILES))
    raise DataError(f"unknown data file (not in the registry); known files: {known}", file=str(path))


def registry_key(path: str | Path) -> str:
    """The registry key of a file: its name, or ``PARENT/NAME`` for names reused per folder.

    The Nordic day-ahead files are ``SE1/2021.csv`` … ``SE4/2026.csv``: the same names in one folder per
    bidding zone, so their key includes the zone folder.
    """
    p = Path(path)
    keyed = f"{p.parent.name}/{p.name}"
    return keyed if keyed in KNOWN_FILES else p.name


def kind_for(path: str | Path) -> str:
    """Source kind of a file (``coinmetrics``, ``fear_greed``, ``ercot``, ``asics``, ``gpu``).

    Raises
    ------
    DataError
        For a file name that is not a known data file.
    """
    return spec_for(path).kind


def known_files(data_dir: str | Path, *, include_pending: bool = False) -> list[Path]:
    """The known data files present in ``data_dir`` (in its sub-folders or at its top level).

    Parameters
    ----------
    data_dir
        The data directory (``WATTSHIFT_DATA_DIR``).
    include_pending
        Also list known files whose adapters are not written yet (:attr:`FileSpec.pending`);
        ``data ingest --all`` leaves them out.

    Returns
    -------
    list of pathlib.Path
        In registry order (Coin Metrics, Fear & Greed, ASICs, GPUs, ERCOT); known names missing
        from the folder are left out.
    """
    root = Path(data_dir)
    found: list[Path] = []
    specs = (*_SPECS, *_MARKET_SPECS)
    if not include_pending:
        specs = tuple(s for s in specs if not s.pending)
    for spec in specs:
        for candidate in (root / spec.folder / spec.name, root / spec.name):
            if candidate.is_file():
                found.append(candidate)
                break
    return found
