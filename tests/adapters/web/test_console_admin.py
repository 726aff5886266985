"""Owner pages of the console: imports, policy editor, staff and tokens; others are kept out."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.conftest import OWNER
from tests.helpers import form_csrf, rows, totp_code
from tests.importer_files import UNSHIPPED_HEADER, unshipped_row, write_table
from tutela.core.clock import FixedClock
from tutela.server import create_server
from tutela.services import importing, staff
from tutela.services.context import Context

PASSWORD = "Correct-Horse-42-Battery"


def _signed_in(store: Context, clock: FixedClock, client: TestClient, name: str, role: str) -> str:
    setup = staff.add_staff(store, actor=OWNER, name=name, role=role)
    secret = staff.enrol(store, setup_token=setup.setup_token).totp_secret
    staff.activate(store, setup_token=setup.setup_token, password=PASSWORD, code=totp_code(secret, clock))
    clock.advance(timedelta(seconds=30))
    form = client.get("/console/sign-in").text
    client.post("/console/sign-in", data={"name": name, "password": PASSWORD, "code": totp_code(secret, clock),
                                          "csrf": form_csrf(form)})  # fmt: skip
    return form_csrf(client.get("/console/").text)


@pytest.fixture
def client(store: Context) -> Iterator[TestClient]:
    with TestClient(create_server(store.settings, context=store), base_url="https://testserver") as test_client:
        yield test_client


def test_owner_imports_edits_the_policy_and_manages_people(
    store: Context, clock: FixedClock, client: TestClient, tmp_path: Path
) -> None:
    csrf = _signed_in(store, clock, client, "boss", "owner")
    report = write_table(tmp_path / "u.txt", UNSHIPPED_HEADER, [unshipped_row("111-0000001-0000001", "1")])
    with report.open("rb") as handle:
        started = client.post("/console/imports", files={"file": ("u.txt", handle)}, data={"csrf": csrf},
                              follow_redirects=False)  # fmt: skip
    assert started.status_code == 303
    for worker in client.app.state.import_workers:  # type: ignore[attr-defined]
        worker.join(timeout=60)
    page = client.get(started.headers["location"])
    assert page.status_code == 200 and "amazon_unshipped_orders" in page.text and "buyer-name" in page.text
    assert 'http-equiv="refresh"' not in page.text  # done: no more refreshing
    text = client.get("/console/policy").text
    assert "policy.toml" in text
    policy = store.settings.policy_file.read_text()
    broken = client.post("/console/policy", data={"text": policy.replace('"contract"', '"contrakt"', 1),
                                                  "action": "apply", "csrf": csrf})  # fmt: skip
    assert "did you mean" in broken.text
    assert len(rows(store, "SELECT version FROM policy_version")) == 1
    applied = client.post("/console/policy", data={"text": policy.replace("My Shop", "Boss Shop"), "action": "apply",
                                                   "csrf": csrf})  # fmt: skip
    assert "Applied as version" in applied.text and len(rows(store, "SELECT version FROM policy_version")) == 2
    added = client.post("/console/people/staff", data={"name": "ana.b", "role": "returns_agent", "csrf": csrf})
    assert "/console/setup/" in added.text
    token_form = {"role": "support_agent", "scope": "customers:read", "purpose": "support", "expires": "30d"}
    made = client.post("/console/people/tokens", data={**token_form, "csrf": csrf})
    assert re.search(r"tut_\w{12}_", made.text)
    client.post("/console/people/tokens/1/revoke", data={"csrf": csrf})
    client.post("/console/people/staff/ana.b/disable", data={"csrf": csrf})
    after = client.get("/console/people").text
    assert "revoked" in after and "disabled" in after
    assert (
        client.post("/console/people/staff", data={"name": "x.y", "role": "owner", "csrf": "forged"}).status_code == 403
    )


def test_agents_do_not_see_owner_pages(store: Context, clock: FixedClock, client: TestClient) -> None:
    _signed_in(store, clock, client, "li.wei", "support_agent")
    for path in ("/console/imports", "/console/policy", "/console/people"):
        assert client.get(path).status_code == 403
    assert "/console/people" not in client.get("/console/").text


def _running_import(store: Context, tmp_path: Path) -> tuple[Path, int]:
    """A registered import that has not read a row yet: the state a job is in while it runs."""
    report = write_table(tmp_path / "u.txt", UNSHIPPED_HEADER, [unshipped_row("111-0000002-0000001", "1")])
    import_id = importing.import_file(store, actor=OWNER, path=report, max_batches=0).import_id
    assert import_id is not None and importing.import_report(store, import_id=import_id)["status"] == "running"
    return report, import_id


def test_the_progress_block_polls_while_the_import_runs_and_stops_when_done(
    store: Context, clock: FixedClock, client: TestClient, tmp_path: Path
) -> None:
    _signed_in(store, clock, client, "boss", "owner")
    report, import_id = _running_import(store, tmp_path)
    polling = f'hx-get="/console/imports/{import_id}/progress" hx-trigger="every 2s" hx-swap="outerHTML"'
    page = client.get(f"/console/imports/{import_id}").text
    assert polling in page
    assert '<noscript><meta http-equiv="refresh" content="2"></noscript>' in page  # no JavaScript: reload
    block = client.get(f"/console/imports/{import_id}/progress")
    assert block.status_code == 200 and block.text.lstrip().startswith('<div class="box" id="import-progress"')
    assert "<html" not in block.text and "<head" not in block.text and "<header" not in block.text
    assert polling in block.text and "Importing…" in block.text and 'id="import-runs"' not in block.text
    importing.import_file(store, actor=OWNER, path=report)  # the job finishes
    done = client.get(f"/console/imports/{import_id}/progress").text
    assert "<html" not in done and "hx-trigger" not in done and "hx-get" not in done  # polling stops
    assert "buyer-name" in done and "Importing…" not in done  # the report
    assert '<table id="import-runs" hx-swap-oob="true">' in done and "<td>done</td>" in done
    page = client.get(f"/console/imports/{import_id}").text
    assert "hx-trigger" not in page and "refresh" not in page
    assert client.get("/console/imports/999/progress").status_code == 404


def test_the_progress_block_needs_an_owner_session(
    store: Context, clock: FixedClock, client: TestClient, tmp_path: Path
) -> None:
    _, import_id = _running_import(store, tmp_path)
    path = f"/console/imports/{import_id}/progress"
    anonymous = client.get(path, follow_redirects=False)
    assert anonymous.status_code == 303 and anonymous.headers["location"] == "/console/sign-in"
    # htmx would follow a redirect inside the live part; it is told to move the whole window instead.
    polled = client.get(path, headers={"HX-Request": "true"}, follow_redirects=False)
    assert polled.status_code == 401 and polled.headers["hx-redirect"] == "/console/sign-in"
    assert "Importing" not in anonymous.text + polled.text
    _signed_in(store, clock, client, "li.wei", "support_agent")
    assert client.get(path).status_code == 403
    assert client.get("/console/imports/999/progress").status_code == 403  # no hint whether it exists
