"""The customers' data-subject request pages under /p, in English and Simplified Chinese: the
request form, the page where the e-mailed code is entered, and the one-time download of an
access package. Same layout, rate limits and no-cookie rule as the preference centre
(`public_pages`).

No enumeration: the form answers every well-formed request with the same page and status —
a customer, a stranger, or a second request of the same kind (linked to the open one) — and
the service sends the code letter to unknown addresses too, so no answer comes back faster.

Cross-site posts: with no cookie there is no session to ride, but a foreign page could still
make its visitors' browsers send requests (mail to any address, from addresses that are not
the attacker's). The form therefore carries a nonce: the time it was shown and the client
address, signed with the keyring's link key, valid for FORM_LIFETIME. A foreign page can only
post one it read from this site, and the same-origin policy keeps it from reading our pages.
An Origin/Referer check would not do: the pages send `Referrer-Policy: no-referrer`, so the
browser posts the form with `Origin: null` and no Referer.

Request numbers are sequential, so the code page's path holds the number with a signature
(`17-<mac>`): only who sent the form reaches a request's code page, and nobody can lock other
people's requests by walking the numbers. The pages show nothing about a request but its due
date, after a good code."""

from __future__ import annotations

import base64
import hmac
import os
from collections.abc import Iterator
from datetime import timedelta
from typing import Any, BinaryIO

from fastapi import APIRouter, FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response, StreamingResponse

from tutela.adapters.documents import request_mail
from tutela.adapters.web.pages import store_of
from tutela.adapters.web.public_pages import MAX_TOKEN, _address, _language, _PublicLimit, _refuse, _render, _too_many
from tutela.core.actor import Actor
from tutela.core.errors import InvalidValue, MailNotSent, RequestNotFound, RequestRefused
from tutela.services import request_fulfilment, subject_requests
from tutela.services.context import Context

router = APIRouter(prefix="/p", include_in_schema=False)
PUBLIC_FORM = Actor(id="public-form", role="customer")  # recorded in the audit log only
FORM_LIMIT = 5  # request forms per client address per minute, on top of the pages' limit: each sends a mail
FORM_LIFETIME = timedelta(hours=2)  # how long a shown form may be sent
KINDS = tuple(kind.value for kind in subject_requests.Kind)
# The form's correction fields and the policy categories they correct.
CORRECTIONS = {
    "name": "user.name",
    "street": "user.contact.address.street",
    "city": "user.contact.address.city",
    "postal_code": "user.contact.address.postal_code",
}
MAX_FIELD = 200  # characters in a correction
MAX_EMAIL = 320
CHUNK = 64 * 1024


def install(app: FastAPI) -> None:
    """After public_pages.install: the pages share its per-address limit."""
    app.state.request_form_limit = _PublicLimit(FORM_LIMIT)
    app.include_router(router)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


def _number(text: str) -> int | None:
    return int(text) if text.isascii() and text.isdigit() and 0 < len(text) <= 12 else None


# Signed texts. A consent link signs `customer|purpose|expiry` (three fields); these have two
# and four, and start with a name no customer id has, so no signature is good for another kind.
def _nonce(ctx: Context, request: Request, shown: int | None = None) -> str:
    """The form's nonce: when it was shown, signed with the client's address."""
    shown = int(ctx.clock.now().timestamp()) if shown is None else shown
    return f"{shown}.{_b64(ctx.keyring.link_mac(f'tutela/request-form|{shown}|{_address(request)}|v1'.encode()))}"


def _nonce_holds(ctx: Context, request: Request, nonce: str) -> bool:
    shown = _number(nonce.partition(".")[0])
    now = ctx.clock.now().timestamp()
    if shown is None or not now - FORM_LIFETIME.total_seconds() <= shown <= now + 60:
        return False
    return _same(nonce, _nonce(ctx, request, shown))


def reference(ctx: Context, request_id: int) -> str:
    """The code page's key: the request number and its signature."""
    return f"{request_id}-{_b64(ctx.keyring.link_mac(f'tutela/request-code|{request_id}'.encode()))}"


def _request_of(ctx: Context, ref: str) -> int | None:
    number = _number(ref.partition("-")[0])
    return number if number is not None and _same(ref, reference(ctx, number)) else None


def _limited(request: Request, ctx: Context, *limits: str) -> bool:
    now = ctx.clock.now().timestamp()
    return not all(getattr(request.app.state, name).allow(_address(request), now=lambda: now) for name in limits)


def _form(request: Request, ctx: Context, status_code: int = 200, error: str | None = None,
          **values: Any) -> Response:  # fmt: skip
    return _render(request, "request_form.html", status_code=status_code, kinds=KINDS, nonce=_nonce(ctx, request),
                   error=error, values=values)  # fmt: skip


@router.get("/requests", response_class=HTMLResponse)
def request_form(request: Request) -> Response:
    ctx = store_of(request)
    if _limited(request, ctx, "public_limit"):
        return _too_many(request)
    return _form(request, ctx)


@router.post("/requests", response_class=HTMLResponse)
async def send_request(request: Request) -> Response:
    form = await request.form(max_fields=20, max_files=0)
    fields = {key: value for key, value in form.items() if isinstance(value, str)}
    return await run_in_threadpool(_send, request, fields)


def _send(request: Request, fields: dict[str, str]) -> Response:
    ctx = store_of(request)
    if _limited(request, ctx, "public_limit", "request_form_limit"):
        return _too_many(request)
    kind = fields.get("kind", "")
    email = fields.get("email", "").strip()
    wanted = {key: fields.get(key, "").strip() for key in CORRECTIONS}
    keep = {"kind": kind, "email": email[:MAX_EMAIL], **{key: value[:MAX_FIELD] for key, value in wanted.items()}}
    if not _nonce_holds(ctx, request, fields.get("nonce", "")):
        return _form(request, ctx, 403, "expired", **keep)
    corrections = {CORRECTIONS[key]: value for key, value in wanted.items() if value}
    problem = _problem(kind, email, wanted, corrections)
    if problem is not None:
        return _form(request, ctx, 422, problem, **keep)
    language = _language(request)
    try:
        opened = subject_requests.open_request(
            ctx, actor=PUBLIC_FORM, kind=kind, email=email, jurisdiction="auto", language=language,
            corrections=corrections if kind == subject_requests.Kind.RECTIFICATION else None,
            deliver=request_mail.code_sender(ctx, email=email, language=language),
        )  # fmt: skip
    except InvalidValue:  # the type and the corrections are checked above: the address is not one
        return _form(request, ctx, 422, "email", **keep)
    except MailNotSent:  # nothing was recorded
        return _form(request, ctx, 503, "mail", **keep)
    # The same page for a customer, a stranger and a linked request.
    return _render(request, "request_sent.html", ref=reference(ctx, opened.request_id))


def _problem(kind: str, email: str, wanted: dict[str, str], corrections: dict[str, str]) -> str | None:
    """What is wrong with the form before the service sees it (the address is checked there)."""
    if kind not in KINDS:
        return "kind"
    if kind == subject_requests.Kind.RECTIFICATION and not corrections:
        return "corrections"
    if len(email) > MAX_EMAIL or any(len(value) > MAX_FIELD for value in wanted.values()):
        return "too_long"
    return None


@router.get("/requests/{ref}/verify", response_class=HTMLResponse)
def code_form(request: Request, ref: str) -> Response:
    ctx = store_of(request)
    if _limited(request, ctx, "public_limit"):
        return _too_many(request)
    if len(ref) > MAX_TOKEN or _request_of(ctx, ref) is None:
        return _refuse(request, ctx, "request_code", "signature")
    return _render(request, "request_code.html", ref=ref)


@router.post("/requests/{ref}/verify", response_class=HTMLResponse)
async def enter_code(request: Request, ref: str) -> Response:
    form = await request.form(max_fields=5, max_files=0)
    code = form.get("code")
    return await run_in_threadpool(_verify, request, ref, code if isinstance(code, str) else "")


def _verify(request: Request, ref: str, code: str) -> Response:
    ctx = store_of(request)
    if _limited(request, ctx, "public_limit"):
        return _too_many(request)
    request_id = _request_of(ctx, ref) if len(ref) <= MAX_TOKEN else None
    if request_id is None:
        return _refuse(request, ctx, "request_code", "signature")
    digits = "".join(code.split()).replace("-", "")
    if not (len(digits) == 6 and digits.isascii() and digits.isdigit()):
        return _render(request, "request_code.html", status_code=422, ref=ref, error="format")
    try:
        subject_requests.verify(ctx, actor=PUBLIC_FORM, request_id=request_id, code=digits)
    except (RequestRefused, RequestNotFound):  # wrong, expired, locked, already confirmed: one answer
        return _render(request, "request_code.html", status_code=422, ref=ref, error="refused")
    due = subject_requests.get(ctx, request_id)["due_at"]
    return _render(request, "request_code.html", ref=ref, due=f"{due:%Y-%m-%d}")


@router.get("/download/{token}")
def download(request: Request, token: str) -> Response:
    """The access package, once: the file leaves the disk as it is sent. Used, expired and
    unknown links get the one page for links that do not hold (404)."""
    ctx = store_of(request)
    if _limited(request, ctx, "public_limit"):
        return _too_many(request)
    try:
        if len(token) > MAX_TOKEN:
            raise RequestRefused("this download link is not valid any more", hint="ask the shop for a new one")
        request_id = subject_requests.claim_download(ctx, token=token)
    except RequestRefused:
        return _refuse(request, ctx, "download", "used_expired_or_unknown")
    path = request_fulfilment.package_path(ctx, request_id)
    try:
        handle = path.open("rb")
    except FileNotFoundError:
        return _refuse(request, ctx, "download", "package_missing")
    path.unlink()  # the open handle still reads it; no copy stays behind, whatever happens next
    size = os.fstat(handle.fileno()).st_size
    headers = {"Content-Disposition": f'attachment; filename="privacy-request-{request_id}.zip"',
               "Content-Length": str(size), "Cache-Control": "no-store"}  # fmt: skip
    return StreamingResponse(_chunks(handle), media_type="application/zip", headers=headers)


def _chunks(handle: BinaryIO) -> Iterator[bytes]:
    with handle:
        while chunk := handle.read(CHUNK):
            yield chunk
