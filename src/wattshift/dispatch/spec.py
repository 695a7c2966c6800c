"""What the dispatch engines know about a site: frozen arrays and scalars, no pydantic, no I/O.

The services turn a loaded :class:`~wattshift.config.SiteConfig` and its resolved fleets into one
:class:`SiteSpec` (:func:`wattshift.services.dispatch.site_spec`); the problem builder, the solvers,
the settlement and the backtest take the spec. Per-fleet facts are arrays of shape (K,) in fleet
order; a missing ramp limit is ``inf``; absent parts (GPU, reserves, peak charges) are ``None``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class FleetSpec:
    """ASIC fleets as arrays (K fleets).

    Attributes
    ----------
    names
        Fleet labels (K,).
    power_mw
        Fleet power M (K,) [MW].
    efficiency_j_per_th
        Fleet efficiency (K,) [J/TH].
    ramp_mw_per_min
        Largest change of load per minute (K,) [MW/min]; inf = unlimited.
    min_on_minutes, min_off_minutes
        Minimum up / down time (K,) [min].
    min_load_fraction
        Smallest load while energised (K,) [share of M].
    """

    names: tuple[str, ...]
    power_mw: FloatArray
    efficiency_j_per_th: FloatArray
    ramp_mw_per_min: FloatArray
    min_on_minutes: FloatArray
    min_off_minutes: FloatArray
    min_load_fraction: FloatArray

    @property
    def n(self) -> int:
        """Number of fleets K."""
        return len(self.names)


@dataclass(frozen=True)
class GpuSpec:
    """GPU cluster: capacity, firm load, AI value of a MWh and its capital cost.

    Attributes
    ----------
    capacity_mw, firm_mw
        GPU power G and firm (SLA or colocation tenant) load G_firm [MW].
    ai_value_usd_per_mwh
        Gross AI revenue of one MWh [USD/MWh].
    min_energy_mwh_per_day
        Least GPU energy per day [MWh].
    capital_cost_usd_per_hour
        Cost of owning the cluster per hour, whatever it runs [USD/h]; 0 for a colocation tenant's
        hardware or when not given.
    """

    capacity_mw: float
    firm_mw: float
    ai_value_usd_per_mwh: float
    min_energy_mwh_per_day: float = 0.0
    capital_cost_usd_per_hour: float = 0.0


@dataclass(frozen=True)
class ReserveSpec:
    """Ancillary products offered by curtailable load.

    Attributes
    ----------
    products
        ERCOT product names (R,), e.g. ``("RRS", "ECRS")``.
    is_up
        Whether each product is provided by reducing load (R,).
    max_mw
        Cap on the sum of offers [MW].
    deployment_share
        Share of each awarded hour the load is deployed (curtailed) [unitless].
    """

    products: tuple[str, ...]
    is_up: BoolArray
    max_mw: float
    deployment_share: float = 0.0


@dataclass(frozen=True)
class PeakSpec:
    """Transmission peak charge (ERCOT 4CP).

    Attributes
    ----------
    rate_usd_per_mw_month
        Charge per MW of the site's load at each month's peak [USD/MW] (annual rate / months).
    months
        Calendar months charged (1-12).
    rule
        ``"ercot_4cp"`` (ERCOT's published intervals), ``"given"`` (peak intervals listed) or
        ``"top_price"`` (highest-price intervals).
    peaks_utc
        Given peak interval starts, UTC.
    intervals_per_month
        Candidates per month under ``top_price``.
    missing_years
        Under ``ercot_4cp``, a year without published intervals: ``"error"`` or ``"top_price"``.
    alert_threshold_pct, alert_window_local_hours
        The 4CP-day rule (:class:`wattshift.dispatch.cp4.AlertRule`) [%], [local h].
    alert_hit_probability
        Chance an alert day holds the month's 4CP interval [unitless]: the weight of its charge.
    """

    rate_usd_per_mw_month: float
    months: tuple[int, ...]
    rule: str
    peaks_utc: tuple[dt.datetime, ...] = ()
    intervals_per_month: int = 8
    missing_years: str = "error"
    alert_threshold_pct: float = 3.0
    alert_window_local_hours: tuple[int, int] = (15, 18)
    alert_hit_probability: float = 4 / 76


@dataclass(frozen=True)
class SiteSpec:
    """A site as the dispatch engines see it.

    Attributes
    ----------
    name
        Site label.
    interconnect_mw, aux_mw
        Interconnect limit P and auxiliary load [MW].
    fleets
        ASIC fleets.
    gpu
        GPU cluster, or None.
    block_mw, block_price_usd_per_mwh
        Fixed-price block Q [MW] and price K [USD/MWh]; 0 for an index contract.
    reserves
        Ancillary offers, or None.
    peak
        Peak charges, or None.
    max_energy_mwh_per_day
        Site energy cap per day [MWh]; inf = none.
    pool_fee
        Mining pool fee [share of revenue].
    day_ahead_purchase
        Whether the planned load above the block is bought day-ahead (deviations settle real-time).
    """

    name: str
    interconnect_mw: float
    fleets: FleetSpec
    aux_mw: float = 0.0
    gpu: GpuSpec | None = None
    block_mw: float = 0.0
    block_price_usd_per_mwh: float = 0.0
    reserves: ReserveSpec | None = None
    peak: PeakSpec | None = None
    max_energy_mwh_per_day: float = float("inf")
    pool_fee: float = 0.0
    day_ahead_purchase: bool = False

    @property
    def n_products(self) -> int:
        """Number of reserve products R."""
        return 0 if self.reserves is None else len(self.reserves.products)

    @property
    def gpu_capacity_mw(self) -> float:
        """GPU power [MW], 0 without GPUs."""
        return 0.0 if self.gpu is None else self.gpu.capacity_mw

    @property
    def deliverable_mw(self) -> float:
        """Most power the loads can draw: min(Σ M + G, P − aux) [MW]."""
        equipment_mw = float(self.fleets.power_mw.sum()) + self.gpu_capacity_mw
        return min(equipment_mw, self.interconnect_mw - self.aux_mw)
