"""Console: data-subject requests (owners and privacy officers) — the queue by due date,
overdue first, and one request with its actions: verify the code the requester read out,
fulfil (the reply goes to the requester by mail, with the download link for an access
package: the page never shows it), extend (once, with a reason), deny (with a reason).

No personal data on these pages: ids, types, dates and states; the customer's fields only
through the customer page's purpose-bound reveal. Same rules as every page: a session, a CSRF
token on every form; a refusal is one line at the top."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from tutela.adapters.documents import request_mail, summary_html
from tutela.adapters.web.admin_pages import officer_form, officer_session
from tutela.adapters.web.pages import render, store_of
from tutela.core.errors import TutelaError
from tutela.services import request_fulfilment, sessions, subject_requests
from tutela.services.context import Context

router = APIRouter(prefix="/console", include_in_schema=False)
CSRF = Annotated[str, Form(max_length=64)]
REASON = Annotated[str, Form(max_length=1000)]
DUE_SOON = timedelta(days=3)  # marked in the queue
DUE_THIS_WEEK = timedelta(days=7)  # counted on the dashboard
_STATUSES = {"request.not_found": 404, "request.refused": 409, "mail.not_sent": 502}


@dataclass(frozen=True)
class DueSummary:
    open: int
    overdue: int
    due_this_week: int  # open, not overdue, due within the next 7 days


def _urgency(row: dict[str, Any], now: datetime) -> str:
    if row["overdue"]:
        return "overdue"
    open_ = row["status"] in {s.value for s in subject_requests.OPEN}
    return "due_soon" if open_ and row["due_at"] - now <= DUE_SOON else ""


def due_summary(ctx: Context) -> DueSummary:
    """The dashboard's line: open requests, overdue, due within 7 days."""
    now = ctx.clock.now()
    found = subject_requests.list_requests(ctx)
    soon = sum(1 for r in found if not r["overdue"] and r["due_at"] - now <= DUE_THIS_WEEK)
    return DueSummary(len(found), sum(1 for r in found if r["overdue"]), soon)


_officer = officer_session
_form = officer_form


@router.get("/requests", response_class=HTMLResponse)
def queue(request: Request, show: str = "open") -> Response:
    session = _officer(request)
    if isinstance(session, Response):
        return session
    ctx = store_of(request)
    now = ctx.clock.now()
    chosen = show if show in {"open", "all"} else "open"
    found = subject_requests.list_requests(ctx, include_closed=chosen == "all")
    found.sort(key=lambda r: (not r["overdue"], r["due_at"], r["id"]))  # overdue first, then by due date
    rows = [{**r, "urgency": _urgency(r, now)} for r in found]
    return render(request, "requests.html", session=session, requests=rows, show=chosen,
                  summary=due_summary(ctx))  # fmt: skip


def _page(request: Request, session: sessions.Session, request_id: int, *, status_code: int = 200,
          **shown: Any) -> Response:  # fmt: skip
    ctx = store_of(request)
    try:
        found = subject_requests.get(ctx, request_id)
    except TutelaError as problem:
        return Response(status_code=404, content=problem.message)
    response = render(request, "request.html", session=session, req=found,
                      urgency=_urgency(found, ctx.clock.now()), **{"done": None, **shown})  # fmt: skip
    response.status_code = status_code
    return response


def _refused(request: Request, session: sessions.Session, request_id: int, problem: TutelaError) -> Response:
    status_code = _STATUSES.get(problem.code, 422)
    if problem.code == "request.not_found":
        return Response(status_code=404, content=problem.message)
    return _page(request, session, request_id, status_code=status_code, error=problem.message)


def _told(request: Request, session: sessions.Session, request_id: int, done: str, send: Callable[[], object],
          **shown: Any) -> Response:  # fmt: skip
    """The page after a change, once its letter is mailed. A letter that did not leave does not
    undo the change: the page says so (502), and the requester must be told another way."""
    try:
        with_link = send() is True
    except TutelaError as problem:
        return _page(request, session, request_id, status_code=502, error=problem.message, done=done, unsent=True,
                     **shown)  # fmt: skip
    return _page(request, session, request_id, done=done, with_link=with_link, **shown)


@router.get("/requests/{request_id}", response_class=HTMLResponse)
def request_page(request: Request, request_id: int) -> Response:
    session = _officer(request)
    return session if isinstance(session, Response) else _page(request, session, request_id)


@router.post("/requests/{request_id}/verify", response_class=HTMLResponse)
def verify(request: Request, request_id: int, code: Annotated[str, Form(max_length=12)], csrf: CSRF) -> Response:
    session = _form(request, csrf)
    if isinstance(session, Response):
        return session
    try:
        subject_requests.verify(store_of(request), actor=session.actor, request_id=request_id, code=code.strip())
    except TutelaError as problem:
        return _refused(request, session, request_id, problem)
    return _page(request, session, request_id, done="verified")


@router.post("/requests/{request_id}/fulfil", response_class=HTMLResponse)
def fulfil(request: Request, request_id: int, csrf: CSRF) -> Response:
    session = _form(request, csrf)
    if isinstance(session, Response):
        return session
    ctx = store_of(request)
    try:
        done = request_fulfilment.fulfil(ctx, actor=session.actor, request_id=request_id, render_summary=summary_html)
    except TutelaError as problem:
        return _refused(request, session, request_id, problem)
    return _told(request, session, request_id, "fulfilled", lambda: request_mail.send_reply(ctx, done),
                 outcome=done.outcome)  # fmt: skip


@router.post("/requests/{request_id}/extend", response_class=HTMLResponse)
def extend(request: Request, request_id: int, reason: REASON, csrf: CSRF) -> Response:
    return _with_reason(request, request_id, reason, csrf, subject_requests.extend, "extended",
                        lambda ctx: request_mail.send_extension(ctx, request_id, reason.strip()))  # fmt: skip


@router.post("/requests/{request_id}/deny", response_class=HTMLResponse)
def deny(request: Request, request_id: int, reason: REASON, csrf: CSRF) -> Response:
    return _with_reason(request, request_id, reason, csrf, subject_requests.deny, "denied",
                        lambda ctx: request_mail.send_denial(ctx, request_id))  # fmt: skip


def _with_reason(request: Request, request_id: int, reason: str, csrf: str, step: Callable[..., object], done: str,
                 send: Callable[[Context], object]) -> Response:  # fmt: skip
    """An officer's step that takes a reason (extend, deny), then the letter that says so."""
    session = _form(request, csrf)
    if isinstance(session, Response):
        return session
    ctx = store_of(request)
    try:
        step(ctx, actor=session.actor, request_id=request_id, reason=reason)
    except TutelaError as problem:
        return _refused(request, session, request_id, problem)
    return _told(request, session, request_id, done, lambda: send(ctx))
