"""Scans through the REST API, on both backends: a configured location scanned on a worker
thread to the end, its findings (masked previews only) and its three reports; history and
locations; the error statuses; a runner that breaks leaves a failed run, not a dead server;
scopes enforced."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.adapters.api.test_api import bearer, error_of
from tests.conftest import OWNER
from tests.helpers import rows
from tutela.adapters import scan_worker
from tutela.adapters.api.app import create_app
from tutela.adapters.sources.location_runner import runner_for
from tutela.core.detect import ScanReport
from tutela.core.policy import parse_policy
from tutela.core.policy.load import default_policy_text
from tutela.core.policy.scan_locations import ScanLocation
from tutela.services import scanning
from tutela.services.context import Context
from tutela.services.scanning import ProgressSink, ScanRunner

EMAILS = ("ada.lovelace@example.com", "grace.hopper@example.org", "alan.turing@example.net")


def write_exports(folder: Path) -> Path:
    """A customer export left on a share: a CSV of e-mail addresses and a clean note."""
    folder.mkdir(parents=True, exist_ok=True)
    lines = ["customer,email,city"] + [f"{i},{e},Springfield" for i, e in enumerate(EMAILS, 1)]
    (folder / "customers.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (folder / "readme.txt").write_text("Weekly export of open orders. Nothing personal here.\n", encoding="utf-8")
    return folder


def with_location(store: Context, folder: Path, name: str = "exports") -> Context:
    """The store with a policy that declares `folder` as a scan location."""
    text = default_policy_text() + f'\n[scan.locations.{name}]\npath = "{folder.as_posix()}"\nevery_days = 7\n'
    return dataclasses.replace(store, policy=parse_policy(text))


@pytest.fixture
def ctx(store: Context, tmp_path: Path) -> Context:
    return with_location(store, write_exports(tmp_path / "exports"))


@pytest.fixture
def client(ctx: Context) -> Iterator[TestClient]:
    with TestClient(create_app(ctx.settings, context=ctx)) as test_client:
        yield test_client


@pytest.fixture
def reader(ctx: Context) -> dict[str, str]:
    return bearer(ctx, "privacy_officer", ["scans:read"], [])


@pytest.fixture
def writer(ctx: Context) -> dict[str, str]:
    return bearer(ctx, "privacy_officer", ["scans:read", "scans:write"], [])


def _scanned(client: TestClient, headers: dict[str, str], location: str = "exports") -> int:
    started = client.post("/api/v1/scans", json={"location": location}, headers=headers)
    assert started.status_code == 202, started.text
    run_id = int(started.json()["id"])
    assert started.json() == {"id": run_id, "location": location, "status": "running"}
    assert started.headers["location"] == f"/api/v1/scans/{run_id}"
    scan_worker.join_all(client.app.state)  # type: ignore[attr-defined]
    return run_id


def test_a_location_is_scanned_to_the_end_with_masked_findings(
    client: TestClient, ctx: Context, writer: dict[str, str]
) -> None:
    run_id = _scanned(client, writer)
    shown = client.get(f"/api/v1/scans/{run_id}", headers=writer)
    assert shown.status_code == 200
    run = shown.json()
    assert (run["status"], run["location"], run["error"]) == ("done", "exports", None)
    assert run["started_by"] == "token:test"
    assert run["locations_done"] == 2 and run["bytes_done"] > 0 and run["findings_high"] + run["findings_low"] >= 1
    emails = [f for f in run["findings"] if f["type"] == "email"]
    assert len(emails) == 1 and emails[0]["column"] == "email" and emails[0]["count"] == 3
    assert emails[0]["path"].endswith("customers.csv") and "•" in emails[0]["preview"]
    assert run["stored_findings"] == len(run["findings"]) and run["not_scanned"] == []
    assert not any(e in shown.text for e in EMAILS)
    actions = [r.action for r in rows(ctx, "SELECT action FROM audit_event WHERE action LIKE 'scan.%' ORDER BY seq")]
    assert actions == ["scan.start", "scan.finish"]


def test_the_three_reports_download_without_a_value_in_them(client: TestClient, writer: dict[str, str]) -> None:
    run_id = _scanned(client, writer)
    as_json = client.get(f"/api/v1/scans/{run_id}/report", headers=writer)
    assert as_json.status_code == 200 and as_json.headers["content-type"].startswith("application/json")
    assert f'filename="tutela-scan-{run_id}.json"' in as_json.headers["content-disposition"]
    document = as_json.json()
    assert document["schema"] == "tutela.scan/1" and document["summary"]["by_type"]["email"] == 1
    sarif = client.get(f"/api/v1/scans/{run_id}/report", params={"format": "sarif"}, headers=writer)
    assert sarif.headers["content-type"].startswith("application/sarif+json")
    assert json.loads(sarif.text)["version"] == "2.1.0"
    html = client.get(f"/api/v1/scans/{run_id}/report", params={"format": "html"}, headers=writer)
    assert html.headers["content-type"].startswith("text/html")
    assert "default-src 'none'" in html.headers["content-security-policy"]
    assert f"Personal data scan {run_id}: exports" in html.text
    for response in (as_json, sarif, html):
        assert not any(e in response.text for e in EMAILS)
    wrong = client.get(f"/api/v1/scans/{run_id}/report", params={"format": "pdf"}, headers=writer)
    assert (wrong.status_code, error_of(wrong)["code"]) == (422, "request.invalid")


def test_history_and_locations(client: TestClient, writer: dict[str, str]) -> None:
    before = {loc["name"]: loc for loc in client.get("/api/v1/scans/locations", headers=writer).json()}
    assert set(before) == {"exports", "tutela"}
    assert before["exports"]["due"] and before["exports"]["last_run"] is None and before["exports"]["every_days"] == 7
    assert before["tutela"]["target"] == "tutela's own tables and logs"
    run_id = _scanned(client, writer)
    after = {loc["name"]: loc for loc in client.get("/api/v1/scans/locations", headers=writer).json()}
    assert not after["exports"]["due"] and after["exports"]["last_run"]["id"] == run_id and after["tutela"]["due"]
    listed = client.get("/api/v1/scans", headers=writer).json()
    assert [(r["id"], r["status"]) for r in listed] == [(run_id, "done")]
    assert client.get("/api/v1/scans", params={"location": "tutela"}, headers=writer).json() == []


def test_error_statuses(client: TestClient, ctx: Context, writer: dict[str, str]) -> None:
    missing = client.get("/api/v1/scans/999", headers=writer)
    assert (missing.status_code, error_of(missing)["code"]) == (404, "scan.not_found")
    missing = client.get("/api/v1/scans/999/report", headers=writer)
    assert (missing.status_code, error_of(missing)["code"]) == (404, "scan.not_found")
    unknown = client.post("/api/v1/scans", json={"location": "exprts"}, headers=writer)
    assert (unknown.status_code, error_of(unknown)["code"]) == (409, "scan.refused")
    assert "exports" in str(error_of(unknown)["details"])  # the nearest name is suggested
    malformed = client.post("/api/v1/scans", json={"location": "../etc"}, headers=writer)
    assert (malformed.status_code, error_of(malformed)["code"]) == (422, "request.invalid")
    assert "../etc" not in malformed.text
    running = scanning.start(ctx, actor=OWNER, name="exports")  # e.g. the scheduler's
    again = client.post("/api/v1/scans", json={"location": "exports"}, headers=writer)
    assert (again.status_code, error_of(again)["code"]) == (409, "scan.refused")
    assert f"run {running}" in str(error_of(again)["message"])
    early = client.get(f"/api/v1/scans/{running}/report", headers=writer)
    assert (early.status_code, error_of(early)["code"]) == (409, "scan.refused")
    assert client.get(f"/api/v1/scans/{running}", headers=writer).json()["status"] == "running"


def _breaking_runner(_ctx: Context) -> ScanRunner:
    def run(_where: ScanLocation, sink: ProgressSink) -> ScanReport:
        sink(scanning.Progress(locations_done=1, locations_total=4, bytes_done=100))
        raise RuntimeError("disk on fire at /srv/exports/ada.lovelace@example.com.csv")

    return run


def test_a_scan_that_breaks_is_recorded_as_failed_and_the_server_goes_on(
    client: TestClient, ctx: Context, writer: dict[str, str]
) -> None:
    client.app.state.scan_runner_for = _breaking_runner  # type: ignore[attr-defined]
    run_id = _scanned(client, writer)
    run = client.get(f"/api/v1/scans/{run_id}", headers=writer).json()
    assert (run["status"], run["error"]) == ("failed", "internal error (RuntimeError)")
    assert run["locations_done"] == 1 and run["locations_total"] == 4  # the progress it made
    assert "ada.lovelace" not in json.dumps(run)
    failed = client.get(f"/api/v1/scans/{run_id}/report", headers=writer)
    assert (failed.status_code, error_of(failed)["code"]) == (409, "scan.refused")
    assert rows(ctx, "SELECT outcome FROM audit_event WHERE action = 'scan.finish'")[0].outcome == "failed"
    assert client.get("/api/v1/health").status_code == 200
    client.app.state.scan_runner_for = runner_for  # type: ignore[attr-defined]
    assert client.get(f"/api/v1/scans/{_scanned(client, writer)}", headers=writer).json()["status"] == "done"


def test_scopes_are_enforced(client: TestClient, ctx: Context, reader: dict[str, str]) -> None:
    anonymous = client.get("/api/v1/scans")
    assert (anonymous.status_code, error_of(anonymous)["code"]) == (401, "token.invalid")
    assert client.get("/api/v1/scans", headers=reader).status_code == 200
    assert client.get("/api/v1/scans/locations", headers=reader).status_code == 200
    refused = client.post("/api/v1/scans", json={"location": "exports"}, headers=reader)
    assert (refused.status_code, error_of(refused)["code"]) == (403, "token.forbidden")
    assert "scans:write" in str(error_of(refused)["message"])
    other = bearer(ctx, "owner", ["retention:read", "retention:write"], [])
    for response in (client.get("/api/v1/scans", headers=other),
                     client.post("/api/v1/scans", json={"location": "exports"}, headers=other)):  # fmt: skip
        assert (response.status_code, error_of(response)["code"]) == (403, "token.forbidden")
    assert rows(ctx, "SELECT count(*) FROM scan_run")[0][0] == 0
