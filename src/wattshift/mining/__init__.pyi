"""Public names of :mod:`wattshift.mining`, imported on first use (``lazy_loader.attach_stub``)."""

from .cost import (
    CostAssumptions as CostAssumptions,
)
from .cost import (
    all_in_cost_usd_per_btc as all_in_cost_usd_per_btc,
)
from .cost import (
    cash_breakeven_price_usd as cash_breakeven_price_usd,
)
from .cost import (
    cost_components_usd_per_btc as cost_components_usd_per_btc,
)
from .cost import (
    energy_cost_usd_per_btc as energy_cost_usd_per_btc,
)
from .cost import (
    energy_kwh_per_btc as energy_kwh_per_btc,
)
from .cost import (
    energy_kwh_per_btc_from_difficulty as energy_kwh_per_btc_from_difficulty,
)
from .economics import (
    ECONOMICS_VALUE_KEYS as ECONOMICS_VALUE_KEYS,
)
from .economics import (
    economics_values as economics_values,
)
from .fleet import (
    FleetTotals as FleetTotals,
)
from .fleet import (
    fleet_efficiency_j_per_th as fleet_efficiency_j_per_th,
)
from .fleet import (
    fleet_totals as fleet_totals,
)
from .frame import (
    ECONOMICS_COLUMNS as ECONOMICS_COLUMNS,
)
from .frame import (
    economics_frame as economics_frame,
)
from .frame import (
    hashprice_realised_usd_per_ph_day as hashprice_realised_usd_per_ph_day,
)
from .frame import (
    hashprice_source as hashprice_source,
)
from .frame import (
    hashprice_usd_per_th_day as hashprice_usd_per_th_day,
)
from .frame import (
    network_btc_per_th_day as network_btc_per_th_day,
)
from .hashprice import (
    breakeven_power_usd_per_kwh as breakeven_power_usd_per_kwh,
)
from .hashprice import (
    btc_per_th_day as btc_per_th_day,
)
from .hashprice import (
    btc_per_th_day_realised as btc_per_th_day_realised,
)
from .hashprice import (
    hashprice_usd_per_th_day_from as hashprice_usd_per_th_day_from,
)
from .hashprice import (
    mining_value_usd_per_mwh as mining_value_usd_per_mwh,
)
