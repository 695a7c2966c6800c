"""``wattshift serve``: the HTTP API and the dashboard on one uvicorn server."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Annotated

import typer

from wattshift.cli._common import DbOption, err, friendly_errors

if TYPE_CHECKING:
    from fastapi import FastAPI

SignalHandler = Callable[[int, FrameType | None], None]

#: Longest wait for open requests after SIGTERM before they are cancelled [s]; long requests and
#: jobs stop at their next step as soon as the signal arrives, so this is rarely reached.
GRACEFUL_SHUTDOWN_S = 3


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
    allowed_hosts: Annotated[
        list[str] | None,
        typer.Option(
            "--allowed-hosts",
            help="Host name the server answers to (repeatable; '*.example.com' allowed); others get "
            "400. Default: $WATTSHIFT_ALLOWED_HOSTS (comma-separated), else any.",
        ),
    ] = None,
) -> None:
    """Serve the JSON API (OpenAPI at /docs) and the dashboard (at /).

    Write endpoints need `Authorization: Bearer <token>`: the token is $WATTSHIFT_API_TOKEN, or a
    random one printed here at start. The warehouse file is opened only for each read, so
    `wattshift data ingest` can run while the server is up; the server picks the new data up.
    SIGTERM stops running jobs and long requests at their next step and exits within seconds.
    """
    import uvicorn

    from wattshift.api import create_app

    api = create_app(db, hosts=allowed_hosts)
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
    config = uvicorn.Config(
        api, host=host, port=port, log_level=log_level, timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_S
    )
    server = uvicorn.Server(config)
    server.handle_exit = _stopping_first(api, server.handle_exit)  # type: ignore[method-assign,assignment]
    if schedule is None:
        server.run()
        return
    from wattshift.services.schedule import start

    with start(schedule, api.state.warehouse) as scheduler:
        for job in scheduler.get_jobs():
            err.print(f"scheduled: {job.name}: {job.trigger}", highlight=False, soft_wrap=True)
        server.run()


def _stopping_first(api: FastAPI, handle_exit: Callable[[int, FrameType | None], None]) -> SignalHandler:
    """uvicorn's exit-signal handler, preceded by :func:`wattshift.api.app.stop` (jobs and long
    requests stop at their next step instead of uvicorn waiting for them).
    """
    from wattshift.api.app import stop

    def handler(sig: int, frame: FrameType | None) -> None:
        stop(api)
        handle_exit(sig, frame)

    return handler
