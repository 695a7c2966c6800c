"""Canonical frame layouts shared by the adapters, the warehouse and the engines.

Adapters return these columns (in this order, extra columns are not allowed); the warehouse
stores them; engines take them. Units are in the names.
"""

from __future__ import annotations

#: One row per UTC calendar day of Bitcoin network and market data (Coin Metrics).
#: ``date`` is ``datetime64[ns]`` at midnight (naive, meaning UTC day); the rest are float64 (NaN = missing).
BTC_DAILY_COLUMNS: tuple[str, ...] = (
    "date",
    "price_usd",  # PriceUSD
    "market_cap_usd",  # CapMrktCurUSD
    "realized_cap_usd",  # CapMrktCurUSD / CapMVRVCur (legacy: CapRealUSD)
    "mvrv",  # CapMVRVCur
    "hashrate_ehs",  # HashRate [TH/s] / 1e6
    "difficulty",  # HashRate*1e12*86400/(BlkCnt*2**32) (legacy: DiffMean)
    "blocks",  # BlkCnt
    "issuance_btc",  # IssTotNtv (block subsidy only)
    "issuance_usd",  # IssTotUSD
    "fees_btc",  # FeeTotNtv
    "fees_usd",  # FeeTotNtv * PriceUSD (legacy: FeeTotUSD)
    "revenue_usd",  # IssTotUSD + fees_usd
    "supply_btc",  # SplyCur
    "tx_count",  # TxCnt
    "active_addresses",  # AdrActCnt
)

#: alternative.me Crypto Fear & Greed Index, one row per day.
FEAR_GREED_COLUMNS: tuple[str, ...] = ("date", "value", "classification")

#: One row per (iso, node, market, interval). ``interval_start_utc`` is tz-aware UTC.
#: Markets: ``rt`` real-time settlement price, ``da`` day-ahead, ``rt_lmp`` SCED LMP (no adders),
#: ``da_as`` day-ahead ancillary clearing price (node = product: REGUP, REGDN, RRS, NSPIN, ECRS;
#: unit USD per MW per hour, stored in ``price_usd_per_mwh``).
ISO_PRICE_COLUMNS: tuple[str, ...] = (
    "iso",
    "node",
    "market",
    "interval_start_utc",
    "interval_minutes",
    "price_usd_per_mwh",
)

#: ASIC catalogue.
ASIC_COLUMNS: tuple[str, ...] = (
    "model",
    "vendor",
    "hashrate_ths",
    "power_w",
    "efficiency_j_per_th",
    "release",
    "source",
)

#: Price validation bounds [USD/MWh]. ERCOT's offer cap is 5,000 USD/MWh, but real-time settlement
#: prices carry adders on top (HB_WEST reached 5,236.81 on 2023-08-17) and the floor is -250 before
#: adders; outside these bounds a value is taken to be a unit or parsing error.
PRICE_MIN_USD_PER_MWH = -1_000.0
PRICE_MAX_USD_PER_MWH = 10_000.0
