"""`tutela requests` end to end on both backends, with a real SMTP server on localhost: the
code arrives by mail, the officer verifies and fulfils, the reply carries a one-time link."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.adapters.cli.test_cli import Cli
from tests.importer_files import UNSHIPPED_HEADER, unshipped_row, write_table
from tests.smtp_server import SmtpTestServer
from tutela.core.clock import SystemClock
from tutela.core.settings import Settings
from tutela.services import subject_requests
from tutela.services.store import open_store


@pytest.fixture
def cli(settings: Settings, tmp_path: Path, smtp_server: SmtpTestServer) -> Cli:
    runner = Cli(settings)
    runner.env.update({"TUTELA_SMTP_HOST": smtp_server.host, "TUTELA_SMTP_PORT": str(smtp_server.port),
                       "TUTELA_SMTP_STARTTLS": "0", "TUTELA_MAIL_FROM": "privacy@shop.example"})  # fmt: skip
    runner("init")
    path = write_table(tmp_path / "unshipped.txt", UNSHIPPED_HEADER, [unshipped_row("111-0000001-0000001", "1001")])
    runner("import", str(path))
    return runner


def code_in(server: SmtpTestServer) -> str:
    body = server.messages[-1].get_content()
    found = re.search(r"\b(\d{6})\b", body)
    assert found is not None
    return found.group(1)


def test_access_request_from_code_to_one_time_download(cli: Cli, smtp_server: SmtpTestServer) -> None:
    opened = cli("requests", "open", "--type", "access", "--email", "ada123@marketplace.amazon.com").stdout
    request_id = re.search(r"request (\d+)", opened).group(1)  # type: ignore[union-attr]
    assert "code sent" in opened and "ada123" not in opened
    (mail,) = smtp_server.messages
    assert mail["To"] == "ada123@marketplace.amazon.com" and "confirmation code" in mail["Subject"]
    wrong = cli("requests", "verify", request_id, "--code", "999999" if code_in(smtp_server) != "999999" else "1",
                code=6)  # fmt: skip
    assert "wrong or has expired" in wrong.stderr
    cli("requests", "verify", request_id, "--code", code_in(smtp_server))
    listed = json.loads(cli("requests", "list", "--json").stdout)
    assert [(r["id"], r["status"]) for r in listed] == [(int(request_id), "in_progress")]
    done = cli("requests", "fulfil", request_id).stdout
    assert "package_ready" in done and "http" not in done  # the link goes to the requester only
    reply = smtp_server.messages[-1].get_content()
    link = re.search(r"https?://\S+/p/download/(\S+)", reply)
    assert link is not None
    store = open_store(cli.settings, SystemClock())
    try:
        assert subject_requests.claim_download(store, token=link.group(1)) == int(request_id)
    finally:
        store.close()
    assert json.loads(cli("requests", "list", "--json").stdout) == []


def test_extend_and_deny_tell_the_requester(cli: Cli, smtp_server: SmtpTestServer) -> None:
    cli("requests", "open", "--type", "erasure", "--email", "someone@example.org", "--language", "zh")
    assert "确认码" in smtp_server.messages[-1]["Subject"]
    assert "extended" in cli("requests", "extend", "1", "--reason", "three systems to search").stdout
    assert "需要更多时间" in smtp_server.messages[-1]["Subject"]
    late = cli("requests", "extend", "1", "--reason", "again", code=6)
    assert "already extended" in late.stderr
    cli("requests", "deny", "1", "--reason", "the identity could not be verified")
    assert "无法完成" in smtp_server.messages[-1].get_content()
    assert cli("requests", "open", "--type", "selfie", "--email", "x@example.org", code=6).stderr.count("\n") <= 2


def test_mail_server_down_is_one_line(cli: Cli, smtp_server: SmtpTestServer) -> None:
    cli.env["TUTELA_SMTP_PORT"] = "1"
    failed = cli("requests", "open", "--type", "access", "--email", "ada123@marketplace.amazon.com", code=7)
    assert "mail not sent" in failed.stderr and "ada123" not in failed.stderr
    assert json.loads(cli("requests", "list", "--json").stdout) == []  # no request the person could not verify
