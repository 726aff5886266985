"""Shopify's webhook signature (a known answer computed independently) and requests opened
verified by the shop: no code, capped due date, linking, audited without the address."""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import timedelta

import pytest

from tests.conftest import FIXED_NOW
from tests.helpers import rows
from tutela.core.errors import InvalidValue
from tutela.services import shopify_compliance, subject_requests
from tutela.services.context import Context

BODY = b'{"shop_id":954889,"shop_domain":"my-shop.myshopify.com"}'
SECRET = "hush"


def test_the_signature_is_base64_hmac_sha256_of_the_raw_body() -> None:
    good = base64.b64encode(hmac.new(SECRET.encode(), BODY, hashlib.sha256).digest()).decode()
    assert shopify_compliance.signature_valid(SECRET, BODY, good)
    assert shopify_compliance.signature_valid(SECRET, BODY, f" {good} ")  # header whitespace
    assert not shopify_compliance.signature_valid(SECRET, BODY + b" ", good)  # the raw bytes, not the JSON
    assert not shopify_compliance.signature_valid("other", BODY, good)
    assert not shopify_compliance.signature_valid(SECRET, BODY, hashlib.sha256(BODY).hexdigest())
    assert not shopify_compliance.signature_valid(SECRET, BODY, None)
    assert not shopify_compliance.signature_valid(SECRET, BODY, "")
    assert not shopify_compliance.signature_valid(SECRET, BODY, "ü" * 44)


def test_open_verified_starts_in_progress_without_a_code(store: Context) -> None:
    made = shopify_compliance.customer_redact(store, email="Kim@Example.com", shop_id=1, customer_id=7)
    assert made.code is None and made.linked is False and made.due_at == FIXED_NOW + timedelta(days=30)
    request = subject_requests.get(store, made.request_id)
    assert (request["kind"], request["status"], request["verification"]) == ("erasure", "in_progress", "shopify")
    assert rows(store, "SELECT code_digest FROM data_request")[0][0] is None
    events = rows(store, "SELECT actor, action, details FROM audit_event WHERE action LIKE 'request.%' ORDER BY seq")
    assert [(e[0], e[1]) for e in events] == [("webhook:shopify", "request.open"),
                                              ("webhook:shopify", "request.verified")]  # fmt: skip
    assert "customers/redact:shop 1:7" in events[0][2] and "Kim" not in str(events) and "kim" not in str(events)
    again = shopify_compliance.customer_redact(store, email="kim@example.com", shop_id=1, customer_id=7)
    assert (again.request_id, again.linked) == (made.request_id, True)


def test_open_verified_refuses_what_open_request_refuses(store: Context) -> None:
    with pytest.raises(InvalidValue):
        subject_requests.open_verified(store, actor=shopify_compliance.ACTOR, kind="selfie", email="a@example.com",
                                       source="shopify")  # fmt: skip
    with pytest.raises(InvalidValue):
        subject_requests.open_verified(store, actor=shopify_compliance.ACTOR, kind="access", email="not an address",
                                       source="shopify")  # fmt: skip
    with pytest.raises(InvalidValue):
        subject_requests.open_verified(store, actor=shopify_compliance.ACTOR, kind="access", email="a@example.com",
                                       source="a source; drop table")  # fmt: skip
    assert rows(store, "SELECT count(*) FROM data_request")[0][0] == 0
