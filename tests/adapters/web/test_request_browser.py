"""A data-subject request end to end in real headless Chromium (Debian's package, driven by
Playwright, as in test_console_browser), with a real SMTP server: the customer fills in the
form, reads the code from the mail, enters it; the officer fulfils the request; the customer
downloads the package from the reply's link once, and a second visit shows the invalid-link
page — under the real CSP, with no violation logged. Screenshots go to test-output/."""

from __future__ import annotations

import contextlib
import re
import zipfile
from dataclasses import replace
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import sync_playwright

from tests.adapters.web.test_console_browser import CHROMIUM, OUTPUT, _console_of, _launch, served  # noqa: F401 (a fixture)
from tests.conftest import OWNER
from tests.importer_files import UNSHIPPED_HEADER, unshipped_row, write_table
from tests.smtp_server import SmtpTestServer
from tutela.adapters.documents import request_mail, summary_html
from tutela.core.settings import Settings
from tutela.services import importing, request_fulfilment, subject_requests
from tutela.services.context import Context

ADA = "ada123@marketplace.amazon.com"


@pytest.fixture
def settings(settings: Settings, smtp_server: SmtpTestServer) -> Settings:
    """The suite's settings, with mail going to the test's SMTP server."""
    return replace(settings, smtp_host=smtp_server.host, smtp_port=smtp_server.port, smtp_starttls=False,
                   mail_from="privacy@shop.example")  # fmt: skip


def _last_mail(server: SmtpTestServer, to: str) -> str:
    message = server.messages[-1]
    assert message["To"] == to
    return str(message.get_content())


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed (.ci/run installs it)")
def test_request_code_fulfil_and_download_once(
    store: Context,
    served: str,  # noqa: F811 (the fixture imported above)
    smtp_server: SmtpTestServer,
    tmp_path: Path,
) -> None:
    OUTPUT.mkdir(exist_ok=True)
    orders = write_table(tmp_path / "unshipped.txt", UNSHIPPED_HEADER, [unshipped_row("111-0000001-0000001", "1001")])
    importing.import_file(store, actor=OWNER, path=orders)
    shot = f"request-{store.engine.dialect.name}"
    with sync_playwright() as playwright:
        browser = _launch(playwright)
        try:
            page = browser.new_context(accept_downloads=True).new_page()
            console = _console_of(page)
            page.goto(f"{served}/p/requests?lang=zh")
            page.wait_for_selector("h1 >> text=关于您的数据的请求")
            page.screenshot(path=str(OUTPUT / f"{shot}-0-form-zh.png"))
            page.click("text=English")
            page.wait_for_selector("h1 >> text=A request about your data")
            page.select_option("#kind", "access")
            page.fill("#email", ADA)
            page.screenshot(path=str(OUTPUT / f"{shot}-1-form.png"))
            page.click("form button[type=submit]")
            page.wait_for_selector("text=If we can act on this request, you will receive a code by e-mail.")
            page.screenshot(path=str(OUTPUT / f"{shot}-2-sent.png"))

            code = re.search(r"\b(\d{6})\b", _last_mail(smtp_server, ADA))
            assert code is not None
            page.click("#code-page")
            page.wait_for_selector("h1 >> text=Confirm your request")
            page.fill("#code", code.group(1))
            page.screenshot(path=str(OUTPUT / f"{shot}-3-code.png"))
            page.click("form button[type=submit]")
            page.wait_for_selector("#confirmed")
            assert "We will answer by 2026-12-29." in page.inner_text("#confirmed")
            page.screenshot(path=str(OUTPUT / f"{shot}-4-confirmed.png"))

            # The officer fulfils it; the reply carries the one-time link.
            (request,) = subject_requests.list_requests(store)
            assert request["status"] == "in_progress" and request["verification"] == "reasonable"
            done = request_fulfilment.fulfil(store, actor=OWNER, request_id=request["id"], render_summary=summary_html)
            assert request_mail.send_reply(store, done)
            link = re.search(r"https?://\S+/p/download/\S+", _last_mail(smtp_server, ADA))
            assert link is not None
            url = served + urlsplit(link.group(0)).path
            package = request_fulfilment.package_path(store, request["id"])
            assert package.exists()

            # A navigation that turns into a download is aborted: goto raises, the download goes on.
            with page.expect_download() as started, contextlib.suppress(PlaywrightError):
                page.goto(url)
            download = started.value
            saved = tmp_path / download.suggested_filename
            download.save_as(saved)
            assert download.suggested_filename == f"privacy-request-{request['id']}.zip"
            with zipfile.ZipFile(saved) as archive:
                assert {"data.json", "data.csv", "summary.html"} <= set(archive.namelist())
                assert ADA in archive.read("data.json").decode()
            assert not package.exists()  # sent, and gone from the disk

            again = page.goto(url)
            assert again is not None and again.status == 404
            page.wait_for_selector("h1 >> text=This link is not valid")
            page.screenshot(path=str(OUTPUT / f"{shot}-5-used.png"))
            assert not [line for line in console if "Content Security Policy" in line], console
        finally:
            browser.close()
