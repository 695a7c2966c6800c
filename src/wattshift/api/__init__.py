"""HTTP API (FastAPI) over the service layer; the dashboard is served by the same app."""

from wattshift.api.app import create_app

__all__ = ["create_app"]
