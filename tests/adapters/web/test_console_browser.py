"""The console end to end in real headless Chromium (Debian's package, driven by Playwright):
sign in with password and TOTP, find a customer, reveal a field for a purpose, and see that
read in the audit log — in English and in Chinese. Screenshots go to test-output/."""

from __future__ import annotations

import shutil
import socket
import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import Page, sync_playwright

from tests.conftest import OWNER
from tests.helpers import ADA, totp_code
from tutela.core.clock import FixedClock
from tutela.server import create_server
from tutela.services import staff, vault
from tutela.services.context import Context

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
OUTPUT = Path(__file__).resolve().parents[3] / "test-output"
PASSWORD = "Correct-Horse-42-Battery"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def served(store: Context) -> Iterator[str]:
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_server(store.settings, context=store), host="127.0.0.1",
                                           port=port, log_level="warning", access_log=False))  # fmt: skip
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    ready = threading.Event()
    for _ in range(200):
        if server.started:
            ready.set()
            break
        ready.wait(0.05)
    assert server.started, "the server did not start"
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def _flow(page: Page, base: str, *, secret: str, clock: FixedClock, language: str, shot: str) -> None:
    page.goto(f"{base}/console/sign-in?lang={language}")
    page.fill("#name", "li.wei")
    page.fill("#password", PASSWORD)
    page.fill("#code", totp_code(secret, clock))
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/console/")
    page.screenshot(path=str(OUTPUT / f"{shot}-1-dashboard.png"))
    page.goto(f"{base}/console/customers")
    page.fill("#email", "ADA.LOVELACE@example.com")
    page.click("form.box button[type=submit]")
    page.click("a[href^='/console/customers/c']")
    page.select_option("#purpose", "support")
    page.click("form.box button[type=submit]")
    page.wait_for_selector("text=Ada Lovelace")
    page.screenshot(path=str(OUTPUT / f"{shot}-2-revealed.png"))
    page.goto(f"{base}/console/audit")
    page.wait_for_selector("text=customer.reveal")
    assert "staff:li.wei" in page.content()
    page.screenshot(path=str(OUTPUT / f"{shot}-3-audit.png"))


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed (.ci/run installs it)")
def test_sign_in_find_reveal_and_see_the_read_audited(store: Context, clock: FixedClock, served: str) -> None:
    OUTPUT.mkdir(exist_ok=True)
    vault.add_customer(store, actor=OWNER, purpose="fulfillment", source="own_shop", fields=ADA)
    setup = staff.add_staff(store, actor=OWNER, name="li.wei", role="support_agent")
    secret = staff.enrol(store, setup_token=setup.setup_token).totp_secret
    staff.activate(store, setup_token=setup.setup_token, password=PASSWORD, code=totp_code(secret, clock))
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run"],
        )  # fmt: skip
        try:
            clock.advance(timedelta(seconds=30))
            english = browser.new_page()
            _flow(english, served, secret=secret, clock=clock, language="en", shot=f"en-{store.engine.dialect.name}")
            assert "Audit log" in english.content()
            clock.advance(timedelta(seconds=30))
            chinese = browser.new_page()
            _flow(chinese, served, secret=secret, clock=clock, language="zh", shot=f"zh-{store.engine.dialect.name}")
            assert "审计日志" in chinese.content()
            assert "哈希链校验通过" in chinese.content()
        finally:
            browser.close()
