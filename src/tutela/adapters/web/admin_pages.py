"""The console's pages for owners and privacy officers: imports, the policy editor, staff
and API tokens. Same rules as every page: a session, a CSRF token on every form, one
service call each."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from tutela.adapters.web.pages import current_session, form_session, no_session, render, store_of, translate
from tutela.core.errors import PolicyInvalid, TutelaError
from tutela.core.policy import parse_policy
from tutela.services import importing, policy_versions, sessions, staff, tokens
from tutela.services.context import Context

router = APIRouter(prefix="/console", include_in_schema=False)
ADMIN_ROLES = frozenset({"owner", "privacy_officer"})


def officer_session(request: Request) -> sessions.Session | Response:
    """The signed-in owner or privacy officer, or the response that refuses the page (the
    admin, retention and request pages share it)."""
    session = current_session(request)
    if session is None:
        return no_session(request)
    if session.role not in ADMIN_ROLES:
        return Response(
            status_code=403, content=translate(request, "Only owners and privacy officers may open this page.")
        )
    return session


@router.get("/imports", response_class=HTMLResponse)
def imports_page(request: Request) -> Response:
    session = _admin(request)
    if isinstance(session, Response):
        return session
    return render(request, "imports.html", session=session, runs=importing.list_imports(store_of(request)), report=None)


@router.post("/imports", response_class=HTMLResponse)
def upload(request: Request, file: UploadFile, csrf: Annotated[str, Form(max_length=64)]) -> Response:
    """Start an import job and show its progress page (a bad file is refused at once)."""
    session = _form(request, csrf)
    if isinstance(session, Response):
        return session
    ctx = store_of(request)
    try:
        path = importing.save_upload(ctx, name=file.filename or "upload.txt", stream=file.file)
    except importing.UploadTooLarge:
        return Response(status_code=413, content="the upload is larger than 512 MB")
    except TutelaError as problem:
        return render(request, "imports.html", session=session, runs=importing.list_imports(ctx), report=None,
                      error=problem.message)  # fmt: skip
    try:
        job = importing.start_import_job(ctx, actor=session.actor, path=path,
                                         on_finish=lambda: importing.discard_upload(path))  # fmt: skip
    except TutelaError as problem:
        importing.discard_upload(path)
        return render(request, "imports.html", session=session, runs=importing.list_imports(ctx), report=None,
                      error=problem.message)  # fmt: skip
    if job.worker is not None:
        request.app.state.import_workers.append(job.worker)
    return RedirectResponse(f"/console/imports/{job.import_id}", status_code=303)


@router.get("/imports/{import_id}", response_class=HTMLResponse)
def import_progress(request: Request, import_id: int) -> Response:
    """Progress while the job runs, then the report. With JavaScript htmx polls the progress
    block alone (below); without it the page refreshes itself every 2 s (a <noscript> meta)."""
    session = _admin(request)
    if isinstance(session, Response):
        return session
    ctx = store_of(request)
    report = _report(ctx, import_id)
    if isinstance(report, Response):
        return report
    return render(request, "imports.html", session=session, runs=importing.list_imports(ctx), report=report,
                  running=report["status"] != "done")  # fmt: skip


@router.get("/imports/{import_id}/progress", response_class=HTMLResponse)
def import_progress_block(request: Request, import_id: int) -> Response:
    """Only the progress block, for htmx to poll. Once the job is done the block comes back
    without its polling attributes (so polling stops) and with the list of imports, updated."""
    session = _admin(request)
    if isinstance(session, Response):
        return session
    ctx = store_of(request)
    report = _report(ctx, import_id)
    if isinstance(report, Response):
        return report
    if report["status"] != "done":
        return render(request, "_import_progress.html", report=report, running=True)
    return render(request, "_import_progress.html", report=report, running=False, oob=True,
                  runs=importing.list_imports(ctx))  # fmt: skip


def _report(ctx: Context, import_id: int) -> dict[str, Any] | Response:
    try:
        return importing.import_report(ctx, import_id=import_id)
    except TutelaError as problem:
        return Response(status_code=404, content=problem.message)


@router.get("/policy", response_class=HTMLResponse)
def policy_page(request: Request) -> Response:
    session = _admin(request)
    if isinstance(session, Response):
        return session
    ctx = store_of(request)
    return render(request, "policy.html", session=session, text=ctx.settings.policy_file.read_text("utf-8"),
                   history=policy_versions.history(ctx), problems=[], applied=None)  # fmt: skip


@router.post("/policy", response_class=HTMLResponse)
def policy_change(
    request: Request,
    text: Annotated[str, Form(max_length=200_000)],
    action: Annotated[str, Form(pattern="^(validate|apply)$")],
    csrf: Annotated[str, Form(max_length=64)],
) -> Response:
    session = _form(request, csrf)
    if isinstance(session, Response):
        return session
    ctx = store_of(request)
    problems: list[str] = []
    applied = None
    try:
        parse_policy(text, source="policy.toml")
        if action == "apply":
            with tempfile.TemporaryDirectory() as folder:
                source = Path(folder) / "policy.toml"
                source.write_text(text, encoding="utf-8")
                applied = policy_versions.apply(ctx, session.actor, source)
    except PolicyInvalid as invalid:
        problems = list(invalid.problems) or [invalid.message]
    return render(request, "policy.html", session=session, text=text, history=policy_versions.history(ctx),
                   problems=problems, applied=applied)  # fmt: skip


def _people(request: Request, session: sessions.Session, **extra: object) -> HTMLResponse:
    ctx = store_of(request)
    return render(
        request, "people.html", session=session, members=staff.list_staff(ctx), tokens=tokens.list_tokens(ctx),
        roles=sorted(ctx.policy.roles), purposes=sorted(ctx.policy.purposes), scopes=tokens.SCOPES,
        **{"setup_link": None, "new_token": None, **extra},
    )  # fmt: skip


@router.get("/people", response_class=HTMLResponse)
def people_page(request: Request) -> Response:
    session = _admin(request)
    return session if isinstance(session, Response) else _people(request, session)


def officer_form(request: Request, csrf: str) -> sessions.Session | Response:
    """An owner's or privacy officer's form post with its CSRF token, or the response that refuses it."""
    session = officer_session(request)
    return session if isinstance(session, Response) else form_session(request, csrf)


_admin = officer_session
_form = officer_form


def _people_action(request: Request, csrf: str, action: Callable[[sessions.Session], dict[str, object]]) -> Response:
    session = _form(request, csrf)
    if isinstance(session, Response):
        return session
    try:
        shown = action(session)
    except TutelaError as problem:
        return _people(request, session, error=problem.message)
    return _people(request, session, **shown)


@router.post("/people/staff", response_class=HTMLResponse)
def add_staff(
    request: Request,
    name: Annotated[str, Form(max_length=64)],
    role: Annotated[str, Form(max_length=64)],
    csrf: Annotated[str, Form(max_length=64)],
) -> Response:
    def act(session: sessions.Session) -> dict[str, object]:
        setup = staff.add_staff(store_of(request), actor=session.actor, name=name, role=role)
        return {"setup_link": f"{request.base_url}console/setup/{setup.setup_token}"}

    return _people_action(request, csrf, act)


@router.post("/people/staff/{name}/disable", response_class=HTMLResponse)
def disable_staff(request: Request, name: str, csrf: Annotated[str, Form(max_length=64)]) -> Response:
    def act(session: sessions.Session) -> dict[str, object]:
        staff.disable(store_of(request), actor=session.actor, name=name)
        return {}

    return _people_action(request, csrf, act)


@router.post("/people/tokens", response_class=HTMLResponse)
def create_token(
    request: Request,
    role: Annotated[str, Form(max_length=64)],
    scope: Annotated[str, Form(max_length=64)],
    expires: Annotated[str, Form(max_length=8)],
    csrf: Annotated[str, Form(max_length=64)],
    purpose: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    def act(session: sessions.Session) -> dict[str, object]:
        new = tokens.create_token(
            store_of(request), actor=session.actor, name=f"console-{session.name}", role=role, scopes=[scope],
            purposes=[purpose] if purpose else [], lifetime=tokens.parse_lifetime(expires),
        )  # fmt: skip
        return {"new_token": new.token}

    return _people_action(request, csrf, act)


@router.post("/people/tokens/{token_id}/revoke", response_class=HTMLResponse)
def revoke_token(request: Request, token_id: int, csrf: Annotated[str, Form(max_length=64)]) -> Response:
    def act(session: sessions.Session) -> dict[str, object]:
        tokens.revoke(store_of(request), actor=session.actor, token_id=token_id)
        return {}

    return _people_action(request, csrf, act)
