"""/api/v1/consent through an in-process client, on both backends: scopes, grants and
withdrawals with proof, history, may-we-contact, notices, suppression lists, the numbers."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.adapters.api.test_api import bearer, error_of
from tests.conftest import OWNER
from tests.helpers import count, rows
from tests.importer_files import write_table
from tutela.adapters.api.app import create_app
from tutela.core.clock import FixedClock
from tutela.services import consent, erasure, vault
from tutela.services.context import Context

WORDING = "Yes, send me offers by e-mail. I can unsubscribe at any time."
GRANT = {"purpose": "marketing_email", "channel": "email", "source": "support_call", "notice_version": "3"}


@pytest.fixture
def client(store: Context) -> Iterator[TestClient]:
    consent.add_notice(store, actor=OWNER, purpose="marketing_email", version="3", wording=WORDING)
    with TestClient(create_app(store.settings, context=store)) as test_client:
        yield test_client


def shop_customer(store: Context, email: str = "lin@example.cn") -> str:
    return vault.add_customer(store, actor=OWNER, purpose="fulfillment", source="own_shop",
                              fields={"user.name": "Lin Wei", "user.contact.email": email})  # fmt: skip


def reader(store: Context) -> dict[str, str]:
    return bearer(store, "marketing", ["consent:read"], [])


def writer(store: Context) -> dict[str, str]:
    return bearer(store, "privacy_officer", ["consent:read", "consent:write"], [])


def test_grant_history_can_contact_withdraw(store: Context, clock: FixedClock, client: TestClient) -> None:
    lin = shop_customer(store)
    headers = writer(store)
    evidence = "ab" * 32
    granted = client.post(f"/api/v1/consent/customers/{lin}/grant", headers=headers,
                          json={**GRANT, "evidence_sha256": evidence})  # fmt: skip
    assert granted.status_code == 201
    body = granted.json()
    assert body["can_contact"] == {"allowed": True, "reason": "consent granted"} and body["event_id"] > 0
    asked = client.get(f"/api/v1/consent/customers/{lin}/can-contact", headers=reader(store),
                       params={"purpose": "marketing_email", "channel": "email"})  # fmt: skip
    assert asked.status_code == 200 and asked.json() == {"allowed": True, "reason": "consent granted"}

    clock.advance(timedelta(minutes=5))
    withdrawn = client.post(f"/api/v1/consent/customers/{lin}/withdraw", headers=headers,
                            json={"purpose": "marketing_email", "source": "support_call"})  # fmt: skip
    assert withdrawn.status_code == 201 and len(withdrawn.json()["event_ids"]) == 1  # every channel: e-mail only
    history = client.get(f"/api/v1/consent/customers/{lin}", headers=reader(store))
    assert history.status_code == 200
    found = history.json()
    assert found["current"]["marketing_email/email"] == {"allowed": False, "reason": "consent withdrawn"}
    first, second = found["events"]
    assert (first["kind"], first["source"], first["notice_version"], first["evidence_sha256"]) == (
        "granted", "support_call", "3", evidence)  # fmt: skip
    assert first["wording_sha256"] == consent.current_notice(store, "marketing_email")["wording_sha256"]  # type: ignore[index]
    assert first["client_sha256"] is None  # a staff tool's address is not the customer's: none is kept
    assert first["actor"] == second["actor"] == "token:test"
    assert (second["kind"], second["at"]) == ("withdrawn", clock.now().isoformat().replace("+00:00", "Z"))
    assert found["sale_share_opt_out"] is None and "Lin" not in history.text and "example.cn" not in history.text
    actions = [r[0] for r in rows(store, "SELECT actor FROM audit_event WHERE action LIKE 'consent.%' ORDER BY seq")]
    assert actions == [OWNER.id, "token:test", "token:test"]  # the notice (fixture), the grant, the withdrawal

    no = client.get(f"/api/v1/consent/customers/{lin}/can-contact", headers=reader(store),
                    params={"purpose": "fulfillment", "channel": "email"})  # fmt: skip
    assert no.json() == {"allowed": False, "reason": "'fulfillment' is not a consent purpose"}


def test_scopes_are_enforced(store: Context, client: TestClient) -> None:
    lin = shop_customer(store)
    read_only = reader(store)
    refused = client.post(f"/api/v1/consent/customers/{lin}/grant", headers=read_only, json=GRANT)
    assert (refused.status_code, error_of(refused)["code"]) == (403, "token.forbidden")
    for method, path in [("post", "/api/v1/consent/notices"), ("post", f"/api/v1/consent/customers/{lin}/withdraw")]:
        assert getattr(client, method)(path, headers=read_only, json={}).status_code == 403
    other = bearer(store, "owner", ["customers:read", "customers:write"], [])
    for path in (f"/api/v1/consent/customers/{lin}", "/api/v1/consent/notices", "/api/v1/consent/stats"):
        answer = client.get(path, headers=other)
        assert (answer.status_code, error_of(answer)["code"]) == (403, "token.forbidden")
    nobody = client.get(f"/api/v1/consent/customers/{lin}")
    assert (nobody.status_code, error_of(nobody)["code"]) == (401, "token.invalid")
    assert count(store, "consent_event") == 0


def test_bad_requests_get_the_one_error_shape(store: Context, client: TestClient) -> None:
    lin = shop_customer(store)
    headers = writer(store)
    cases = [
        ({**GRANT, "notice_version": ""}, "notice_version"),
        ({k: v for k, v in GRANT.items() if k != "source"}, "source"),
        ({**GRANT, "evidence_sha256": "not-a-hash"}, "evidence_sha256"),
        ({**GRANT, "email": "lin@example.cn"}, "email"),  # unknown fields are refused
    ]
    for body, field in cases:
        answer = client.post(f"/api/v1/consent/customers/{lin}/grant", headers=headers, json=body)
        problem = error_of(answer)
        assert (answer.status_code, problem["code"]) == (422, "request.invalid")
        assert field in str(problem["details"]) and "lin@example.cn" not in answer.text  # never the values sent
    service = [
        ({**GRANT, "notice_version": "9"}, 422, "vault.invalid_value"),  # no such notice
        ({**GRANT, "channel": "fax"}, 422, "vault.invalid_value"),
        ({**GRANT, "source": "amazon_messagin"}, 422, "vault.invalid_value"),
        ({**GRANT, "purpose": "fulfillment"}, 422, "policy.unknown_purpose"),
        ({**GRANT, "purpose": "marketing_mail"}, 422, "policy.unknown_purpose"),
    ]
    for body, status, code in service:
        answer = client.post(f"/api/v1/consent/customers/{lin}/grant", headers=headers, json=body)
        assert (answer.status_code, error_of(answer)["code"]) == (status, code)
    unknown = client.post("/api/v1/consent/customers/nobody/grant", headers=headers, json=GRANT)
    assert (unknown.status_code, error_of(unknown)["code"]) == (404, "customer.not_found")
    missing = client.get(f"/api/v1/consent/customers/{lin}/can-contact", headers=headers,
                         params={"purpose": "marketing_email"})  # fmt: skip
    assert (missing.status_code, error_of(missing)["code"]) == (422, "request.invalid")
    erasure.erase(store, actor=OWNER, customer_id=lin, reason="GDPR Art. 17 request, ticket 9")
    gone = client.get(f"/api/v1/consent/customers/{lin}", headers=headers)
    assert (gone.status_code, error_of(gone)["code"]) == (410, "customer.erased")
    assert count(store, "consent_event") == 0


def test_notices_are_added_and_listed(store: Context, client: TestClient) -> None:
    headers = writer(store)
    sms = {"purpose": "marketing_sms", "version": "1", "wording": "Offers by text message?"}
    added = client.post("/api/v1/consent/notices", headers=headers, json=sms)
    assert added.status_code == 201 and len(added.json()["wording_sha256"]) == 64
    clash = client.post("/api/v1/consent/notices", headers=headers, json={**sms, "wording": "Other words"})
    assert (clash.status_code, error_of(clash)["code"]) == (422, "vault.invalid_value")
    not_consent = client.post("/api/v1/consent/notices", headers=headers,
                              json={"purpose": "support", "version": "1", "wording": "x"})  # fmt: skip
    assert (not_consent.status_code, error_of(not_consent)["code"]) == (422, "policy.unknown_purpose")
    listed = client.get("/api/v1/consent/notices", headers=reader(store)).json()
    assert [(n["purpose"], n["version"]) for n in listed] == [("marketing_email", "3"), ("marketing_sms", "1")]
    only = client.get("/api/v1/consent/notices", headers=reader(store), params={"purpose": "marketing_sms"}).json()
    assert [n["wording"] for n in only] == ["Offers by text message?"] and only[0]["created_by"] == "token:test"


def test_a_suppression_list_is_uploaded_and_not_kept(store: Context, client: TestClient, tmp_path: Path) -> None:
    lin = shop_customer(store, "Lin@Example.cn")
    consent.grant(store, actor=OWNER, customer_id=lin, purpose="marketing_email", channel="email",
                  proof=consent.Proof(source="checkout_form", notice_version="3"))  # fmt: skip
    path = write_table(tmp_path / "suppressions.csv", ["Email", "Reason"], [
        {"Email": "lin@example.CN", "Reason": "unsubscribed"}, {"Email": "stranger@example.org", "Reason": "bounced"},
    ], delimiter=",")  # fmt: skip
    customers = count(store, "customer")
    with path.open("rb") as handle:
        answer = client.post("/api/v1/consent/suppressions", headers=writer(store),
                             files={"file": ("suppressions.csv", handle, "text/csv")})  # fmt: skip
    assert answer.status_code == 200
    assert answer.json() == {"rows": 2, "withdrawals": 1, "customers": 1, "unknown": 1, "invalid_rows": []}
    assert consent.can_contact(store, customer_id=lin, purpose="marketing_email", channel="email").reason == (
        "consent withdrawn")  # fmt: skip
    assert count(store, "customer") == customers
    uploads = store.settings.data_dir / "uploads"
    assert not any(uploads.iterdir())  # the list (e-mail addresses) is not kept
    empty = client.post("/api/v1/consent/suppressions", headers=writer(store), files={"file": ("e.csv", b"")})
    assert (empty.status_code, error_of(empty)["code"]) == (422, "import.file_invalid")
    no_column = client.post("/api/v1/consent/suppressions", headers=writer(store),
                            files={"file": ("x.csv", b"Name,Reason\nLin,unsubscribed\n")})  # fmt: skip
    assert (no_column.status_code, error_of(no_column)["code"]) == (422, "import.file_invalid")
    assert not any(uploads.iterdir())
    refused = client.post("/api/v1/consent/suppressions", headers=reader(store), files={"file": ("e.csv", b"x")})
    assert refused.status_code == 403
    no_file = client.post("/api/v1/consent/suppressions", headers=writer(store))
    assert (no_file.status_code, error_of(no_file)["code"]) == (422, "request.invalid")


def test_stats_and_openapi(store: Context, client: TestClient) -> None:
    lin = shop_customer(store)
    client.post(f"/api/v1/consent/customers/{lin}/grant", headers=writer(store), json=GRANT)
    found = client.get("/api/v1/consent/stats", headers=reader(store), params={"weeks": 4})
    assert found.status_code == 200
    body = found.json()
    assert len(body["weeks"]) == 4 and body["live_grants"] == 1 and body["grants_recent"] == 1
    email = next(s for s in body["series"] if (s["purpose"], s["channel"]) == ("marketing_email", "email"))
    assert email["weeks"][-1]["rate"] == 1.0 and email["live_now"] == 1
    assert client.get("/api/v1/consent/stats", headers=reader(store), params={"weeks": 0}).status_code == 422
    paths = client.get("/api/openapi.json").json()["paths"]
    assert {
        "/api/v1/consent/customers/{customer_id}", "/api/v1/consent/customers/{customer_id}/grant",
        "/api/v1/consent/customers/{customer_id}/withdraw", "/api/v1/consent/customers/{customer_id}/can-contact",
        "/api/v1/consent/notices", "/api/v1/consent/suppressions", "/api/v1/consent/stats",
    } <= set(paths)  # fmt: skip
    assert paths["/api/v1/consent/notices"]["get"]["tags"] == ["consent"]
