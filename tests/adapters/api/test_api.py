"""The REST API through an in-process client, on both backends."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.conftest import OWNER
from tests.helpers import ADA, rows
from tests.importer_files import UNSHIPPED_HEADER, unshipped_row, write_table
from tutela.adapters.api.app import create_app
from tutela.adapters.sources import scan_text
from tutela.core.clock import FixedClock
from tutela.services import consent_links, tokens, vault
from tutela.services.context import Context


@pytest.fixture
def client(store: Context) -> Iterator[TestClient]:
    with TestClient(create_app(store.settings, context=store)) as test_client:
        yield test_client


def bearer(store: Context, role: str, scopes: list[str], purposes: list[str], days: int = 30) -> dict[str, str]:
    new = tokens.create_token(store, actor=OWNER, name="test", role=role, scopes=scopes, purposes=purposes,
                              lifetime=timedelta(days=days))  # fmt: skip
    return {"Authorization": f"Bearer {new.token}"}


def error_of(response: object) -> dict[str, object]:
    payload = response.json()  # type: ignore[attr-defined]
    assert set(payload) == {"error"}
    assert set(payload["error"]) == {"code", "message", "details"}
    return payload["error"]  # type: ignore[no-any-return]


def test_find_then_reveal_for_a_purpose_as_the_tokens_role(store: Context, client: TestClient) -> None:
    customer_id = vault.add_customer(store, actor=OWNER, purpose="fulfillment", source="amazon", fields=ADA)
    headers = bearer(store, "support_agent", ["customers:read"], ["returns"])
    found = client.get("/api/v1/customers", params={"email": "ADA.lovelace@example.com"}, headers=headers)
    assert found.status_code == 200
    assert [c["id"] for c in found.json()] == [customer_id]
    shown = client.get(f"/api/v1/customers/{customer_id}", headers={**headers, "X-Tutela-Purpose": "returns"})
    assert shown.status_code == 200
    fields = {f["category"]: (f["access"], f["value"]) for f in shown.json()["fields"]}
    assert fields["user.name"] == ("plain", "Ada Lovelace")
    assert fields["user.contact.phone_number"] == ("denied", None)
    (event,) = rows(store, "SELECT actor, purpose FROM audit_event WHERE action = 'customer.reveal'")
    assert tuple(event) == ("token:test", "returns")
    assert shown.headers["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in shown.headers["Content-Security-Policy"]


def test_purpose_header_rules(store: Context, client: TestClient) -> None:
    customer_id = vault.add_customer(store, actor=OWNER, purpose="fulfillment", source="amazon", fields=ADA)
    headers = bearer(store, "support_agent", ["customers:read"], ["returns"])
    missing = client.get(f"/api/v1/customers/{customer_id}", headers=headers)
    assert (missing.status_code, error_of(missing)["code"]) == (403, "token.forbidden")
    unknown = client.get(f"/api/v1/customers/{customer_id}", headers={**headers, "X-Tutela-Purpose": "retuns"})
    assert (unknown.status_code, error_of(unknown)["code"]) == (422, "policy.unknown_purpose")
    assert "returns" in str(error_of(unknown)["details"])
    other = client.get(f"/api/v1/customers/{customer_id}", headers={**headers, "X-Tutela-Purpose": "support"})
    assert (other.status_code, error_of(other)["code"]) == (403, "token.forbidden")


def test_tokens_missing_expired_revoked_or_without_scope(store: Context, client: TestClient, clock: FixedClock) -> None:
    assert error_of(client.get("/api/v1/customers", params={"email": "a@b.de"}))["code"] == "token.invalid"
    reader = bearer(store, "owner", ["audit:read"], [], days=1)
    wrong_scope = client.get("/api/v1/customers", params={"email": "a@b.de"}, headers=reader)
    assert (wrong_scope.status_code, error_of(wrong_scope)["code"]) == (403, "token.forbidden")
    clock.advance(timedelta(days=2))
    expired = client.get("/api/v1/audit/events", headers=reader)
    assert (expired.status_code, error_of(expired)["code"]) == (401, "token.invalid")
    assert expired.headers["WWW-Authenticate"] == "Bearer"


def test_schema_errors_and_unknown_paths_use_the_one_shape(store: Context, client: TestClient) -> None:
    writer = bearer(store, "owner", ["customers:write"], ["support"])
    bad = client.patch("/api/v1/customers/c1", json={"fields": {}},
                       headers={**writer, "X-Tutela-Purpose": "support"})  # fmt: skip
    assert (bad.status_code, error_of(bad)["code"]) == (422, "request.invalid")
    missing = client.get("/api/v1/nothing-here")
    assert (missing.status_code, error_of(missing)["code"]) == (404, "request.not_found")
    gone = client.post("/api/v1/customers/c-none/erase", json={"reason": "request 9"}, headers=writer)
    assert (gone.status_code, error_of(gone)["code"]) == (404, "customer.not_found")


def test_rectify_and_erase(store: Context, client: TestClient) -> None:
    customer_id = vault.add_customer(store, actor=OWNER, purpose="fulfillment", source="amazon", fields=ADA)
    writer = bearer(store, "owner", ["customers:write"], ["support"])
    changed = client.patch(f"/api/v1/customers/{customer_id}", json={"fields": {"user.name": "Ada King"}},
                           headers={**writer, "X-Tutela-Purpose": "support"})  # fmt: skip
    assert changed.json() == {"customer_id": customer_id, "rectified": ["user.name"]}
    erased = client.post(f"/api/v1/customers/{customer_id}/erase", json={"reason": "GDPR Art. 17, ticket 12"},
                         headers=writer)  # fmt: skip
    assert erased.json()["fields_deleted"] == len(ADA)
    leaky = client.post(f"/api/v1/customers/{customer_id}/erase", json={"reason": "x"}, headers=writer)
    assert error_of(leaky)["code"] == "customer.erased"


def test_upload_an_import_and_read_its_report(store: Context, client: TestClient, tmp_path: Path) -> None:
    path = write_table(tmp_path / "unshipped.txt", UNSHIPPED_HEADER, [unshipped_row("111-0000001-0000001", "1")])
    importer = bearer(store, "owner", ["imports:write"], [])
    with path.open("rb") as handle:
        uploaded = client.post("/api/v1/imports?wait=true", files={"file": ("unshipped.txt", handle)},
                               headers=importer)  # fmt: skip
    assert uploaded.status_code == 200
    report = uploaded.json()
    assert (report["customers_new"], report["orders_new"]) == (1, 1)
    again = client.get(f"/api/v1/imports/{report['import_id']}", headers=importer)
    assert again.json()["status"] == "done"
    wrong = client.post("/api/v1/imports", files={"file": ("x.csv", b"a,b\n1,2\n")}, headers=importer)
    assert (wrong.status_code, error_of(wrong)["code"]) == (422, "import.format_unknown")  # refused before a job


def test_an_import_job_reports_progress_then_its_report(store: Context, tmp_path: Path) -> None:
    from tutela.services import importing

    path = write_table(tmp_path / "u.txt", UNSHIPPED_HEADER,
                       [unshipped_row(f"111-0000001-{i:07d}", str(i)) for i in range(12)])  # fmt: skip
    job = importing.start_import_job(store, actor=OWNER, path=path)
    assert job.worker is not None
    job.worker.join(timeout=60)
    report = importing.import_report(store, import_id=job.import_id)
    assert (report["status"], report["progress"], report["orders_new"]) == ("done", 1.0, 12)
    again = importing.start_import_job(store, actor=OWNER, path=path)
    assert (again.import_id, again.worker) == (job.import_id, None)


def test_the_upload_answers_202_with_the_job(store: Context, client: TestClient, tmp_path: Path) -> None:
    path = write_table(tmp_path / "u.txt", UNSHIPPED_HEADER, [unshipped_row("111-0000001-0000001", "1")])
    importer = bearer(store, "owner", ["imports:write"], [])
    with path.open("rb") as handle:
        started = client.post("/api/v1/imports", files={"file": ("u.txt", handle)}, headers=importer)
    assert started.status_code == 202
    assert started.json()["status_url"] == f"/api/v1/imports/{started.json()['import_id']}"
    status = client.get(started.json()["status_url"], headers=importer).json()
    assert status["status"] in {"running", "done"} and 0.0 <= status["progress"] <= 1.0


def test_audit_policy_and_keys(store: Context, client: TestClient) -> None:
    admin = bearer(store, "owner", ["audit:read", "policy:read", "policy:write", "keys:admin"], [])
    verified = client.post("/api/v1/audit/verify", json={}, headers=admin).json()
    assert verified["ok"] and verified["first_broken_event"] is None
    page = client.get("/api/v1/audit/events", params={"limit": 2}, headers=admin).json()
    assert [e["seq"] for e in page["events"]] == [1, 2]
    line = client.post("/api/v1/audit/checkpoint", headers=admin).json()["checkpoint"]
    assert client.post("/api/v1/audit/verify", json={"checkpoint": line}, headers=admin).json()["ok"]
    policy = client.get("/api/v1/policy", headers=admin).json()
    bad = client.post("/api/v1/policy/validate", content=policy["text"].replace('"contract"', '"contrakt"', 1),
                      headers={**admin, "Content-Type": "application/toml"})  # fmt: skip
    assert (bad.status_code, error_of(bad)["code"]) == (422, "policy.invalid")
    changed = client.put("/api/v1/policy", content=policy["text"].replace("My Shop", "Lovelace Gadgets"),
                         headers={**admin, "Content-Type": "application/toml"})  # fmt: skip
    assert changed.json()["version"] == 2
    assert client.post("/api/v1/keys/rotate", headers=admin).json()["version"] == 2
    assert client.get("/api/v1/keys", headers=admin).json()["newest_version"] == 2


def test_openapi_is_served(client: TestClient) -> None:
    spec = client.get("/api/openapi.json").json()
    assert "/api/v1/customers/{customer_id}" in spec["paths"]


def test_staff_and_tokens_over_the_api(store: Context, client: TestClient) -> None:
    admin = bearer(store, "owner", ["staff:admin"], [])
    added = client.post("/api/v1/staff", json={"name": "li.wei", "role": "support_agent"}, headers=admin)
    assert added.status_code == 201
    assert added.json()["setup_path"].startswith("/console/setup/")
    again = client.post("/api/v1/staff", json={"name": "li.wei", "role": "support_agent"}, headers=admin)
    assert (again.status_code, error_of(again)["code"]) == (409, "staff.exists")
    assert [m["name"] for m in client.get("/api/v1/staff", headers=admin).json()] == ["li.wei"]
    made = client.post("/api/v1/tokens", json={"role": "support_agent", "scopes": ["customers:read"],
                                               "purposes": ["support"], "expires": "30d"}, headers=admin)  # fmt: skip
    assert made.status_code == 201
    assert made.json()["token"].startswith("tut_")
    listed = client.get("/api/v1/tokens", headers=admin).json()
    assert all("token" not in t for t in listed)
    revoked = client.post(f"/api/v1/tokens/{made.json()['id']}/revoke", headers=admin)
    assert revoked.json()["revoked"] is True
    assert client.post("/api/v1/staff/li.wei/disable", headers=admin).json()["tokens_revoked"] == 0
    bad = client.post("/api/v1/tokens", json={"role": "owner", "scopes": [], "expires": "forever"}, headers=admin)
    assert (bad.status_code, error_of(bad)["code"]) == (422, "request.invalid")


def test_request_log_lines_hold_no_personal_data_and_no_token(
    store: Context, client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    customer_id = vault.add_customer(store, actor=OWNER, purpose="fulfillment", source="amazon", fields=ADA)
    headers = bearer(store, "owner", ["customers:read"], ["support"])
    with caplog.at_level("INFO", logger="tutela.requests"):
        client.get("/api/v1/customers", params={"email": "ada.lovelace@example.com"}, headers=headers)
        client.get(f"/api/v1/customers/{customer_id}", headers={**headers, "X-Tutela-Purpose": "support"})
    lines = [r.getMessage() for r in caplog.records if r.name == "tutela.requests"]
    assert lines[0].startswith("GET /api/v1/customers 200")
    logged = "\n".join(lines)
    for secret in ("ada.lovelace", "Lovelace", "example.com", headers["Authorization"].split()[1]):
        assert secret not in logged
    assert scan_text(logged, "request log").findings == []  # and the project's own scanner agrees


def test_keys_in_paths_are_cut_from_the_log(
    store: Context, client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    token = consent_links.make_token(store, "c0123", purpose="marketing_email")
    with caplog.at_level("INFO", logger="tutela.requests"):
        client.get(f"/p/unsubscribe/{token}")
        client.get("/console/setup/one-time-setup-code")
    logged = "\n".join(r.getMessage() for r in caplog.records if r.name == "tutela.requests")
    assert token not in logged and "one-time-setup-code" not in logged
    assert "GET /p/unsubscribe/… " in logged and "GET /console/setup/… " in logged
