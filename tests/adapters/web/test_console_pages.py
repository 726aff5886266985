"""Console pages through an in-process client: sessions, CSRF, no hints, languages."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from tests.conftest import OWNER
from tests.helpers import execute, form_csrf, totp_code
from tutela.core.clock import FixedClock
from tutela.server import create_server
from tutela.services import audit, staff
from tutela.services.context import Context

PASSWORD = "Correct-Horse-42-Battery"


@pytest.fixture
def person(store: Context, clock: FixedClock) -> str:
    setup = staff.add_staff(store, actor=OWNER, name="li.wei", role="support_agent")
    secret = staff.enrol(store, setup_token=setup.setup_token).totp_secret
    staff.activate(store, setup_token=setup.setup_token, password=PASSWORD, code=totp_code(secret, clock))
    clock.advance(timedelta(seconds=30))
    return secret


@pytest.fixture
def client(store: Context) -> Iterator[TestClient]:
    with TestClient(create_server(store.settings, context=store), base_url="https://testserver") as test_client:
        yield test_client


def _sign_in(client: TestClient, code: str, password: str = PASSWORD) -> object:
    csrf = form_csrf(client.get("/console/sign-in").text)
    return client.post("/console/sign-in", data={"name": "li.wei", "password": password, "code": code, "csrf": csrf},
                       follow_redirects=False)  # fmt: skip


def test_sign_in_sets_a_strict_session_cookie(client: TestClient, person: str, clock: FixedClock) -> None:
    response = _sign_in(client, totp_code(person, clock))
    assert response.status_code == 303  # type: ignore[attr-defined]
    cookie = response.headers["set-cookie"]  # type: ignore[attr-defined]
    assert "tutela_session=" in cookie
    assert "HttpOnly" in cookie and "Secure" in cookie and "SameSite=strict" in cookie
    assert "Dashboard" in client.get("/console/").text


def test_wrong_password_and_wrong_code_look_the_same(client: TestClient, person: str, clock: FixedClock) -> None:
    wrong_code = _sign_in(client, "000000")
    wrong_password = _sign_in(client, totp_code(person, clock), password="Not-The-Password-1")
    assert wrong_code.status_code == wrong_password.status_code == 401  # type: ignore[attr-defined]
    assert "The name, password or code is not right." in wrong_code.text  # type: ignore[attr-defined]
    assert "The name, password or code is not right." in wrong_password.text  # type: ignore[attr-defined]


def test_a_form_without_its_csrf_token_is_refused(client: TestClient, person: str, clock: FixedClock) -> None:
    response = client.post("/console/sign-in", data={"name": "li.wei", "password": PASSWORD,
                                                     "code": totp_code(person, clock), "csrf": "forged"})  # fmt: skip
    assert response.status_code == 403
    _sign_in(client, totp_code(person, clock))
    forged = client.post("/console/customers/c1/reveal", data={"purpose": "support", "csrf": "forged"})
    assert forged.status_code == 403


def test_idle_sessions_end_and_disabling_ends_them_at_once(
    client: TestClient, person: str, clock: FixedClock, store: Context
) -> None:
    _sign_in(client, totp_code(person, clock))
    assert client.get("/console/", follow_redirects=False).status_code == 200
    clock.advance(timedelta(minutes=16))
    assert client.get("/console/", follow_redirects=False).status_code == 303  # idle: sign in again
    clock.advance(timedelta(seconds=30))
    _sign_in(client, totp_code(person, clock))
    staff.disable(store, actor=OWNER, name="li.wei")
    assert client.get("/console/", follow_redirects=False).status_code == 303


def test_sign_in_is_rate_limited(client: TestClient, person: str) -> None:
    statuses = [_sign_in(client, "000000").status_code for _ in range(11)]  # type: ignore[attr-defined]
    assert statuses[-1] == 429


def test_chinese_pages(client: TestClient) -> None:
    page = client.get("/console/sign-in?lang=zh")
    assert "登录" in page.text and 'lang="zh"' in page.text
    assert "登录" in client.get("/console/sign-in").text  # remembered by cookie
    client.cookies.clear()
    assert "Sign in" in client.get("/console/sign-in", headers={"Accept-Language": "en-GB,en;q=0.8"}).text
    assert "登录" in client.get("/console/sign-in", headers={"Accept-Language": "zh-CN,zh;q=0.9"}).text


def test_first_owner_sets_up_through_the_one_time_link(store: Context, client: TestClient, clock: FixedClock) -> None:
    from tutela.services.staff import first_owner_setup

    setup = first_owner_setup(store)
    assert setup is not None
    page = client.get(f"/console/setup/{setup.setup_token}")
    assert page.status_code == 200
    assert "<svg" in page.text  # the QR code, inline
    secret = re.search(r"<code>([A-Z2-7]+)</code>", page.text)
    assert secret is not None
    done = client.post(f"/console/setup/{setup.setup_token}", follow_redirects=False, data={
        "password": PASSWORD, "code": totp_code(secret.group(1), clock), "csrf": form_csrf(page.text)})  # fmt: skip
    assert done.status_code == 303
    assert first_owner_setup(store) is None  # an owner exists now: no more links
    assert client.get(f"/console/setup/{setup.setup_token}").status_code == 404


def test_an_expired_password_is_changed_first(client: TestClient, person: str, clock: FixedClock) -> None:
    clock.advance(timedelta(days=366))
    signed_in = _sign_in(client, totp_code(person, clock))
    assert signed_in.headers["location"] == "/console/password?expired=1"  # type: ignore[attr-defined]
    page = client.get("/console/password?expired=1")
    assert "more than a year old" in page.text
    elsewhere = client.get("/console/customers", follow_redirects=False)
    assert elsewhere.headers["location"] == "/console/password?expired=1"  # nothing else until it is changed
    weak = client.post("/console/password", data={"old": PASSWORD, "new": "short", "csrf": form_csrf(page.text)})
    assert weak.status_code == 422 and "at least 12 characters" in weak.text
    done = client.post("/console/password", follow_redirects=False,
                       data={"old": PASSWORD, "new": "Brand-New-Pass-2027", "csrf": form_csrf(page.text)})  # fmt: skip
    assert done.status_code == 303
    assert client.get("/console/customers", follow_redirects=False).status_code == 200


# The policy the API and console are served under; the live parts must fit it, not loosen it.
CSP = "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"


def test_pages_load_htmx_from_the_console_and_nothing_inline(
    client: TestClient, person: str, clock: FixedClock
) -> None:
    _sign_in(client, totp_code(person, clock))
    for path in ("/console/sign-in", "/console/", "/console/customers", "/console/audit"):
        page = client.get(path)
        assert page.status_code == 200 and page.headers["content-security-policy"] == CSP
        scripts = re.findall(r"<script\b[^>]*>(.*?)</script>", page.text, flags=re.S)
        assert scripts == [""] and '<script src="/console/static/htmx.min.js" defer>' in page.text  # no inline code
        assert "<style" not in page.text and not re.search(r"\s(style|on[a-z]+)=", page.text)
        assert '"includeIndicatorStyles": false' in page.text and '"allowEval": false' in page.text
    htmx = client.get("/console/static/htmx.min.js")
    assert htmx.status_code == 200 and "javascript" in htmx.headers["content-type"] and "htmx" in htmx.text
    assert htmx.headers["content-security-policy"] == CSP


def test_verify_the_audit_chain_with_and_without_htmx(
    client: TestClient, person: str, clock: FixedClock, store: Context
) -> None:
    _sign_in(client, totp_code(person, clock))
    csrf = form_csrf(client.get("/console/audit").text)
    whole = client.post("/console/audit/verify", data={"csrf": csrf})  # a plain form post: the whole page
    assert whole.status_code == 200 and "<html" in whole.text and "The chain verifies." in whole.text
    part = client.post("/console/audit/verify", data={"csrf": csrf}, headers={"HX-Request": "true"})
    assert part.status_code == 200 and "<html" not in part.text and "<table" not in part.text
    assert "The chain verifies." in part.text
    kept = audit.checkpoint(store, OWNER)
    matched = client.post("/console/audit/verify", data={"csrf": csrf, "checkpoint": kept},
                          headers={"HX-Request": "true"})  # fmt: skip
    assert "It matches the checkpoint." in matched.text
    forged = client.post("/console/audit/verify", data={"csrf": csrf, "checkpoint": kept[:-4] + "0000"},
                         headers={"HX-Request": "true"})  # fmt: skip
    assert forged.status_code == 200 and "that checkpoint is not valid for this store" in forged.text
    execute(store, "UPDATE audit_event SET action = 'customer.erase' WHERE seq = 1")
    broken = client.post("/console/audit/verify", data={"csrf": csrf}, headers={"HX-Request": "true"})
    assert "The chain is broken." in broken.text and "First broken event: 1" in broken.text
    assert client.post("/console/audit/verify", data={"csrf": "forged"}).status_code == 403
    chinese = client.post("/console/audit/verify?lang=zh", data={"csrf": csrf}, headers={"HX-Request": "true"})
    assert "哈希链已损坏" in chinese.text and "第一个损坏的事件" in chinese.text


def test_verify_without_a_session_sends_htmx_to_sign_in(client: TestClient) -> None:
    plain = client.post("/console/audit/verify", data={"csrf": "x"}, follow_redirects=False)
    assert plain.status_code == 303 and plain.headers["location"] == "/console/sign-in"
    part = client.post("/console/audit/verify", data={"csrf": "x"}, headers={"HX-Request": "true"},
                       follow_redirects=False)  # fmt: skip
    assert part.status_code == 401 and part.headers["hx-redirect"] == "/console/sign-in" and not part.text
