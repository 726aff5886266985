"""The composition root of `tutela serve`: the REST API and the console in one app. It sits
above the adapters (which never import each other) and is loaded by name by the CLI."""

from __future__ import annotations

import logging

from fastapi import FastAPI

from tutela.adapters.api.app import create_app
from tutela.adapters.web import pages
from tutela.core.clock import Clock, SystemClock
from tutela.core.settings import Settings, load_settings
from tutela.services.context import Context
from tutela.services.staff import first_owner_setup
from tutela.services.store import open_store


def create_server(
    settings: Settings, *, clock: Clock | None = None, context: Context | None = None, run_jobs: bool = False
) -> FastAPI:
    app = create_app(settings, clock=clock, context=context, run_jobs=run_jobs)
    pages.install(app)
    return app


def server_from_environment() -> FastAPI:
    """For `tutela serve` (uvicorn factory): settings from the environment, jobs running,
    one log line per request on standard error (method, path, status, time — nothing else)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    return create_server(load_settings(), run_jobs=True)


def owner_setup_link(settings: Settings, base_url: str) -> str | None:
    """The one-time link for the first owner, while no owner has set up an account."""
    ctx = open_store(settings, SystemClock())
    try:
        setup = first_owner_setup(ctx)
    finally:
        ctx.close()
    return f"{base_url}/console/setup/{setup.setup_token}" if setup else None
