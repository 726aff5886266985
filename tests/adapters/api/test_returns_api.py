"""/api/v1/returns through an in-process client, on both backends, with cases imported from a
real returns report."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.adapters.api.test_api import bearer, error_of
from tests.conftest import FIXED_NOW
from tests.helpers import rows
from tests.returns_files import ADA_ORDER, GRACE_ORDER, KEEP_ORDER, import_returns
from tutela.adapters.api.app import create_app
from tutela.services.context import Context


@pytest.fixture
def client(store: Context, tmp_path: Path) -> Iterator[TestClient]:
    import_returns(store, tmp_path)
    with TestClient(create_app(store.settings, context=store)) as test_client:
        yield test_client


def _ids(store: Context) -> dict[str, int]:
    return {r.order_id: int(r.id) for r in rows(store, "SELECT id, order_id FROM return_case")}


def test_the_queue_pages_without_personal_data(store: Context, client: TestClient) -> None:
    headers = bearer(store, "returns_agent", ["customers:read"], [])
    page = client.get("/api/v1/returns", params={"limit": 1}, headers=headers)
    assert page.status_code == 200
    body = page.json()
    assert [r["order_id"] for r in body["returns"]] == [ADA_ORDER] and body["returns"][0]["open"] is True
    rest = client.get("/api/v1/returns", params={"limit": 1, "after": body["next_after"]}, headers=headers).json()
    assert [r["order_id"] for r in rest["returns"]] == [GRACE_ORDER] and rest["returns"][0]["closed_at"]
    closed = client.get("/api/v1/returns", params={"status": "closed"}, headers=headers).json()
    assert [r["order_id"] for r in closed["returns"]] == [GRACE_ORDER] and closed["next_after"] is None
    assert "Ada" not in page.text and "Main St" not in page.text
    bad = client.get("/api/v1/returns", params={"status": "pending"}, headers=headers)
    assert (bad.status_code, error_of(bad)["code"]) == (422, "request.invalid")
    no_scope = client.get("/api/v1/returns", headers=bearer(store, "owner", ["audit:read"], []))
    assert (no_scope.status_code, error_of(no_scope)["code"]) == (403, "token.forbidden")


def test_a_case_is_read_under_the_returns_purpose_only(store: Context, client: TestClient) -> None:
    ada = _ids(store)[ADA_ORDER]
    headers = bearer(store, "support_agent", ["customers:read"], ["returns", "support"])
    shown = client.get(f"/api/v1/returns/{ada}", headers={**headers, "X-Tutela-Purpose": "returns"})
    assert shown.status_code == 200
    body = shown.json()
    fields = {f["category"]: (f["access"], f["value"]) for f in body["fields"]}
    assert fields["user.name"] == ("plain", "Ada Lovelace") and fields["user.contact.email"][0] == "masked"
    assert fields["user.contact.address.street"] == ("denied", None)  # the policy: support sees less of a return
    assert fields["user.contact.phone_number"] == ("denied", None)  # returns does not declare phones
    assert body["return_key"] == "RMA-ADA-1" and body["role"] == "support_agent" and body["purpose"] == "returns"
    (event,) = rows(store, "SELECT actor, purpose FROM audit_event WHERE action = 'customer.reveal'")
    assert tuple(event) == ("token:test", "returns")
    other = client.get(f"/api/v1/returns/{ada}", headers={**headers, "X-Tutela-Purpose": "support"})
    assert (other.status_code, error_of(other)["code"]) == (403, "vault.purpose_not_allowed")
    assert "Ada" not in other.text
    missing = client.get(f"/api/v1/returns/{ada}", headers=headers)
    assert (missing.status_code, error_of(missing)["code"]) == (403, "token.forbidden")
    unknown = client.get("/api/v1/returns/999", headers={**headers, "X-Tutela-Purpose": "returns"})
    assert (unknown.status_code, error_of(unknown)["code"]) == (404, "returns.not_found")


def test_open_note_close(store: Context, client: TestClient) -> None:
    headers = bearer(store, "returns_agent", ["customers:write"], ["returns"])
    opened = client.post("/api/v1/returns", headers=headers, json={
        "order_id": KEEP_ORDER, "reason": "Too small", "note": "Box dented", "name": "Kim Park", "street": "5 Elm St",
        "city": "Seattle", "postal_code": "98101", "country": "US",
    })  # fmt: skip
    assert opened.status_code == 201
    case = opened.json()
    assert case["channel"] == "manual" and case["return_key"] == f"manual-{case['id']}" and case["open"] is True
    assert [n["text"] for n in case["notes"]] == ["Box dented"] and "Kim" not in opened.text
    noted = client.post(f"/api/v1/returns/{case['id']}/notes", headers=headers, json={"text": "Label sent"})
    assert noted.status_code == 200 and len(noted.json()["notes"]) == 2
    refused = client.post(f"/api/v1/returns/{case['id']}/notes", headers=headers,
                          json={"text": "mail kim.park@example.com"})  # fmt: skip
    assert (refused.status_code, error_of(refused)["code"]) == (422, "input.personal_data")
    assert "kim.park" not in refused.text and "an e-mail address" in refused.text
    closed = client.post(f"/api/v1/returns/{case['id']}/close", headers=headers, json={"outcome": "replaced"})
    assert closed.status_code == 200
    assert (closed.json()["resolution"], closed.json()["closed_at"]) == ("replaced", FIXED_NOW.isoformat())
    again = client.post(f"/api/v1/returns/{case['id']}/close", headers=headers, json={"outcome": "replaced"})
    assert (again.status_code, error_of(again)["code"]) == (409, "returns.already_closed")
    wrong = client.post(f"/api/v1/returns/{case['id']}/close", headers=headers, json={"outcome": "refund"})
    assert (wrong.status_code, error_of(wrong)["code"]) == (422, "vault.invalid_value")
    nowhere = client.post("/api/v1/returns", headers=headers, json={"order_id": "111-9999999-9999999", "reason": "x"})
    assert (nowhere.status_code, error_of(nowhere)["code"]) == (404, "order.not_found")


def test_writes_need_a_token_bound_to_returns(store: Context, client: TestClient) -> None:
    ada = _ids(store)[ADA_ORDER]
    support = bearer(store, "support_agent", ["customers:write"], ["support"])
    refused = client.post(f"/api/v1/returns/{ada}/close", headers=support, json={"outcome": "refunded"})
    assert (refused.status_code, error_of(refused)["code"]) == (403, "token.forbidden")
    reader = bearer(store, "returns_agent", ["customers:read"], ["returns"])
    assert client.post(f"/api/v1/returns/{ada}/notes", headers=reader, json={"text": "hi"}).status_code == 403
    assert rows(store, "SELECT closed_at, notes FROM return_case WHERE id = :i", i=ada)[0] == (None, None)


def test_the_routes_are_in_the_openapi_document(client: TestClient) -> None:
    paths = client.get("/api/openapi.json").json()["paths"]
    assert {"/api/v1/returns", "/api/v1/returns/{return_id}", "/api/v1/returns/{return_id}/notes",
            "/api/v1/returns/{return_id}/close"} <= set(paths)  # fmt: skip
