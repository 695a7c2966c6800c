"""Start-up of a ``wattshift serve`` (uvicorn) subprocess, for tests and benchmarks on loopback."""

from __future__ import annotations

import re
import time
from typing import IO

#: uvicorn's start-up line, with the address it bound (port 0 lets it pick a free one).
_RUNNING = re.compile(r"Uvicorn running on (http://127\.0\.0\.1:\d+)")


def read_server_url(stderr: IO[str], timeout_s: float) -> tuple[str | None, list[str]]:
    """Read a server's stderr until uvicorn says where it runs.

    Parameters
    ----------
    stderr
        The subprocess's stderr, opened in text mode.
    timeout_s
        Give up after this long [s] (also when the stream ends: the server exited).

    Returns
    -------
    (url, lines) : tuple
        ``http://127.0.0.1:PORT`` or ``None`` if it never came, and the lines read up to it
        (e.g. the API token line printed before).
    """
    lines: list[str] = []
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        line = stderr.readline()
        if not line:
            break
        lines.append(line)
        if match := _RUNNING.search(line):
            return match.group(1), lines
    return None, lines
