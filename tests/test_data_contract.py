"""Every data adapter passes :class:`~wattshift.testing.adapters.AdapterContract` on its real shared file.

One subclass per reader and layout (a few class attributes each; see the contract's docstring), and
a check that every reader of the registry has one: a new adapter adds its subclass here.
"""

from __future__ import annotations

from wattshift.data.asics import read_asics
from wattshift.data.coinmetrics import read_coinmetrics
from wattshift.data.ercot import (
    read_ercot_dam_as_mcpc,
    read_ercot_dam_spp_wide,
    read_ercot_lz_pairs,
    read_ercot_rtm_spp_np6905,
    read_ercot_rtm_spp_wide_utc,
    read_ercot_sced_lmp_5min,
    read_gridstatus_hubavg,
)
from wattshift.data.feargreed import read_fear_greed
from wattshift.data.gpu import read_gpu_prices
from wattshift.data.registry import KNOWN_FILES
from wattshift.testing import (
    ASIC_DTYPES,
    BTC_DAILY_DTYPES,
    FEAR_GREED_DTYPES,
    GPU_PRICE_DTYPES,
    ISO_PRICE_DTYPES,
)
from wattshift.testing.adapters import AdapterContract

#: The key and order of every ISO price frame.
ISO_KEY = ("iso", "node", "market", "interval_start_utc")
ISO_ORDER = ("node", "interval_start_utc")


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


def test_every_registry_reader_has_a_contract_class() -> None:
    covered = {cls.reader for cls in AdapterContract.__subclasses__()}
    missing = sorted(
        f"{name} ({spec.reader})"
        for name, spec in KNOWN_FILES.items()
        if not spec.pending and spec.load_reader() not in covered
    )
    assert not missing, f"readers without an AdapterContract subclass (add one in this file): {missing}"
