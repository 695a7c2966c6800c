"""Public names of :mod:`wattshift.config`, imported on first use (``lazy_loader.attach_stub``)."""

from ._errors import (
    format_validation_error as format_validation_error,
)
from .site import (
    UP_PRODUCTS as UP_PRODUCTS,
)
from .site import (
    BacktestConfig as BacktestConfig,
)
from .site import (
    ContractConfig as ContractConfig,
)
from .site import (
    Fleet as Fleet,
)
from .site import (
    FleetConfig as FleetConfig,
)
from .site import (
    GpuConfig as GpuConfig,
)
from .site import (
    PeakChargeConfig as PeakChargeConfig,
)
from .site import (
    ReservesConfig as ReservesConfig,
)
from .site import (
    SiteConfig as SiteConfig,
)
from .site import (
    load_site as load_site,
)
from .site import (
    parse_site as parse_site,
)
