"""``wattshift serve``: the HTTP API and the dashboard on one uvicorn server."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from wattshift.cli._common import DbOption, err, friendly_errors


def register(app: typer.Typer) -> None:
    """Add the ``serve`` command to ``app``."""
    app.command("serve")(friendly_errors(serve))


@friendly_errors
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=0, max=65535, help="TCP port (0 = any free port).")] = 8000,
    db: DbOption = None,
    log_level: Annotated[str, typer.Option(help="uvicorn log level.")] = "info",
    schedule: Annotated[
        Path | None, typer.Option("--schedule", help="Schedule TOML: jobs run while serving (APScheduler).")
    ] = None,
) -> None:
    """Serve the JSON API (OpenAPI at /docs) and the dashboard (at /).

    Write endpoints need `Authorization: Bearer <token>`: the token is $WATTSHIFT_API_TOKEN, or a
    random one printed here at start.
    """
    import uvicorn

    from wattshift.api import create_app

    api = create_app(db)
    if api.state.api_token_generated:
        err.print(
            f"API token for POST /api/data/ingest (set WATTSHIFT_API_TOKEN to choose one): "
            f"[bold]{api.state.api_token}[/]",
            highlight=False,
            soft_wrap=True,
        )
    err.print(f"warehouse: {api.state.warehouse.db_path}", highlight=False, soft_wrap=True)
    if port:  # with port 0 uvicorn's own "running on" line gives the port it picked
        base = f"http://{host}:{port}"
        err.print(f"dashboard: {base}/   API docs: {base}/docs", highlight=False, soft_wrap=True)
    if schedule is None:
        uvicorn.run(api, host=host, port=port, log_level=log_level)
        return
    from wattshift.services.schedule import start

    with start(schedule, api.state.warehouse) as scheduler:
        for job in scheduler.get_jobs():
            err.print(f"scheduled: {job.name}: {job.trigger}", highlight=False, soft_wrap=True)
        uvicorn.run(api, host=host, port=port, log_level=log_level)
