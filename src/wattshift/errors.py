"""Errors raised by wattshift, with enough context for a user to fix their input.

Every error a user can cause derives from :class:`WattshiftError`; the CLI and the API turn
them into a one-line message (CLI exit code 2, HTTP 4xx) instead of a stack trace.
"""

from __future__ import annotations

from pathlib import Path


class WattshiftError(Exception):
    """Base class of every error caused by user input or user data."""


class DataError(WattshiftError):
    """A data file or buffer that cannot be read as it is.

    Parameters
    ----------
    message
        What is wrong, in plain words (no file or position: those are added).
    file
        Name or path of the file (or ``"<buffer>"`` for in-memory input).
    line
        1-based line number in the file (the header is line 1), when known.
    column
        Column name (or field) at fault, when known.
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | Path | None = None,
        line: int | None = None,
        column: str | None = None,
    ) -> None:
        self.reason = message
        self.file = str(file) if file is not None else None
        self.line = line
        self.column = column
        super().__init__(self._format())

    def _format(self) -> str:
        where = []
        if self.file is not None:
            where.append(self.file)
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.column is not None:
            where.append(f"column {self.column!r}")
        prefix = ", ".join(where)
        return f"{prefix}: {self.reason}" if prefix else self.reason

    def with_file(self, file: str | Path) -> DataError:
        """Return a copy of this error that names ``file`` (used when a buffer came from a file)."""
        return DataError(self.reason, file=file, line=self.line, column=self.column)


class ConfigError(WattshiftError):
    """A site or grid configuration that is invalid; the message names the field."""


class NotInWarehouseError(WattshiftError):
    """Requested data (a date, node or span) is not in the warehouse; the message says what is."""
