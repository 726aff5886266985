"""The console's consent page: the numbers, the opt-in rate chart (inline SVG, no inline style
or script) with its table, recent withdrawals, one customer's history with its proof; roles
kept out; Chinese."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from importlib import resources

import pytest
from babel.messages.extract import extract_from_file
from fastapi.testclient import TestClient

from tests.adapters.web.test_console_admin import _signed_in
from tests.conftest import OWNER
from tutela.adapters.web import i18n
from tutela.core.clock import FixedClock
from tutela.server import create_server
from tutela.services import consent, erasure, vault
from tutela.services.consent import Proof
from tutela.services.context import Context

WORDING = "Yes, send me offers by e-mail."


@pytest.fixture
def client(store: Context) -> Iterator[TestClient]:
    with TestClient(create_server(store.settings, context=store), base_url="https://testserver") as test_client:
        yield test_client


@pytest.fixture
def ledger(store: Context, clock: FixedClock) -> dict[str, str]:
    """Three shop customers over two weeks: two grants, then one of them withdraws."""
    consent.add_notice(store, actor=OWNER, purpose="marketing_email", version="3", wording=WORDING)
    ids = {}
    for name in ("lin", "bo", "kim"):
        fields = {"user.name": name.title(), "user.contact.email": f"{name}@example.cn"}
        ids[name] = vault.add_customer(store, actor=OWNER, purpose="fulfillment", source="own_shop", fields=fields)
    clock.advance(timedelta(days=-7))
    for name in ("lin", "bo"):
        consent.grant(store, actor=OWNER, customer_id=ids[name], purpose="marketing_email", channel="email",
                      proof=Proof(source="checkout_form", notice_version="3", evidence_sha256="e" * 64,
                                  client="203.0.113.9|Firefox"))  # fmt: skip
    clock.advance(timedelta(days=7))
    consent.withdraw(store, actor=OWNER, customer_id=ids["bo"], purpose="marketing_email", channel=None,
                     proof=Proof(source="unsubscribe_link"))  # fmt: skip
    consent.opt_out_of_sale(store, actor=OWNER, customer_id=ids["kim"], source="gpc")
    return ids


def numbers(page: str) -> dict[str, str]:
    return dict(re.findall(r'<dd id="([a-z-]+)">(\d+)</dd>', page))


def test_the_page_shows_numbers_chart_table_and_withdrawals(
    store: Context, clock: FixedClock, client: TestClient, ledger: dict[str, str]
) -> None:
    _signed_in(store, clock, client, "ivy.p", "privacy_officer")
    assert '<a href="/console/consent">Consent</a>' in client.get("/console/").text
    page = client.get("/console/consent")
    assert page.status_code == 200
    text = page.text
    assert numbers(text) == {"live-grants": "1", "grants-recent": "2", "withdrawals-recent": "1",
                             "expiries-recent": "0", "sale-share-opt-outs": "1"}  # fmt: skip
    assert 'id="opt-in-chart"' in text and "<svg" in text
    assert re.findall(r'<polyline class="line" points="([^"]+)"/>', text) == ["544,12 592,92"]  # 100 %, then 50 %
    points = re.findall(r'<circle class="point"[^>]*><title>([^<]+)</title>', text)
    assert points == [
        "marketing_email/email, week of 2026-11-16: 100% (2 of 2); 2 grants, 0 withdrawals, 0 lapsed",
        "marketing_email/email, week of 2026-11-23: 50% (1 of 2); 0 grants, 1 withdrawals, 0 lapsed",
    ]
    row = "<td>2026-11-23</td><td>marketing_email/email</td>" + "".join(f"<td>{n}</td>" for n in (0, 1, 0, 1, 2, "50%"))
    assert row in re.sub(r">\s+<", "><", text)  # the same numbers as a table
    assert "marketing_sms/sms: —" in text and "nobody asked yet" in text
    assert "style=" not in text and "<style" not in text and "<script>" not in text  # the CSP forbids inline code
    withdrawals = text[text.index('id="recent-withdrawals"') :]
    assert "unsubscribe_link" in withdrawals and f'href="/console/consent/customers/{ledger["bo"]}"' in withdrawals
    assert "example.cn" not in text and "Lin" not in text and "Bo<" not in text  # no personal data
    assert 'action="/console/consent/customers"' in text


def test_the_line_joins_weeks_with_a_rate(
    store: Context, clock: FixedClock, client: TestClient, ledger: dict[str, str]
) -> None:
    clock.advance(timedelta(days=7))  # a third week, nothing new: the rate holds
    _signed_in(store, clock, client, "boss", "owner")
    text = client.get("/console/consent").text
    (line,) = re.findall(r'<polyline class="line" points="([^"]+)"/>', text)
    assert line == "496,12 544,92 592,92"  # three weeks with a rate, one segment; the weeks before: none


def test_a_customers_history_with_its_proof(
    store: Context, clock: FixedClock, client: TestClient, ledger: dict[str, str]
) -> None:
    _signed_in(store, clock, client, "boss", "owner")
    bo = ledger["bo"]
    found = client.get("/console/consent/customers", params={"customer_id": f" {bo} "}, follow_redirects=False)
    assert (found.status_code, found.headers["location"]) == (303, f"/console/consent/customers/{bo}")
    page = client.get(f"/console/consent/customers/{bo}")
    assert page.status_code == 200
    text = page.text
    current = text[text.index('id="consent-current"') : text.index('id="consent-events"')]
    assert "marketing_email/email" in current and "consent withdrawn" in current
    events = text[text.index('id="consent-events"') :]
    notice = consent.current_notice(store, "marketing_email")["wording_sha256"]  # type: ignore[index]
    assert events.count("<tr><td>") == 2 and "checkout_form" in events and "unsubscribe_link" in events
    assert f'<code title="{notice}">{notice[:12]}</code>' in events and "eeeeeeeeeeee" in events
    client_hash = consent.history(store, bo)["events"][0]["client_sha256"]
    assert f"<code>{client_hash[:12]}…</code>" in events and client_hash not in events  # truncated
    assert "203.0.113.9" not in text and "bo@example.cn" not in text and events.count(f"<td>{OWNER.id}</td>") == 2
    assert "No opt-out of sale/share on record." in text
    assert (
        "Opted out of sale/share on 2026-11-29 (gpc)" in client.get(f"/console/consent/customers/{ledger['kim']}").text
    )
    unknown = client.get("/console/consent/customers/nobody")
    assert unknown.status_code == 404 and "no customer with id" in unknown.text
    erasure.erase(store, actor=OWNER, customer_id=ledger["lin"], reason="GDPR Art. 17 request, ticket 3")
    assert client.get(f"/console/consent/customers/{ledger['lin']}").status_code == 410


def test_marketing_sees_the_numbers_but_no_customer(
    store: Context, clock: FixedClock, client: TestClient, ledger: dict[str, str]
) -> None:
    _signed_in(store, clock, client, "max.m", "marketing")
    assert 'href="/console/consent"' in client.get("/console/").text
    text = client.get("/console/consent").text
    assert 'id="opt-in-chart"' in text and "unsubscribe_link" in text
    assert ledger["bo"] not in text and "/console/consent/customers" not in text  # no ids, no look-up
    assert client.get(f"/console/consent/customers/{ledger['bo']}").status_code == 403
    assert client.get("/console/consent/customers", params={"customer_id": ledger["bo"]}).status_code == 403


def test_other_roles_are_kept_out(store: Context, clock: FixedClock, client: TestClient) -> None:
    _signed_in(store, clock, client, "li.wei", "support_agent")
    assert 'href="/console/consent"' not in client.get("/console/").text
    refused = client.get("/console/consent")
    assert refused.status_code == 403 and "owners, privacy officers and marketing" in refused.text
    assert client.get("/console/consent/customers/anyone").status_code == 403


def test_no_session_goes_to_sign_in(client: TestClient) -> None:
    answer = client.get("/console/consent", follow_redirects=False)
    assert (answer.status_code, answer.headers["location"]) == (303, "/console/sign-in")


def test_the_pages_speak_chinese(store: Context, clock: FixedClock, client: TestClient, ledger: dict[str, str]) -> None:
    _signed_in(store, clock, client, "boss", "owner")
    page = client.get("/console/consent?lang=zh").text
    assert "同意记录" in page and "当前有效同意" in page and "最近的撤回" in page
    assert "marketing_email/email，2026-11-23 这一周：50%（2 人中 1 人）" in page
    history = client.get(f"/console/consent/customers/{ledger['bo']}").text  # the language cookie is kept
    assert "同意已撤回" in history and "台账事件" in history and "措辞哈希" in history


def test_every_string_of_the_consent_pages_is_translated() -> None:
    catalog = i18n.translations("zh")
    templates = resources.files("tutela.adapters.web").joinpath("templates")
    messages: list[str] = []
    for name in ("consent.html", "consent_customer.html"):
        with resources.as_file(templates.joinpath(name)) as path:
            found = extract_from_file("jinja2", str(path), options={"extensions": "jinja2.ext.i18n"})
            messages += [str(m[1]) for m in found]
    assert "Opt-in rate" in messages
    messages += ["Consent", "Only owners, privacy officers and marketing may open this page.",
                 "Only owners and privacy officers may see a customer's consent history.", "consent granted",
                 "consent withdrawn", "consent lapsed; ask again", "no consent given"]  # fmt: skip
    untranslated = [m for m in messages if catalog.gettext(m) == m and re.search(r"[A-Za-z]", m)]
    assert untranslated == []
