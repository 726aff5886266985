"""The console's retention page and the dashboard's upcoming-deletions chart: numbers, the
server-drawn chart, holds, deleting now, the Amazon revocation and its certificate; CSRF on
every form; owners and privacy officers only; English and Chinese."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.adapters.web.test_console_admin import _signed_in
from tests.conftest import OWNER
from tests.helpers import count, rows
from tests.importer_files import two_amazon_buyers
from tutela.core.clock import FixedClock
from tutela.server import create_server
from tutela.services import importing
from tutela.services.context import Context

ORDER = "111-0000001-0000001"


@pytest.fixture
def client(store: Context) -> Iterator[TestClient]:
    with TestClient(create_server(store.settings, context=store), base_url="https://testserver") as test_client:
        yield test_client


@pytest.fixture
def imported(store: Context, tmp_path: Path) -> list[str]:
    """Two Amazon buyers (promised delivery 25 Nov and 20 Nov: due 25 Dec and 20 Dec)."""
    importing.import_file(store, actor=OWNER, path=two_amazon_buyers(tmp_path))
    return [str(r[0]) for r in rows(store, "SELECT customer_id FROM orders ORDER BY order_id")]


def _number(page: str, label: str) -> str:
    found = re.search(rf"<dt>{re.escape(label)}</dt><dd>(\d+)", page)
    assert found is not None, label
    return found.group(1)


def _no_inline_code(page: str) -> None:
    assert re.findall(r"<script\b[^>]*>(.*?)</script>", page, flags=re.S) == [""]
    assert "<style" not in page and not re.search(r"\s(style|on[a-z]+)=", page)


def test_the_page_shows_the_numbers_and_the_weeks_chart(
    store: Context, clock: FixedClock, client: TestClient, imported: list[str]
) -> None:
    _signed_in(store, clock, client, "boss", "owner")
    page = client.get("/console/retention")
    assert page.status_code == 200
    text = page.text
    _no_inline_code(text)
    assert _number(text, "Due now") == "0" and _number(text, "Overdue") == "0"
    assert _number(text, "Waiting for an event") == "0" and _number(text, "Untrusted event dates") == "0"
    assert '<div class="ok"><dt>Overdue</dt>' in text
    svg = text[text.index("<svg") : text.index("</svg>")]
    assert svg.count('<g class="week">') == 12  # this week and the eleven after it
    assert "<title>Week of 2026-12-14: 1 records, " in svg and "<title>Week of 2026-12-21: 1 records, " in svg
    assert "<title>Week of 2026-11-23: 0 records, 0 fields</title>" in svg  # this week (29 Nov is a Sunday)
    assert re.search(r'<rect class="bar" x="\d+" y="16" width="30" height="140"/>', svg)  # the tallest bar
    assert "<td>2026-12-14</td><td>1</td>" in text and "fulfillment" in text  # the same numbers as a table
    assert 'href="/console/retention"' in text  # in the navigation
    assert "Amazon access has not been revoked." in text and "No hold is in force." in text
    assert "Ada" not in text and "marketplace.amazon.com" not in text
    forms = re.findall(r'<form[^>]*method="post"[^>]*>.*?</form>', text, flags=re.S)
    assert len(forms) >= 4 and all('name="csrf"' in form for form in forms)


def test_holds_are_added_and_released_through_forms_with_csrf(
    store: Context, clock: FixedClock, client: TestClient, imported: list[str]
) -> None:
    csrf = _signed_in(store, clock, client, "boss", "owner")
    hold = {"order_id": ORDER, "reason": "chargeback 2026-114", "until": "2027-06-30"}
    assert client.post("/console/retention/holds", data=hold).status_code == 403  # no CSRF token
    assert client.post("/console/retention/holds", data={**hold, "csrf": "forged"}).status_code == 403
    assert count(store, "legal_hold") == 0
    added = client.post("/console/retention/holds", data={**hold, "csrf": csrf})
    assert added.status_code == 200 and "Hold 1 added." in added.text
    assert f"<td>{ORDER}</td><td>chargeback 2026-114</td>" in added.text and "<td>2027-06-30</td>" in added.text
    (stored,) = rows(store, "SELECT until, author FROM legal_hold")
    assert str(stored[0]).startswith("2027-06-30 23:59:59") and stored[1] == "staff:boss"
    bad_date = client.post("/console/retention/holds", data={**hold, "until": "30/06/2027", "csrf": csrf})
    assert bad_date.status_code == 422 and "The end date must be a date (YYYY-MM-DD)." in bad_date.text
    leaky = client.post("/console/retention/holds", data={**hold, "reason": "call ada@example.com", "csrf": csrf})
    assert leaky.status_code == 422 and 'class="error"' in leaky.text and "ada@example.com" not in leaky.text
    both = client.post("/console/retention/holds", data={**hold, "customer_id": imported[1], "csrf": csrf})
    assert both.status_code == 422 and "a customer or an order" in both.text
    assert count(store, "legal_hold") == 1
    assert client.post("/console/retention/holds/1/release", data={"csrf": "forged"}).status_code == 403
    released = client.post("/console/retention/holds/1/release", data={"csrf": csrf})
    assert released.status_code == 200 and "Hold 1 released." in released.text
    assert "No hold is in force." in released.text
    again = client.post("/console/retention/holds/1/release", data={"csrf": csrf})
    assert again.status_code == 409 and len(re.findall(r'<p class="error" role="alert">', again.text)) == 1
    assert "already released" in again.text


def test_apply_now_deletes_what_is_due_and_overdue_stands_out(
    store: Context, clock: FixedClock, client: TestClient, imported: list[str]
) -> None:
    clock.advance(timedelta(days=40))  # both buyers are past their due time (and the hourly run did not come)
    csrf = _signed_in(store, clock, client, "officer", "privacy_officer")
    page = client.get("/console/retention").text
    assert _number(page, "Due now") == "2" and _number(page, "Overdue") == "2"
    assert '<div class="overdue"><dt>Overdue</dt>' in page and "is the scheduler running?" in page
    dashboard = client.get("/console/").text
    assert '<p class="overdue">Overdue deletions: <strong>2</strong>' in dashboard
    assert client.post("/console/retention/apply", data={"csrf": "forged"}).status_code == 403
    assert count(store, "record") == 2
    applied = client.post("/console/retention/apply", data={"csrf": csrf})
    assert applied.status_code == 200 and "customers crypto-shredded" in applied.text
    assert re.search(r"Deleted \d+ fields \(2 records whole, 0 trimmed", applied.text)
    assert _number(applied.text, "Overdue") == "0" and count(store, "record") == 0
    (actor,) = rows(store, "SELECT actor FROM audit_event WHERE action = 'retention.delete'")
    assert actor[0] == "staff:officer"


def test_revoke_amazon_access_then_download_the_certificate(
    store: Context, clock: FixedClock, client: TestClient, imported: list[str]
) -> None:
    csrf = _signed_in(store, clock, client, "boss", "owner")
    unconfirmed = client.post("/console/retention/amazon/revoke", data={"within_days": "0", "csrf": csrf})
    assert unconfirmed.status_code == 422 and "Tick the box to confirm" in unconfirmed.text
    too_long = client.post("/console/retention/amazon/revoke", data={"within_days": "45", "confirm": "yes",
                                                                      "csrf": csrf})  # fmt: skip
    assert too_long.status_code == 422 and "0 to 30 days" in too_long.text
    not_a_number = client.post("/console/retention/amazon/revoke", data={"within_days": "-1", "confirm": "yes",
                                                                          "csrf": csrf})  # fmt: skip
    assert not_a_number.status_code == 422 and "whole number" in not_a_number.text
    forged = client.post("/console/retention/amazon/revoke", data={"within_days": "0", "confirm": "yes"})
    assert forged.status_code == 403 and count(store, "amazon_revocation") == 0
    revoked = client.post("/console/retention/amazon/revoke", data={"within_days": "0", "confirm": "yes",
                                                                     "csrf": csrf})  # fmt: skip
    # With no delay the Amazon fields are deleted at once and the certificate is ready (as in the CLI).
    assert revoked.status_code == 200 and "Amazon access revoked (revocation 1)" in revoked.text
    assert 'action="/console/retention/amazon/revoke"' not in revoked.text
    assert 'href="/console/retention/amazon/1/certificate?format=html"' in revoked.text
    assert 'href="/console/retention/amazon/1/certificate?format=pdf"' in revoked.text
    html = client.get("/console/retention/amazon/1/certificate?format=html")
    assert html.status_code == 200 and html.headers["content-type"].startswith("text/html")
    assert "attachment" in html.headers["content-disposition"] and "Certificate of destruction" in html.text
    assert "script-src" not in html.headers["content-security-policy"]
    assert "销毁证明" in client.get("/console/retention/amazon/1/certificate?format=html&lang=zh").text
    pdf = client.get("/console/retention/amazon/1/certificate?format=pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert client.get("/console/retention/amazon/9/certificate?format=pdf").status_code == 404


def test_the_dashboard_shows_the_next_eight_weeks(
    store: Context, clock: FixedClock, client: TestClient, imported: list[str]
) -> None:
    _signed_in(store, clock, client, "boss", "owner")
    page = client.get("/console/").text
    _no_inline_code(page)
    assert '<figure class="chart compact" id="deletions-chart">' in page
    svg = page[page.index("<svg") : page.index("</svg>")]
    assert svg.count('<g class="week">') == 8 and "<title>Week of 2026-12-21: 1 records, " in svg
    assert '<p class="ok">Overdue deletions: <strong>0</strong>' in page
    assert "<summary>As a table</summary>" in page and "<td>2026-12-14</td><td>1</td>" in page


def test_the_page_in_chinese(store: Context, clock: FixedClock, client: TestClient, imported: list[str]) -> None:
    _signed_in(store, clock, client, "boss", "owner")
    page = client.get("/console/retention?lang=zh").text
    assert 'lang="zh"' in page
    for chinese in ("数据保留", "现已到期", "已逾期", "即将删除的数据，按周（记录数）", "法律保留", "添加保留令",
                    "立即删除", "撤销亚马逊访问", "2026-12-14 当周：1 条记录"):  # fmt: skip
        assert chinese in page, chinese
    for english in ("Due now", "Legal holds", "Apply now", "Revoke Amazon access", "Week of"):
        assert english not in page, english
    dashboard = client.get("/console/").text  # the language is kept in a cookie
    assert "逾期未删除" in dashboard and "以表格显示" in dashboard


def test_support_agents_are_kept_out(
    store: Context, clock: FixedClock, client: TestClient, imported: list[str]
) -> None:
    csrf = _signed_in(store, clock, client, "li.wei", "support_agent")
    assert client.get("/console/retention").status_code == 403
    assert client.post("/console/retention/apply", data={"csrf": csrf}).status_code == 403
    hold = {"order_id": ORDER, "reason": "case 1", "until": "2027-06-30", "csrf": csrf}
    assert client.post("/console/retention/holds", data=hold).status_code == 403
    revoke = {"within_days": "0", "confirm": "yes", "csrf": csrf}
    assert client.post("/console/retention/amazon/revoke", data=revoke).status_code == 403
    assert client.get("/console/retention/amazon/1/certificate").status_code == 403
    assert count(store, "legal_hold") == 0 and count(store, "amazon_revocation") == 0
    dashboard = client.get("/console/").text
    assert 'href="/console/retention"' not in dashboard and 'id="deletions-chart"' in dashboard


def test_the_page_needs_a_session(client: TestClient) -> None:
    anonymous = client.get("/console/retention", follow_redirects=False)
    assert anonymous.status_code == 303 and anonymous.headers["location"] == "/console/sign-in"
    assert client.post("/console/retention/apply", data={"csrf": "x"}, follow_redirects=False).status_code == 303
