"""What the server checks before it reads a request body: the write token and the allowed hosts.

FastAPI reads and parses a request's body (for an upload: spools the whole file to disk) before it
runs the endpoint's dependencies, so a token check written as a dependency comes too late: a client
without a token could make the server store a gigabyte before the 401. :class:`WriteAuthMiddleware`
answers 401 for a write endpoint from the headers alone, without receiving one byte of the body
(the connection is then closed instead of the rest being read).

Any response sent before its request's body was read to the end (a 401, a 413) carries
``Connection: close`` (:class:`CloseUnreadMiddleware`, the outermost layer), so the server drops
the connection instead of reading and discarding the rest of a gigabyte.

Body sizes are bounded by FastAPI's own limit (``FastAPI(max_body_size=...)`` and the route's
``max_body_size``): a ``Content-Length`` over the limit is refused before the body is read, and a
chunked body is counted while it streams and refused with 413 as soon as it passes the limit.

The allowed hosts (``WATTSHIFT_ALLOWED_HOSTS``, or ``wattshift serve --allowed-hosts``) go to
Starlette's :class:`~starlette.middleware.trustedhost.TrustedHostMiddleware`.
"""

from __future__ import annotations

import json
import os
import secrets

from starlette.types import ASGIApp, Message, Receive, Scope, Send

#: Environment variable: comma-separated host names the server answers to (default: any).
ALLOWED_HOSTS_ENV = "WATTSHIFT_ALLOWED_HOSTS"

#: (method, path) of the endpoints that need the API token.
WRITE_ENDPOINTS: frozenset[tuple[str, str]] = frozenset({("POST", "/api/data/ingest")})


def allowed_hosts(explicit: list[str] | None = None) -> list[str] | None:
    """The allowed host names: ``explicit``, else ``$WATTSHIFT_ALLOWED_HOSTS`` split at commas.

    Returns
    -------
    list of str or None
        None when neither is set (every host is answered, the default for loopback use).
        Patterns as Starlette takes them (``example.com``, ``*.example.com``).
    """
    if explicit:
        hosts = [h.strip() for h in explicit if h.strip()]
    else:
        hosts = [h.strip() for h in os.environ.get(ALLOWED_HOSTS_ENV, "").split(",") if h.strip()]
    return hosts or None


def _bearer(scope: Scope) -> str | None:
    """The bearer token of the request's ``Authorization`` header, or None."""
    for name, value in scope.get("headers", ()):
        if name == b"authorization":
            text: str = bytes(value).decode("latin-1")
            scheme, _, credentials = text.partition(" ")
            if scheme.lower() == "bearer" and credentials.strip():
                return credentials.strip()
    return None


class WriteAuthMiddleware:
    """401 for a write endpoint without the right token, decided before any body byte is read.

    The expected token is ``scope["app"].state.api_token`` (set by
    :func:`wattshift.api.app.create_app`); the comparison is constant-time.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or (scope["method"], scope["path"]) not in WRITE_ENDPOINTS:
            await self.app(scope, receive, send)
            return
        expected: str = scope["app"].state.api_token
        given = _bearer(scope)
        if given is not None and secrets.compare_digest(given.encode(), expected.encode()):
            await self.app(scope, receive, send)
            return
        detail = (
            "missing API token: send 'Authorization: Bearer <token>'"
            if given is None
            else "invalid API token"
        )
        body = json.dumps({"detail": detail}).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 401,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"www-authenticate", b"Bearer"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


_CLOSE = (b"connection", b"close")


def _announces_body(scope: Scope) -> bool:
    """Whether the request has a body (a non-zero ``Content-Length`` or a transfer encoding)."""
    for name, value in scope.get("headers", ()):
        if name == b"transfer-encoding" or (name == b"content-length" and value.strip() not in (b"", b"0")):
            return True
    return False


class CloseUnreadMiddleware:
    """``Connection: close`` on a response sent before the request body was read to its end.

    Without it, uvicorn keeps the connection alive and reads (and discards) the rest of the body
    before the next request: a refused 1 GiB upload would still cost the server 1 GiB of reading.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not _announces_body(scope):
            await self.app(scope, receive, send)
            return
        body_done = False

        async def tracking_receive() -> Message:
            nonlocal body_done
            message = await receive()
            if message["type"] == "http.disconnect" or not message.get("more_body", False):
                body_done = True
            return message

        async def closing_send(message: Message) -> None:
            if message["type"] == "http.response.start" and not body_done:
                headers = list(message.get("headers", []))
                if _CLOSE not in headers:
                    message = {**message, "headers": [*headers, _CLOSE]}
            await send(message)

        await self.app(scope, tracking_receive, closing_send)
