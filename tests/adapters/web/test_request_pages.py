"""The customers' request pages through an in-process client, on both backends, with a real
SMTP server on localhost: the form (English and Chinese) answers a customer, a stranger and a
duplicate alike and mails a code to each; its nonce keeps cross-site posts out; the code page
takes the code, refuses wrong ones with one message and locks after five; the access package
downloads once, leaves the disk, and a used, expired or unknown link gets the one invalid-link
page; every route is rate-limited."""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from importlib import resources
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_file
from fastapi.testclient import TestClient

from tests.conftest import OWNER
from tests.helpers import rows
from tests.importer_files import UNSHIPPED_HEADER, unshipped_row, write_table
from tests.smtp_server import SmtpTestServer
from tutela.adapters.documents import request_mail, summary_html
from tutela.adapters.web import i18n, request_pages
from tutela.core.clock import FixedClock
from tutela.core.settings import Settings
from tutela.server import create_server
from tutela.services import importing, request_fulfilment, subject_requests
from tutela.services.context import Context
from tutela.services.store import init_store

ADA = "ada123@marketplace.amazon.com"  # imported (an Amazon buyer in Washington)
NOBODY = "nobody@example.org"  # not a customer
PUBLIC_URL = "https://privacy.shop.example"


@pytest.fixture
def mail_store(settings: Settings, clock: FixedClock, tmp_path: Path, smtp_server: SmtpTestServer) -> Iterator[Context]:
    configured = replace(settings, smtp_host=smtp_server.host, smtp_port=smtp_server.port, smtp_starttls=False,
                         mail_from="privacy@shop.example", public_url=PUBLIC_URL)  # fmt: skip
    ctx = init_store(configured, clock)
    path = write_table(tmp_path / "unshipped.txt", UNSHIPPED_HEADER, [unshipped_row("111-0000001-0000001", "1001")])
    importing.import_file(ctx, actor=OWNER, path=path)
    try:
        yield ctx
    finally:
        ctx.close()


@pytest.fixture
def client(mail_store: Context) -> Iterator[TestClient]:
    with TestClient(create_server(mail_store.settings, context=mail_store), base_url="https://testserver") as test:
        yield test


def _nonce(client: TestClient, query: str = "") -> str:
    found = re.search(r'name="nonce" value="([^"]+)"', client.get("/p/requests" + query).text)
    assert found is not None
    return found.group(1)


def _send(client: TestClient, kind: str, email: str, query: str = "", **fields: str) -> tuple[int, str]:
    answer = client.post("/p/requests" + query, data={"nonce": _nonce(client, query), "kind": kind, "email": email,
                                                      **fields})  # fmt: skip
    return answer.status_code, answer.text


def _code_page(page: str) -> str:
    found = re.search(r'href="(/p/requests/[^/"]+/verify)\?lang=\w+"', page)
    assert found is not None
    return found.group(1)


def _code(server: SmtpTestServer) -> str:
    found = re.search(r"\b(\d{6})\b", server.messages[-1].get_content())
    assert found is not None
    return found.group(1)


def _wrong(code: str) -> str:
    return "000000" if code != "000000" else "111111"


def _requests(store: Context) -> list[tuple[int, str, str, str | None, str]]:
    return [(int(r[0]), r[1], r[2], r[3], r[4]) for r in rows(
        store, "SELECT id, kind, status, customer_id, language FROM data_request ORDER BY id")]  # fmt: skip


def _link_refusals(store: Context) -> list[dict[str, str]]:
    found = rows(store, "SELECT details FROM audit_event WHERE action = 'public.link_invalid' ORDER BY seq")
    return [json.loads(r[0]) for r in found]


def _without_ref(page: str) -> str:
    return re.sub(r"/p/requests/[^/\"]+/verify", "/p/requests/REF/verify", page)


def test_the_form_in_english_and_chinese(client: TestClient) -> None:
    page = client.get("/p/requests")
    assert page.status_code == 200
    html = page.text
    assert "A request about your data" in html
    labels = ["Tell me what data you hold about me and send me a copy", "Delete my data", "Correct my details",
              "Stop using my data for marketing", "Do not sell or share my data",
              "Send me my data in a form I can take to another service", "Keep my data but stop using it"]  # fmt: skip
    assert all(label in html for label in labels)
    for kind in subject_requests.Kind:
        assert f'<option value="{kind.value}">' in html
    for field in ("email", "name", "street", "city", "postal_code"):
        assert f'name="{field}"' in html
    assert 'action="/p/requests?lang=en"' in html
    assert "<script" not in html and "style=" not in html  # the CSP allows neither
    assert "/console/" not in html
    assert "set-cookie" not in page.headers
    assert "form-action 'self'" in page.headers["content-security-policy"]
    assert page.headers["cache-control"] == "no-store"

    chinese = client.get("/p/requests", headers={"accept-language": "zh-CN,zh;q=0.9"})
    assert chinese.headers["content-language"] == "zh-Hans"
    assert "关于您的数据的请求" in chinese.text and "删除我的数据" in chinese.text and "提交请求" in chinese.text
    assert 'action="/p/requests?lang=zh"' in chinese.text


def test_a_customer_a_stranger_and_a_duplicate_get_the_same_page_and_the_first_two_a_code(
    client: TestClient, mail_store: Context, smtp_server: SmtpTestServer
) -> None:
    known = _send(client, "access", ADA)
    unknown = _send(client, "access", NOBODY)
    again = _send(client, "access", "  ADA123@Marketplace.Amazon.com ")  # the same person and type: linked
    assert known[0] == unknown[0] == again[0] == 200
    assert _without_ref(known[1]) == _without_ref(unknown[1]) == _without_ref(again[1])
    assert "If we can act on this request, you will receive a code by e-mail." in known[1]
    assert ADA not in known[1] and "ada123" not in known[1].lower() and NOBODY not in unknown[1]
    assert _code_page(again[1]) == _code_page(known[1])  # back to the open request's code page
    assert [m["To"] for m in smtp_server.messages] == [ADA, NOBODY]  # a code for the stranger too
    assert all("confirmation code" in m["Subject"] for m in smtp_server.messages)
    (ada, nobody) = _requests(mail_store)
    assert (ada[1], ada[2], ada[4]) == ("access", "verifying", "en") and ada[3] is not None
    assert nobody[3] is None
    actors = rows(mail_store, "SELECT action, actor FROM audit_event WHERE action LIKE 'request.%' ORDER BY seq")
    assert [tuple(a) for a in actors] == [("request.open", "public-form"), ("request.open", "public-form"),
                                          ("request.linked", "public-form")]  # fmt: skip


def test_the_form_needs_its_own_fresh_nonce(
    client: TestClient, mail_store: Context, clock: FixedClock, smtp_server: SmtpTestServer
) -> None:
    missing = client.post("/p/requests", data={"kind": "erasure", "email": NOBODY})
    assert missing.status_code == 403 and "This form has expired" in missing.text
    assert 'value="erasure" selected' in missing.text and f'value="{NOBODY}"' in missing.text  # kept
    nonce = _nonce(client)
    shown, signature = nonce.split(".")
    forged = client.post("/p/requests", data={"kind": "erasure", "email": NOBODY,
                                              "nonce": f"{int(shown) + 60}.{signature}"})  # fmt: skip
    assert forged.status_code == 403
    other = TestClient(create_server(mail_store.settings, context=mail_store), base_url="https://testserver",
                       client=("198.51.100.7", 4711))  # another address: a nonce read by someone else  # fmt: skip
    with other:
        assert other.post("/p/requests", data={"kind": "erasure", "email": NOBODY, "nonce": nonce}).status_code == 403
    clock.advance(timedelta(hours=2, seconds=1))
    assert client.post("/p/requests", data={"kind": "erasure", "email": NOBODY, "nonce": nonce}).status_code == 403
    assert _requests(mail_store) == [] and smtp_server.messages == []
    assert _send(client, "erasure", NOBODY)[0] == 200  # a fresh form goes through


def test_what_the_form_refuses_records_nothing(
    client: TestClient, mail_store: Context, smtp_server: SmtpTestServer
) -> None:
    kind = _send(client, "selfie", ADA)
    assert kind[0] == 422 and "Choose what we should do." in kind[1]
    address = _send(client, "access", "not an address")
    assert address[0] == 422 and "Please enter a valid e-mail address." in address[1]
    bare = _send(client, "rectification", ADA)
    assert bare[0] == 422 and "write at least one detail" in bare[1]
    assert '<details class="purpose" id="corrections" open>' in bare[1]
    long = _send(client, "rectification", ADA, city="x" * 201)
    assert long[0] == 422
    assert _requests(mail_store) == [] and smtp_server.messages == []

    smtp_server.stop()  # the mail server is down: nothing is recorded, and the page says so
    down = _send(client, "access", ADA)
    assert down[0] == 503 and "We cannot send e-mail at the moment" in down[1]
    assert _requests(mail_store) == []


def test_a_correction_names_the_policy_categories(
    client: TestClient, mail_store: Context, smtp_server: SmtpTestServer
) -> None:
    sent = _send(client, "rectification", ADA, name="Ada King", street="1 New Road", city="", postal_code=" 98102 ")
    assert sent[0] == 200
    (request,) = _requests(mail_store)
    assert subject_requests.corrections_of(mail_store, request[0]) == {
        "user.name": "Ada King", "user.contact.address.street": "1 New Road",
        "user.contact.address.postal_code": "98102",
    }  # fmt: skip
    _send(client, "erasure", NOBODY, name="Somebody")  # corrections go with a correction only
    assert subject_requests.corrections_of(mail_store, _requests(mail_store)[-1][0]) == {}


def test_wrong_codes_get_one_message_and_five_lock_the_request(
    client: TestClient, mail_store: Context, smtp_server: SmtpTestServer
) -> None:
    code_page = _code_page(_send(client, "erasure", ADA)[1])
    code = _code(smtp_server)
    form = client.get(code_page)
    assert form.status_code == 200 and 'name="code"' in form.text and "erasure" not in form.text
    assert client.post(code_page, data={"code": "12"}).status_code == 422  # not six digits: not an attempt
    answers = [client.post(code_page, data={"code": _wrong(code)}) for _ in range(5)]
    answers.append(client.post(code_page, data={"code": code}))  # locked: the right code is refused alike
    assert {a.status_code for a in answers} == {422}
    assert len({a.text for a in answers}) == 1
    assert "This code cannot be used" in answers[0].text
    assert _requests(mail_store)[0][2] == "verifying"
    failed = rows(mail_store, "SELECT actor, details FROM audit_event WHERE action = 'request.verify_failed'")
    assert len(failed) == 5 and {r[0] for r in failed} == {"public-form"}
    assert json.loads(failed[-1][1])["locked"] is True


def test_a_good_code_shows_the_due_date_and_nothing_else(
    client: TestClient, mail_store: Context, smtp_server: SmtpTestServer
) -> None:
    code_page = _code_page(_send(client, "access", ADA, query="?lang=zh")[1])
    assert "确认码" in smtp_server.messages[-1]["Subject"]  # the letter in the page's language
    assert "请输入我们发送给您的邮件中的 6 位确认码" in client.get(code_page + "?lang=zh").text
    spaced = " " + _code(smtp_server)[:3] + " " + _code(smtp_server)[3:]  # as a person may type it
    done = client.post(code_page + "?lang=zh", data={"code": spaced})
    assert done.status_code == 200 and "我们将于 2026-12-29 前答复" in done.text
    assert _requests(mail_store)[0][2] == "in_progress"
    english = client.post(code_page, data={"code": _code(smtp_server)})  # used already: the one refusal
    assert english.status_code == 422 and "This code cannot be used" in english.text
    request_id = _requests(mail_store)[0][0]
    for text in (ADA, "ada123", "access", "Tell me what data", str(subject_requests.get(mail_store, request_id)
                                                                       ["customer_id"])):  # fmt: skip
        assert text not in done.text


def test_a_code_page_link_must_be_the_one_the_form_gave(
    client: TestClient, mail_store: Context, smtp_server: SmtpTestServer
) -> None:
    code_page = _code_page(_send(client, "access", ADA)[1])
    signature = code_page.split("/")[3].split("-", 1)[1]
    for forged in (f"/p/requests/2-{signature}/verify", "/p/requests/1/verify", "/p/requests/01-x/verify",
                   "/p/requests/" + "9" * 500 + "/verify"):  # fmt: skip
        assert client.get(forged).status_code == 404
        refused = client.post(forged, data={"code": _code(smtp_server)})
        assert refused.status_code == 404 and "This link is not valid" in refused.text
    assert _requests(mail_store)[0][2] == "verifying"  # no attempt was counted
    assert rows(mail_store, "SELECT count(*) FROM audit_event WHERE action = 'request.verify_failed'")[0][0] == 0
    assert {(r["page"], r["reason"]) for r in _link_refusals(mail_store)} == {("request_code", "signature")}


def _fulfilled(client: TestClient, store: Context, server: SmtpTestServer) -> str:
    """An access request from the form, confirmed, fulfilled by the officer; the reply's link path."""
    code_page = _code_page(_send(client, "access", ADA)[1])
    assert client.post(code_page, data={"code": _code(server)}).status_code == 200
    request_id = _requests(store)[0][0]
    done = request_fulfilment.fulfil(store, actor=OWNER, request_id=request_id, render_summary=summary_html)
    assert request_mail.send_reply(store, done)
    link = re.search(re.escape(PUBLIC_URL) + r"(/p/download/\S+)", server.messages[-1].get_content())
    assert link is not None
    return link.group(1)


def test_the_package_downloads_once_and_leaves_the_disk(
    client: TestClient, mail_store: Context, smtp_server: SmtpTestServer
) -> None:
    link = _fulfilled(client, mail_store, smtp_server)
    request_id = _requests(mail_store)[0][0]
    package = request_fulfilment.package_path(mail_store, request_id)
    assert package.exists()
    assert client.head(link).status_code == 405  # a link checker's HEAD does not use the link up
    got = client.get(link)
    assert got.status_code == 200
    assert got.headers["content-type"] == "application/zip"
    assert got.headers["content-disposition"] == f'attachment; filename="privacy-request-{request_id}.zip"'
    assert got.headers["cache-control"] == "no-store"
    with zipfile.ZipFile(io.BytesIO(got.content)) as archive:
        assert {"data.json", "data.csv", "summary.html"} <= set(archive.namelist())
        assert ADA in archive.read("data.json").decode()
    assert not package.exists()
    assert list(package.parent.iterdir()) == []
    second = client.get(link)
    unknown = client.get("/p/download/" + "A" * 43)
    assert second.status_code == unknown.status_code == 404
    assert second.text == unknown.text and "This link is not valid" in second.text
    refusals = _link_refusals(mail_store)
    assert [(r["page"], r["reason"]) for r in refusals] == [("download", "used_expired_or_unknown")] * 2
    downloaded = rows(mail_store, "SELECT details FROM audit_event WHERE action = 'request.downloaded'")
    assert len(downloaded) == 1
    for refusal in rows(mail_store, "SELECT details FROM audit_event WHERE action = 'public.link_invalid'"):
        assert link.rsplit("/", 1)[1] not in refusal[0]


def test_an_expired_link_is_refused_alike(
    client: TestClient, mail_store: Context, smtp_server: SmtpTestServer, clock: FixedClock
) -> None:
    link = _fulfilled(client, mail_store, smtp_server)
    unknown = client.get("/p/download/unknown-token")
    clock.advance(timedelta(days=8))
    expired = client.get(link)
    assert expired.status_code == 404 and expired.text == unknown.text
    assert "此链接无效" in client.get(link + "?lang=zh").text
    assert _link_refusals(mail_store)[-1]["reason"] == "used_expired_or_unknown"


def test_every_route_is_rate_limited(
    client: TestClient, mail_store: Context, smtp_server: SmtpTestServer, clock: FixedClock
) -> None:
    routes = ["/p/requests", "/p/requests/1-x/verify", "/p/download/x"]
    for n in range(60):
        assert client.get(routes[n % 3]).status_code in (200, 404)
    for limited in (client.get("/p/requests"), client.post("/p/requests", data={"kind": "access", "email": ADA}),
                    client.get("/p/requests/1-x/verify"), client.post("/p/requests/1-x/verify", data={"code": "1"}),
                    client.get("/p/download/x")):  # fmt: skip
        assert limited.status_code == 429 and limited.headers["retry-after"] == "60"
        assert "Too many requests" in limited.text
    assert smtp_server.messages == []
    clock.advance(timedelta(seconds=61))  # the window is a minute, on the store's clock
    # Each form sends a mail: at most FORM_LIMIT a minute from one address, however many pages.
    sent = [_send(client, "objection", f"person{n}@example.org")[0] for n in range(request_pages.FORM_LIMIT + 1)]
    assert sent == [200] * request_pages.FORM_LIMIT + [429]
    assert len(smtp_server.messages) == request_pages.FORM_LIMIT
    assert client.get("/p/requests").status_code == 200


def test_every_string_of_the_request_pages_is_translated() -> None:
    catalog = i18n.translations("zh")
    templates = resources.files("tutela.adapters.web").joinpath("templates", "public")
    messages: list[str] = []
    for name in ("request_form.html", "request_sent.html", "request_code.html", "_request_kinds.html"):
        with resources.as_file(templates.joinpath(name)) as path:
            found = extract_from_file("jinja2", str(path), options={"extensions": "jinja2.ext.i18n"})
            messages += [str(m[1]) for m in found]
    assert "If we can act on this request, you will receive a code by e-mail." in messages
    assert len(messages) > 30
    untranslated = [m for m in messages if catalog.gettext(m) == m and re.search(r"[A-Za-z]", m)]
    assert untranslated == []
