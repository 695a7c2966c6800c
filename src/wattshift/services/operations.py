"""Operations records for the edges: the fleet audit, the alert log and scheduled job runs.

The tables live in :mod:`wattshift.warehouse.operations` (the only SQL); the CLI and the API read
them through this module, as they read everything else through the services.
"""

from __future__ import annotations

from wattshift.warehouse.operations import recent as recent

__all__ = ["recent"]
