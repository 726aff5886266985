"""The console's returns pages: the queue, a case masked until revealed for the returns
purpose, notes checked for personal data, closing; CSRF on every form; roles kept out."""

from __future__ import annotations

import re
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_file
from fastapi.testclient import TestClient

from tests.adapters.web.test_console_admin import _signed_in
from tests.helpers import rows
from tests.returns_files import ADA_ORDER, GRACE_ORDER, import_returns
from tutela.adapters.web import i18n
from tutela.core.clock import FixedClock
from tutela.server import create_server
from tutela.services import returns
from tutela.services.context import Context


@pytest.fixture
def client(store: Context, tmp_path: Path) -> Iterator[TestClient]:
    import_returns(store, tmp_path)
    with TestClient(create_server(store.settings, context=store), base_url="https://testserver") as test_client:
        yield test_client


def _ids(store: Context) -> dict[str, int]:
    return {r.order_id: int(r.id) for r in rows(store, "SELECT id, order_id FROM return_case")}


def _reveals(store: Context) -> list[tuple[str, str]]:
    return [tuple(r) for r in rows(store, "SELECT actor, purpose FROM audit_event WHERE action = 'customer.reveal'")]


def test_the_queue_lists_open_cases_first_and_filters(store: Context, clock: FixedClock, client: TestClient) -> None:
    _signed_in(store, clock, client, "ana.b", "returns_agent")
    assert '<a href="/console/returns">Returns</a>' in client.get("/console/").text
    page = client.get("/console/returns").text
    assert page.index(ADA_ORDER) < page.index(GRACE_ORDER)  # open first
    assert "CR-DEFECTIVE" in page and "Ada" not in page and "Main St" not in page
    assert ADA_ORDER not in client.get("/console/returns?status=closed").text
    assert GRACE_ORDER not in client.get("/console/returns?status=open").text
    assert _reveals(store) == []


def test_a_case_is_masked_until_revealed_for_returns(store: Context, clock: FixedClock, client: TestClient) -> None:
    csrf = _signed_in(store, clock, client, "ana.b", "returns_agent")
    ada = _ids(store)[ADA_ORDER]
    page = client.get(f"/console/returns/{ada}").text
    assert "RMA-ADA-1" in page and "Reveal for purpose returns" in page
    assert "Ada Lovelace" not in page and "12 Main St" not in page
    assert 'name="purpose" value="returns"' in page
    assert "style=" not in page and "<style" not in page and "<script>" not in page  # the CSP forbids inline code
    assert (
        client.post(f"/console/returns/{ada}/reveal", data={"purpose": "returns", "csrf": "forged"}).status_code == 403
    )
    assert _reveals(store) == []
    shown = client.post(f"/console/returns/{ada}/reveal", data={"purpose": "returns", "csrf": csrf})
    assert shown.status_code == 200
    assert "Ada Lovelace" in shown.text and "12 Main St" in shown.text and "a•••••@marketplace.amazon.com" in shown.text
    assert _reveals(store) == [("staff:ana.b", "returns")]
    refused = client.post(f"/console/returns/{ada}/reveal", data={"purpose": "support", "csrf": csrf})
    assert refused.status_code == 403 and "Ada Lovelace" not in refused.text
    assert "read under purpose &#39;returns&#39;" in refused.text


def test_notes_are_checked_and_closing_happens_once(store: Context, clock: FixedClock, client: TestClient) -> None:
    csrf = _signed_in(store, clock, client, "ana.b", "returns_agent")
    ada = _ids(store)[ADA_ORDER]
    refused = client.post(f"/console/returns/{ada}/notes", data={"text": "card 4111 1111 1111 1111", "csrf": csrf})
    assert refused.status_code == 422 and "a card number" in refused.text and "not saved" in refused.text
    assert "4111" not in refused.text  # the refused note is not sent back
    saved = client.post(f"/console/returns/{ada}/notes", data={"text": "Label sent", "csrf": csrf},
                        follow_redirects=False)  # fmt: skip
    assert saved.status_code == 303 and saved.headers["location"] == f"/console/returns/{ada}"
    assert "Label sent" in client.get(f"/console/returns/{ada}").text
    assert client.post(f"/console/returns/{ada}/notes", data={"text": "x", "csrf": "forged"}).status_code == 403
    assert (
        client.post(f"/console/returns/{ada}/close", data={"outcome": "refunded", "csrf": "forged"}).status_code == 403
    )
    closed = client.post(f"/console/returns/{ada}/close", data={"outcome": "refunded", "csrf": csrf},
                         follow_redirects=False)  # fmt: skip
    assert closed.status_code == 303
    page = client.get(f"/console/returns/{ada}").text
    assert "Refunded" in page and "Close the case" not in page
    case = returns.get_return(store, return_id=ada)
    assert (case.row.closed_at, case.row.resolution) == (clock.now(), "refunded")  # the injected clock
    again = client.post(f"/console/returns/{ada}/close", data={"outcome": "rejected", "csrf": csrf})
    assert again.status_code == 409 and "is already closed" in again.text
    assert client.get("/console/returns/999").status_code == 404


def test_roles_without_returns_work_are_kept_out(store: Context, clock: FixedClock, client: TestClient) -> None:
    csrf = _signed_in(store, clock, client, "pat.k", "fulfillment_staff")
    ada = _ids(store)[ADA_ORDER]
    assert 'href="/console/returns"' not in client.get("/console/").text
    assert client.get("/console/returns").status_code == 403
    assert client.get(f"/console/returns/{ada}").status_code == 403
    assert client.post(f"/console/returns/{ada}/close", data={"outcome": "refunded", "csrf": csrf}).status_code == 403
    assert rows(store, "SELECT closed_at FROM return_case WHERE id = :i", i=ada)[0].closed_at is None


def test_support_agents_see_less_of_a_return(store: Context, clock: FixedClock, client: TestClient) -> None:
    csrf = _signed_in(store, clock, client, "li.wei", "support_agent")
    ada = _ids(store)[ADA_ORDER]
    shown = client.post(f"/console/returns/{ada}/reveal", data={"purpose": "returns", "csrf": csrf}).text
    assert "Ada Lovelace" in shown and "12 Main St" not in shown


def test_the_pages_speak_chinese(store: Context, clock: FixedClock, client: TestClient) -> None:
    _signed_in(store, clock, client, "ana.b", "returns_agent")
    ada = _ids(store)[ADA_ORDER]
    assert "退货" in client.get("/console/returns?lang=zh").text
    page = client.get(f"/console/returns/{ada}").text  # the language cookie is kept
    assert "按“退货”用途查看" in page and "添加备注" in page and "结案" in page


def test_every_string_of_the_returns_pages_is_translated() -> None:
    catalog = i18n.translations("zh")
    templates = resources.files("tutela.adapters.web").joinpath("templates")
    messages: list[str] = []
    for name in ("returns.html", "return_case.html"):
        with resources.as_file(templates.joinpath(name)) as path:
            found = extract_from_file("jinja2", str(path), options={"extensions": "jinja2.ext.i18n"})
            messages += [str(m[1]) for m in found]
    assert "Reveal for purpose returns" in messages
    messages.append("Returns")  # the link in base.html
    untranslated = [m for m in messages if catalog.gettext(m) == m and re.search(r"[A-Za-z]", m)]
    assert untranslated == []
