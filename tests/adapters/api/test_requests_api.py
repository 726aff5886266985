"""/api/v1/requests and Shopify's compliance webhooks through an in-process client, on both
backends, with a real SMTP server on localhost: the code arrives by mail, the token's holder
verifies and fulfils, the reply carries the one-time link — and no answer of the API does."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.adapters.api.test_api import bearer, error_of
from tests.conftest import FIXED_NOW, OWNER
from tests.helpers import count, rows
from tests.importer_files import UNSHIPPED_HEADER, unshipped_row, write_table
from tests.smtp_server import SmtpTestServer
from tutela.adapters.api.app import create_app
from tutela.core.clock import FixedClock
from tutela.core.settings import Secret, Settings, load_settings
from tutela.services import importing, subject_requests
from tutela.services.context import Context
from tutela.services.store import init_store

SECRET = "shpss_test-client-secret"
ADA = "ada123@marketplace.amazon.com"  # the imported buyer (Washington: no GDPR, no CCPA)
CARLA = "carla@example.com"  # an imported buyer in California (CCPA)
PUBLIC_URL = "https://privacy.shop.example"


@pytest.fixture
def mail_store(settings: Settings, clock: FixedClock, smtp_server: SmtpTestServer, tmp_path: Path) -> Iterator[Context]:
    configured = replace(settings, smtp_host=smtp_server.host, smtp_port=smtp_server.port, smtp_starttls=False,
                         mail_from="privacy@shop.example", public_url=PUBLIC_URL,
                         shopify_webhook_secret=Secret(SECRET))  # fmt: skip
    ctx = init_store(configured, clock)
    carla = unshipped_row("111-0000002-0000002", "1002", email=CARLA, phone="+1 415-555-0199", city="San Diego")
    carla["ship-state"] = "CA"
    path = write_table(tmp_path / "unshipped.txt", UNSHIPPED_HEADER,
                       [unshipped_row("111-0000001-0000001", "1001"), carla])  # fmt: skip
    importing.import_file(ctx, actor=OWNER, path=path)
    try:
        yield ctx
    finally:
        ctx.close()


@pytest.fixture
def client(mail_store: Context) -> Iterator[TestClient]:
    with TestClient(create_app(mail_store.settings, context=mail_store)) as test_client:
        yield test_client


def officer(store: Context, scopes: tuple[str, ...] = ("requests:read", "requests:write")) -> dict[str, str]:
    return bearer(store, "privacy_officer", list(scopes), [], days=90)


def code_in(server: SmtpTestServer) -> str:
    found = re.search(r"\b(\d{6})\b", server.messages[-1].get_content())
    assert found is not None
    return found.group(1)


def other_code(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def test_open_code_by_mail_verify_fulfil_and_no_link_in_any_answer(
    mail_store: Context, client: TestClient, smtp_server: SmtpTestServer
) -> None:
    headers = officer(mail_store)
    opened = client.post("/api/v1/requests", headers=headers, json={"type": "access", "email": ADA})
    assert opened.status_code == 201
    body = opened.json()
    assert body["linked"] is False and set(body) == {"id", "due_at", "linked"}
    request_id = body["id"]
    (mail,) = smtp_server.messages
    assert mail["To"] == ADA and "confirmation code" in mail["Subject"]
    code = code_in(smtp_server)
    assert code not in opened.text and "ada123" not in opened.text
    again = client.post("/api/v1/requests", headers=headers, json={"type": "access", "email": ADA.upper()})
    assert again.status_code == 201 and again.json() == {**body, "linked": True}  # linked, not doubled
    assert len(smtp_server.messages) == 1  # and no second code

    wrong = client.post(f"/api/v1/requests/{request_id}/verify", headers=headers, json={"code": other_code(code)})
    assert (wrong.status_code, error_of(wrong)["code"]) == (409, "request.refused")
    verified = client.post(f"/api/v1/requests/{request_id}/verify", headers=headers, json={"code": code})
    assert verified.json() == {"id": request_id, "status": "in_progress"}

    listed = client.get("/api/v1/requests", headers=headers).json()
    assert [(r["id"], r["status"], r["kind"], r["verification"]) for r in listed] == [
        (request_id, "in_progress", "access", "reasonable")
    ]
    shown = client.get(f"/api/v1/requests/{request_id}", headers=headers)
    assert shown.json()["customer_id"] and shown.json()["received_at"].startswith("2026-11-29T12:00:00")
    assert "ada123" not in shown.text and "ada123" not in client.get("/api/v1/requests", headers=headers).text

    done = client.post(f"/api/v1/requests/{request_id}/fulfil", headers=headers)
    assert done.status_code == 200
    assert done.json() == {"id": request_id, "status": "completed", "outcome": "package_ready", "reply_sent": True}
    reply = smtp_server.messages[-1]
    assert reply["To"] == ADA and "our answer" in reply["Subject"]
    link = re.search(re.escape(PUBLIC_URL) + r"/p/download/(\S+)", reply.get_content())
    assert link is not None
    token = link.group(1)
    assert token not in done.text and "download" not in done.text and "http" not in done.text
    for answer in (client.get(f"/api/v1/requests/{request_id}", headers=headers),
                   client.get("/api/v1/requests?include_closed=true", headers=headers)):  # fmt: skip
        assert token not in answer.text and "/p/download/" not in answer.text
    assert subject_requests.claim_download(mail_store, token=token) == request_id

    twice = client.post(f"/api/v1/requests/{request_id}/fulfil", headers=headers)
    assert (twice.status_code, error_of(twice)["code"]) == (409, "request.refused")
    assert client.get("/api/v1/requests", headers=headers).json() == []
    closed = client.get("/api/v1/requests", params={"include_closed": "true"}, headers=headers).json()
    assert [(r["id"], r["status"], r["outcome"]) for r in closed] == [(request_id, "completed", "package_ready")]
    actors = {r[0] for r in rows(mail_store, "SELECT actor FROM audit_event WHERE action LIKE 'request.%'")}
    assert actors == {"token:test", "requester"}


def test_scopes_are_enforced(mail_store: Context, client: TestClient, smtp_server: SmtpTestServer) -> None:
    reader = officer(mail_store, ("requests:read",))
    writer = officer(mail_store, ("requests:write",))
    assert error_of(client.get("/api/v1/requests"))["code"] == "token.invalid"
    refused = client.post("/api/v1/requests", headers=reader, json={"type": "access", "email": ADA})
    assert (refused.status_code, error_of(refused)["code"]) == (403, "token.forbidden")
    assert count(mail_store, "data_request") == 0 and smtp_server.messages == []
    other = bearer(mail_store, "owner", ["customers:read", "customers:write"], [])
    assert client.get("/api/v1/requests", headers=other).status_code == 403
    assert client.post("/api/v1/requests", headers=writer, json={"type": "erasure", "email": ADA}).status_code == 201
    assert client.get("/api/v1/requests", headers=writer).status_code == 403  # writing does not include reading
    assert len(client.get("/api/v1/requests", headers=reader).json()) == 1
    for action, body in (("verify", {"code": "123456"}), ("fulfil", None), ("extend", {"reason": "x"}),
                         ("deny", {"reason": "x"})):  # fmt: skip
        answer = client.post(f"/api/v1/requests/1/{action}", headers=reader, json=body)
        assert (answer.status_code, error_of(answer)["code"]) == (403, "token.forbidden"), action
    assert rows(mail_store, "SELECT status FROM data_request")[0][0] == "verifying"


def test_unknown_requests_and_refusals(mail_store: Context, client: TestClient, smtp_server: SmtpTestServer) -> None:
    headers = officer(mail_store)
    for method, path, body in (("get", "/api/v1/requests/999", None), ("post", "/api/v1/requests/999/verify",
                               {"code": "123456"}), ("post", "/api/v1/requests/999/fulfil", None),
                               ("post", "/api/v1/requests/999/extend", {"reason": "more systems"}),
                               ("post", "/api/v1/requests/999/deny", {"reason": "no"})):  # fmt: skip
        answer = client.request(method, path, headers=headers, json=body)
        assert (answer.status_code, error_of(answer)["code"]) == (404, "request.not_found"), path
    assert smtp_server.messages == []

    opened = client.post("/api/v1/requests", headers=headers, json={"type": "erasure", "email": "nobody@example.org",
                                                                    "language": "zh"})  # fmt: skip
    request_id = opened.json()["id"]
    early = client.post(f"/api/v1/requests/{request_id}/fulfil", headers=headers)
    assert (early.status_code, error_of(early)["code"]) == (409, "request.refused")
    assert "verify it first" in str(error_of(early)["details"])
    extended = client.post(f"/api/v1/requests/{request_id}/extend", headers=headers,
                           json={"reason": "three systems to search"})  # fmt: skip
    assert extended.status_code == 200 and extended.json()["status"] == "verifying"
    assert extended.json()["due_at"] > opened.json()["due_at"]
    assert "需要更多时间" in smtp_server.messages[-1]["Subject"]
    assert "three systems to search" in smtp_server.messages[-1].get_content()
    twice = client.post(f"/api/v1/requests/{request_id}/extend", headers=headers, json={"reason": "again"})
    assert (twice.status_code, error_of(twice)["code"]) == (409, "request.refused")
    assert "already extended" in str(error_of(twice)["message"])
    denied = client.post(f"/api/v1/requests/{request_id}/deny", headers=headers,
                         json={"reason": "the identity could not be verified"})  # fmt: skip
    assert denied.json() == {"id": request_id, "status": "denied"}
    assert "无法完成" in smtp_server.messages[-1].get_content()
    again = client.post(f"/api/v1/requests/{request_id}/deny", headers=headers, json={"reason": "no"})
    assert (again.status_code, error_of(again)["code"]) == (409, "request.refused")
    blank = client.post(f"/api/v1/requests/{request_id}/deny", headers=headers, json={"reason": ""})
    assert (blank.status_code, error_of(blank)["code"]) == (422, "request.invalid")


def test_five_wrong_codes_lock_the_request(
    mail_store: Context, client: TestClient, smtp_server: SmtpTestServer
) -> None:
    headers = officer(mail_store)
    request_id = client.post("/api/v1/requests", headers=headers, json={"type": "access", "email": ADA}).json()["id"]
    code = code_in(smtp_server)
    for _ in range(subject_requests.MAX_ATTEMPTS):
        wrong = client.post(f"/api/v1/requests/{request_id}/verify", headers=headers, json={"code": other_code(code)})
        assert (wrong.status_code, error_of(wrong)["code"]) == (409, "request.refused")
    locked = client.post(f"/api/v1/requests/{request_id}/verify", headers=headers, json={"code": code})
    assert (locked.status_code, error_of(locked)["code"]) == (409, "request.refused")
    assert "locked" in str(error_of(locked)["message"]) and code not in locked.text


def test_input_is_checked_without_echoing_it(mail_store: Context, client: TestClient) -> None:
    headers = officer(mail_store)
    unknown = client.post("/api/v1/requests", headers=headers, json={"type": "selfie", "email": ADA})
    assert (unknown.status_code, error_of(unknown)["code"]) == (422, "vault.invalid_value")
    extra = client.post("/api/v1/requests", headers=headers, json={"type": "access", "email": ADA, "name": "Ada"})
    assert (extra.status_code, error_of(extra)["code"]) == (422, "request.invalid")
    bad = client.post("/api/v1/requests", headers=headers, json={"type": "access", "email": "ada at home"})
    assert (bad.status_code, error_of(bad)["code"]) == (422, "vault.invalid_value") and "ada at home" not in bad.text
    no_fix = client.post("/api/v1/requests", headers=headers, json={"type": "rectification", "email": ADA})
    assert (no_fix.status_code, error_of(no_fix)["code"]) == (422, "vault.invalid_value")
    fixed = client.post("/api/v1/requests", headers=headers, json={
        "type": "rectification", "email": ADA, "corrections": {"user.contact.address.street": "14 Main St"},
    })  # fmt: skip
    assert fixed.status_code == 201 and "14 Main St" not in fixed.text
    assert count(mail_store, "data_request") == 1


def test_the_queue_by_due_date(mail_store: Context, client: TestClient, clock: FixedClock) -> None:
    headers = officer(mail_store)
    client.post("/api/v1/requests", headers=headers, json={"type": "access", "email": CARLA})  # CCPA: 45 days
    client.post("/api/v1/requests", headers=headers, json={"type": "access", "email": ADA})  # one month
    due = [r["due_at"][:10] for r in client.get("/api/v1/requests", headers=headers).json()]
    assert due == ["2026-12-29", "2027-01-13"]
    first = client.get("/api/v1/requests", params={"due_before": "2026-12-29"}, headers=headers).json()
    assert [r["jurisdiction"] for r in first] == ["other"]
    clock.advance(timedelta(days=31))
    overdue = client.get("/api/v1/requests", headers=headers).json()
    assert [r["overdue"] for r in overdue] == [True, False]
    bad = client.get("/api/v1/requests", params={"due_before": "soon"}, headers=headers)
    assert (bad.status_code, error_of(bad)["code"]) == (422, "request.invalid")


def test_a_mail_that_cannot_leave_leaves_no_request(settings: Settings, clock: FixedClock) -> None:
    store = init_store(replace(settings, smtp_host="127.0.0.1", smtp_port=1, smtp_starttls=False), clock)
    try:
        with TestClient(create_app(store.settings, context=store)) as client:
            failed = client.post("/api/v1/requests", headers=officer(store), json={"type": "access", "email": ADA})
        assert (failed.status_code, error_of(failed)["code"]) == (502, "mail.not_sent")
        assert "ada123" not in failed.text and "127.0.0.1:1" in failed.text
        assert count(store, "data_request") == 0
    finally:
        store.close()


def test_without_a_mail_server_the_letters_go_to_the_outbox(store: Context) -> None:
    with TestClient(create_app(store.settings, context=store)) as client:
        opened = client.post("/api/v1/requests", headers=officer(store), json={"type": "opt_out", "email": ADA})
    assert opened.status_code == 201
    (letter,) = store.settings.outbox.glob("*.eml")
    assert "confirmation code" in letter.read_text()


# Shopify's mandatory compliance webhooks


def signed(payload: object, secret: str = SECRET) -> tuple[bytes, dict[str, str]]:
    body = json.dumps(payload).encode()
    signature = base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()
    return body, {"X-Shopify-Hmac-Sha256": signature, "Content-Type": "application/json",
                  "X-Shopify-Topic": "customers/data_request"}  # fmt: skip


def data_request(email: str | None = ADA) -> dict[str, object]:
    return {"shop_id": 954889, "shop_domain": "my-shop.myshopify.com", "orders_requested": [299938, 280263],
            "customer": {"id": 191167, "email": email, "phone": "555-625-1199"},
            "data_request": {"id": 9999}}  # fmt: skip


def redact(email: str = CARLA) -> dict[str, object]:
    return {"shop_id": 954889, "shop_domain": "my-shop.myshopify.com", "orders_to_redact": [299939],
            "customer": {"id": 191168, "email": email, "phone": "555-625-1199"}}  # fmt: skip


def _events(store: Context) -> list[tuple[str, str, str]]:
    return [tuple(r) for r in rows(store, "SELECT actor, action, details FROM audit_event ORDER BY seq")]


def test_a_signed_data_request_opens_a_verified_access_request(
    mail_store: Context, client: TestClient, smtp_server: SmtpTestServer
) -> None:
    body, headers = signed(data_request())
    answer = client.post("/webhooks/shopify/customers-data-request", content=body, headers=headers)
    assert answer.status_code == 200
    assert answer.json() == {"status": "accepted", "request_id": 1, "linked": False}
    (request,) = subject_requests.list_requests(mail_store)
    assert (request["kind"], request["status"], request["verification"]) == ("access", "in_progress", "shopify")
    assert request["customer_id"] is not None and request["due_at"] == FIXED_NOW + timedelta(days=30)
    assert smtp_server.messages == []  # the shop identified the customer: no code to mail
    opened = [e for e in _events(mail_store) if e[1].startswith("request.")]
    assert [(actor, action) for actor, action, _ in opened] == [("webhook:shopify", "request.open"),
                                                                ("webhook:shopify", "request.verified")]  # fmt: skip
    assert json.loads(opened[0][2])["reference"] == "customers/data_request:shop 954889:9999"
    assert "ada123" not in json.dumps(_events(mail_store)) and "555-625" not in json.dumps(_events(mail_store))
    retried = client.post("/webhooks/shopify/customers-data-request", content=body, headers=headers)
    assert retried.json() == {"status": "accepted", "request_id": 1, "linked": True}  # Shopify retries: linked
    assert count(mail_store, "data_request") == 1

    done = client.post("/api/v1/requests/1/fulfil", headers=officer(mail_store))
    assert done.json()["outcome"] == "package_ready" and "/p/download/" not in done.text
    assert smtp_server.messages[-1]["To"] == ADA and "/p/download/" in smtp_server.messages[-1].get_content()


def test_a_webhook_verifies_a_request_still_waiting_for_its_code(mail_store: Context, client: TestClient) -> None:
    opened = client.post("/api/v1/requests", headers=officer(mail_store), json={"type": "access", "email": ADA})
    body, headers = signed(data_request())
    answer = client.post("/webhooks/shopify/customers-data-request", content=body, headers=headers)
    assert answer.json() == {"status": "accepted", "request_id": opened.json()["id"], "linked": True}
    (request,) = subject_requests.list_requests(mail_store)
    assert (request["status"], request["verification"]) == ("in_progress", "shopify")


def test_a_signed_customer_redact_opens_an_erasure_the_officer_fulfils(
    mail_store: Context, client: TestClient, smtp_server: SmtpTestServer
) -> None:
    body, headers = signed(redact())
    answer = client.post("/webhooks/shopify/customers-redact", content=body, headers=headers)
    assert answer.status_code == 200 and answer.json()["request_id"] == 1
    (request,) = subject_requests.list_requests(mail_store)
    assert (request["kind"], request["status"], request["jurisdiction"]) == ("erasure", "in_progress", "ccpa")
    assert request["due_at"] == FIXED_NOW + timedelta(days=30)  # Shopify's 30 days, not CCPA's 45
    assert rows(mail_store, "SELECT wrapped_dek IS NOT NULL FROM customer WHERE id = :i",
                i=request["customer_id"])[0][0]  # fmt: skip  # nothing erased yet: the officer fulfils
    done = client.post("/api/v1/requests/1/fulfil", headers=officer(mail_store))
    assert done.json()["outcome"].startswith("erased")
    assert smtp_server.messages[-1]["To"] == CARLA


def test_shop_redact_is_recorded(mail_store: Context, client: TestClient) -> None:
    body, headers = signed({"shop_id": 954889, "shop_domain": "my-shop.myshopify.com"})
    answer = client.post("/webhooks/shopify/shop-redact", content=body, headers=headers)
    assert answer.json() == {"status": "accepted", "request_id": None, "linked": False}
    actor, action, details = _events(mail_store)[-1]
    assert (actor, action) == ("webhook:shopify", "webhook.shop_redact")
    assert json.loads(details) == {"source": "shopify", "shop_id": 954889, "shop_domain": "my-shop.myshopify.com"}
    assert count(mail_store, "data_request") == 0


def test_unsigned_or_forged_deliveries_are_refused_and_leave_nothing(mail_store: Context, client: TestClient) -> None:
    before = count(mail_store, "audit_event")
    body, headers = signed(data_request())
    cases = {
        "no signature": (body, {"Content-Type": "application/json"}),
        "wrong secret": signed(data_request(), secret="someone-else")[:2],
        "body changed": (body.replace(b"954889", b"954880"), headers),
        "not base64": (body, {**headers, "X-Shopify-Hmac-Sha256": "not a signature ✓".encode()}),
        "empty": (b"", headers),
    }
    for path in ("customers-data-request", "customers-redact", "shop-redact"):
        for name, (content, sent) in cases.items():
            answer = client.post(f"/webhooks/shopify/{path}", content=content, headers=sent)
            assert (answer.status_code, error_of(answer)["code"]) == (401, "webhook.signature_invalid"), (path, name)
    assert count(mail_store, "data_request") == 0 and count(mail_store, "audit_event") == before
    big = b"{" + b" " * (300 * 1024) + b"}"
    too_big = client.post("/webhooks/shopify/customers-redact", content=big, headers=signed({})[1])
    assert (too_big.status_code, error_of(too_big)["code"]) == (413, "request.too_large")


def test_a_signed_but_malformed_body_is_400_and_one_event_without_contents(
    mail_store: Context, client: TestClient
) -> None:
    for payload, reason in ((b"{not json", "malformed"), (json.dumps({"shop_id": "x"}).encode(), "malformed"),
                            (json.dumps(data_request(email=None)).encode(), "no_email"),
                            (json.dumps(data_request(email="ada at home")).encode(), "no_email")):  # fmt: skip
        signature = base64.b64encode(hmac.new(SECRET.encode(), payload, hashlib.sha256).digest()).decode()
        answer = client.post("/webhooks/shopify/customers-data-request", content=payload,
                             headers={"X-Shopify-Hmac-Sha256": signature})  # fmt: skip
        assert (answer.status_code, error_of(answer)["code"]) == (400, "webhook.invalid")
        actor, action, details = _events(mail_store)[-1]
        assert (actor, action) == ("webhook:shopify", "webhook.rejected")
        assert json.loads(details) == {"source": "shopify", "topic": "customers/data_request", "reason": reason}
        assert "ada at home" not in answer.text
    assert count(mail_store, "data_request") == 0


def test_without_a_secret_the_webhooks_do_not_exist(store: Context) -> None:
    body, headers = signed(data_request())
    with TestClient(create_app(store.settings, context=store)) as client:
        answer = client.post("/webhooks/shopify/customers-data-request", content=body, headers=headers)
    assert (answer.status_code, error_of(answer)["code"]) == (404, "request.not_found")
    assert count(store, "data_request") == 0


def test_the_routes_are_in_the_openapi_document(client: TestClient) -> None:
    paths = client.get("/api/openapi.json").json()["paths"]
    assert {"/api/v1/requests", "/api/v1/requests/{request_id}", "/api/v1/requests/{request_id}/verify",
            "/api/v1/requests/{request_id}/fulfil", "/api/v1/requests/{request_id}/extend",
            "/api/v1/requests/{request_id}/deny", "/webhooks/shopify/customers-data-request",
            "/webhooks/shopify/customers-redact", "/webhooks/shopify/shop-redact"} <= set(paths)  # fmt: skip


def test_the_webhook_secret_setting(tmp_path: Path) -> None:
    loaded = load_settings(data_dir=tmp_path, environ={"TUTELA_SHOPIFY_WEBHOOK_SECRET": SECRET})
    assert loaded.shopify_webhook_secret == Secret(SECRET) and SECRET not in repr(loaded)
    unset = load_settings(data_dir=tmp_path, environ={"TUTELA_SHOPIFY_WEBHOOK_SECRET": ""})
    assert unset.shopify_webhook_secret is None
