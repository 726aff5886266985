"""Console: the retention page (owners and privacy officers) — what is due now and overdue,
upcoming deletions by week, legal holds, deleting now, and the Amazon revocation with its
certificate. Same rules as every page: a session, a CSRF token on every form; a service's
refusal is one line on the page.

Dates are calendar days in UTC and mean the end of that day (a hold until 30 June keeps the
data through 30 June, 23:59:59 UTC), as in the CLI and the API."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from tutela.adapters.documents import certificate_html, certificate_pdf
from tutela.adapters.web import deletion_chart, i18n
from tutela.adapters.web.admin_pages import officer_form, officer_session
from tutela.adapters.web.pages import (
    LANG_COOKIE,
    render,
    store_of,
    translate,
)
from tutela.core.errors import TutelaError
from tutela.services import amazon_revocation, holds, retention_apply, retention_plan, sessions

router = APIRouter(prefix="/console", include_in_schema=False)
WEEKS = 12
CSRF = Annotated[str, Form(max_length=64)]
# The certificate carries its own inline CSS: it may style itself, and do nothing else.
CERTIFICATE_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)


_officer = officer_session
_form = officer_form


def _page(request: Request, session: sessions.Session, *, status_code: int = 200, **shown: Any) -> HTMLResponse:
    ctx = store_of(request)
    now = ctx.clock.now()
    first_week, horizon = deletion_chart.window(now, WEEKS)
    plan = retention_plan.plan(ctx, until=horizon)
    revocation = amazon_revocation.latest(ctx)
    remaining = None
    if revocation is not None and revocation.completed_at is None:
        remaining = sum(amazon_revocation.amazon_fields(ctx).values())
    response = render(
        request, "retention.html", session=session, plan=plan, chart=deletion_chart.chart(plan, first_week, WEEKS),
        waiting=sum(plan.waiting.values()), holds=holds.list_holds(ctx), revocation=revocation,
        amazon_remaining=remaining, today=now.date(), max_days=amazon_revocation.MAX_DAYS,
        **{"notices": [], "applied": None, **shown},
    )  # fmt: skip
    response.status_code = status_code
    return response


def _refused(request: Request, session: sessions.Session, problem: TutelaError | str, status_code: int) -> Response:
    message = problem.message if isinstance(problem, TutelaError) else translate(request, problem)
    return _page(request, session, status_code=status_code, error=message)


@router.get("/retention", response_class=HTMLResponse)
def retention_page(request: Request) -> Response:
    session = _officer(request)
    return session if isinstance(session, Response) else _page(request, session)


@router.post("/retention/apply", response_class=HTMLResponse)
def apply_now(request: Request, csrf: CSRF = "") -> Response:
    session = _form(request, csrf)
    if isinstance(session, Response):
        return session
    ctx = store_of(request)
    try:
        result = retention_apply.apply(ctx, actor=session.actor)
        certificate = amazon_revocation.complete_if_done(ctx, actor=session.actor)
    except TutelaError as problem:
        return _refused(request, session, problem, 503)
    return _page(request, session, applied=result, completed=certificate.revocation_id if certificate else None)


def _end_of_day(text: str) -> datetime | None:
    try:
        return datetime.combine(date.fromisoformat(text.strip()), time(23, 59, 59), tzinfo=UTC)
    except ValueError:
        return None


@router.post("/retention/holds", response_class=HTMLResponse)
def add_hold(
    request: Request,
    reason: Annotated[str, Form(max_length=500)],
    until: Annotated[str, Form(max_length=10)],
    customer_id: Annotated[str, Form(max_length=64)] = "",
    order_id: Annotated[str, Form(max_length=64)] = "",
    csrf: CSRF = "",
) -> Response:
    session = _form(request, csrf)
    if isinstance(session, Response):
        return session
    last = _end_of_day(until)
    if last is None:
        return _refused(request, session, "The end date must be a date (YYYY-MM-DD).", 422)
    try:
        hold_id = holds.add_hold(
            store_of(request), actor=session.actor, reason=reason, until=last,
            customer_id=customer_id.strip() or None, order_id=order_id.strip() or None,
        )  # fmt: skip
    except TutelaError as problem:
        return _refused(request, session, problem, 422)
    return _page(request, session, notices=[translate(request, "Hold %(id)s added.") % {"id": hold_id}])


@router.post("/retention/holds/{hold_id}/release", response_class=HTMLResponse)
def release_hold(request: Request, hold_id: int, csrf: CSRF = "") -> Response:
    session = _form(request, csrf)
    if isinstance(session, Response):
        return session
    try:
        holds.release_hold(store_of(request), actor=session.actor, hold_id=hold_id)
    except TutelaError as problem:
        return _refused(request, session, problem, 409)
    return _page(request, session, notices=[translate(request, "Hold %(id)s released.") % {"id": hold_id}])


@router.post("/retention/amazon/revoke", response_class=HTMLResponse)
def revoke_amazon(
    request: Request,
    within_days: Annotated[str, Form(max_length=4)] = "0",
    confirm: Annotated[str, Form(max_length=8)] = "",
    csrf: CSRF = "",
) -> Response:
    session = _form(request, csrf)
    if isinstance(session, Response):
        return session
    if confirm != "yes":
        return _refused(request, session, "Tick the box to confirm: every Amazon-sourced field will be deleted.", 422)
    days = within_days.strip()
    if not days.isdigit():
        return _refused(request, session, "The number of days must be a whole number from 0 to 30.", 422)
    try:
        found = amazon_revocation.revoke_and_delete(store_of(request), actor=session.actor,
                                                    within_days=int(days)).revocation  # fmt: skip
    except TutelaError as problem:
        return _refused(request, session, problem, 422)
    notice = translate(
        request, "Amazon access revoked (revocation %(id)s): every Amazon field is due by %(deadline)s UTC."
    )
    shown = notice % {"id": found.id, "deadline": f"{found.deadline_at:%Y-%m-%d %H:%M}"}
    return _page(request, session, notices=[shown])


@router.get("/retention/amazon/{revocation_id}/certificate")
def certificate(request: Request, revocation_id: int, format: str = "html") -> Response:
    """The destruction certificate as a download (HTML in the page's language, or PDF)."""
    session = _officer(request)
    if isinstance(session, Response):
        return session
    ctx = store_of(request)
    if format not in {"html", "pdf"} or amazon_revocation.get(ctx, revocation_id) is None:
        return Response(status_code=404, content=translate(request, "There is no such certificate."))
    try:
        cert = amazon_revocation.certificate_of(ctx, revocation_id)
    except TutelaError as problem:
        return _refused(request, session, problem, 409)
    headers = {"Content-Disposition": f'attachment; filename="amazon-destruction-certificate-{revocation_id}.{format}"'}
    if format == "pdf":
        return Response(certificate_pdf(cert), media_type="application/pdf", headers=headers)
    language = i18n.choose(request.query_params.get("lang"), request.cookies.get(LANG_COOKIE),
                           request.headers.get("accept-language"))  # fmt: skip
    return Response(certificate_html(cert, language=language), media_type="text/html; charset=utf-8",
                    headers={**headers, "Content-Security-Policy": CERTIFICATE_CSP})  # fmt: skip
