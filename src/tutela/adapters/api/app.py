"""create_app(settings): the REST API, with its security headers and one error shape.
OpenAPI at /api/openapi.json, docs at /api/docs."""

from __future__ import annotations

import gc
import logging
import os
import re
import socket
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tutela.adapters import scan_worker
from tutela.adapters.api import errors
from tutela.adapters.api.routes import admin, audit, consent, customers, imports, people, retention, returns, scans
from tutela.adapters.api.routes import requests as subject_requests
from tutela.adapters.api.routes import shopify_webhooks as shopify
from tutela.adapters.sources.location_runner import runner_for
from tutela.core.actor import SYSTEM
from tutela.core.clock import Clock, SystemClock
from tutela.core.settings import Settings
from tutela.core.storage.wal_checkpointer import WalCheckpointer
from tutela.services import importing, scanning, scheduler
from tutela.services.context import Context
from tutela.services.store import open_store

REQUEST_LOG = logging.getLogger("tutela.requests")

SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}


_SECRET_PATHS = re.compile(r"^(/p/[a-z]+/|/console/setup/)[^/]+")


def loggable_path(path: str) -> str:
    """The request path for the log, with any key it carries (a signed link, a one-time code) cut off."""
    return _SECRET_PATHS.sub(r"\1…", path)


class HeadersAndLog:
    """Security headers on every response and one log line per request. Plain ASGI rather than
    @app.middleware("http"): that wrapper runs each request in a task group of its own, which
    costs a fifth of a one-click unsubscribe."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500
        https = scope.get("scheme") == "https"

        async def send_with_headers(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    if name not in headers:
                        headers[name] = value
                if https and "strict-transport-security" not in headers:
                    headers["Strict-Transport-Security"] = "max-age=63072000; includeSubDomains"
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        finally:
            # The path only: query strings carry e-mail addresses and phone numbers; headers
            # carry tokens. Customer ids in paths are pseudonymous; a customer's link token or a
            # setup code in a path is a key, so it is cut off.
            REQUEST_LOG.info("%s %s %d %.1fms", scope["method"], loggable_path(scope["path"]), status,
                             (time.perf_counter() - started) * 1000)  # fmt: skip


def create_app(
    settings: Settings, *, clock: Clock | None = None, context: Context | None = None, run_jobs: bool = False
) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        ctx = context or open_store(settings, clock or SystemClock(), actor=SYSTEM)
        app.state.tutela = ctx
        app.state.import_workers = []
        app.state.scan_workers = []
        app.state.scan_runner_for = runner_for
        holder = f"{socket.gethostname()}:{os.getpid()}"
        ticker = scheduler.Ticker(ctx, scheduler.default_jobs(ctx.settings), holder=holder)
        # Scheduled scans tick on their own thread: a scan of a large share may take hours,
        # and retention, consent lapses and the outbox must not wait for it.
        scan_ticker = scheduler.Ticker(ctx, [scanning.scan_job(runner_for)], holder=holder)
        checkpointer: WalCheckpointer | None = None
        if run_jobs:
            # Everything loaded so far (the app, the policy, the keys, the libraries) lives as
            # long as the server: moved out of the collector's reach, a full collection no
            # longer walks it, which would stall every request in flight for tens of ms.
            gc.collect()
            gc.freeze()
            if WalCheckpointer.wanted(ctx.engine):
                checkpointer = WalCheckpointer(ctx.engine)
                checkpointer.start()
            ticker.start()
            scan_ticker.start()
            resumed = importing.resume_uploads(ctx, actor=SYSTEM)
            app.state.import_workers += [job.worker for job in resumed if job.worker is not None]
        try:
            yield
        finally:
            ticker.stop()
            scan_ticker.stop()
            if checkpointer is not None:
                checkpointer.stop()
            # A scan cut short stays "running" until it is stale (scanning.STALE_RUN); then a
            # new one may start.
            scan_worker.join_all(app.state, timeout=5)
            for worker in app.state.import_workers:
                # An unfinished import is safe to leave: its next run resumes from the last checkpoint.
                worker.join(timeout=30)
            if context is None:
                ctx.close()

    app = FastAPI(
        title="Tutela",
        summary="Customer data kept private and provably compliant (Amazon DPP/AUP, GDPR, CCPA).",
        version="0.1.0",
        openapi_url="/api/openapi.json",
        docs_url="/api/docs",
        redoc_url=None,
        lifespan=lifespan,
    )
    errors.install(app)
    for module in (
        customers, imports, audit, admin, people, retention, returns, consent, subject_requests, shopify, scans,
    ):  # fmt: skip
        app.include_router(module.router)

    app.add_middleware(HeadersAndLog)

    @app.get("/api/v1/health", tags=["health"])
    def health() -> dict[str, str]:
        return {"status": "ok"}

    return app
