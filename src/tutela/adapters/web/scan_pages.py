"""Console: the scans page (owners and privacy officers) — the locations the policy declares,
"Scan now", running scans updating in place, the history; and a run's page with its findings
grouped by location and type (masked previews only) and its reports to download.

A scan runs on a worker thread (tutela.adapters.scan_worker); with JavaScript htmx polls the
live parts every second, without it a running page reloads itself (base.html's <noscript>)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from tutela.adapters import scan_worker
from tutela.adapters.documents.scan_report import (
    HTML_REPORT_CSP,
    MEDIA_TYPES,
    grouped,
    report_of_run,
    run_document,
)
from tutela.adapters.web.admin_pages import officer_form, officer_session
from tutela.adapters.web.pages import render, store_of
from tutela.core.errors import TutelaError
from tutela.core.policy.scan_locations import OWN_STORE
from tutela.services import scanning, sessions
from tutela.services.context import Context

router = APIRouter(prefix="/console", include_in_schema=False)
HISTORY = 50
SHOWN_FINDINGS = 1000  # the page lists the first ones; the reports have every stored finding


def _locations(ctx: Context, runs: list[scanning.RunSummary]) -> list[dict[str, Any]]:
    due = set(scanning.due(ctx))
    latest: dict[str, scanning.RunSummary] = {}
    for run in runs:
        latest.setdefault(run.location, run)
    return [
        {"name": name, "own": name == OWN_STORE, "target": where.target, "every_days": where.every_days,
         "due": name in due, "last": latest.get(name)}
        for name, where in scanning.locations(ctx).items()
    ]  # fmt: skip


def _page(request: Request, session: sessions.Session, *, status_code: int = 200, error: str | None = None) -> Response:
    ctx = store_of(request)
    runs = scanning.history(ctx, limit=HISTORY)
    polling = any(r.status == "running" for r in runs)
    response = render(request, "scans.html", session=session, locations=_locations(ctx, runs), runs=runs,
                      polling=polling, running=polling, error=error)  # fmt: skip
    response.status_code = status_code
    return response


@router.get("/scans", response_class=HTMLResponse)
def scans_page(request: Request) -> Response:
    session = officer_session(request)
    return session if isinstance(session, Response) else _page(request, session)


@router.get("/scans/runs", response_class=HTMLResponse)
def runs_block(request: Request) -> Response:
    """The history table alone, for htmx to poll while a scan runs; once none runs it comes
    back without its polling attributes, and polling stops."""
    session = officer_session(request)
    if isinstance(session, Response):
        return session
    runs = scanning.history(store_of(request), limit=HISTORY)
    return render(request, "_scan_runs.html", runs=runs, polling=any(r.status == "running" for r in runs))


@router.post("/scans", response_class=HTMLResponse)
def scan_now(
    request: Request, location: Annotated[str, Form(max_length=64)], csrf: Annotated[str, Form(max_length=64)]
) -> Response:
    session = officer_form(request, csrf)
    if isinstance(session, Response):
        return session
    try:
        run_id = scan_worker.start(request.app.state, store_of(request), actor=session.actor, name=location)
    except TutelaError as problem:  # not declared, or being scanned already
        return _page(request, session, status_code=409, error=problem.message)
    return RedirectResponse(f"/console/scans/{run_id}", status_code=303)


def _run_values(ctx: Context, run_id: int) -> dict[str, Any] | Response:
    try:
        detail = scanning.detail(ctx, run_id=run_id, limit=SHOWN_FINDINGS)
    except TutelaError as problem:
        return Response(status_code=404, content=problem.message)
    return {
        "run": detail.run, "running": detail.run.status == "running", "stored": detail.stored_findings,
        "groups": grouped(report_of_run(detail).findings), "skipped": detail.skipped, "shown_limit": SHOWN_FINDINGS,
    }  # fmt: skip


@router.get("/scans/{run_id}", response_class=HTMLResponse)
def run_page(request: Request, run_id: int) -> Response:
    session = officer_session(request)
    if isinstance(session, Response):
        return session
    values = _run_values(store_of(request), run_id)
    return values if isinstance(values, Response) else render(request, "scan_run.html", session=session, **values)


@router.get("/scans/{run_id}/live", response_class=HTMLResponse)
def run_block(request: Request, run_id: int) -> Response:
    """The run's block alone, for htmx to poll: progress while it runs, then the findings
    (without polling attributes, so polling stops)."""
    session = officer_session(request)
    if isinstance(session, Response):
        return session
    values = _run_values(store_of(request), run_id)
    return values if isinstance(values, Response) else render(request, "_scan_run.html", **values)


@router.get("/scans/{run_id}/report")
def report(request: Request, run_id: int, format: str = "html") -> Response:
    session = officer_session(request)
    if isinstance(session, Response):
        return session
    if format not in MEDIA_TYPES:
        return Response(status_code=404, content="the report is json, sarif or html")
    ctx = store_of(request)
    try:
        detail = scanning.detail(ctx, run_id=run_id, limit=scanning.STORED_FINDINGS)
    except TutelaError as problem:
        return Response(status_code=404, content=problem.message)
    if detail.run.status != "done":
        return Response(status_code=409, content=f"scan run {run_id} has no report: it is {detail.run.status}")
    text = run_document(detail, format, generated_at=f"{ctx.clock.now():%Y-%m-%d %H:%M} UTC")
    headers = {"Content-Disposition": f'attachment; filename="tutela-scan-{run_id}.{format}"'}
    if format == "html":
        headers["Content-Security-Policy"] = HTML_REPORT_CSP
    return Response(text, media_type=MEDIA_TYPES[format], headers=headers)
