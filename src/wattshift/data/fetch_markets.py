"""``data fetch`` entries for the markets beyond ERCOT, the ECB rates, ERCOT native load and 4CP.

Origins, commits and licences are those of the data folder's ``markets/*/README.md``,
``fx/README.md`` and ``power/README.md``. EIA, PJM, Nord Pool, Energinet and ECB files are the
origin files unchanged; the SPP and CAISO files are EIA's files trimmed to their LMP columns
(:func:`~wattshift.data.fetch_transforms.eia_lmp_only`). ERCOT's native load was converted from
ERCOT's xlsx workbooks and the 4CP table was compiled: neither is rebuilt here, so both are
*mirror only* (their sources are named in the entry).
"""

from __future__ import annotations

from typing import Final

from wattshift.data.fetch_origins import MIRROR_ONLY, ManifestEntry, gh
from wattshift.data.fetch_transforms import eia_lmp_only, verbatim

_EIA_REPO = "Lauvera132/hydrogen_renewable_electrolysis_simulation"
_EIA_AT = "d3353c10b17ffdc74c08c4ecb5ec097ac351ce2a"
_EIA_LICENCE = (
    "U.S. EIA wholesale electricity market data (eia.gov/electricity/wholesalemarkets), a U.S. "
    f"Government work in the public domain; copied by {_EIA_REPO} (no LICENSE file)"
)
_PJM_LICENCE = (
    "PJM market data (Data Miner 2, dataminer2.pjm.com); PJM's redistribution terms NOT verified; "
    "copied by {repo} (no LICENSE file)"
)
_ERCOT_LICENCE = "ERCOT public market data (https://www.ercot.com/mp/data-products)"
_YEARS: Final[tuple[int, ...]] = (2021, 2022, 2023, 2024)
_QUARTERS: Final[tuple[str, ...]] = tuple(f"{y}Q{q}" for y in _YEARS for q in (1, 2, 3, 4))


def _eia_full(market: str, folder: str, stem: str, what: str) -> tuple[ManifestEntry, ...]:
    return tuple(
        ManifestEntry(
            target=f"markets/{market}/{stem}_{year}.csv",
            description=f"{what}, {year} (EIA wholesale-market file)",
            origins=(gh(_EIA_REPO, _EIA_AT, f"{folder}/{stem}_{year}.csv"),),
            licence=_EIA_LICENCE,
            transform=verbatim,
        )
        for year in _YEARS
    )


def _eia_trimmed(market: str, folder: str, stem: str, what: str, first: str) -> tuple[ManifestEntry, ...]:
    return tuple(
        ManifestEntry(
            target=f"markets/{market}/{stem}_{quarter}_LMPonly.csv",
            description=f"{what}, {quarter} (EIA wholesale-market file, LMP columns)",
            origins=(gh(_EIA_REPO, _EIA_AT, f"{folder}/{stem}_{quarter}.csv"),),
            licence=_EIA_LICENCE,
            transform=eia_lmp_only,
            transform_note="preamble and congestion/energy/loss columns dropped; UTC end, local "
            "start and '<node> LMP' columns kept as the original strings",
        )
        for quarter in _QUARTERS
        if quarter >= first
    )


#: PJM Data Miner exports: target name, origin repository, commit, path, what.
_PJM: Final[tuple[tuple[str, str, str, str, str], ...]] = (
    (
        "pjm_rto_da_hrl_lmps_2025.csv",
        "rroyucsd/ECE228_Proj",
        "5019c954b067d582a50d45bd01ca5560eddc0f23",
        "da_hrl_lmps.csv",
        "DA hourly LMP, PJM-RTO, 2025",
    ),
    (
        "pjm_rto_rt_hrl_lmps_2024.csv",
        "andiehal/AREC-444-ECP",
        "8030e8c7d7d4140bc755eb99ec85544ae106d0de",
        "data/rt_hrl_lmps.csv",
        "RT hourly LMP, PJM-RTO, 2024",
    ),
    *(
        (
            f"pjm_hubs_{m}_hrl_lmps_2025-05-01_2025-07-31.csv",
            "zhyg1212/cr-cvar-shp-experiments",
            "3311e5ae53b136620195f8a22451e3d072575012",
            f"{m}_hrl_lmps.csv",
            f"{m.upper()} hourly LMP, 12 hubs, 2025-05..07",
        )
        for m in ("da", "rt")
    ),
    *(
        (
            f"pjm_aldene_node_{m}_hrl_lmps_2025-06_2026-06.csv",
            "michaeltiller/OR-Masters-Dissertation",
            "cfdf077848539cfc811ed627c73e5ed6a1220665",
            f"data/{m}_hrl_lmps.csv",
            f"{m.upper()} hourly LMP, ALDENE node, 2025-06..2026-06",
        )
        for m in ("da", "rt")
    ),
    (
        "pjm_dom_zone_rt_hrl_lmps_2018_2022.csv",
        "MustardBiscuits/Impact-of-U.S.-summer-heatwaves-and-winter-blizzards-on-PJM-electricity-prices.-PJM-PJM-PJM-",
        "67c61f576ddf334bc7dd72a879a0b419da195cf7",
        "PJM_data/Processed data/pjm_dom_rt_lmp_hrl_merged.csv",
        "RT hourly LMP, DOM zone, 2018-2022 (author-merged export)",
    ),
)

_NORDIC_REPO = "tunaftw/electricity-price"
_NORDIC_AT = "e0233c6701af2d6fcfff232680b83df174d6daeb"
_NORDIC_LICENCE = (
    "Nord Pool day-ahead prices republished by the elprisetjustnu.se API; reuse terms NOT verified "
    f"(copied by {_NORDIC_REPO}, no LICENSE file)"
)
_DEMFLEX = "xrf1213/DemFlex"
_DEMFLEX_AT = "13055f947b185be753fc6cd972d96233ff19813d"


def _native_load(year: int) -> ManifestEntry:
    xlsx = gh(_DEMFLEX, _DEMFLEX_AT, f"data/Native_Load_{year}.xlsx").url(
        {"github_raw": "https://raw.githubusercontent.com"}
    )
    return ManifestEntry(
        target=f"power/ercot_native_load_hourly_{year}.csv",
        description=f"ERCOT hourly native load by weather zone, {year} [MW]",
        origins=(),
        licence=f"{_ERCOT_LICENCE}; ERCOT's Native_Load_{year}.xlsx as kept in {_DEMFLEX} (no LICENSE file)",
        transform=verbatim,
        transform_note=f"{MIRROR_ONLY}; converted xlsx -> csv from {xlsx} (the conversion is not recorded)",
    )


#: Every market, FX and ERCOT system file, in download order.
MARKET_ENTRIES: Final[tuple[ManifestEntry, ...]] = (
    *_eia_full(
        "miso", "miso_realtime_locational_marginal_prices", "miso_lmp_rt_hr_hubs", "MISO RT LMP, 8 hubs"
    ),
    *_eia_full(
        "nyiso",
        "nyiso_realtime_locational_marginal_prices",
        "nyiso_lmp_rt_hr_zones",
        "NYISO RT LBMP, zones A-K",
    ),
    *_eia_full(
        "isone",
        "iso_ne_realtime_locational_marginal_prices",
        "isone_lmp_rt_hr_hubs",
        "ISO-NE RT LMP, Internal Hub",
    ),
    *_eia_trimmed(
        "spp",
        "spp_realtime_locational_marginal_prices",
        "spp_lmp_rt_5min_hubs",
        "SPP RT LMP 5 min, 2 hubs",
        "2022Q1",
    ),
    *_eia_trimmed(
        "caiso",
        "caiso_realtime_locational_marginal_prices",
        "caiso_lmp_rt_15min_zones",
        "CAISO RT FMM LMP 15 min, NP-15/SP-15/ZP-26",
        "2021Q1",
    ),
    *(
        ManifestEntry(
            target=f"markets/pjm/{name}",
            description=f"PJM Data Miner 2 {what}",
            origins=(gh(repo, commit, path),),
            licence=_PJM_LICENCE.format(repo=repo),
            transform=verbatim,
        )
        for name, repo, commit, path, what in _PJM
    ),
    *(
        ManifestEntry(
            target=f"markets/nordic/{zone}/{year}.csv",
            description=f"Nord Pool day-ahead {zone} {year} [EUR/kWh, SEK/kWh] (elprisetjustnu.se)",
            origins=(gh(_NORDIC_REPO, _NORDIC_AT, f"Resultat/marknadsdata/spotpriser/{zone}/{year}.csv"),),
            licence=_NORDIC_LICENCE,
            transform=verbatim,
        )
        for zone in ("SE1", "SE2", "SE3", "SE4")
        for year in range(2021, 2027)
    ),
    ManifestEntry(
        target="markets/nordic/energinet_Elspotprices_SE3_SE4_2023_2024.csv",
        description="Energinet Elspotprices SE3/SE4 2023-24 [EUR/MWh, DKK/MWh]",
        origins=(
            gh(
                "EliasSchuhmacher/ML_Project_Electricity",
                "b8e821c707b4d3653b5fe309ab24083f52100430",
                "data/Elspotprices.csv",
            ),
        ),
        licence="Energinet Energi Data Service, dataset Elspotprices: free reuse with attribution to "
        "Energinet (licence text not re-checked); copied by EliasSchuhmacher/ML_Project_Electricity",
        transform=verbatim,
    ),
    ManifestEntry(
        target="fx/ecb_eurofxref_hist_1999-01-04_2025-05-09.csv",
        description="ECB euro foreign exchange reference rates, 1999-01-04..2025-05-09 [units per EUR]",
        origins=(gh("h0tbird/eurofxref", "1be77cd409e46895ef4ae634e3aabec682cbfeab", "eurofxref-hist.csv"),),
        licence="European Central Bank euro reference rates: free reuse with the ECB named as the "
        "source; copied by h0tbird/eurofxref",
        transform=verbatim,
    ),
    *(_native_load(year) for year in (2023, 2024, 2025)),
    ManifestEntry(
        target="power/ercot_4cp_intervals_2022_2025.csv",
        description="ERCOT official 4CP intervals, June-September 2022-2025 [MW]",
        origins=(),
        licence=f"{_ERCOT_LICENCE}; transcribed from ERCOT's 4CP settlement workbooks (MIS NP9-83-M)",
        transform=verbatim,
        transform_note=f"{MIRROR_ONLY} (a compiled table; see power/README.md)",
    ),
)
