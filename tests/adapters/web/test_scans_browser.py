"""The scans page in real headless Chromium (Debian's package, driven by Playwright): "Scan
now" on a configured location, the run page polling in place under the real CSP while the
scan runs, then the findings grouped by location and type — masked, never a value."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import uvicorn
from fastapi import FastAPI
from playwright.sync_api import sync_playwright

from tests.adapters.api.test_scans_api import EMAILS, with_location, write_exports
from tests.adapters.web.test_console_browser import (
    CHROMIUM,
    OUTPUT,
    _console_of,
    _free_port,
    _launch,
    _person,
    _sign_in,
)
from tutela.adapters.sources.location_runner import runner_for
from tutela.core.clock import FixedClock
from tutela.core.detect import ScanReport
from tutela.core.policy.scan_locations import ScanLocation
from tutela.server import create_server
from tutela.services.context import Context
from tutela.services.scanning import ProgressSink, ScanRunner


@pytest.fixture
def ctx(store: Context, tmp_path: Path) -> Context:
    return with_location(store, write_exports(tmp_path / "exports"))


@pytest.fixture
def served(ctx: Context) -> Iterator[tuple[str, FastAPI]]:
    app = create_server(ctx.settings, context=ctx)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    ready = threading.Event()
    for _ in range(200):
        if server.started:
            break
        ready.wait(0.05)
    assert server.started, "the server did not start"
    yield f"http://127.0.0.1:{port}", app
    server.should_exit = True
    thread.join(timeout=10)


def _gated(gate: threading.Event) -> Callable[[Context], ScanRunner]:
    """The real runner, held at the start until the test opens the gate (so the page is seen
    while the scan runs, whatever the machine's speed)."""

    def factory(ctx: Context) -> ScanRunner:
        real = runner_for(ctx)

        def run(where: ScanLocation, sink: ProgressSink) -> ScanReport:
            assert gate.wait(timeout=30), "the test never opened the gate"
            return real(where, sink)

        return run

    return factory


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed (.ci/run installs it)")
def test_scan_now_then_the_findings_appear_in_place(
    ctx: Context, clock: FixedClock, served: tuple[str, FastAPI]
) -> None:
    base, app = served
    OUTPUT.mkdir(exist_ok=True)
    gate = threading.Event()
    app.state.scan_runner_for = _gated(gate)
    secret = _person(ctx, clock, "boss", "owner")
    with sync_playwright() as playwright:
        browser = _launch(playwright)
        try:
            page = browser.new_page()
            console = _console_of(page)
            _sign_in(page, base, name="boss", secret=secret, clock=clock)
            page.click("text=Scans")
            page.wait_for_url(f"{base}/console/scans")
            page.click("button[name=scan][value=exports]")
            page.wait_for_url(f"{base}/console/scans/*")
            run_id = page.url.rsplit("/", 1)[1]
            assert page.inner_text("#scan-status") == "running"
            page.evaluate("window.__marker = 1")  # gone if the page is loaded again
            with page.expect_response(f"{base}/console/scans/{run_id}/live"):
                pass  # htmx polls the run's block
            page.screenshot(path=str(OUTPUT / f"scan-{ctx.engine.dialect.name}-1-running.png"))
            gate.set()
            page.wait_for_selector("#scan-run:not([hx-trigger]) >> text=e-mail address", timeout=15_000)
            assert page.evaluate("window.__marker") == 1  # updated in place
            assert page.inner_text("#scan-status") == "done"
            findings = page.inner_text(".scan-location")
            assert "customers.csv" in findings and "column email" in findings and "•" in findings
            assert not any(e in page.content() for e in EMAILS)
            assert page.is_visible("a[href$='format=sarif']")
            assert not [line for line in console if "Content Security Policy" in line], console
            page.screenshot(path=str(OUTPUT / f"scan-{ctx.engine.dialect.name}-2-done.png"), full_page=True)
        finally:
            gate.set()
            browser.close()
