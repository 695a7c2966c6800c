"""Run the app on a real uvicorn server in a background thread (load benchmark, browser tests)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn
from fastapi import FastAPI


@contextmanager
def serve_in_background(
    app: FastAPI, *, host: str = "127.0.0.1", port: int = 0, startup_timeout_s: float = 20.0
) -> Iterator[str]:
    """Serve ``app`` with uvicorn in a daemon thread; yield its base URL; stop it on exit.

    Parameters
    ----------
    app
        The application.
    host
        Interface [loopback by default].
    port
        TCP port; 0 picks a free one (the URL yielded has the real port).
    startup_timeout_s
        How long to wait for the server to accept connections [s].

    Raises
    ------
    RuntimeError
        If the server did not start within ``startup_timeout_s``.
    """
    config = uvicorn.Config(app, host=host, port=port, log_level="warning", access_log=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="wattshift-uvicorn", daemon=True)
    thread.start()
    deadline = time.monotonic() + startup_timeout_s
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            raise RuntimeError(f"uvicorn did not start on {host}:{port}")
        time.sleep(0.02)
    sock: socket.socket = server.servers[0].sockets[0]
    bound_port = sock.getsockname()[1]
    try:
        yield f"http://{host}:{bound_port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
