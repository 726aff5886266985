"""Shopify's mandatory compliance webhooks (customers/data_request, customers/redact,
shop/redact) as data-subject requests.

Shopify signs each delivery with the app's client secret: `X-Shopify-Hmac-Sha256` is the
base64 of HMAC-SHA256(secret, raw body). Only a delivery whose signature checks is acted on.
The shop has identified the customer before asking, so the request starts verified (no code
is mailed) and is due within Shopify's 30 days at the latest; the privacy officer fulfils it
as any other request (the reply goes to the customer's address)."""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import timedelta

from tutela.core.actor import Actor
from tutela.services import audit, subject_requests
from tutela.services.context import Context
from tutela.services.subject_requests import Kind, Opened

SOURCE = "shopify"
ACTOR = Actor(id="webhook:shopify", role="owner")
DEADLINE = timedelta(days=30)  # Shopify: complete the action within 30 days of the webhook


def signature_valid(secret: str, body: bytes, signature: str | None) -> bool:
    """Whether `signature` (the header's value) is Shopify's signature of exactly these bytes."""
    if not signature:
        return False
    expected = base64.b64encode(hmac.new(secret.encode("utf-8"), body, hashlib.sha256).digest())
    return hmac.compare_digest(expected, signature.strip().encode("ascii", "replace"))


def _reference(topic: str, shop_id: int, item_id: int | None) -> str:
    return f"{topic}:shop {shop_id}" + (f":{item_id}" if item_id is not None else "")


def data_request(ctx: Context, *, email: str, shop_id: int, request_id: int | None) -> Opened:
    """customers/data_request: an access request for the customer's address, verified by the shop."""
    return subject_requests.open_verified(
        ctx, actor=ACTOR, kind=Kind.ACCESS.value, email=email, source=SOURCE, due_within=DEADLINE,
        reference=_reference("customers/data_request", shop_id, request_id),
    )  # fmt: skip


def customer_redact(ctx: Context, *, email: str, shop_id: int, customer_id: int | None) -> Opened:
    """customers/redact: an erasure request, verified by the shop; fulfilled by the officer
    (legal holds and tax records are weighed then, as for any erasure)."""
    return subject_requests.open_verified(
        ctx, actor=ACTOR, kind=Kind.ERASURE.value, email=email, source=SOURCE, due_within=DEADLINE,
        reference=_reference("customers/redact", shop_id, customer_id),
    )  # fmt: skip


def shop_redact(ctx: Context, *, shop_id: int, shop_domain: str) -> None:
    """shop/redact (48 hours after the store uninstalled the app): recorded. The shop's customer
    data is Tutela's own store, kept and deleted by the policy's retention rules, not by Shopify's
    notice; there is no separate Shopify copy to delete."""
    audit.record_alone(ctx, ACTOR, audit.Event(
        action="webhook.shop_redact", details={"source": SOURCE, "shop_id": shop_id, "shop_domain": shop_domain},
    ))  # fmt: skip


def reject(ctx: Context, *, topic: str, reason: str) -> None:
    """A signed delivery that cannot be acted on (its body is malformed or names no e-mail
    address): recorded without any of its contents, so the officer can act by hand. Unsigned
    deliveries are never recorded — anyone may send them, and the audit log is not theirs to fill."""
    audit.record_alone(ctx, ACTOR, audit.Event(
        action="webhook.rejected", outcome="refused", details={"source": SOURCE, "topic": topic, "reason": reason},
    ))  # fmt: skip
