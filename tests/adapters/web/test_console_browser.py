"""The console end to end in real headless Chromium (Debian's package, driven by Playwright):
sign in with password and TOTP, find a customer, reveal a field for a purpose, and see that
read in the audit log — in English and in Chinese; the live parts (import progress, audit
verification) update in place under the real CSP, and work with JavaScript off. Screenshots
go to test-output/."""

from __future__ import annotations

import shutil
import socket
import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import Browser, Page, Playwright, sync_playwright

from tests.conftest import OWNER
from tests.helpers import ADA, totp_code
from tests.importer_files import UNSHIPPED_HEADER, unshipped_row, write_table
from tutela.core.clock import FixedClock
from tutela.server import create_server
from tutela.services import importing, staff, vault
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


def _launch(playwright: Playwright) -> Browser:
    return playwright.chromium.launch(
        executable_path=CHROMIUM,
        args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
              "--disable-sync", "--no-first-run"],
    )  # fmt: skip


def _console_of(page: Page) -> list[str]:
    """Every message the page logs to its console, collected as it comes (a page must log none)."""
    messages: list[str] = []
    page.on("console", lambda message: messages.append(message.text))
    return messages


def _person(store: Context, clock: FixedClock, name: str, role: str) -> str:
    """A person with an account, ready to sign in; returns their authenticator secret."""
    setup = staff.add_staff(store, actor=OWNER, name=name, role=role)
    secret = staff.enrol(store, setup_token=setup.setup_token).totp_secret
    staff.activate(store, setup_token=setup.setup_token, password=PASSWORD, code=totp_code(secret, clock))
    return secret


def _sign_in(page: Page, base: str, *, name: str, secret: str, clock: FixedClock, language: str = "en") -> None:
    clock.advance(timedelta(seconds=30))  # a fresh code: a used one is refused
    page.goto(f"{base}/console/sign-in?lang={language}")
    page.fill("#name", name)
    page.fill("#password", PASSWORD)
    page.fill("#code", totp_code(secret, clock))
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/console/")


def _flow(page: Page, base: str, *, secret: str, clock: FixedClock, language: str, shot: str) -> None:
    _sign_in(page, base, name="li.wei", secret=secret, clock=clock, language=language)
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
    secret = _person(store, clock, "li.wei", "support_agent")
    with sync_playwright() as playwright:
        browser = _launch(playwright)
        try:
            english = browser.new_page()
            _flow(english, served, secret=secret, clock=clock, language="en", shot=f"en-{store.engine.dialect.name}")
            assert "Audit log" in english.content()
            chinese = browser.new_page()
            _flow(chinese, served, secret=secret, clock=clock, language="zh", shot=f"zh-{store.engine.dialect.name}")
            assert "审计日志" in chinese.content()
            assert "哈希链校验通过" in chinese.content()
        finally:
            browser.close()


def _running_import(store: Context, folder: Path, order: str) -> tuple[Path, int]:
    """A registered import that has not read a row yet (a job that is still running); the
    test finishes it by importing the file again, which resumes the run."""
    report = write_table(folder / f"{order}.txt", UNSHIPPED_HEADER, [unshipped_row(order, "1")])
    import_id = importing.import_file(store, actor=OWNER, path=report, max_batches=0).import_id
    assert import_id is not None
    return report, import_id


def _live_import_and_verify(page: Page, base: str, store: Context, folder: Path) -> None:
    report, import_id = _running_import(store, folder, "111-0000003-0000001")
    progress = f"{base}/console/imports/{import_id}/progress"
    page.goto(f"{base}/console/imports/{import_id}")
    assert page.evaluate("typeof htmx") == "object"
    page.evaluate("window.__marker = 1")  # gone if the page is loaded again
    for _ in range(2):  # two polls, 4 s: longer than the <noscript> refresh would wait
        with page.expect_response(progress):
            pass
    assert page.evaluate("window.__marker") == 1 and page.is_visible("progress")
    importing.import_file(store, actor=OWNER, path=report)  # the job finishes
    page.wait_for_selector("#import-progress:not([hx-trigger]) >> text=buyer-name")
    assert page.evaluate("window.__marker") == 1 and page.url == f"{base}/console/imports/{import_id}"
    assert "done" in page.inner_text("#import-runs")  # the list below was updated too (out of band)
    page.screenshot(path=str(OUTPUT / f"live-{store.engine.dialect.name}-1-import.png"))
    page.goto(f"{base}/console/audit")
    page.evaluate("window.__marker = 2")
    with page.expect_response(f"{base}/console/audit/verify") as verified:
        page.click("text=Verify the chain")
    assert verified.value.status == 200  # htmx sent the form's CSRF token
    page.wait_for_selector("#audit-verdict >> text=The chain verifies.")
    assert page.evaluate("window.__marker") == 2 and page.url == f"{base}/console/audit"


def _without_javascript(page: Page, base: str, store: Context, folder: Path) -> None:
    report, import_id = _running_import(store, folder, "111-0000004-0000001")
    page.goto(f"{base}/console/imports/{import_id}")
    assert page.is_visible("progress")
    importing.import_file(store, actor=OWNER, path=report)
    page.wait_for_selector("text=buyer-name", timeout=10_000)  # the page reloaded itself
    page.goto(f"{base}/console/audit")
    page.click("text=Verify the chain")
    page.wait_for_url(f"{base}/console/audit/verify")  # a plain form post, the whole page back
    assert "The chain verifies." in page.inner_text("#audit-verdict")


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed (.ci/run installs it)")
def test_live_parts_update_in_place_and_work_without_javascript(
    store: Context, clock: FixedClock, served: str, tmp_path: Path
) -> None:
    OUTPUT.mkdir(exist_ok=True)
    secret = _person(store, clock, "boss", "owner")
    with sync_playwright() as playwright:
        browser = _launch(playwright)
        try:
            page = browser.new_page()
            console = _console_of(page)
            _sign_in(page, served, name="boss", secret=secret, clock=clock)
            _live_import_and_verify(page, served, store, tmp_path)
            assert not [line for line in console if "Content Security Policy" in line], console
            plain = browser.new_context(java_script_enabled=False).new_page()
            _sign_in(plain, served, name="boss", secret=secret, clock=clock)
            _without_javascript(plain, served, store, tmp_path)
        finally:
            browser.close()
