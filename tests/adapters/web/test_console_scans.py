"""The console's scans page, on both backends: the declared locations, "Scan now" (CSRF, owners
and privacy officers only) run on a worker thread to a run page with findings grouped by
location and type (masked previews only) and its reports; live parts polled while a scan
runs; English and Chinese."""

from __future__ import annotations

import re
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_file
from fastapi.testclient import TestClient

from tests.adapters.api.test_scans_api import EMAILS, with_location, write_exports
from tests.adapters.web.test_console_admin import _signed_in
from tests.conftest import OWNER
from tests.helpers import rows
from tutela.adapters import scan_worker
from tutela.adapters.documents.scan_report import TYPE_LABELS
from tutela.adapters.web import i18n
from tutela.core.clock import FixedClock
from tutela.server import create_server
from tutela.services import scanning
from tutela.services.context import Context


@pytest.fixture
def ctx(store: Context, tmp_path: Path) -> Context:
    return with_location(store, write_exports(tmp_path / "exports"))


@pytest.fixture
def client(ctx: Context) -> Iterator[TestClient]:
    with TestClient(create_server(ctx.settings, context=ctx), base_url="https://testserver") as test_client:
        yield test_client


def _no_inline_code(page: str) -> None:
    assert re.findall(r"<script\b[^>]*>(.*?)</script>", page, flags=re.S) == [""]
    assert "<style" not in page and not re.search(r"\s(style|on[a-z]+)=", page)


def _scan_now(client: TestClient, csrf: str, location: str = "exports") -> int:
    started = client.post("/console/scans", data={"location": location, "csrf": csrf}, follow_redirects=False)
    assert started.status_code == 303, started.text
    found = re.fullmatch(r"/console/scans/(\d+)", started.headers["location"])
    assert found is not None
    scan_worker.join_all(client.app.state)  # type: ignore[attr-defined]
    return int(found.group(1))


def test_scan_now_runs_to_a_page_of_findings_grouped_by_location_and_type(
    ctx: Context, clock: FixedClock, client: TestClient
) -> None:
    csrf = _signed_in(ctx, clock, client, "boss", "owner")
    page = client.get("/console/scans")
    assert page.status_code == 200
    _no_inline_code(page.text)
    assert 'href="/console/scans"' in page.text  # in the menu
    assert page.text.count(">Scan now</button>") == 2  # exports and tutela's own store
    assert "tutela's own tables and logs" in page.text and "No scan yet." in page.text
    assert 'hx-get="/console/scans/runs"' not in page.text  # nothing running: no polling
    refused = client.post("/console/scans", data={"location": "exports", "csrf": "forged"}, follow_redirects=False)
    assert refused.status_code == 403 and rows(ctx, "SELECT count(*) FROM scan_run")[0][0] == 0

    run_id = _scan_now(client, csrf)
    shown = client.get(f"/console/scans/{run_id}")
    assert shown.status_code == 200
    text = shown.text
    _no_inline_code(text)
    assert f"Scan {run_id}: exports" in text and 'id="scan-status">done<' in text
    assert 'hx-get="/console/scans/' not in text and "refresh" not in text  # done: nothing polls
    section = text[text.index('<section class="box scan-location">') :]
    assert "customers.csv</code></h3>" in section and "<h4>e-mail address <small>(1)</small></h4>" in section
    assert "column email" in section and "•" in section and "3/3" in section
    assert not any(e in text for e in EMAILS)
    for fmt in ("html", "json", "sarif"):
        assert f'href="/console/scans/{run_id}/report?format={fmt}"' in text
        download = client.get(f"/console/scans/{run_id}/report", params={"format": fmt})
        assert download.status_code == 200 and "attachment" in download.headers["content-disposition"]
        assert not any(e in download.text for e in EMAILS)
    assert client.get(f"/console/scans/{run_id}/report", params={"format": "pdf"}).status_code == 404

    history = client.get("/console/scans").text
    assert f'<a href="/console/scans/{run_id}">{run_id}</a></td><td>exports</td><td>done</td>' in history
    actors = {r.actor for r in rows(ctx, "SELECT actor FROM audit_event WHERE action LIKE 'scan.%'")}
    assert actors == {"staff:boss"}


def test_a_running_scan_is_polled_and_a_second_one_refused(ctx: Context, clock: FixedClock, client: TestClient) -> None:
    csrf = _signed_in(ctx, clock, client, "officer", "privacy_officer")
    running = scanning.start(ctx, actor=OWNER, name="exports")  # e.g. the scheduler's, still going
    scanning.record_progress(ctx, running, scanning.Progress(locations_done=3, locations_total=8, bytes_done=4096))
    page = client.get("/console/scans").text
    assert 'hx-get="/console/scans/runs" hx-trigger="every 1s"' in page and '<meta http-equiv="refresh"' in page
    block = client.get("/console/scans/runs", headers={"HX-Request": "true"}).text
    assert block.startswith('<div id="scan-runs" hx-get=') and "<td>3/8</td>" in block and "<td>4,096</td>" in block
    run_page = client.get(f"/console/scans/{running}").text
    assert f'hx-get="/console/scans/{running}/live" hx-trigger="every 1s"' in run_page and "Scanning…" in run_page
    live = client.get(f"/console/scans/{running}/live", headers={"HX-Request": "true"}).text
    assert live.startswith('<div id="scan-run"') and "3/8" in live and "<title>" not in live
    assert client.get(f"/console/scans/{running}/report").status_code == 409
    again = client.post("/console/scans", data={"location": "exports", "csrf": csrf}, follow_redirects=False)
    assert again.status_code == 409 and f"already running (run {running})" in again.text
    unknown = client.post("/console/scans", data={"location": "nowhere", "csrf": csrf}, follow_redirects=False)
    assert unknown.status_code == 409 and "no scan location &#39;nowhere&#39;" in unknown.text
    scanning.fail(ctx, actor=OWNER, run_id=running, reason="internal error (OSError)")
    done = client.get(f"/console/scans/{running}/live", headers={"HX-Request": "true"}).text
    assert "hx-get" not in done and "The scan failed: internal error (OSError)" in done
    assert client.get("/console/scans/999").status_code == 404


def test_only_owners_and_privacy_officers(ctx: Context, clock: FixedClock, client: TestClient) -> None:
    csrf = _signed_in(ctx, clock, client, "li.wei", "support_agent")
    assert 'href="/console/scans"' not in client.get("/console/").text
    assert client.get("/console/scans").status_code == 403
    refused = client.post("/console/scans", data={"location": "exports", "csrf": csrf}, follow_redirects=False)
    assert refused.status_code == 403 and rows(ctx, "SELECT count(*) FROM scan_run")[0][0] == 0
    client.cookies.clear()
    assert client.get("/console/scans", follow_redirects=False).headers["location"] == "/console/sign-in"


def test_in_chinese(ctx: Context, clock: FixedClock, client: TestClient) -> None:
    csrf = _signed_in(ctx, clock, client, "boss", "owner")
    assert "立即扫描" in client.get("/console/scans?lang=zh").text
    run_id = _scan_now(client, csrf)
    page = client.get(f"/console/scans/{run_id}").text  # the language cookie is kept
    assert "电子邮件地址" in page and "已完成" in page and "列 email" in page


def test_every_string_of_the_scan_pages_is_translated() -> None:
    catalog = i18n.translations("zh")
    templates = resources.files("tutela.adapters.web").joinpath("templates")
    messages: list[str] = []
    for name in ("scans.html", "_scan_runs.html", "scan_run.html", "_scan_run.html"):
        with resources.as_file(templates.joinpath(name)) as path:
            found = extract_from_file("jinja2", str(path), options={"extensions": "jinja2.ext.i18n"})
            messages += [str(m[1]) for m in found]
    assert "Scan now" in messages
    messages += [*TYPE_LABELS.values(), "running", "done", "failed"]
    untranslated = [m for m in messages if catalog.gettext(m) == m and re.search(r"[A-Za-z]", m)]
    assert untranslated == []
