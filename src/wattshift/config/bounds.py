"""Physical bounds of configuration values, each with its source.

A value outside them is a slip (kW for MW, USD/MWh for USD/kWh, a misplaced zero), not a site: the
site models (:mod:`wattshift.config.site`) and the mining services reject it with an error naming the
field. The bounds are wide on purpose: they admit every real site and catch unit mistakes.
"""

from __future__ import annotations

from wattshift.units import HOURS_PER_DAY, MINUTES_PER_HOUR, usd_per_mwh_to_usd_per_kwh

#: Largest power [MW] of a site or a part of one: above the largest US power plant (Grand Coulee,
#: 6,809 MW nameplate, EIA-860 2023); a larger value is a unit slip (kW for MW), not a site.
MAX_POWER_MW = 10_000.0
#: Daily energy bound [MWh/day] of a :data:`MAX_POWER_MW` site running 24 h.
MAX_ENERGY_MWH_PER_DAY = MAX_POWER_MW * HOURS_PER_DAY
#: ASIC efficiency bounds [J/TH]: below the most efficient machine announced (Antminer S23 Hyd,
#: 9.5 J/TH, announced at WDMS 2025, in the shared ASIC catalogue) and above the Antminer S7 (2015:
#: 1,293 W for 4.73 TH/s = 273 J/TH, Bitmain specification), older than the catalogue's oldest
#: machine (Antminer S9, 98 J/TH).
MIN_EFFICIENCY_J_PER_TH = 5.0
MAX_EFFICIENCY_J_PER_TH = 300.0
#: Most machines in one fleet: 3 million S21-class machines (3.5 kW) draw 10,500 MW > MAX_POWER_MW.
MAX_MACHINE_COUNT = 3_000_000
#: Energy price bounds [USD/MWh]: ERCOT's offer floor (-250 USD/MWh) and high system-wide offer cap
#: (5,000 USD/MWh since 2022, PUCT rule 25.505).
MIN_PRICE_USD_PER_MWH = -250.0
MAX_PRICE_USD_PER_MWH = 5_000.0
#: Largest power price [USD/kWh] taken by the mining commands: the ERCOT cap (5 USD/kWh); above it a
#: "USD/kWh" figure is almost surely a USD/MWh one.
MAX_POWER_USD_PER_KWH = usd_per_mwh_to_usd_per_kwh(MAX_PRICE_USD_PER_MWH)
#: Largest AI value of a MWh [USD/MWh]: an H100 rented at 12 USD/GPU-h (top on-demand list price,
#: 2024) on 0.7 kW is ~17,000 USD/MWh; 100,000 leaves room for any accelerator.
MAX_AI_VALUE_USD_PER_MWH = 100_000.0
#: Largest GPU rental price [USD/GPU-h], far above on-demand list prices (2-12 USD/GPU-h, 2024).
MAX_USD_PER_GPU_HOUR = 100.0
#: Largest power per GPU [kW]: a GB200 NVL72 rack draws ~132 kW for 72 GPUs (1.8 kW/GPU, NVIDIA).
MAX_KW_PER_GPU = 20.0
#: Largest transmission peak rate [USD/kW-year]; ERCOT 4CP rates are ~50-70 USD/kW-year (2024 TCOS).
MAX_PEAK_RATE_USD_PER_KW_YEAR = 1_000.0
#: Longest minimum on/off time [min]: one week.
MAX_MIN_ON_OFF_MINUTES = 7 * HOURS_PER_DAY * MINUTES_PER_HOUR
#: Most 15-minute intervals in a month (31 days).
MAX_INTERVALS_PER_MONTH = int(31 * HOURS_PER_DAY * MINUTES_PER_HOUR / 15)
#: Longest lease term accepted [years]: over three times the longest published AI-hosting lease
#: (15 years, the deals example).
MAX_LEASE_TERM_YEARS = 50.0
