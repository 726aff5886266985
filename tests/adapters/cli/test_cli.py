"""The command line end to end, in process, on both backends."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from tests.helpers import execute
from tutela.adapters.cli.app import app
from tutela.core.clock import SystemClock
from tutela.core.settings import Settings
from tutela.services.store import open_store


class Cli:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.env = {
            "TUTELA_DATA_DIR": str(settings.data_dir),
            "TUTELA_DATABASE_URL": settings.database_url or "",
            "TUTELA_MASTER_KEY": "",
            "COLUMNS": "200",
        }

    def __call__(self, *args: str, code: int = 0) -> Result:
        result = CliRunner().invoke(app, list(args), env=self.env)
        assert result.exit_code == code, (args, result.exit_code, result.stdout, result.stderr)
        assert "Traceback" not in result.stdout + result.stderr
        return result


@pytest.fixture
def cli(settings: Settings) -> Cli:
    runner = Cli(settings)
    runner("init")
    return runner


def test_the_tour(cli: Cli) -> None:
    status = cli("status").stdout
    assert "customers 0 active" in status
    customer_id = cli(
        "customer",
        "add",
        "--source",
        "amazon",
        "--purpose",
        "fulfillment",
        "--field",
        "user.name=Ada Lovelace",
        "--field",
        "user.contact.email=ada@example.com",
        "--field",
        "user.contact.phone_number=+44 20 7946 0018",
        "--order-id",
        "114-1234567-1234567",
    ).stdout.strip()
    assert customer_id.startswith("c")
    found = json.loads(cli("customer", "find", "--email", "ADA@Example.com", "--json").stdout)
    assert [f["id"] for f in found] == [customer_id]
    assert "ada@example.com" not in cli("customer", "find", "--order-id", "114-1234567-1234567").stdout
    shown = json.loads(
        cli("customer", "show", customer_id, "--purpose", "returns", "--as", "support_agent", "--json").stdout
    )
    access = {f["category"]: (f["access"], f["value"]) for f in shown["fields"]}
    assert access["user.name"] == ("plain", "Ada Lovelace")
    assert access["user.contact.email"] == ("masked", "a••@example.com")
    assert access["user.contact.phone_number"] == ("denied", None)
    table = cli("customer", "show", customer_id, "--purpose", "fulfillment").stdout
    assert "+442079460018" in table
    cli(
        "customer",
        "rectify",
        customer_id,
        "--field",
        "user.contact.phone_number=+44 20 7946 0019",
        "--purpose",
        "support",
    )
    assert json.loads(cli("customer", "find", "--phone", "+442079460019", "--json").stdout)[0]["id"] == customer_id
    cli("keys", "rotate")
    assert "(newest)" in cli("keys", "status").stdout
    line = cli("audit", "checkpoint").stdout.strip()
    assert line.startswith("tutela-ckpt:v1:")
    erased = cli("customer", "erase", customer_id, "--reason", "GDPR Art. 17 request 12").stdout
    assert "3 fields deleted" in erased
    assert "ok:" in cli("audit", "verify", "--checkpoint", line).stdout
    tail = cli("audit", "tail", "-n", "50").stdout
    for action in (
        "customer.add",
        "customer.find",
        "customer.reveal",
        "customer.rectify",
        "keys.rotate",
        "customer.erase",
    ):
        assert action in tail
    assert "Ada" not in tail
    assert "1 erased" in cli("status").stdout


def test_errors_are_one_line_with_a_fix_and_a_documented_code(cli: Cli) -> None:
    refused = cli(
        "customer",
        "add",
        "--source",
        "amazon",
        "--purpose",
        "marketing_email",
        "--field",
        "user.contact.email=secret.person@example.com",
        code=6,
    )
    assert "AUP §4.2" in refused.stderr and "fix:" in refused.stderr
    assert "secret.person" not in refused.stderr + refused.stdout
    invalid = cli(
        "customer",
        "add",
        "--source",
        "manual",
        "--purpose",
        "fulfillment",
        "--field",
        "user.contact.email=secret person at example",
        code=6,
    )
    assert "vault.invalid_value" in invalid.stderr and "secret person" not in invalid.stderr
    typo = cli("customer", "add", "--source", "manual", "--purpose", "fulfilment", "--field", "user.name=X", code=3)
    assert "did you mean 'fulfillment'?" in typo.stderr
    missing = cli("customer", "show", "c-unknown", "--purpose", "support", code=5)
    assert "customer.not_found" in missing.stderr
    assert cli("customer", "add", "--source", "manual", "--purpose", "support", "--field", "novalue", code=2)


def test_policy_check_lists_every_problem_with_its_line(cli: Cli, tmp_path: Path) -> None:
    assert "valid" in cli("policy", "check").stdout
    broken = tmp_path / "broken.toml"
    broken.write_text(
        cli.settings.policy_file.read_text()
        .replace('"user.financial.tax_id"', '"user.financial.taxid"')
        .replace('legal_basis = "consent"', 'legal_basis = "concent"', 1)
    )
    result = cli("policy", "check", str(broken), code=3)
    lines = [line for line in result.stderr.splitlines() if line.startswith("error")]
    assert len(lines) == 2
    assert all(f"{broken}:" in line for line in lines)
    assert "did you mean 'user.financial.tax_id'?" in result.stderr
    assert "Purposes" in cli("policy", "show").stdout


def test_policy_apply_records_a_version(cli: Cli, tmp_path: Path) -> None:
    new = tmp_path / "new.toml"
    new.write_text(cli.settings.policy_file.read_text().replace("My Shop", "Lovelace Gadgets"))
    assert "policy version 2" in cli("policy", "apply", str(new)).stdout
    assert "Lovelace Gadgets" in cli.settings.policy_file.read_text()
    assert "unchanged" in cli("policy", "apply", str(new)).stdout
    history = cli("policy", "history").stdout
    assert "1" in history and "2" in history
    bad = tmp_path / "bad.toml"
    bad.write_text("schema = 1\n")
    cli("policy", "apply", str(bad), code=3)
    assert "Lovelace Gadgets" in cli.settings.policy_file.read_text()


def test_key_problems_exit_4_with_the_fix(cli: Cli) -> None:
    cli.settings.key_file.chmod(0o644)
    result = cli("status", code=4)
    assert f"chmod 600 {cli.settings.key_file}" in result.stderr
    cli.settings.key_file.unlink()
    assert "keys.missing" in cli("status", code=4).stderr


def test_broken_audit_chain_exits_8_and_names_the_event(cli: Cli) -> None:
    cli("customer", "add", "--source", "manual", "--purpose", "support", "--field", "user.name=Ada")
    ctx = open_store(cli.settings, SystemClock())
    try:
        execute(ctx, "UPDATE audit_event SET actor = 'someone-else' WHERE seq = 3")
    finally:
        ctx.close()
    result = cli("audit", "verify", code=8)
    assert "event 3" in result.stderr


def test_not_initialised_exits_5(settings: Settings) -> None:
    result = Cli(settings)("status", code=5)
    assert "tutela init" in result.stderr


def test_init_twice_is_refused(cli: Cli) -> None:
    assert "store.exists" in cli("init", code=6).stderr


def test_demo_generate_then_import_with_report(cli: Cli, tmp_path: Path) -> None:
    demo = tmp_path / "demo"
    listing = cli("demo", "generate", "--out", str(demo), "--orders", "60").stdout
    assert "SYNTHETIC-amazon-unshipped-orders.txt" in listing
    unshipped = str(demo / "SYNTHETIC-amazon-unshipped-orders.txt")
    report = json.loads(cli("import", unshipped, "--json").stdout)
    for key in ("rows_read", "customers_new", "customers_matched", "orders_new", "returns_new", "fields_stored",
                "columns_dropped", "invalid_values", "rows_rejected", "duration_s"):  # fmt: skip
        assert key in report
    assert report["rows_read"] > 0
    again = json.loads(cli("import", unshipped, "--json").stdout)
    assert again["already_imported"]
    assert again["customers_new"] == again["orders_new"] == 0
    assert "unchanged" in cli("import", unshipped).stdout
    assert "amazon_unshipped_orders" in cli("import", "list").stdout
    stored = json.loads(cli("import", "report", str(report["import_id"]), "--json").stdout)
    assert stored["rows_read"] == report["rows_read"]
    assert stored["status"] == "done"
    human = cli("import", "report", str(report["import_id"])).stdout
    assert "Dropped at the door" in human


def test_import_errors_exit_6_with_a_fix(cli: Cli, tmp_path: Path) -> None:
    odd = tmp_path / "odd.csv"
    odd.write_text("a,b\n1,2\n")
    result = cli("import", str(odd), code=6)
    assert "import.format_unknown" in result.stderr
    assert "--map" in result.stderr
    assert "import.file_invalid" in cli("import", str(tmp_path / "nope.txt"), code=6).stderr


def test_staff_and_tokens_from_the_command_line(cli: Cli) -> None:
    import re

    import pyotp

    added = cli("staff", "add", "li.wei", "--role", "support_agent").stdout
    setup_code = re.search(r"^([A-Za-z0-9_-]{40,})$", added, re.MULTILINE)
    assert setup_code is not None
    secret = re.search(r"TOTP secret for li.wei: (\w+)", cli("staff", "enrol", setup_code.group(1)).stdout)
    assert secret is not None
    code = pyotp.TOTP(secret.group(1)).now()
    weak = CliRunner().invoke(app, ["staff", "activate", setup_code.group(1), "--code", code],
                              input="short\nshort\n", env=cli.env)  # fmt: skip
    assert weak.exit_code == 6
    assert "staff.password_rejected" in weak.stderr
    done = CliRunner().invoke(app, ["staff", "activate", setup_code.group(1), "--code", code],
                              input="Correct-Horse-42-Battery\nCorrect-Horse-42-Battery\n", env=cli.env)  # fmt: skip
    assert done.exit_code == 0, done.stderr
    assert "active" in cli("staff", "list").stdout
    created = cli("token", "create", "--scope", "customers:read", "--purpose", "returns", "--role", "support_agent",
                  "--expires", "90d").stdout  # fmt: skip
    token = re.search(r"(tut_\w{12}_[\w-]{43})", created)
    assert token is not None
    listing = cli("token", "list").stdout
    assert "customers:read" in listing and token.group(1) not in listing
    cli("token", "revoke", "1")
    assert "revoked" in cli("token", "list").stdout
    assert "0 API token(s) revoked" in cli("staff", "disable", "li.wei").stdout  # CLI tokens belong to no one
    assert "disabled" in cli("staff", "list").stdout
    assert "staff.not_found" in cli("staff", "disable", "nobody.here", code=5).stderr
    assert "token.forbidden" in cli("token", "create", "--scope", "customers:read", "--purpose", "fulfillment",
                                    "--role", "marketing", code=6).stderr  # fmt: skip


def test_serve_refuses_a_public_address_without_tls(cli: Cli) -> None:
    result = cli("serve", "--host", "0.0.0.0", code=6)
    assert "serve.insecure_bind" in result.stderr
    assert "--behind-proxy" in result.stderr
    assert cli("serve", "--tls-cert", "x.pem", code=2).exit_code == 2
