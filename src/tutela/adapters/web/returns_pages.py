"""Console: the returns queue and a return case. A case opens masked: its plain facts and
notes only; its customer's fields appear after "reveal for purpose returns", which the
policy judges per field for the person's role and the vault records. Same rules as every
page: a session, a CSRF token on every form, one service call each."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from tutela.adapters.web.pages import current_session, form_session, no_session, render, store_of, translate
from tutela.core.errors import TutelaError
from tutela.services import returns, sessions

router = APIRouter(prefix="/console", include_in_schema=False)
# The roles whose work involves returns (the default policy grants each something under 'returns').
RETURNS_ROLES = frozenset({"owner", "privacy_officer", "returns_agent", "support_agent"})
PAGE = 50
FILTERS = ("all", *returns.STATUSES)


def _agent(request: Request) -> sessions.Session | Response:
    session = current_session(request)
    if session is None:
        return no_session(request)
    if session.role not in RETURNS_ROLES:
        return Response(status_code=403, content=translate(request, "Your role does not work on returns."))
    return session


def _form(request: Request, csrf: str) -> sessions.Session | Response:
    session = _agent(request)
    return session if isinstance(session, Response) else form_session(request, csrf)


@router.get("/returns", response_class=HTMLResponse)
def queue(request: Request, status: str = "all", after: int | None = None) -> Response:
    session = _agent(request)
    if isinstance(session, Response):
        return session
    chosen = status if status in FILTERS else "all"
    found = returns.list_returns(store_of(request), status=None if chosen == "all" else chosen, limit=PAGE,
                                 after=after)  # fmt: skip
    return render(request, "returns.html", session=session, cases=found, status=chosen, filters=FILTERS,
                  next_after=found[-1].id if len(found) == PAGE else None)  # fmt: skip


def _case_page(
    request: Request, session: sessions.Session, return_id: int, *, status_code: int = 200, **extra: object
) -> Response:
    try:
        case = returns.get_return(store_of(request), return_id=return_id)
    except TutelaError as problem:
        return Response(status_code=404, content=problem.message)
    response = render(request, "return_case.html", session=session, case=case, shown=None, outcomes=returns.OUTCOMES,
                      purpose=returns.RETURNS, **extra)  # fmt: skip
    response.status_code = status_code
    return response


@router.get("/returns/{return_id}", response_class=HTMLResponse)
def case_page(request: Request, return_id: int) -> Response:
    session = _agent(request)
    return session if isinstance(session, Response) else _case_page(request, session, return_id)


@router.post("/returns/{return_id}/reveal", response_class=HTMLResponse)
def reveal(
    request: Request,
    return_id: int,
    purpose: Annotated[str, Form(max_length=64)],
    csrf: Annotated[str, Form(max_length=64)],
) -> Response:
    session = _form(request, csrf)
    if isinstance(session, Response):
        return session
    try:
        shown = returns.show_return(store_of(request), actor=session.actor, return_id=return_id, purpose=purpose)
    except TutelaError as problem:
        return _case_page(request, session, return_id, status_code=403, error=problem.message)
    return render(request, "return_case.html", session=session, case=shown.case, shown=shown,
                  outcomes=returns.OUTCOMES, purpose=returns.RETURNS)  # fmt: skip


@router.post("/returns/{return_id}/notes", response_class=HTMLResponse)
def add_note(
    request: Request,
    return_id: int,
    text: Annotated[str, Form(max_length=returns.MAX_NOTE_CHARS)],
    csrf: Annotated[str, Form(max_length=64)],
) -> Response:
    """A note that seems to hold personal data is refused: the page comes back with the
    warning and an empty form (the refused text is not sent back either)."""
    session = _form(request, csrf)
    if isinstance(session, Response):
        return session
    try:
        returns.add_note(store_of(request), actor=session.actor, return_id=return_id, text=text)
    except TutelaError as problem:
        return _case_page(request, session, return_id, status_code=422, error=str(problem))  # with the hint
    return RedirectResponse(f"/console/returns/{return_id}", status_code=303)


@router.post("/returns/{return_id}/close", response_class=HTMLResponse)
def close(
    request: Request,
    return_id: int,
    outcome: Annotated[str, Form(max_length=64)],
    csrf: Annotated[str, Form(max_length=64)],
) -> Response:
    session = _form(request, csrf)
    if isinstance(session, Response):
        return session
    try:
        returns.close_return(store_of(request), actor=session.actor, return_id=return_id, outcome=outcome)
    except TutelaError as problem:
        conflict = problem.code == "returns.already_closed"
        return _case_page(request, session, return_id, status_code=409 if conflict else 422, error=problem.message)
    return RedirectResponse(f"/console/returns/{return_id}", status_code=303)
