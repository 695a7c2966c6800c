"""The version of the warehouse layout (in its own module: the light reader needs it without pandas)."""

from __future__ import annotations

from typing import Final

#: Bumped whenever a table changes; a warehouse written by another version must be rebuilt.
SCHEMA_VERSION: Final[int] = 2
