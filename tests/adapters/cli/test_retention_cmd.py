"""`tutela retention`, `tutela hold` and `tutela amazon` end to end, in process, on both
backends. The CLI runs on the system clock, so the orders here are from 2025 (long due)
and holds end in 2030: the outcome does not depend on the day the tests run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.adapters.cli.test_cli import Cli
from tests.importer_files import UNSHIPPED_HEADER, unshipped_row, write_table
from tutela.core.settings import Settings


@pytest.fixture
def cli(settings: Settings, tmp_path: Path) -> Cli:
    runner = Cli(settings)
    runner("init")
    path = write_table(tmp_path / "unshipped.txt", UNSHIPPED_HEADER, [
        unshipped_row("111-0000001-0000001", "10000000000001"),
        unshipped_row("111-0000002-0000002", "10000000000002", email="grace@marketplace.amazon.com",
                      phone="+1 415-555-0199", recipient="Grace Hopper"),
    ])  # fmt: skip
    path.write_text(path.read_text(encoding="utf-8").replace("2026-11-", "2025-03-"), encoding="utf-8")
    runner("import", str(path))
    return runner


def test_plan_hold_apply_release(cli: Cli) -> None:
    planned = json.loads(cli("retention", "plan", "--json").stdout)
    assert planned["due_now"]["records"] == 2
    assert planned["overdue"]["records"] == 2
    cli("hold", "add", "--order", "111-0000001-0000001", "--reason", "chargeback 2026-114", "--until", "2030-12-31")
    dry = json.loads(cli("retention", "apply", "--dry-run", "--json").stdout)
    assert dry["records"] == 1 and dry["dry_run"]
    held = json.loads(cli("hold", "list", "--json").stdout)
    assert [h["id"] for h in held] == [1]
    customer = held[0]["customer_id"]
    why = cli("retention", "plan", "--customer", customer).stdout
    assert "latest promised delivery; actual delivery unknown" in why
    done = json.loads(cli("retention", "apply", "--json").stdout)
    assert done["customers_shredded"] == 1 and done["fields_deleted"] > 0 and done["receipts"]
    cli("hold", "release", "1")
    again = cli("hold", "release", "1", code=6)
    assert "already released" in again.stderr and "fix:" in again.stderr
    assert "deleted" in cli("retention", "apply").stdout
    assert json.loads(cli("retention", "plan", "--json").stdout)["due_now"]["records"] == 0


def test_bad_input_gets_one_line(cli: Cli, tmp_path: Path) -> None:
    bad_date = cli("hold", "add", "--customer", "c1", "--reason", "x", "--until", "next week", code=6)
    assert "--until must be a date" in bad_date.stderr
    no_reason = cli("hold", "add", "--order", "111-0000001-0000001", "--reason", " ", "--until", "2099-01-01", code=6)
    assert "needs a reason" in no_reason.stderr
    pii = cli("hold", "add", "--order", "111-0000001-0000001", "--reason", "mail ada@example.com",
              "--until", "2099-01-01", code=6)  # fmt: skip
    assert "ada@example.com" not in pii.stderr
    assert cli("hold", "release", "42", code=5).stderr.count("\n") <= 2
    proposed = tmp_path / "proposed.toml"
    proposed.write_text("schema = 1\n", encoding="utf-8")
    assert "policy" in cli("retention", "plan", "--policy", str(proposed), code=3).stderr


def test_amazon_revoke_certifies(cli: Cli, tmp_path: Path) -> None:
    refused = cli("amazon", "revoke", code=2)
    assert "--yes" in refused.stderr
    out = tmp_path / "certs"
    result = cli("amazon", "revoke", "--yes", "--out", str(out)).stdout
    assert "certificate" in result
    pdf = out / "amazon-destruction-certificate-1.pdf"
    assert pdf.read_bytes().startswith(b"%PDF-")
    assert "Grace" not in (out / "amazon-destruction-certificate-1.html").read_text(encoding="utf-8")
    status = json.loads(cli("amazon", "status", "--json").stdout)
    assert status["amazon_fields_stored"] == 0 and status["revocation"]["completed_at"]
    cli("amazon", "certificate", "1", "--out", str(tmp_path / "again"))
    assert (tmp_path / "again" / "amazon-destruction-certificate-1.html").exists()
