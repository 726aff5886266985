"""The console's pages. Each parses the request, calls one service, renders a template.
Forms carry a CSRF token; the session cookie is Secure, HttpOnly and SameSite=Strict."""

from __future__ import annotations

import io
import secrets
import time
from collections import defaultdict, deque
from collections.abc import Callable
from importlib import resources
from typing import Annotated, Any

import qrcode
import qrcode.image.svg
from fastapi import APIRouter, FastAPI, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, PackageLoader, select_autoescape

from tutela.adapters.web import deletion_chart, i18n
from tutela.core.errors import AccountLocked, SetupLinkInvalid, SignInFailed, TokenInvalid, TutelaError
from tutela.core.policy import Access
from tutela.services import audit, retention_plan, sessions, staff, status, vault
from tutela.services.context import Context

SESSION_COOKIE = "tutela_session"
CSRF_COOKIE = "tutela_csrf"
LANG_COOKIE = "tutela_lang"
DASHBOARD_WEEKS = 8  # the dashboard's upcoming-deletions chart (the retention page shows 12)
router = APIRouter(prefix="/console", include_in_schema=False)


def _environment(language: str) -> Environment:
    env = Environment(
        loader=PackageLoader("tutela.adapters.web", "templates"),
        autoescape=select_autoescape(["html"]),
        extensions=["jinja2.ext.i18n"],
    )
    env.install_gettext_translations(i18n.translations(language), newstyle=True)  # type: ignore[attr-defined]
    return env


_ENVIRONMENTS: dict[str, Environment] = {}


def render(request: Request, template: str, **values: Any) -> HTMLResponse:
    language = i18n.choose(
        request.query_params.get("lang"), request.cookies.get(LANG_COOKIE), request.headers.get("accept-language")
    )
    env = _ENVIRONMENTS.get(language) or _ENVIRONMENTS.setdefault(language, _environment(language))
    html = env.get_template(template).render({"error": None, "session": None, **values, "lang": language})
    response = HTMLResponse(html)
    if request.query_params.get("lang") == language:
        response.set_cookie(LANG_COOKIE, language, max_age=31_536_000, secure=True, httponly=True, samesite="strict")
    return response


def translate(request: Request, message: str) -> str:
    language = i18n.choose(
        request.query_params.get("lang"), request.cookies.get(LANG_COOKIE), request.headers.get("accept-language")
    )
    return str(i18n.translations(language).gettext(message))


def store_of(request: Request) -> Context:
    ctx = request.app.state.tutela
    assert isinstance(ctx, Context)
    return ctx


def current_session(request: Request) -> sessions.Session | None:
    """The signed-in person, or None (sign in). A person whose password has expired gets
    no session for any page but the password page (see `_password_gate`)."""
    session = _any_session(request)
    if session is not None and session.must_change_password and request.url.path != "/console/password":
        return None
    return session


def _any_session(request: Request) -> sessions.Session | None:
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        return None
    try:
        return sessions.resume(store_of(request), cookie)
    except TokenInvalid:
        return None


def to_sign_in() -> RedirectResponse:
    return RedirectResponse("/console/sign-in", status_code=303)


def form_session(request: Request, csrf: str) -> sessions.Session | Response:
    """The session behind a form post with its CSRF token, or the response that refuses it."""
    session = current_session(request)
    if session is None:
        return no_session(request)
    if not secrets.compare_digest(csrf, session.csrf_token):
        return Response(status_code=403, content="the form expired; reload the page")
    return session


def no_session(request: Request) -> Response:
    """Where to go when there is no usable session: the password page if the password expired."""
    session = _any_session(request)
    target = "/console/password?expired=1" if session is not None and session.must_change_password else None
    if is_htmx(request):
        # htmx's request would follow a redirect itself and swap the sign-in page into the live
        # part; HX-Redirect makes it move the whole window instead.
        return Response(status_code=401, headers={"HX-Redirect": target or "/console/sign-in"})
    return RedirectResponse(target, status_code=303) if target else to_sign_in()


def is_htmx(request: Request) -> bool:
    """A request htmx made for a live part of a page (it wants the part, not the whole page)."""
    return request.headers.get("hx-request") == "true"


class _RateLimit:
    """At most `limit` attempts per client address per minute (sign-in)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.attempts: dict[str, deque[float]] = defaultdict(deque)

    def allow(self, client: str, now: Callable[[], float] = time.monotonic) -> bool:
        window = self.attempts[client]
        current = now()
        while window and current - window[0] > 60:
            window.popleft()
        if len(window) >= self.limit:
            return False
        window.append(current)
        return True


@router.get("/sign-in", response_class=HTMLResponse)
def sign_in_form(request: Request) -> Response:
    token = secrets.token_urlsafe(24)
    response = render(request, "sign_in.html", csrf=token)
    response.set_cookie(CSRF_COOKIE, token, secure=True, httponly=True, samesite="strict")
    return response


@router.post("/sign-in", response_class=HTMLResponse)
def sign_in(
    request: Request,
    name: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=512)],
    code: Annotated[str, Form(max_length=12)],
    csrf: Annotated[str, Form(max_length=64)],
) -> Response:
    again = secrets.token_urlsafe(24)

    def refuse(message: str, status_code: int) -> Response:
        response = render(request, "sign_in.html", csrf=again, error=translate(request, message))
        response.status_code = status_code
        response.set_cookie(CSRF_COOKIE, again, secure=True, httponly=True, samesite="strict")
        return response

    if not secrets.compare_digest(csrf, request.cookies.get(CSRF_COOKIE, "")):
        return refuse("The form expired; try again.", 403)
    if _too_many(request):
        return refuse("Too many attempts; wait a minute.", 429)
    ctx = store_of(request)
    try:
        signed = staff.sign_in(ctx, name=name, password=password, code=code)
    except AccountLocked:
        return refuse("This account is locked or disabled.", 423)
    except SignInFailed:
        return refuse("The name, password or code is not right.", 401)
    session_id, _ = sessions.start(ctx, signed)
    # DPP §1.4: a password older than 365 days is changed before anything else.
    target = "/console/password?expired=1" if signed.must_change_password else "/console/"
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(SESSION_COOKIE, session_id, secure=True, httponly=True, samesite="strict")
    response.delete_cookie(CSRF_COOKIE)
    return response


@router.get("/password", response_class=HTMLResponse)
def password_form(request: Request, expired: bool = False) -> Response:
    session = current_session(request)
    if session is None:
        return no_session(request)
    return render(request, "password.html", session=session, expired=expired)


@router.post("/password", response_class=HTMLResponse)
def change_password(
    request: Request,
    old: Annotated[str, Form(max_length=512)],
    new: Annotated[str, Form(max_length=512)],
    csrf: Annotated[str, Form(max_length=64)],
) -> Response:
    session = form_session(request, csrf)
    if isinstance(session, Response):
        return session
    try:
        staff.change_password(store_of(request), name=session.name, old_password=old, new_password=new)
    except TutelaError as problem:
        response = render(request, "password.html", session=session, expired=False, error=problem.message)
        response.status_code = 422
        return response
    return RedirectResponse("/console/", status_code=303)


@router.post("/sign-out")
def sign_out(request: Request, csrf: Annotated[str, Form(max_length=64)]) -> Response:
    session = current_session(request)
    if session is not None and secrets.compare_digest(csrf, session.csrf_token):
        sessions.end(store_of(request), request.cookies.get(SESSION_COOKIE, ""))
    response = to_sign_in()
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/", response_class=HTMLResponse)
def dashboard(request: Request) -> Response:
    session = current_session(request)
    if session is None:
        return no_session(request)
    ctx = store_of(request)
    first_week, horizon = deletion_chart.window(ctx.clock.now(), DASHBOARD_WEEKS)
    plan = retention_plan.plan(ctx, until=horizon)
    from tutela.adapters.web.requests_pages import due_summary  # it uses this module's helpers

    requests_due = due_summary(ctx) if session.role in ("owner", "privacy_officer") else None
    return render(request, "dashboard.html", session=session, status=status.store_status(ctx), overdue=plan.overdue,
                  chart=deletion_chart.chart(plan, first_week, DASHBOARD_WEEKS, compact=True),
                  requests_due=requests_due)  # fmt: skip


@router.get("/customers", response_class=HTMLResponse)
def customers(request: Request, email: str | None = None) -> Response:
    session = current_session(request)
    if session is None:
        return no_session(request)
    found = None
    error = None
    if email:
        try:
            found = vault.find_customers(store_of(request), actor=session.actor, email=email)
        except TutelaError as problem:
            error = problem.message
    return render(request, "customers.html", session=session, found=found, error=error)


def _purposes(ctx: Context, role: str) -> list[str]:
    return [
        key
        for key, purpose in ctx.policy.purposes.items()
        if any(ctx.policy.decide(role, key, category) is not Access.DENIED for category in purpose.categories)
    ]


@router.get("/customers/{customer_id}", response_class=HTMLResponse)
def customer(request: Request, customer_id: str) -> Response:
    session = current_session(request)
    if session is None:
        return no_session(request)
    purposes = _purposes(store_of(request), session.role)
    return render(request, "customer.html", session=session, customer_id=customer_id, purposes=purposes,
                   revealed=None)  # fmt: skip


@router.post("/customers/{customer_id}/reveal", response_class=HTMLResponse)
def reveal(
    request: Request,
    customer_id: str,
    purpose: Annotated[str, Form(max_length=64)],
    csrf: Annotated[str, Form(max_length=64)],
) -> Response:
    session = form_session(request, csrf)
    if isinstance(session, Response):
        return session
    ctx = store_of(request)
    purposes = _purposes(ctx, session.role)
    try:
        revealed = vault.reveal(ctx, actor=session.actor, purpose=purpose, customer_id=customer_id)
    except TutelaError as problem:
        return render(request, "customer.html", session=session, customer_id=customer_id, purposes=purposes,
                       revealed=None, error=problem.message, chosen=purpose)  # fmt: skip
    return render(request, "customer.html", session=session, customer_id=customer_id, purposes=purposes,
                   revealed=revealed, chosen=purpose)  # fmt: skip


@router.get("/audit", response_class=HTMLResponse)
def audit_log(request: Request) -> Response:
    session = current_session(request)
    if session is None:
        return no_session(request)
    ctx = store_of(request)
    return render(request, "audit.html", session=session, verdict=audit.verify(ctx),
                   events=list(reversed(audit.tail(ctx, limit=50))))  # fmt: skip


@router.post("/audit/verify", response_class=HTMLResponse)
def audit_verify(
    request: Request,
    csrf: Annotated[str, Form(max_length=64)],
    checkpoint: Annotated[str, Form(max_length=512)] = "",
) -> Response:
    """Walk the chain again, against a checkpoint kept elsewhere if one is given. A plain form
    post gets the whole page back; htmx gets only the verdict, which it swaps in."""
    session = form_session(request, csrf)
    if isinstance(session, Response):
        return session
    ctx = store_of(request)
    kept = checkpoint.strip() or None
    try:
        found: dict[str, Any] = {"verdict": audit.verify(ctx, checkpoint=kept), "problem": None}
    except TutelaError as problem:  # a checkpoint that is not valid for this store
        found = {"verdict": None, "problem": problem.message}
    if is_htmx(request):
        return render(request, "_audit_verdict.html", against_checkpoint=kept is not None, **found)
    return render(request, "audit.html", session=session, against_checkpoint=kept is not None, checkpoint=kept,
                   events=list(reversed(audit.tail(ctx, limit=50))), **found)  # fmt: skip


def _too_many(request: Request) -> bool:
    limit: _RateLimit = request.app.state.sign_in_limit
    return not limit.allow(request.client.host if request.client else "?")


@router.get("/setup/{token}", response_class=HTMLResponse)
def setup_form(request: Request, token: str) -> Response:
    if _too_many(request):  # setup codes are guessed no faster than passwords
        return Response(status_code=429, content="too many attempts; wait a minute")
    try:
        enrolment = staff.enrol(store_of(request), setup_token=token)
    except SetupLinkInvalid:
        response = render(request, "sign_in.html", csrf="", error=translate(request, "This setup link is not valid."))
        response.status_code = 404
        return response
    csrf = secrets.token_urlsafe(24)
    response = render(request, "setup.html", enrolment=enrolment, token=token, csrf=csrf,
                       qr_svg=_qr_svg(enrolment.provisioning_uri))  # fmt: skip
    response.set_cookie(CSRF_COOKIE, csrf, secure=True, httponly=True, samesite="strict")
    return response


@router.post("/setup/{token}", response_class=HTMLResponse)
def setup(
    request: Request,
    token: str,
    password: Annotated[str, Form(max_length=512)],
    code: Annotated[str, Form(max_length=12)],
    csrf: Annotated[str, Form(max_length=64)],
) -> Response:
    if not secrets.compare_digest(csrf, request.cookies.get(CSRF_COOKIE, "")):
        return Response(status_code=403, content="the form expired; reload the page")
    try:
        staff.activate(store_of(request), setup_token=token, password=password, code=code)
    except TutelaError as problem:
        return render(request, "sign_in.html", csrf="", error=problem.message)
    return to_sign_in()


def _qr_svg(text: str) -> str:
    """The otpauth link as an inline SVG (no script, no image request: fits the CSP)."""
    buffer = io.BytesIO()
    qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage).save(buffer)
    svg = buffer.getvalue().decode()
    return svg[svg.index("<svg") :]


def install(app: FastAPI) -> None:
    # they use its helpers
    from tutela.adapters.web import admin_pages, public_pages, request_pages, retention_pages, returns_pages, scan_pages
    from tutela.adapters.web.consent_pages import router as consent_router

    app.state.sign_in_limit = _RateLimit(10)  # per client address per minute
    app.include_router(router)
    app.include_router(admin_pages.router)
    app.include_router(retention_pages.router)
    app.include_router(returns_pages.router)
    app.include_router(scan_pages.router)
    app.include_router(consent_router)
    public_pages.install(app)  # the customers' pages under /p: their router and rate limits
    request_pages.install(app)  # the customers' request form, code page and download under /p
    from tutela.adapters.web.requests_pages import router as requests_router  # it uses this module's helpers

    app.include_router(requests_router)
    static = resources.files("tutela.adapters.web").joinpath("static")
    app.mount("/console/static", StaticFiles(directory=str(static)), name="console-static")

    @app.get("/", include_in_schema=False)
    def _root() -> RedirectResponse:
        return RedirectResponse("/console/", status_code=303)
