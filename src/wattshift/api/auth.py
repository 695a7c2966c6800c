"""Bearer-token protection of the write endpoints (``POST /api/data/ingest``).

The token comes from ``create_app(token=...)``, else ``$WATTSHIFT_API_TOKEN``, else a random one
generated at start (``wattshift serve`` prints it). Reads need no token.
"""

from __future__ import annotations

import os
import secrets
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

#: Environment variable holding the API token.
TOKEN_ENV = "WATTSHIFT_API_TOKEN"

_bearer = HTTPBearer(auto_error=False, description="API token (`WATTSHIFT_API_TOKEN`, or printed at start)")


def resolve_token(explicit: str | None = None) -> tuple[str, bool]:
    """The API token and whether it was generated here.

    Parameters
    ----------
    explicit
        Token given by the caller; wins over the environment.

    Returns
    -------
    tuple of (str, bool)
        The token, and ``True`` when neither ``explicit`` nor ``$WATTSHIFT_API_TOKEN`` was set and a
        fresh random token (32 bytes, URL-safe) was generated.
    """
    if explicit:
        return explicit, False
    from_env = os.environ.get(TOKEN_ENV, "").strip()
    if from_env:
        return from_env, False
    return secrets.token_urlsafe(32), True


def require_token(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> None:
    """FastAPI dependency: 401 unless the request carries ``Authorization: Bearer <token>``.

    The comparison is constant-time (:func:`secrets.compare_digest`).
    """
    expected: str = request.app.state.api_token
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise HTTPException(
            status_code=401,
            detail="missing API token: send 'Authorization: Bearer <token>'",
            headers={"WWW-Authenticate": "Bearer"},
        )
    if not secrets.compare_digest(credentials.credentials.encode(), expected.encode()):
        raise HTTPException(
            status_code=401, detail="invalid API token", headers={"WWW-Authenticate": "Bearer"}
        )
