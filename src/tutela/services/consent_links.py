"""Signed links for customers: the preference centre and the one-click unsubscribe.
A link carries the customer's pseudonymous id, the purpose (or none: every purpose) and an
expiry, signed with a key derived from the store's index root. No personal data is in it,
and a forged, altered or expired link gets the same answer, so it tells nothing."""

from __future__ import annotations

import base64
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from tutela.core.errors import LinkInvalid
from tutela.services.context import Context

DEFAULT_LIFETIME = timedelta(days=400)  # a link in a newsletter must outlive the next few sends


@dataclass(frozen=True)
class LinkClaims:
    customer_id: str
    purpose: str | None
    expires_at: datetime


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def make_token(ctx: Context, customer_id: str, *, purpose: str | None = None,
               lifetime: timedelta = DEFAULT_LIFETIME) -> str:  # fmt: skip
    expires = int((ctx.clock.now() + lifetime).timestamp())
    payload = f"{customer_id}|{purpose or ''}|{expires}".encode()
    return f"{_b64(payload)}.{_b64(ctx.keyring.link_mac(payload))}"


def read_token(ctx: Context, token: str) -> LinkClaims:
    invalid = LinkInvalid("this link is not valid or has expired", hint="use the newest link you received")
    try:
        body, signature = token.split(".", 1)
        payload = _unb64(body)
        expected = ctx.keyring.link_mac(payload)
        if not hmac.compare_digest(expected, _unb64(signature)):
            raise invalid
        customer_id, purpose, expires_text = payload.decode("utf-8").split("|")
        expires_at = datetime.fromtimestamp(int(expires_text), tz=UTC)
    except (ValueError, UnicodeDecodeError):
        raise invalid from None
    if expires_at <= ctx.clock.now():
        raise invalid
    return LinkClaims(customer_id, purpose or None, expires_at)


PREFERENCES_PATH = "/p/preferences/"
UNSUBSCRIBE_PATH = "/p/unsubscribe/"
DOWNLOAD_PATH = "/p/download/"  # a data-subject request's package: a one-time token, not a signed link


def preferences_url(ctx: Context, customer_id: str) -> str:
    """The customer's preference centre (every consent purpose and channel)."""
    return ctx.settings.public_url + PREFERENCES_PATH + make_token(ctx, customer_id)


def unsubscribe_url(ctx: Context, customer_id: str, purpose: str) -> str:
    """One-click unsubscribe from one purpose (RFC 8058: POSTed by mail clients, GET shows a page)."""
    return ctx.settings.public_url + UNSUBSCRIBE_PATH + make_token(ctx, customer_id, purpose=purpose)
