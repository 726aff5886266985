"""The console's data-subject request pages: the queue by due date (overdue first and marked,
due soon marked, extended), one request with verify / fulfil / extend / deny forms (CSRF on
each), letters by a real SMTP server, no personal data and never the download link on a page;
owners and privacy officers only; the dashboard's line; English and Chinese."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from importlib import resources
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_file
from fastapi.testclient import TestClient

from tests.adapters.web.test_console_admin import _signed_in
from tests.conftest import OWNER
from tests.helpers import count, rows
from tests.importer_files import UNSHIPPED_HEADER, unshipped_row, write_table
from tests.smtp_server import SmtpTestServer
from tutela.adapters.web import i18n
from tutela.core.clock import FixedClock
from tutela.core.settings import Settings
from tutela.server import create_server
from tutela.services import importing, subject_requests
from tutela.services.context import Context
from tutela.services.store import init_store

ADA = "ada123@marketplace.amazon.com"  # imported, Washington: answered as under GDPR (one month)
CARLA = "carla@example.com"  # imported, California: CCPA (45 days)
NOBODY = "nobody@example.org"


def _store(settings: Settings, clock: FixedClock, tmp_path: Path, **mail: object) -> Context:
    configured = replace(settings, mail_from="privacy@shop.example", smtp_starttls=False, **mail)  # type: ignore[arg-type]
    ctx = init_store(configured, clock)
    carla = unshipped_row("111-0000002-0000002", "1002", email=CARLA, phone="+1 415-555-0199", city="San Diego")
    carla["ship-state"] = "CA"
    path = write_table(tmp_path / "unshipped.txt", UNSHIPPED_HEADER,
                       [unshipped_row("111-0000001-0000001", "1001"), carla])  # fmt: skip
    importing.import_file(ctx, actor=OWNER, path=path)
    return ctx


@pytest.fixture
def mail_store(settings: Settings, clock: FixedClock, tmp_path: Path, smtp_server: SmtpTestServer) -> Iterator[Context]:
    ctx = _store(settings, clock, tmp_path, smtp_host=smtp_server.host, smtp_port=smtp_server.port)
    try:
        yield ctx
    finally:
        ctx.close()


@pytest.fixture
def client(mail_store: Context) -> Iterator[TestClient]:
    with TestClient(create_server(mail_store.settings, context=mail_store), base_url="https://testserver") as test:
        yield test


def _open(store: Context, kind: str, email: str) -> subject_requests.Opened:
    return subject_requests.open_request(store, actor=OWNER, kind=kind, email=email)


def _forms(page: str) -> list[str]:
    return re.findall(r'<form[^>]*method="post"[^>]*>.*?</form>', page, flags=re.S)


def test_the_queue_by_due_date_overdue_first_and_marked(
    mail_store: Context, clock: FixedClock, client: TestClient
) -> None:
    extended = _open(mail_store, "restriction", NOBODY).request_id  # due 29 Dec, then extended
    subject_requests.extend(mail_store, actor=OWNER, request_id=extended, reason="three systems")
    ada = _open(mail_store, "access", ADA).request_id  # due 29 Dec 2026
    carla = _open(mail_store, "erasure", CARLA).request_id  # due 13 Jan 2027
    closed = _open(mail_store, "opt_out", NOBODY).request_id
    subject_requests.deny(mail_store, actor=OWNER, request_id=closed, reason="no such customer")
    clock.advance(timedelta(days=43))  # 11 Jan 2027: Ada's is overdue, Carla's due in 2 days
    _signed_in(mail_store, clock, client, "priv", "privacy_officer")
    page = client.get("/console/requests")
    assert page.status_code == 200
    text = page.text
    order = [int(n) for n in re.findall(r'<a href="/console/requests/(\d+)">', text)]
    assert order == [ada, carla, extended]  # overdue first, then by due date; closed ones hidden
    rows_ = re.findall(r"<tr(?: class=\"(\w+)\")?>\s*<td><a href=\"/console/requests/(\d+)\">.*?</tr>", text, re.S)
    assert rows_[0] == ("overdue", str(ada)) and rows_[1][0] == ""
    carla_row = text[text.index(f'/console/requests/{carla}"') :].split("</tr>")[0]
    assert "Due soon" in carla_row and "CCPA" in carla_row and "Erasure" in carla_row
    extended_row = text[text.index(f'/console/requests/{extended}"') :].split("</tr>")[0]
    assert "yes" in extended_row and "Due soon" not in extended_row and "Overdue" not in extended_row
    assert "Open requests: <strong>3</strong>" in text and "Overdue: <strong>1</strong>" in text
    assert "Due this week: <strong>1</strong>" in text
    everything = client.get("/console/requests?show=all").text
    assert f'/console/requests/{closed}"' in everything and "Denied" in everything
    for shown in (text, everything):
        assert "ada123" not in shown and "carla@" not in shown and "nobody@" not in shown
        assert "style=" not in shown and "<style" not in shown
    dashboard = client.get("/console/").text
    assert '<a href="/console/requests">Requests</a>' in dashboard
    assert "Open requests: <strong>3</strong>" in dashboard and "Due this week: <strong>1</strong>" in dashboard


def test_verify_then_fulfil_by_forms_and_the_link_never_on_the_page(
    mail_store: Context, clock: FixedClock, client: TestClient, smtp_server: SmtpTestServer
) -> None:
    opened = _open(mail_store, "access", ADA)
    assert opened.code is not None
    request_id = opened.request_id
    csrf = _signed_in(mail_store, clock, client, "boss", "owner")
    page = client.get(f"/console/requests/{request_id}").text
    assert "Waiting for the code" in page and "ada123" not in page
    customer_id = rows(mail_store, "SELECT customer_id FROM data_request")[0][0]
    assert f'<a href="/console/customers/{customer_id}">' in page  # the fields only through the reveal page
    forms = _forms(page)
    assert [re.search(r'action="([^"]+)"', f).group(1).rsplit("/", 1)[1] for f in forms[1:]] == [  # type: ignore[union-attr]
        "verify", "extend", "deny"]  # fmt: skip  # (the first form is signing out)
    assert all('name="csrf"' in form for form in forms)

    code = opened.code
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    assert client.post(f"/console/requests/{request_id}/verify", data={"code": code}).status_code == 422
    assert client.post(f"/console/requests/{request_id}/verify", data={"code": code, "csrf": "x"}).status_code == 403
    refused = client.post(f"/console/requests/{request_id}/verify", data={"code": wrong, "csrf": csrf})
    assert refused.status_code == 409
    assert re.findall(r'<p class="error" role="alert">([^<]*)</p>', refused.text) == [
        "the code is wrong or has expired"]  # fmt: skip
    verified = client.post(f"/console/requests/{request_id}/verify", data={"code": code, "csrf": csrf})
    assert verified.status_code == 200 and "The code is right: the request is in progress." in verified.text
    assert 'action="/console/requests/1/fulfil"' in verified.text and "/verify" not in verified.text

    done = client.post(f"/console/requests/{request_id}/fulfil", data={"csrf": csrf})
    assert done.status_code == 200
    assert "Fulfilled: Package sent (one-time download link)." in done.text
    assert "The reply was sent to the requester." in done.text and "it is not shown here" in done.text
    reply = smtp_server.messages[-1]
    link = re.search(r"/p/download/(\S+)", reply.get_content())
    assert reply["To"] == ADA and link is not None
    for shown in (done.text, client.get(f"/console/requests/{request_id}").text):
        assert link.group(1) not in shown and "/p/download/" not in shown and "ada123" not in shown
    assert "Completed" in done.text and 'action="/console/requests/1/' not in done.text  # nothing left to do
    again = client.post(f"/console/requests/{request_id}/fulfil", data={"csrf": csrf})
    assert again.status_code == 409 and "only a verified, open request can be fulfilled" in again.text


def test_extend_and_deny_tell_the_requester(
    mail_store: Context, clock: FixedClock, client: TestClient, smtp_server: SmtpTestServer
) -> None:
    request_id = _open(mail_store, "erasure", CARLA).request_id
    csrf = _signed_in(mail_store, clock, client, "priv", "privacy_officer")
    assert client.post(f"/console/requests/{request_id}/extend", data={"reason": "x"}).status_code == 422
    extended = client.post(f"/console/requests/{request_id}/extend",
                           data={"reason": "three systems to search", "csrf": csrf})  # fmt: skip
    assert extended.status_code == 200 and "The requester was told why and by when." in extended.text
    assert "more time" in smtp_server.messages[-1]["Subject"] and smtp_server.messages[-1]["To"] == CARLA
    assert "/extend" not in extended.text  # once only
    twice = client.post(f"/console/requests/{request_id}/extend", data={"reason": "again", "csrf": csrf})
    assert twice.status_code == 409 and "already extended" in twice.text
    blank = client.post(f"/console/requests/{request_id}/deny", data={"reason": "  ", "csrf": csrf})
    assert blank.status_code == 422 and "a denial needs a reason" in blank.text
    denied = client.post(f"/console/requests/{request_id}/deny",
                         data={"reason": "the identity could not be verified", "csrf": csrf})  # fmt: skip
    assert denied.status_code == 200 and "The requester was told why and how to complain." in denied.text
    assert "We cannot fulfil your request" in smtp_server.messages[-1].get_content()
    assert "the identity could not be verified" in denied.text  # the reason is the outcome
    assert client.get("/console/requests/999").status_code == 404
    assert client.post("/console/requests/999/deny", data={"reason": "no", "csrf": csrf}).status_code == 404


def test_a_letter_that_does_not_leave_is_said_on_the_page(
    settings: Settings, clock: FixedClock, tmp_path: Path
) -> None:
    store = _store(settings, clock, tmp_path, smtp_host="127.0.0.1", smtp_port=1)
    try:
        request_id = _open(store, "access", ADA).request_id  # no deliver: opened without a mail
        with TestClient(create_server(store.settings, context=store), base_url="https://testserver") as client:
            csrf = _signed_in(store, clock, client, "boss", "owner")
            denied = client.post(f"/console/requests/{request_id}/deny", data={"reason": "duplicate", "csrf": csrf})
        assert denied.status_code == 502
        assert "Denied." in denied.text and "The letter was not sent" in denied.text and "127.0.0.1:1" in denied.text
        assert rows(store, "SELECT status FROM data_request")[0][0] == "denied"  # the denial stands
    finally:
        store.close()


def test_other_roles_are_kept_out(mail_store: Context, clock: FixedClock, client: TestClient) -> None:
    request_id = _open(mail_store, "access", ADA).request_id
    csrf = _signed_in(mail_store, clock, client, "li.wei", "support_agent")
    dashboard = client.get("/console/").text
    assert "/console/requests" not in dashboard and "Open requests" not in dashboard
    assert client.get("/console/requests").status_code == 403
    assert client.get(f"/console/requests/{request_id}").status_code == 403
    denied = client.post(f"/console/requests/{request_id}/deny", data={"reason": "no", "csrf": csrf})
    assert denied.status_code == 403 and count(mail_store, "data_request") == 1
    assert rows(mail_store, "SELECT status FROM data_request")[0][0] == "verifying"


def test_without_a_session_to_sign_in(client: TestClient) -> None:
    answer = client.get("/console/requests", follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/console/sign-in"


def test_the_pages_speak_chinese(mail_store: Context, clock: FixedClock, client: TestClient) -> None:
    request_id = _open(mail_store, "erasure", CARLA).request_id
    _signed_in(mail_store, clock, client, "boss", "owner")
    queue = client.get("/console/requests?lang=zh").text
    assert "数据主体请求" in queue and "删除" in queue
    page = client.get(f"/console/requests/{request_id}").text  # the language cookie is kept
    assert "等待确认码" in page and "验证" in page and "拒绝" in page


def test_every_string_of_the_requests_pages_is_translated() -> None:
    catalog = i18n.translations("zh")
    templates = resources.files("tutela.adapters.web").joinpath("templates")
    messages: list[str] = []
    for name in ("requests.html", "request.html", "_request_labels.html"):
        with resources.as_file(templates.joinpath(name)) as path:
            found = extract_from_file("jinja2", str(path), options={"extensions": "jinja2.ext.i18n"})
            messages += [str(m[1]) for m in found]
    assert "Waiting for the code" in messages
    messages += ["Requests", "Open requests", "Due this week"]  # base.html, dashboard.html
    untranslated = [m for m in messages if catalog.gettext(m) == m and re.search(r"[A-Za-z]", m)]
    assert untranslated == []
