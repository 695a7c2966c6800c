"""Every data adapter passes :class:`~wattshift.testing.adapters.AdapterContract` on its real shared file.

One subclass per reader and layout (a few class attributes each; see the contract's docstring), and
a check that every reader of the registry has one: a new adapter adds its subclass here.
"""

from __future__ import annotations

from wattshift.data.asics import read_asics
from wattshift.data.coinmetrics import read_coinmetrics
from wattshift.data.ecb import read_ecb_rates
from wattshift.data.eia_market import EIA_READERS
from wattshift.data.ercot import (
    read_ercot_dam_as_mcpc,
    read_ercot_dam_spp_wide,
    read_ercot_lz_pairs,
    read_ercot_rtm_spp_np6905,
    read_ercot_rtm_spp_wide_utc,
    read_ercot_sced_lmp_5min,
    read_gridstatus_hubavg,
)
from wattshift.data.ercot_4cp import read_ercot_4cp
from wattshift.data.ercot_load import read_ercot_native_load
from wattshift.data.feargreed import read_fear_greed
from wattshift.data.gpu import read_gpu_prices
from wattshift.data.nordic import read_energinet_elspot, read_nordic_dayahead
from wattshift.data.pjm import read_pjm_lmps
from wattshift.data.registry import KNOWN_FILES
from wattshift.testing import (
    ASIC_DTYPES,
    BTC_DAILY_DTYPES,
    FEAR_GREED_DTYPES,
    GPU_PRICE_DTYPES,
    ISO_PRICE_DTYPES,
    UTC_DTYPE,
)
from wattshift.testing.adapters import AdapterContract

#: The key and order of every ISO price frame.
ISO_KEY = ("iso", "node", "market", "interval_start_utc")
ISO_ORDER = ("node", "interval_start_utc")
#: The ISO price layout in the market's native currency (Nord Pool: EUR).
EUR_PRICE_DTYPES = {
    ("price_eur_per_mwh" if c == "price_usd_per_mwh" else c): t for c, t in ISO_PRICE_DTYPES.items()
}
#: ECB reference rates, long (:data:`wattshift.data.ecb.FX_COLUMNS`).
FX_DTYPES = {"date": "datetime64[ns]", "currency": "str", "units_per_eur": "float64"}
#: ERCOT hourly native load (:data:`wattshift.data.ercot_load.LOAD_COLUMNS`).
LOAD_DTYPES = {
    "iso": "str",
    "zone": "str",
    "interval_start_utc": UTC_DTYPE,
    "interval_minutes": "int64",
    "load_mw": "float64",
}
#: ERCOT 4CP intervals (:data:`wattshift.data.ercot_4cp.CP4_COLUMNS`).
CP4_DTYPES = {
    "year": "int64",
    "month": "int64",
    "interval_start_utc": UTC_DTYPE,
    "interval_minutes": "int64",
    "total_4cp_mw": "float64",
    "annual_average_4cp_mw": "float64",
}


# --- on-chain, catalogues -------------------------------------------------------------------------


class TestCoinMetricsCurrent(AdapterContract):
    data_file = "onchain/coinmetrics_btc_daily_2009-01-03_2026-03-23.csv"
    reader = read_coinmetrics
    dtypes = BTC_DAILY_DTYPES
    key = ("date",)
    bad_column = "BlkCnt"


class TestCoinMetricsLegacy(AdapterContract):
    data_file = "onchain/coinmetrics_btc_daily_legacy_2009-01-03_2020-07-27.csv"
    reader = read_coinmetrics
    dtypes = BTC_DAILY_DTYPES
    key = ("date",)
    bad_column = "BlkCnt"


class TestCoinMetricsExtension(AdapterContract):
    data_file = "onchain/coinmetrics_btc_daily_ext_2026-03-23_2026-06-01.csv"
    reader = read_coinmetrics
    dtypes = BTC_DAILY_DTYPES
    key = ("date",)
    bad_column = "PriceUSD"


class TestFearGreed(AdapterContract):
    data_file = "onchain/alternative_me_fear_greed_daily_2018-02-01_2026-08-22.csv"
    reader = read_fear_greed
    dtypes = FEAR_GREED_DTYPES
    key = ("date",)
    bad_column = "value"


class TestAsicCatalogue(AdapterContract):
    data_file = "asics/asic_models.csv"
    reader = read_asics
    dtypes = ASIC_DTYPES
    key = ("model",)
    sort_by = ()  # file order
    bad_column = "power_w"


class TestGpuPrices(AdapterContract):
    data_file = "gpu/gpu_rental_prices.csv"
    reader = read_gpu_prices
    dtypes = GPU_PRICE_DTYPES
    key = ()  # several list prices per day, GPU and provider: rows are not keyed
    sort_by = ("date",)
    bad_column = "price_usd_per_gpu_hour"


# --- ERCOT, one class per layout ------------------------------------------------------------------


class TestErcotDamSppWide(AdapterContract):
    data_file = "power/ercot_dam_spp_hub_lz_hourly_2022_2025.csv"
    reader = read_ercot_dam_spp_wide
    dtypes = ISO_PRICE_DTYPES
    key = ISO_KEY
    sort_by = ISO_ORDER
    bad_column = "HB_WEST"


class TestErcotDamAncillary(AdapterContract):
    data_file = "power/ercot_dam_as_mcpc_hourly_2022_2025.csv"
    reader = read_ercot_dam_as_mcpc
    dtypes = ISO_PRICE_DTYPES
    key = ISO_KEY
    sort_by = ISO_ORDER
    bad_column = "REGUP"


class TestErcotRtmNp6905(AdapterContract):
    data_file = "power/ercot_rtm_spp_15min_hubs_2024_2025_selected_months.csv"
    reader = read_ercot_rtm_spp_np6905
    dtypes = ISO_PRICE_DTYPES
    key = ISO_KEY
    sort_by = ISO_ORDER
    bad_column = "spp_usd_mwh"


class TestErcotRtmWideUtc(AdapterContract):
    data_file = "power/ercot_rtm_spp_15min_hubs_2023.csv"
    reader = read_ercot_rtm_spp_wide_utc
    dtypes = ISO_PRICE_DTYPES
    key = ISO_KEY
    sort_by = ISO_ORDER
    bad_column = "HB_WEST"


class TestErcotLoadZonePairs(AdapterContract):
    data_file = "power/ercot_rtm_spp_15min_lz_pairs_2023.parquet"
    reader = read_ercot_lz_pairs
    dtypes = ISO_PRICE_DTYPES
    key = ISO_KEY
    sort_by = ISO_ORDER
    bad_column = "spp_hi_usd_mwh"


class TestErcotScedLmp(AdapterContract):
    data_file = "power/ercot_rt_sced_lmp_5min_hubs_2024_2025.parquet"
    reader = read_ercot_sced_lmp_5min
    dtypes = ISO_PRICE_DTYPES
    key = ISO_KEY
    sort_by = ISO_ORDER
    bad_column = "lmp_usd_mwh"


class TestGridstatusHubAverageRealTime(AdapterContract):
    data_file = "power/ercot_rt_spp_15min_hb_hubavg_2024_2025.parquet"
    reader = read_gridstatus_hubavg
    dtypes = ISO_PRICE_DTYPES
    key = ISO_KEY
    sort_by = ISO_ORDER
    bad_column = "price_usd_per_mwh"


class TestGridstatusHubAverageDayAhead(AdapterContract):
    data_file = "power/ercot_da_spp_hourly_hb_hubavg_2024_2025.parquet"
    reader = read_gridstatus_hubavg
    dtypes = ISO_PRICE_DTYPES
    key = ISO_KEY
    sort_by = ISO_ORDER
    bad_column = "price_usd_per_mwh"


# --- markets beyond ERCOT: EIA (one class per market: one reader each), PJM, Nord Pool -------------


class TestEiaMiso(AdapterContract):
    data_file = "markets/miso/miso_lmp_rt_hr_hubs_2021.csv"
    reader = EIA_READERS["MISO"]
    dtypes = ISO_PRICE_DTYPES
    key = ISO_KEY
    sort_by = ISO_ORDER
    bad_column = "Indiana Hub LMP"
    header_line = 4  # three preamble lines
    bad_line = 6


class TestEiaNyiso(AdapterContract):
    data_file = "markets/nyiso/nyiso_lmp_rt_hr_zones_2021.csv"
    reader = EIA_READERS["NYISO"]
    dtypes = ISO_PRICE_DTYPES
    key = ISO_KEY
    sort_by = ISO_ORDER
    bad_column = "J - New York City LMP"
    header_line = 4
    bad_line = 7


class TestEiaIsone(AdapterContract):
    data_file = "markets/isone/isone_lmp_rt_hr_hubs_2021.csv"
    reader = EIA_READERS["ISONE"]
    dtypes = ISO_PRICE_DTYPES
    key = ISO_KEY
    sort_by = ISO_ORDER
    bad_column = "Internal Hub LMP"
    header_line = 4
    bad_line = 5


class TestEiaSppTrimmed(AdapterContract):
    data_file = "markets/spp/spp_lmp_rt_5min_hubs_2022Q1_LMPonly.csv"
    reader = EIA_READERS["SPP"]
    dtypes = ISO_PRICE_DTYPES
    key = ISO_KEY
    sort_by = ISO_ORDER
    bad_column = "South Hub LMP"


class TestEiaCaisoTrimmed(AdapterContract):
    data_file = "markets/caiso/caiso_lmp_rt_15min_zones_2021Q1_LMPonly.csv"
    reader = EIA_READERS["CAISO"]
    dtypes = ISO_PRICE_DTYPES
    key = ISO_KEY
    sort_by = ISO_ORDER
    bad_column = "SP-15 LMP"


class TestPjmDataMiner(AdapterContract):
    data_file = "markets/pjm/pjm_rto_rt_hrl_lmps_2024.csv"
    reader = read_pjm_lmps
    dtypes = ISO_PRICE_DTYPES
    key = ISO_KEY
    sort_by = ISO_ORDER
    bad_column = "total_lmp_rt"


class TestNordicDayAhead(AdapterContract):
    data_file = "markets/nordic/SE1/2021.csv"
    reader = read_nordic_dayahead
    dtypes = EUR_PRICE_DTYPES
    key = ISO_KEY
    sort_by = ISO_ORDER
    bad_column = "EUR_per_kWh"
    copy_parents = 1  # the zone folder names the zone


class TestEnerginetElspot(AdapterContract):
    data_file = "markets/nordic/energinet_Elspotprices_SE3_SE4_2023_2024.csv"
    reader = read_energinet_elspot
    dtypes = EUR_PRICE_DTYPES
    key = ISO_KEY
    sort_by = ISO_ORDER
    bad_column = "SpotPriceEUR"
    delimiter = ";"


# --- FX, ERCOT load and 4CP -----------------------------------------------------------------------


class TestEcbRates(AdapterContract):
    data_file = "fx/ecb_eurofxref_hist_1999-01-04_2025-05-09.csv"
    reader = read_ecb_rates
    dtypes = FX_DTYPES
    key = ("currency", "date")
    bad_column = "USD"


class TestErcotNativeLoad(AdapterContract):
    data_file = "power/ercot_native_load_hourly_2023.csv"
    reader = read_ercot_native_load
    dtypes = LOAD_DTYPES
    key = ("zone", "interval_start_utc")
    bad_column = "NCENT"


class TestErcot4cp(AdapterContract):
    data_file = "power/ercot_4cp_intervals_2022_2025.csv"
    reader = read_ercot_4cp
    dtypes = CP4_DTYPES
    key = ("year", "month")
    bad_column = "total_4cp_mw"


def test_every_registry_reader_has_a_contract_class() -> None:
    covered = {cls.reader for cls in AdapterContract.__subclasses__()}
    missing = sorted(
        f"{name} ({spec.reader})"
        for name, spec in KNOWN_FILES.items()
        if not spec.pending and spec.load_reader() not in covered
    )
    assert not missing, f"readers without an AdapterContract subclass (add one in this file): {missing}"
