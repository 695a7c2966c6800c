"""Errors raised by wattshift, with enough context for a user to fix their input.

Every error a user can cause derives from :class:`WattshiftError`; the CLI and the API turn
them into a one-line message (CLI: the class's :attr:`~WattshiftError.exit_code`, HTTP 4xx/503)
instead of a stack trace.

Exit codes of the ``wattshift`` command (:class:`ExitCode`, also in ``wattshift --help`` and the
README):

===  ==========================================================================================
0    success
1    internal error (a bug: the message says so; no traceback unless ``WATTSHIFT_DEBUG=1``)
2    usage error (unknown option, bad option value: Click's own code)
3    bad input: a data file, site config or argument that cannot be used as it is, or an
     ingest that would shrink stored history (refused without ``--replace``)
4    data not in the warehouse (no warehouse file, or the day/node/span asked for is not held)
5    network error (a download failed)
6    warehouse busy (another writer held it past the ``--wait`` timeout)
===  ==========================================================================================
"""

from __future__ import annotations

import enum
from pathlib import Path
from typing import ClassVar


class ExitCode(enum.IntEnum):
    """Process exit codes of the ``wattshift`` command (see the module table)."""

    OK = 0
    INTERNAL = 1
    USAGE = 2
    BAD_INPUT = 3
    NOT_IN_WAREHOUSE = 4
    NETWORK = 5
    BUSY = 6


class WattshiftError(Exception):
    """Base class of every error caused by user input or user data."""

    #: Exit code of the CLI when this error ends a command.
    exit_code: ClassVar[ExitCode] = ExitCode.BAD_INPUT


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
    offset
        0-based byte offset in the file, when known (decoding errors).
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | Path | None = None,
        line: int | None = None,
        column: str | None = None,
        offset: int | None = None,
    ) -> None:
        self.reason = message
        self.file = str(file) if file is not None else None
        self.line = line
        self.column = column
        self.offset = offset
        super().__init__(self._format())

    def _format(self) -> str:
        where = []
        if self.file is not None:
            where.append(self.file)
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.offset is not None:
            where.append(f"byte offset {self.offset}")
        if self.column is not None:
            where.append(f"column {self.column!r}")
        prefix = ", ".join(where)
        return f"{prefix}: {self.reason}" if prefix else self.reason

    def with_file(self, file: str | Path) -> DataError:
        """Return a copy of this error that names ``file`` (used when a buffer came from a file)."""
        return type(self)(self.reason, file=file, line=self.line, column=self.column, offset=self.offset)


class HistoryShrinkError(DataError):
    """A new version of a file lacks rows its earlier version stored; refused without ``replace``.

    The message names the table, the number of rows and the span (first and last key) that the
    ingest would delete. See :mod:`wattshift.warehouse.history` for the rule.
    """


class ConfigError(WattshiftError):
    """A site or grid configuration that is invalid; the message names the field."""


class NotInWarehouseError(WattshiftError):
    """Requested data (a date, node or span) is not in the warehouse; the message says what is."""

    exit_code: ClassVar[ExitCode] = ExitCode.NOT_IN_WAREHOUSE


class NetworkError(WattshiftError):
    """A download failed (connection, HTTP status, timeout); the message names the URL."""

    exit_code: ClassVar[ExitCode] = ExitCode.NETWORK


class WarehouseBusyError(WattshiftError):
    """Another process held the warehouse for longer than the caller was willing to wait."""

    exit_code: ClassVar[ExitCode] = ExitCode.BUSY
