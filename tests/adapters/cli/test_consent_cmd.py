"""`tutela consent` end to end, in process, on both backends."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.adapters.cli.test_cli import Cli
from tests.importer_files import write_table
from tutela.core.settings import Settings


@pytest.fixture
def cli(settings: Settings) -> Cli:
    runner = Cli(settings)
    runner("init")
    return runner


def add_customer(cli: Cli, email: str) -> str:
    return cli("customer", "add", "--source", "own_shop", "--purpose", "fulfillment", "--field", "user.name=Lin Wei",
               "--field", f"user.contact.email={email}").stdout.strip()  # fmt: skip


def test_notice_grant_show_withdraw(cli: Cli, tmp_path: Path) -> None:
    lin = add_customer(cli, "lin@example.cn")
    wording = tmp_path / "notice-v3.txt"
    wording.write_text("Yes, send me offers by e-mail.\n", encoding="utf-8")
    assert "sha256" in cli("consent", "notice", "add", "--purpose", "marketing_email", "--version", "3", "--file",
                           str(wording)).stdout  # fmt: skip
    evidence = tmp_path / "form.pdf"
    evidence.write_bytes(b"%PDF- signed form")
    cli("consent", "grant", lin, "--purpose", "marketing_email", "--channel", "email", "--source", "newsletter_form",
        "--notice-version", "3", "--evidence", str(evidence))  # fmt: skip
    shown = json.loads(cli("consent", "show", lin, "--json").stdout)
    assert shown["current"]["marketing_email/email"] == {"allowed": True, "reason": "consent granted"}
    (event,) = shown["events"]
    assert event["evidence_sha256"] and event["notice_version"] == "3"
    cli("consent", "withdraw", lin, "--purpose", "marketing_email")
    assert "consent withdrawn" in cli("consent", "show", lin).stdout
    listed = json.loads(cli("consent", "notice", "list", "--json").stdout)
    assert [n["version"] for n in listed] == ["3"]


def test_refusals_are_one_line(cli: Cli, tmp_path: Path) -> None:
    lin = add_customer(cli, "lin@example.cn")
    no_notice = cli("consent", "grant", lin, "--purpose", "marketing_email", "--channel", "email", "--source",
                    "checkout_form", "--notice-version", "7", code=6)  # fmt: skip
    assert "no notice version '7'" in no_notice.stderr and "fix:" in no_notice.stderr
    bad_source = cli("consent", "grant", lin, "--purpose", "marketing_email", "--channel", "email", "--source",
                     "a friend", "--notice-version", "1", code=6)  # fmt: skip
    assert "needs its source" in bad_source.stderr
    assert cli("consent", "show", "c-nobody", code=5).stderr
    assert "does not rest on consent" in cli("consent", "withdraw", lin, "--purpose", "fulfillment", code=3).stderr


def test_suppression_import(cli: Cli, tmp_path: Path) -> None:
    add_customer(cli, "lin@example.cn")
    rows = [{"Email": "lin@example.cn"}, {"Email": "who@example.org"}]
    path = write_table(tmp_path / "unsubscribes.csv", ["Email"], rows, delimiter=",")
    report = json.loads(cli("consent", "import-suppressions", str(path), "--json").stdout)
    assert report == {"rows": 2, "withdrawals": 0, "customers": 1, "unknown": 1, "invalid_rows": []}
    empty = write_table(tmp_path / "nothing.csv", ["Name"], [{"Name": "x"}], delimiter=",")
    assert "no e-mail column" in cli("consent", "import-suppressions", str(empty), code=6).stderr


def test_audience_export(cli: Cli, tmp_path: Path) -> None:
    lin = add_customer(cli, "lin@example.cn")
    wording = tmp_path / "notice.txt"
    wording.write_text("Offers by e-mail, unsubscribe any time.", encoding="utf-8")
    cli("consent", "notice", "add", "--purpose", "marketing_email", "--version", "1", "--file", str(wording))
    cli("consent", "grant", lin, "--purpose", "marketing_email", "--channel", "email", "--source", "checkout_form",
        "--notice-version", "1")  # fmt: skip
    out = tmp_path / "audience.csv"
    result = json.loads(cli("audience", "export", "--purpose", "marketing_email", "--out", str(out), "--json").stdout)
    assert result["contacts"] == 1
    assert "lin@example.cn" in out.read_text(encoding="utf-8")
    again = cli("audience", "export", "--purpose", "marketing_email", "--out", str(out), code=6)
    assert "--overwrite" in again.stderr
