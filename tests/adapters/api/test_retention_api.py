"""Retention through the REST API, on both backends: the plan, deleting now, legal holds and
the Amazon revocation with its certificate; scopes enforced; one error shape."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.adapters.api.test_api import bearer, error_of
from tests.conftest import OWNER
from tests.helpers import count, rows
from tests.importer_files import two_amazon_buyers
from tutela.adapters.api.app import create_app
from tutela.core.clock import FixedClock
from tutela.services import importing
from tutela.services.context import Context

ORDER = "111-0000001-0000001"


@pytest.fixture
def client(store: Context) -> Iterator[TestClient]:
    with TestClient(create_app(store.settings, context=store)) as test_client:
        yield test_client


@pytest.fixture
def imported(store: Context, tmp_path: Path) -> list[str]:
    """Two Amazon buyers (promised delivery 25 Nov and 20 Nov: due 25 Dec and 20 Dec)."""
    importing.import_file(store, actor=OWNER, path=two_amazon_buyers(tmp_path))
    return [str(r[0]) for r in rows(store, "SELECT customer_id FROM orders ORDER BY order_id")]


@pytest.fixture
def reader(store: Context) -> dict[str, str]:
    return bearer(store, "privacy_officer", ["retention:read"], [])


@pytest.fixture
def writer(store: Context) -> dict[str, str]:
    return bearer(store, "privacy_officer", ["retention:read", "retention:write"], [], days=90)


def test_scopes_are_enforced(client: TestClient, store: Context, reader: dict[str, str]) -> None:
    anonymous = client.get("/api/v1/retention/plan")
    assert (anonymous.status_code, error_of(anonymous)["code"]) == (401, "token.invalid")
    assert client.get("/api/v1/retention/plan", headers=reader).status_code == 200
    assert client.get("/api/v1/holds", headers=reader).status_code == 200
    for path, body in (("/api/v1/retention/apply", None), ("/api/v1/holds/1/release", None),
                       ("/api/v1/holds", {"customer_id": "c1", "reason": "case 1", "until": "2027-06-30"}),
                       ("/api/v1/amazon/revoke", {"within_days": 0})):  # fmt: skip
        refused = client.post(path, json=body, headers=reader)
        assert (refused.status_code, error_of(refused)["code"]) == (403, "token.forbidden"), path
        assert "retention:write" in str(error_of(refused)["message"])
    other = bearer(store, "owner", ["customers:read"], [])
    refused = client.get("/api/v1/holds", headers=other)
    assert (refused.status_code, error_of(refused)["code"]) == (403, "token.forbidden")
    assert count(store, "legal_hold") == 0 and count(store, "amazon_revocation") == 0


def test_the_plan_as_json(client: TestClient, imported: list[str], reader: dict[str, str]) -> None:
    found = client.get("/api/v1/retention/plan", params={"until": "2027-01-31"}, headers=reader)
    assert found.status_code == 200
    plan = found.json()
    assert plan["until"] == "2027-01-31T23:59:59+00:00"  # the end of that day, UTC
    assert (plan["due_now"]["records"], plan["overdue"]["records"]) == (0, 0)
    assert [(w["week_of"], w["records"]) for w in plan["weeks"]] == [("2026-12-14", 1), ("2026-12-21", 1)]
    assert plan["weeks"][0]["by_purpose"]["fulfillment"]["user.name"] == 1
    assert plan["untrusted_event_dates"] == 0 and plan["held"] == [] and "customer" not in plan
    assert "Ada" not in found.text and "marketplace" not in found.text
    one = client.get("/api/v1/retention/plan", params={"customer_id": imported[0]}, headers=reader).json()
    (record,) = one["customer"]
    assert record["due_at"] == "2026-12-25T23:59:59+00:00" and record["purpose"] == "fulfillment"
    default = client.get("/api/v1/retention/plan", headers=reader).json()
    assert default["until"].startswith("2027-01-24")  # eight weeks
    bad = client.get("/api/v1/retention/plan", params={"until": "2027-13-01"}, headers=reader)
    assert (bad.status_code, error_of(bad)["code"]) == (422, "request.invalid")
    assert "2027-13-01" not in bad.text  # values are never echoed


def test_holds_add_list_release(
    client: TestClient, store: Context, imported: list[str], writer: dict[str, str]
) -> None:
    added = client.post("/api/v1/holds", json={"order_id": ORDER, "reason": "chargeback 2026-114",
                                               "until": "2027-06-30"}, headers=writer)  # fmt: skip
    assert (added.status_code, added.json()) == (201, {"id": 1})
    (hold,) = client.get("/api/v1/holds", headers=writer).json()
    assert (hold["id"], hold["customer_id"], hold["order_id"]) == (1, imported[0], ORDER)
    assert hold["until"].startswith("2027-06-30T23:59:59") and hold["active"] is True
    assert hold["author"] == "token:test"
    held = client.get("/api/v1/retention/plan", params={"until": "2027-01-31"}, headers=writer).json()
    assert [h["hold_id"] for h in held["held"]] == [1]
    assert [(w["week_of"], w["records"]) for w in held["weeks"]] == [("2026-12-14", 1)]  # the held one is not due
    released = client.post("/api/v1/holds/1/release", headers=writer)
    assert (released.status_code, released.json()) == (200, {"id": 1, "released": True})
    again = client.post("/api/v1/holds/1/release", headers=writer)
    assert (again.status_code, error_of(again)["code"]) == (409, "hold.already_released")
    missing = client.post("/api/v1/holds/99/release", headers=writer)
    assert (missing.status_code, error_of(missing)["code"]) == (404, "hold.not_found")
    assert client.get("/api/v1/holds", headers=writer).json() == []
    (past,) = client.get("/api/v1/holds", params={"include_released": "true"}, headers=writer).json()
    assert past["active"] is False and past["released_by"] == "token:test"
    actions = rows(store, "SELECT action, actor FROM audit_event WHERE action LIKE 'hold.%' ORDER BY seq")
    assert [tuple(a) for a in actions] == [("hold.add", "token:test"), ("hold.release", "token:test")]


@pytest.mark.parametrize(
    "body",
    [
        {"reason": "case 1", "until": "2027-06-30"},  # neither a customer nor an order
        {"customer_id": "c1", "order_id": ORDER, "reason": "case 1", "until": "2027-06-30"},  # both
        {"order_id": ORDER, "until": "2027-06-30"},  # no reason
        {"order_id": ORDER, "reason": "case 1", "until": "30/06/2027"},  # not a date
        {"order_id": ORDER, "reason": "case 1", "until": "2027-06-30", "colour": "red"},  # unknown field
    ],
)
def test_a_bad_hold_body_is_422(
    client: TestClient, store: Context, imported: list[str], writer: dict[str, str], body: dict[str, str]
) -> None:
    refused = client.post("/api/v1/holds", json=body, headers=writer)
    assert (refused.status_code, error_of(refused)["code"]) == (422, "request.invalid")
    assert count(store, "legal_hold") == 0


def test_holds_refused_by_the_service_keep_the_one_shape(
    client: TestClient, store: Context, imported: list[str], writer: dict[str, str]
) -> None:
    unknown = client.post("/api/v1/holds", json={"order_id": "999-0000000-0000000", "reason": "case 1",
                                                 "until": "2027-06-30"}, headers=writer)  # fmt: skip
    assert (unknown.status_code, error_of(unknown)["code"]) == (404, "order.not_found")
    nobody = client.post("/api/v1/holds", json={"customer_id": "c-none", "reason": "case 1", "until": "2027-06-30"},
                         headers=writer)  # fmt: skip
    assert (nobody.status_code, error_of(nobody)["code"]) == (404, "customer.not_found")
    past = client.post("/api/v1/holds", json={"order_id": ORDER, "reason": "case 1", "until": "2026-11-01"},
                       headers=writer)  # fmt: skip
    assert (past.status_code, error_of(past)["code"]) == (422, "vault.invalid_value")
    leaky = client.post("/api/v1/holds", json={"order_id": ORDER, "reason": "call ada@example.com",
                                               "until": "2027-06-30"}, headers=writer)  # fmt: skip
    assert (leaky.status_code, error_of(leaky)["code"]) == (422, "input.personal_data")
    assert "ada@example.com" not in leaky.text
    assert count(store, "legal_hold") == 0


def test_apply_deletes_what_is_due(
    client: TestClient, store: Context, clock: FixedClock, imported: list[str], writer: dict[str, str]
) -> None:
    nothing = client.post("/api/v1/retention/apply", headers=writer).json()
    assert (nothing["fields_deleted"], nothing["batches"]) == (0, 0)
    clock.advance(timedelta(days=40))
    overdue = client.get("/api/v1/retention/plan", headers=writer).json()
    assert overdue["overdue"]["records"] == 2
    done = client.post("/api/v1/retention/apply", headers=writer)
    assert done.status_code == 200
    result = done.json()
    assert result["customers_shredded"] == 2 and result["records_deleted"] == 2 and result["fields_deleted"] > 0
    assert len(result["receipts"]) == 1 and result["amazon_certificate"] is None
    assert count(store, "record") == 0
    (actor,) = rows(store, "SELECT actor FROM audit_event WHERE action = 'retention.delete'")
    assert actor[0] == "token:test"
    assert client.get("/api/v1/retention/plan", headers=writer).json()["overdue"]["records"] == 0


def test_revoke_then_the_certificate_once_applied(
    client: TestClient, store: Context, imported: list[str], writer: dict[str, str], clock: FixedClock
) -> None:
    too_late = client.post("/api/v1/amazon/revoke", json={"within_days": 31}, headers=writer)
    assert (too_late.status_code, error_of(too_late)["code"]) == (422, "request.invalid")
    later = client.post("/api/v1/amazon/revoke", json={"within_days": 10}, headers=writer)
    assert later.status_code == 200
    revocation = later.json()
    assert revocation["completed_at"] is None and revocation["certificate"] is None
    assert revocation["fields_deleted"] == 0 and not revocation["certificate_ready"]
    assert revocation["requested_by"] == "token:test" and sum(revocation["amazon_fields_at_start"].values()) > 0
    path = f"/api/v1/amazon/revocations/{revocation['id']}"
    again = client.post("/api/v1/amazon/revoke", json={}, headers=writer).json()  # the open one, its deadline stands
    assert again["id"] == revocation["id"]
    status = client.get(path, headers=writer).json()
    assert status["amazon_fields_remaining"] == sum(revocation["amazon_fields_at_start"].values())
    pending = client.get(f"{path}/certificate", headers=writer)
    assert (pending.status_code, error_of(pending)["code"]) == (409, "amazon.revocation_pending")
    applied = client.post("/api/v1/retention/apply", headers=writer).json()
    assert applied["fields_deleted"] == 0  # due only by the deadline, ten days from now
    clock.advance(timedelta(days=10, seconds=1))
    applied = client.post("/api/v1/retention/apply", headers=writer).json()
    assert applied["amazon_certificate"] == revocation["id"] and applied["customers_shredded"] == 2
    done = client.get(path, headers=writer).json()
    assert done["completed_at"] is not None and done["amazon_fields_remaining"] is None
    assert done["certificate"]["amazon_fields_remaining"] == 0
    html = client.get(f"{path}/certificate", params={"format": "html"}, headers=writer)
    assert html.status_code == 200 and html.headers["content-type"].startswith("text/html")
    assert "attachment" in html.headers["content-disposition"] and ".html" in html.headers["content-disposition"]
    assert "script-src" not in html.headers["content-security-policy"]  # the document may only style itself
    assert "Certificate of destruction" in html.text and "Ada" not in html.text
    chinese = client.get(f"{path}/certificate", params={"language": "zh"}, headers=writer)
    assert "销毁证明" in chinese.text
    pdf = client.get(f"{path}/certificate", params={"format": "pdf"}, headers=writer)
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    wrong = client.get(f"{path}/certificate", params={"format": "docx"}, headers=writer)
    assert (wrong.status_code, error_of(wrong)["code"]) == (422, "request.invalid")
    for missing_path in ("/api/v1/amazon/revocations/99", "/api/v1/amazon/revocations/99/certificate"):
        missing = client.get(missing_path, headers=writer)
        assert (missing.status_code, error_of(missing)["code"]) == (404, "request.not_found")


def test_revoke_now_deletes_and_certifies_at_once(
    client: TestClient, store: Context, imported: list[str], writer: dict[str, str]
) -> None:
    revoked = client.post("/api/v1/amazon/revoke", json={"within_days": 0}, headers=writer).json()
    assert revoked["fields_deleted"] > 0 and revoked["certificate_ready"]
    html = client.get(f"/api/v1/amazon/revocations/{revoked['id']}/certificate", headers=writer)
    assert html.status_code == 200 and "Certificate of destruction" in html.text
