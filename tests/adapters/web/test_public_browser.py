"""The customers' pages in real headless Chromium (Debian's package, driven by Playwright, as in
test_console_browser): an unsubscribe link from the audience export opens a confirmation page
(opening it unsubscribes nothing), its button unsubscribes, and the preference centre then
says "not subscribed" — under the real CSP, with no violation logged. Screenshots go to
test-output/."""

from __future__ import annotations

import csv
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import sync_playwright

from tests.adapters.web.test_console_browser import CHROMIUM, OUTPUT, _console_of, _launch, served  # noqa: F401 (a fixture)
from tests.conftest import OWNER
from tutela.services import audience, consent, vault
from tutela.services.consent import Proof
from tutela.services.context import Context

WORDING = "Yes, send me offers by e-mail. I can unsubscribe at any time."


def _unsubscribe_path(store: Context, folder: Path) -> str:
    """The one-click link of the first contact of a marketing audience export, as a mail would carry it."""
    exported = folder / "audience.csv"
    audience.export_audience(store, actor=OWNER, purpose="marketing_email", out=exported)
    with exported.open(encoding="utf-8", newline="") as handle:
        (contact,) = list(csv.DictReader(handle))
    assert contact["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    return urlsplit(contact["unsubscribe_url"]).path


def _subscribed(store: Context, customer_id: str) -> bool:
    return consent.can_contact(store, customer_id=customer_id, purpose="marketing_email", channel="email").allowed


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed (.ci/run installs it)")
def test_unsubscribe_from_a_mailed_link_then_see_it_in_the_preference_centre(
    store: Context,
    served: str,  # noqa: F811 (the fixture imported above)
    tmp_path: Path,
) -> None:
    OUTPUT.mkdir(exist_ok=True)
    lin = vault.add_customer(store, actor=OWNER, purpose="fulfillment", source="own_shop",
                             fields={"user.name": "Lin Wei", "user.contact.email": "lin@example.cn"})  # fmt: skip
    consent.add_notice(store, actor=OWNER, purpose="marketing_email", version="3", wording=WORDING)
    consent.grant(store, actor=OWNER, customer_id=lin, purpose="marketing_email", channel="email",
                  proof=Proof(source="checkout_form", notice_version="3"))  # fmt: skip
    link = served + _unsubscribe_path(store, tmp_path)
    shot = f"public-{store.engine.dialect.name}"
    with sync_playwright() as playwright:
        browser = _launch(playwright)
        try:
            page = browser.new_page()
            console = _console_of(page)
            page.goto(link)
            page.wait_for_selector("h1 >> text=Unsubscribe")
            assert "Send newsletters and offers by e-mail" in page.content()
            assert _subscribed(store, lin)  # opening the link unsubscribed nothing
            # The stylesheet applies (served from /p/, allowed by the CSP's default-src 'self').
            assert page.eval_on_selector(".state.on", "e => getComputedStyle(e).color") == "rgb(17, 99, 41)"
            page.screenshot(path=str(OUTPUT / f"{shot}-1-confirm.png"))
            page.click("form button[type=submit]")
            page.wait_for_selector("text=You are unsubscribed")
            assert not _subscribed(store, lin)
            page.screenshot(path=str(OUTPUT / f"{shot}-2-unsubscribed.png"))
            page.click("text=Choose what we may send you in your preference centre")
            page.wait_for_url("**/p/preferences/**")
            assert page.inner_text("#marketing_email-email .state") == "not subscribed"
            page.screenshot(path=str(OUTPUT / f"{shot}-3-preferences.png"))
            page.click("text=中文")
            page.wait_for_selector("text=您的通讯偏好")
            assert page.inner_text("#marketing_email-email .state") == "未订阅"
            page.screenshot(path=str(OUTPUT / f"{shot}-4-preferences-zh.png"))
            assert not [line for line in console if "Content Security Policy" in line], console

            gpc = browser.new_context(extra_http_headers={"Sec-GPC": "1"}).new_page()
            gpc.goto(page.url)
            gpc.wait_for_selector("#gpc")
            assert "全球隐私控制" in gpc.inner_text("#gpc")
            gpc.screenshot(path=str(OUTPUT / f"{shot}-5-gpc.png"))
        finally:
            browser.close()
    assert consent.history(store, lin)["sale_share_opt_out"]["source"] == "gpc"
