"""The customers' public pages, in English and Simplified Chinese: the preference centre and
the one-click unsubscribe (RFC 8058), reached by the signed links of `consent_links`.

No sign-in and no cookie: the signed link in the path is the only key, so there is no
ambient authority for a cross-site form to borrow, and no CSRF token to add (one bound to the
link would be printed on the page the link opens, so it would prove nothing the link does not).
The language comes from `?lang=` or the browser, and every link and form keeps it.

A forged, altered or expired link, or one whose customer is unknown or erased, gets the same
page (404) and an audit event without the link. Every request is limited per client address;
a `Sec-GPC: 1` header with a good link records the customer's opt-out of sale/share."""

from __future__ import annotations

import time
from collections.abc import Callable
from importlib import resources
from typing import Annotated, Any

from fastapi import APIRouter, FastAPI, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from jinja2 import Environment, PackageLoader, select_autoescape

from tutela.adapters.web import i18n
from tutela.adapters.web.pages import _RateLimit, store_of
from tutela.core.errors import CustomerErased, CustomerNotFound, LinkInvalid, UnknownPurpose
from tutela.services import consent, consent_links, preference_centre
from tutela.services.consent_links import LinkClaims
from tutela.services.context import Context

router = APIRouter(prefix="/p", include_in_schema=False)
PAGE_LIMIT = 60  # requests per client address per minute: every page and form under /p
ONE_CLICK_LIMIT = 600  # RFC 8058 posts: a mail provider posts for many recipients from few addresses
MAX_TOKEN = 400  # a link's token is far shorter; a longer one is not read at all
_GONE = (CustomerNotFound, CustomerErased)
_STYLESHEET = resources.files("tutela.adapters.web").joinpath("templates", "public", "public.css").read_bytes()
_ENVIRONMENTS: dict[str, Environment] = {}


class _PublicLimit(_RateLimit):
    """The sign-in limit, on the store's clock, forgetting addresses idle for a minute (once a
    minute): on a public page, many addresses must not grow it without bound."""

    def __init__(self, limit: int) -> None:
        super().__init__(limit)
        self.swept = 0.0

    def allow(self, client: str, now: Callable[[], float] = time.monotonic) -> bool:
        current = now()
        if current - self.swept > 60:
            self.swept = current
            for key, window in list(self.attempts.items()):
                if not window or current - window[-1] > 60:
                    self.attempts.pop(key, None)
        return super().allow(client, now=lambda: current)


def install(app: FastAPI) -> None:
    app.state.public_limit = _PublicLimit(PAGE_LIMIT)
    app.state.one_click_limit = _PublicLimit(ONE_CLICK_LIMIT)
    app.include_router(router)


def _language(request: Request) -> str:
    return i18n.choose(request.query_params.get("lang"), None, request.headers.get("accept-language"))


def _render(request: Request, template: str, status_code: int = 200, **values: Any) -> HTMLResponse:
    language = _language(request)
    env = _ENVIRONMENTS.get(language)
    if env is None:
        env = Environment(loader=PackageLoader("tutela.adapters.web", "templates"),
                          autoescape=select_autoescape(["html"]), extensions=["jinja2.ext.i18n"])  # fmt: skip
        env.install_gettext_translations(i18n.translations(language), newstyle=True)  # type: ignore[attr-defined]
        _ENVIRONMENTS[language] = env
    shop = store_of(request).policy.shop
    html = env.get_template(f"public/{template}").render(
        {**values, "lang": language, "q": f"?lang={language}", "shop": shop.name, "contact": shop.privacy_contact}
    )
    tag = "zh-Hans" if language == "zh" else language
    return HTMLResponse(html, status_code=status_code, headers={"Content-Language": tag})


def _address(request: Request) -> str:
    return request.client.host if request.client else "?"


def _client(request: Request) -> str:
    """The proof of where a choice came from, `ip|user agent`: the ledger keeps only a keyed hash."""
    return f"{_address(request)}|{request.headers.get('user-agent', '')}"


def _gpc(request: Request) -> bool:
    return request.headers.get("sec-gpc", "").strip() == "1"


def _refuse(request: Request, ctx: Context, page: str, reason: str) -> Response:
    """The one answer to every link that does not hold: it says nothing of the customer."""
    preference_centre.link_refused(ctx, page=page, reason=reason, client=_client(request))
    return _render(request, "invalid.html", status_code=404)


def _open(request: Request, token: str, page: str, limit: str = "public_limit") -> LinkClaims | Response:
    """The link's claims after the rate limit, the signature and expiry, and a GPC signal
    (recorded for the customer); else the response that refuses."""
    ctx = store_of(request)
    limiter: _PublicLimit = getattr(request.app.state, limit)
    if not limiter.allow(_address(request), now=lambda: ctx.clock.now().timestamp()):
        return _too_many(request)
    try:
        if len(token) > MAX_TOKEN:
            raise LinkInvalid("this link is not valid or has expired")
        claims = consent_links.read_token(ctx, token)
    except LinkInvalid:
        return _refuse(request, ctx, page, "signature_or_expiry")
    if _gpc(request):
        try:
            preference_centre.honour_gpc(ctx, customer_id=claims.customer_id, client=_client(request))
        except _GONE:
            return _refuse(request, ctx, page, "no_live_customer")
    return claims


def _too_many(request: Request) -> Response:
    response = _render(request, "too_many.html", status_code=429)
    response.headers["Retry-After"] = "60"
    return response


def _purpose_of(ctx: Context, claims: LinkClaims) -> str | None:
    """The link's consent purpose, or None (no purpose, or one the policy no longer asks consent for)."""
    if claims.purpose is None:
        return None
    try:
        return consent.consent_purpose(ctx, claims.purpose).key
    except UnknownPurpose:
        return None


@router.get("/public.css")
def stylesheet() -> Response:
    """The pages' only stylesheet (the CSP forbids inline style). Not counted by the rate limit."""
    return Response(_STYLESHEET, media_type="text/css", headers={"Cache-Control": "public, max-age=86400"})


@router.get("/preferences/{token}", response_class=HTMLResponse)
def preferences(request: Request, token: str) -> Response:
    opened = _open(request, token, "preferences")
    if isinstance(opened, Response):
        return opened
    return _preference_page(request, token, opened)


def _preference_page(request: Request, token: str, claims: LinkClaims, **values: Any) -> Response:
    ctx = store_of(request)
    try:
        view = preference_centre.read(ctx, claims.customer_id)
    except _GONE:
        return _refuse(request, ctx, "preferences", "no_live_customer")
    return _render(request, "preferences.html", view=view, token=token, **values)


@router.post("/preferences/{token}", response_class=HTMLResponse)
async def save_preferences(request: Request, token: str) -> Response:
    # The field names are the policy's purposes and channels, so the form is read whole.
    form = await request.form(max_fields=200, max_files=0)
    fields = {key: value for key, value in form.items() if isinstance(value, str)}
    return await run_in_threadpool(_save, request, token, fields)


def _save(request: Request, token: str, fields: dict[str, str]) -> Response:
    opened = _open(request, token, "preferences")
    if isinstance(opened, Response):
        return opened
    ctx = store_of(request)
    wanted = {
        (purpose.key, channel.value): fields[f"{purpose.key}/{channel.value}"] == "subscribe"
        for purpose in preference_centre.consent_purposes(ctx)
        for channel in consent.channels_of(purpose)
        if fields.get(f"{purpose.key}/{channel.value}") in ("subscribe", "unsubscribe")
    }
    shown = {key[len("notice/") :]: value for key, value in fields.items() if key.startswith("notice/")}
    try:
        saved = preference_centre.choose(ctx, customer_id=opened.customer_id, wanted=wanted, shown_notices=shown,
                                         client=_client(request))  # fmt: skip
    except _GONE:
        return _refuse(request, ctx, "preferences", "no_live_customer")
    return _preference_page(request, token, opened, saved=saved)


@router.get("/unsubscribe/{token}", response_class=HTMLResponse)
def unsubscribe_page(request: Request, token: str) -> Response:
    """A page with a button: mail scanners fetch links, so a GET never unsubscribes."""
    opened = _open(request, token, "unsubscribe")
    if isinstance(opened, Response):
        return opened
    ctx = store_of(request)
    purpose = _purpose_of(ctx, opened)
    if purpose is None:
        return RedirectResponse(f"/p/preferences/{token}?lang={_language(request)}", status_code=303)
    try:
        view = preference_centre.read(ctx, opened.customer_id)
    except _GONE:
        return _refuse(request, ctx, "unsubscribe", "no_live_customer")
    chosen = next(p for p in view.purposes if p.key == purpose)
    return _render(request, "unsubscribe.html", purpose=chosen, token=token, done=False)


@router.post("/unsubscribe/{token}")
def unsubscribe(request: Request, token: str, confirm: Annotated[str, Form(max_length=8)] = "") -> Response:
    """RFC 8058 one-click: the body `List-Unsubscribe=One-Click`, no cookie, no CSRF token;
    answered with a short text. The confirmation page's own button (`confirm=1`) gets a page."""
    opened = _open(request, token, "unsubscribe", limit="one_click_limit")
    if isinstance(opened, Response):
        return opened
    ctx = store_of(request)
    purpose = _purpose_of(ctx, opened)
    if purpose is None:
        return RedirectResponse(f"/p/preferences/{token}?lang={_language(request)}", status_code=303)
    try:
        preference_centre.unsubscribe(ctx, customer_id=opened.customer_id, purpose=purpose, client=_client(request))
        view = preference_centre.read(ctx, opened.customer_id) if confirm else None
    except _GONE:
        return _refuse(request, ctx, "unsubscribe", "no_live_customer")
    if view is None:
        return PlainTextResponse("unsubscribed\n")
    chosen = next(p for p in view.purposes if p.key == purpose)
    return _render(request, "unsubscribe.html", purpose=chosen, token=token, done=True)
