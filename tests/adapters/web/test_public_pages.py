"""The customers' public pages through an in-process client, on both backends: the preference
centre (English and Chinese), its form, the RFC 8058 one-click unsubscribe, invalid links,
Global Privacy Control and the rate limit."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from tests.conftest import OWNER
from tests.helpers import count, rows
from tutela.adapters.web import public_pages
from tutela.core.clock import FixedClock
from tutela.server import create_server
from tutela.services import consent, consent_links, erasure, vault
from tutela.services.consent import Proof
from tutela.services.context import Context

WORDING = "Yes, send me offers by e-mail. I can unsubscribe at any time."
BROWSER = {"user-agent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0"}
ONE_CLICK = {"content-type": "application/x-www-form-urlencoded"}
EMAIL_DESCRIPTION = "Send newsletters and offers by e-mail to customers who opted in."
SMS_DESCRIPTION = "Send offers by text message to customers who opted in."


@pytest.fixture
def client(store: Context) -> Iterator[TestClient]:
    with TestClient(create_server(store.settings, context=store), base_url="https://testserver") as test_client:
        yield test_client


@pytest.fixture
def lin(store: Context) -> str:
    """A customer from the shop's own site, with the e-mail notice registered (version 3)."""
    fields = {"user.name": "Lin Wei", "user.contact.email": "lin@example.cn"}
    customer_id = vault.add_customer(store, actor=OWNER, purpose="fulfillment", source="own_shop", fields=fields)
    consent.add_notice(store, actor=OWNER, purpose="marketing_email", version="3", wording=WORDING)
    return customer_id


def _grant(store: Context, customer_id: str) -> None:
    consent.grant(store, actor=OWNER, customer_id=customer_id, purpose="marketing_email", channel="email",
                  proof=Proof(source="checkout_form", notice_version="3"))  # fmt: skip


def _allowed(store: Context, customer_id: str) -> bool:
    return consent.can_contact(store, customer_id=customer_id, purpose="marketing_email", channel="email").allowed


def _path(url: str) -> str:
    return "/p/" + url.split("/p/", 1)[1]


def _events(store: Context) -> list[tuple[str, ...]]:
    return [tuple(r) for r in rows(store, "SELECT kind, source, channel, notice_version, client_sha256, actor "
                                          "FROM consent_event ORDER BY id")]  # fmt: skip


def test_the_preference_centre_shows_each_consent_purpose_in_english_and_chinese(
    client: TestClient, store: Context, lin: str
) -> None:
    _grant(store, lin)
    path = _path(consent_links.preferences_url(store, lin))
    page = client.get(path)
    assert page.status_code == 200
    html = page.text
    assert "Your communication preferences" in html
    assert EMAIL_DESCRIPTION in html and SMS_DESCRIPTION in html  # every consent purpose of the policy
    assert "Pack and ship orders" not in html  # not a consent purpose
    assert WORDING in html and "wording version 3" in html
    email = re.search(r'id="marketing_email-email">(.*?)</div>', html, re.S)
    sms = re.search(r'id="marketing_sms-sms">(.*?)</div>', html, re.S)
    assert email and ">subscribed<" in email.group(1)
    assert sms and ">not subscribed<" in sms.group(1)
    assert 'name="marketing_email/email" value="subscribe" checked' in html
    assert 'name="marketing_sms/sms" value="subscribe"' not in html  # no notice for SMS: not offered
    assert "Subscribing to this is not offered at the moment." in html
    assert f'action="/p/preferences/{path.rsplit("/", 1)[1]}?lang=en"' in html
    assert "lin@example.cn" not in html and "Lin Wei" not in html  # no personal data on the page
    assert "<script" not in html and "style=" not in html  # the CSP allows neither
    assert "/console/" not in html and "Sign out" not in html  # not the staff layout
    assert "set-cookie" not in page.headers  # public pages set no cookie
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]

    chinese = client.get(path + "?lang=zh").text
    assert "您的通讯偏好" in chinese and "已订阅" in chinese and "未订阅" in chinese and "保存我的选择" in chinese
    assert EMAIL_DESCRIPTION in chinese  # the policy's own words, as the shop wrote them
    by_browser = client.get(path, headers={"accept-language": "zh-CN,zh;q=0.9,en;q=0.5"})
    assert "您的通讯偏好" in by_browser.text and by_browser.headers["content-language"] == "zh-Hans"
    assert "?lang=zh" in by_browser.text  # links and the form keep the language

    stylesheet = client.get("/p/public.css")
    assert stylesheet.status_code == 200 and stylesheet.headers["content-type"].startswith("text/css")


def test_subscribe_then_unsubscribe_through_the_form(client: TestClient, store: Context, lin: str) -> None:
    path = _path(consent_links.preferences_url(store, lin))
    assert ">not subscribed<" in client.get(path).text
    subscribe = {"marketing_email/email": "subscribe", "notice/marketing_email": "3"}
    subscribe["marketing_sms/sms"] = "unsubscribe"  # not subscribed already: no event
    saved = client.post(path, data=subscribe, headers=BROWSER)
    assert saved.status_code == 200 and "Your choices are saved." in saved.text
    assert 'name="marketing_email/email" value="subscribe" checked' in saved.text
    assert _allowed(store, lin)
    (granted,) = _events(store)
    kind, source, channel, notice_version, client_hash, actor = granted
    assert (kind, source, channel, notice_version, actor) == ("granted", "preference_centre", "email", "3",
                                                              f"customer:{lin}")  # fmt: skip
    assert client_hash and len(client_hash) == 64 and "testclient" not in client_hash and "Firefox" not in client_hash

    client.post(path, data=subscribe, headers=BROWSER)  # the same form again: nothing changes
    assert len(_events(store)) == 1

    unsubscribe = {"marketing_email/email": "unsubscribe", "notice/marketing_email": "3"}
    after = client.post(path, data=unsubscribe, headers=BROWSER)
    assert ">not subscribed<" in after.text
    assert not _allowed(store, lin)
    client.post(path, data=unsubscribe, headers=BROWSER)
    events = _events(store)
    assert [(e[0], e[1]) for e in events] == [("granted", "preference_centre"), ("withdrawn", "preference_centre")]
    assert events[1][4] == client_hash  # the same browser
    actions = [r[0] for r in rows(store, "SELECT action FROM audit_event WHERE actor = :a ORDER BY seq",
                                  a=f"customer:{lin}")]  # fmt: skip
    assert actions == ["consent.granted", "consent.withdrawn"]


def test_subscribing_needs_the_wording_that_is_still_current(
    client: TestClient, store: Context, lin: str, clock: FixedClock
) -> None:
    path = _path(consent_links.preferences_url(store, lin))
    client.get(path)  # the page shows version 3...
    clock.advance(timedelta(minutes=1))
    consent.add_notice(store, actor=OWNER, purpose="marketing_email", version="4", wording=WORDING + " Weekly.")
    stale = client.post(path, data={"marketing_email/email": "subscribe", "notice/marketing_email": "3"})
    assert "changed while this page was open" in stale.text  # ...then version 4 is registered
    assert not _allowed(store, lin) and _events(store) == []
    assert "wording version 4" in stale.text
    client.post(path, data={"marketing_email/email": "subscribe", "notice/marketing_email": "4"})
    assert _allowed(store, lin) and _events(store)[0][3] == "4"
    forged = client.post(path, data={"marketing_sms/sms": "subscribe", "notice/marketing_sms": "1"})
    assert forged.status_code == 200 and len(_events(store)) == 1  # no SMS notice: never granted


def test_rfc8058_one_click_post_withdraws_and_a_replay_adds_nothing(
    client: TestClient, store: Context, lin: str
) -> None:
    _grant(store, lin)
    path = _path(consent_links.unsubscribe_url(store, lin, "marketing_email"))
    client.cookies.clear()
    response = client.post(path, content=b"List-Unsubscribe=One-Click", headers=ONE_CLICK)
    assert response.status_code == 200
    assert response.text == "unsubscribed\n" and "<html" not in response.text
    assert not _allowed(store, lin)
    assert [(e[0], e[1]) for e in _events(store)] == [("granted", "checkout_form"), ("withdrawn", "unsubscribe_link")]
    again = client.post(path, content=b"List-Unsubscribe=One-Click", headers=ONE_CLICK)
    assert again.status_code == 200 and len(_events(store)) == 2  # replayed: no new event
    multipart = client.post(path, files={"List-Unsubscribe": (None, "One-Click")})  # the other form encoding
    assert multipart.status_code == 200 and len(_events(store)) == 2


def test_get_shows_a_confirmation_and_never_unsubscribes(client: TestClient, store: Context, lin: str) -> None:
    _grant(store, lin)
    url = consent_links.unsubscribe_url(store, lin, "marketing_email")
    token = url.rsplit("/", 1)[1]
    for _ in range(3):  # a mail scanner fetching the link, then the customer opening it
        page = client.get(_path(url))
        assert page.status_code == 200
    assert _allowed(store, lin) and len(_events(store)) == 1
    html = page.text
    assert "Unsubscribe" in html and EMAIL_DESCRIPTION in html
    assert f'<form method="post" action="/p/unsubscribe/{token}?lang=en">' in html
    assert f'href="/p/preferences/{token}?lang=en"' in html
    done = client.post(_path(url) + "?lang=zh", data={"confirm": "1"})  # the page's button
    assert done.status_code == 200 and "您已退订" in done.text
    assert not _allowed(store, lin)
    assert _events(store)[-1][:2] == ("withdrawn", "unsubscribe_link")


def test_an_unsubscribe_link_without_a_purpose_leads_to_the_preference_centre(
    client: TestClient, store: Context, lin: str
) -> None:
    _grant(store, lin)
    token = consent_links.make_token(store, lin)
    for response in (client.get(f"/p/unsubscribe/{token}", follow_redirects=False),
                     client.post(f"/p/unsubscribe/{token}", content=b"List-Unsubscribe=One-Click", headers=ONE_CLICK,
                                 follow_redirects=False)):  # fmt: skip
        assert response.status_code == 303
        assert response.headers["location"] == f"/p/preferences/{token}?lang=en"
    assert _allowed(store, lin)


def test_forged_altered_expired_and_gone_links_get_one_generic_page(
    client: TestClient, store: Context, lin: str, clock: FixedClock
) -> None:
    good = consent_links.make_token(store, lin, purpose="marketing_email", lifetime=timedelta(days=1))
    body, signature = good.split(".")
    other = consent_links.make_token(store, "c-somebody-else", purpose="marketing_email")
    forged = other.split(".")[0] + "." + signature
    altered = body[:-2] + ("A" if body[-2] != "A" else "B") + body[-1] + "." + signature
    unknown = consent_links.make_token(store, "c-nobody", purpose="marketing_email")
    gone = vault.add_customer(store, actor=OWNER, purpose="fulfillment", source="own_shop",
                              fields={"user.contact.email": "gone@example.org"})  # fmt: skip
    erased = consent_links.make_token(store, gone, purpose="marketing_email", lifetime=timedelta(days=400))
    erasure.erase(store, actor=OWNER, customer_id=gone, reason="GDPR Art. 17 request, ticket 1")
    assert client.get(f"/p/preferences/{good}").status_code == 200
    clock.advance(timedelta(days=2))  # `good` has expired
    answers = [client.get(f"/p/preferences/{t}") for t in (forged, altered, good, unknown, erased)]
    answers += [client.get(f"/p/unsubscribe/{t}") for t in (forged, good, erased)]
    answers += [client.post(f"/p/unsubscribe/{t}", content=b"List-Unsubscribe=One-Click", headers=ONE_CLICK)
                for t in (altered, good, unknown)]  # fmt: skip
    answers.append(client.post(f"/p/preferences/{good}", data={"marketing_email/email": "unsubscribe"}))
    answers.append(client.get("/p/preferences/" + "A" * 5000))
    assert {a.status_code for a in answers} == {404}
    assert len({a.text for a in answers}) == 1  # the same page, whatever was wrong
    page = answers[0].text
    assert "This link is not valid" in page
    assert lin not in page and "c-nobody" not in page and gone not in page
    assert "此链接无效" in client.get(f"/p/preferences/{forged}?lang=zh").text
    refused = rows(store, "SELECT actor, customer_id, outcome, details FROM audit_event "
                          "WHERE action = 'public.link_invalid' ORDER BY seq")  # fmt: skip
    assert len(refused) == len(answers) + 1
    for actor, customer_id, outcome, details in refused:
        assert (actor, customer_id, outcome) == ("public", None, "refused")
        for secret in (good, body, signature, forged, lin, "c-nobody", gone):
            assert secret not in details
        assert set(json.loads(details)) == {"page", "reason", "client_sha256"}
    reasons = {json.loads(d)["reason"] for *_, d in refused}
    assert reasons == {"signature_or_expiry", "no_live_customer"}
    assert len(_events(store)) == 0


def test_a_global_privacy_control_signal_is_recorded_once_and_shown(
    client: TestClient, store: Context, lin: str
) -> None:
    path = _path(consent_links.preferences_url(store, lin))
    honoured = "Global Privacy Control signal is honoured: we do not sell or share your data."
    assert honoured not in client.get(path).text
    assert count(store, "sale_share_opt_out") == 0
    first = client.get(path, headers={"sec-gpc": "1", **BROWSER})
    assert honoured in first.text
    client.get(path, headers={"sec-gpc": "1"})
    client.post(_path(consent_links.unsubscribe_url(store, lin, "marketing_email")),
                content=b"List-Unsubscribe=One-Click", headers={"sec-gpc": "1", **ONE_CLICK})  # fmt: skip
    assert count(store, "sale_share_opt_out") == 1
    source, client_hash = rows(store, "SELECT source, client_sha256 FROM sale_share_opt_out")[0]
    assert source == "gpc" and client_hash and "Firefox" not in client_hash
    opt_outs = rows(store, "SELECT actor FROM audit_event WHERE action = 'consent.opt_out_sale_share'")
    assert [r[0] for r in opt_outs] == [f"customer:{lin}"]
    assert honoured in client.get(path).text  # on record: shown without the header too
    assert "全球隐私控制" in client.get(path + "?lang=zh").text


def test_every_public_route_is_rate_limited_per_client(
    client: TestClient, store: Context, lin: str, clock: FixedClock
) -> None:
    path = _path(consent_links.preferences_url(store, lin))
    for n in range(60):
        target = path if n % 2 else "/p/preferences/forged.token"  # bad links count too
        assert client.get(target).status_code in (200, 404)
    limited = client.get(path)
    assert limited.status_code == 429 and limited.headers["retry-after"] == "60"
    assert "Too many requests" in limited.text
    assert client.post(path, data={"marketing_email/email": "subscribe"}).status_code == 429
    assert client.get(_path(consent_links.unsubscribe_url(store, lin, "marketing_email"))).status_code == 429
    assert not _allowed(store, lin)
    clock.advance(timedelta(seconds=61))  # the window is a minute, on the store's clock
    assert client.get(path).status_code == 200


def test_the_limit_forgets_idle_addresses() -> None:
    limit = public_pages._PublicLimit(2)
    at = [0.0]
    for n in range(100):
        assert limit.allow(f"198.51.100.{n}", now=lambda: at[0])
    assert len(limit.attempts) == 100
    at[0] = 121.0  # a minute later, once a minute: addresses idle for a minute are forgotten
    assert limit.allow("203.0.113.1", now=lambda: at[0])
    assert list(limit.attempts) == ["203.0.113.1"]
