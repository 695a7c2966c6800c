"""Public names of :mod:`wattshift.warehouse`, imported on first use (``lazy_loader.attach_stub``)."""

from .core import (
    Warehouse as Warehouse,
)
from .results import (
    IngestResult as IngestResult,
)
from .results import (
    Progress as Progress,
)
from .version import (
    SCHEMA_VERSION as SCHEMA_VERSION,
)
