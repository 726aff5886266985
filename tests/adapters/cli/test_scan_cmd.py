"""`tutela scan`, `scans`, `redact` and `unredact` end to end, in process: a folder with a
leaky log, an export and a binary file; every format; the CI gate's exit codes; a recorded
location; redacted copies that are whole and hold no value."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.adapters.cli.test_cli import Cli
from tutela.core.settings import Settings

EMAILS = ("ada.lovelace@example.com", "grace.hopper@example.org")
CARD = "4111 1111 1111 1111"


@pytest.fixture
def shared(tmp_path: Path) -> Path:
    folder = tmp_path / "shared"
    (folder / "logs").mkdir(parents=True)
    (folder / "logs" / "app.log").write_text(
        f"10:01 GET /orders?mail={EMAILS[0]} 200\n10:02 order 114-1234567-1234567 shipped\n", encoding="utf-8"
    )
    (folder / "export.csv").write_text(
        "order-id,buyer-email,quantity\n" + "".join(f"114-123456{i}-1234567,{e},1\n" for i, e in enumerate(EMAILS)),
        encoding="utf-8",
    )
    (folder / "photo.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    return folder


@pytest.fixture
def bare(settings: Settings) -> Cli:
    return Cli(settings)  # no store: an ad-hoc scan needs none


def _report(cli: Cli, *args: str, code: int = 0) -> dict[str, object]:
    return dict(json.loads(cli("scan", *args, "--format", "json", code=code).stdout))


def test_a_folder_is_scanned_in_every_format_without_printing_a_value(bare: Cli, shared: Path) -> None:
    report = _report(bare, str(shared))
    assert report["schema"] == "tutela.scan/1"
    findings = report["findings"]
    assert isinstance(findings, list)
    kinds = {(Path(f["path"]).name, f["type"], f["column"]) for f in findings}
    assert ("app.log", "email", None) in kinds and ("app.log", "amazon_order_id", None) in kinds
    assert ("export.csv", "email", "buyer-email") in kinds
    log_mail = next(f for f in findings if f["type"] == "email" and f["path"].endswith("app.log"))
    text = (shared / "logs" / "app.log").read_text(encoding="utf-8")
    assert (log_mail["line"], text[log_mail["start"] : log_mail["end"]]) == (1, EMAILS[0])
    assert report["skipped"] == [{"path": str(shared / "photo.png"), "reason": "binary file"}]

    table = bare("scan", str(shared)).stdout
    sarif = json.loads(bare("scan", str(shared), "--format", "sarif").stdout)
    html = bare("scan", str(shared), "--format", "html").stdout
    for shown in (table, json.dumps(report), json.dumps(sarif), html):
        assert all(e not in shown for e in EMAILS)
    assert "not scanned" in table and "binary file" in table
    assert sarif["version"] == "2.1.0"
    results = sarif["runs"][0]["results"]
    assert {r["level"] for r in results} == {"error", "warning"}
    located = [r["locations"][0]["physicalLocation"] for r in results if r["ruleId"].startswith("email")]
    in_log = next(p for p in located if p["artifactLocation"]["uri"].endswith("/logs/app.log"))
    assert in_log["artifactLocation"]["uri"].startswith("file:///") and in_log["region"]["startLine"] == 1
    assert in_log["region"]["charLength"] == len(EMAILS[0])
    assert "<table>" in html and "<script" not in html


def test_include_exclude_and_the_output_file(bare: Cli, shared: Path, tmp_path: Path) -> None:
    only_logs = _report(bare, str(shared), "--include", "*.log")
    assert {Path(f["path"]).name for f in only_logs["findings"]} == {"app.log"}  # type: ignore[attr-defined]
    no_logs = _report(bare, str(shared), "--exclude", "logs")
    assert {Path(f["path"]).name for f in no_logs["findings"]} == {"export.csv"}  # type: ignore[attr-defined]
    out = tmp_path / "report.sarif"
    result = bare("scan", str(shared), "--format", "sarif", "--output", str(out))
    assert result.stdout == "" and json.loads(out.read_text(encoding="utf-8"))["version"] == "2.1.0"
    assert not list(tmp_path.glob(".tutela-*"))  # no temporary file left behind


def test_fail_on_is_a_ci_gate(bare: Cli, shared: Path, tmp_path: Path) -> None:
    bare("scan", str(shared))  # never fails by default
    bare("scan", str(shared), "--fail-on", "high", code=10)
    orders_only = tmp_path / "orders.log"
    orders_only.write_text("order 114-1234567-1234567 shipped\n", encoding="utf-8")
    bare("scan", str(orders_only), "--fail-on", "high")  # an order id is low severity
    bare("scan", str(orders_only), "--fail-on", "any", code=10)
    clean = tmp_path / "clean.log"
    clean.write_text("10:01 GET /health 200\n", encoding="utf-8")
    bare("scan", str(clean), "--fail-on", "any")


def test_bad_input_is_one_line_and_a_documented_code(bare: Cli, tmp_path: Path) -> None:
    missing = bare("scan", str(tmp_path / "nope"), code=5)
    assert "error scan.input_invalid" in missing.stderr and "Traceback" not in missing.stderr
    nothing = bare("scan", code=5)
    assert "say what to scan" in nothing.stderr
    both = bare("scan", str(tmp_path), "--db", "sqlite:///x.db", code=5)
    assert "one of them" in both.stderr
    table_to_file = bare("scan", str(tmp_path), "--output", str(tmp_path / "r.txt"), code=6)
    assert "--output needs --format" in table_to_file.stderr


def test_a_location_scan_is_kept_in_the_history(settings: Settings, shared: Path) -> None:
    cli = Cli(settings)
    cli("init")
    policy = settings.policy_file.read_text(encoding="utf-8")
    settings.policy_file.write_text(policy + f'\n[scan.locations.shared]\npath = "{shared.as_posix()}"\n', "utf-8")
    ran = cli("scan", "--location", "shared", "--format", "json", "--fail-on", "high", code=10)
    assert json.loads(ran.stdout)["summary"]["high"] == 2 and "scan run 1 recorded" in ran.stderr
    listed = json.loads(cli("scans", "list", "--json").stdout)
    assert [(r["id"], r["location"], r["status"]) for r in listed] == [(1, "shared", "done")]
    shown = json.loads(cli("scans", "show", "1", "--format", "json").stdout)
    assert shown["summary"]["findings"] == listed[0]["findings_high"] + listed[0]["findings_low"]
    assert all(e not in json.dumps(shown) for e in EMAILS)
    locations = {r["name"]: r for r in json.loads(cli("scans", "locations", "--json").stdout)}
    assert locations["shared"]["due"] is False and locations["tutela"]["due"] is True
    unknown = cli("scan", "--location", "sharde", code=6)
    assert "did you mean 'shared'" in unknown.stderr
    cli("scans", "show", "99", code=5)


def test_redact_writes_a_whole_copy_and_vault_tokens_resolve(settings: Settings, shared: Path, tmp_path: Path) -> None:
    bare = Cli(settings)
    source = shared / "logs" / "app.log"
    masked = tmp_path / "masked.log"
    done = bare("redact", str(source), "--out", str(masked))
    copy = masked.read_text(encoding="utf-8")
    assert EMAILS[0] not in copy and copy.count("\n") == 2 and "shipped" in copy
    assert "values replaced" in done.stderr
    needs_store = bare("redact", str(source), "--out", str(tmp_path / "h.log"), "--mode", "hash", code=5)
    assert "store.not_initialised" in needs_store.stderr and not (tmp_path / "h.log").exists()
    refused = bare("redact", str(source), "--out", str(source), code=6)
    assert "another file" in refused.stderr
    bare("redact", str(shared / "photo.png"), "--out", str(tmp_path / "p.txt"), code=5)
    assert not (tmp_path / "p.txt").exists()

    bare("init")
    vaulted = tmp_path / "vaulted.log"
    bare("redact", str(source), "--out", str(vaulted), "--mode", "vault")
    token = re.findall(r"tvt_[A-Za-z0-9_-]{22}", vaulted.read_text(encoding="utf-8"))[0]
    assert EMAILS[0] in bare("unredact", token, "--purpose", "support").stdout
    denied = bare("unredact", token, "--purpose", "fulfillment", "--as", "support_agent", code=6)
    assert "vault.access_denied" in denied.stderr and EMAILS[0] not in denied.stderr


def test_a_csv_is_redacted_column_by_column_under_its_header(bare: Cli, tmp_path: Path) -> None:
    source = tmp_path / "orders.csv"
    source.write_text(
        "order-id,recipient-name,buyer-email,sku,quantity\n"
        "114-1234567-1234567,Ada Lovelace,ada.lovelace@example.com,AB-1234-XYZ,1\n"
        '114-1234567-1234568,Grace Hopper,"grace.hopper@example.org",AB-1234-XYZ,2\n',
        encoding="utf-8",
    )
    copy = tmp_path / "orders.redacted.csv"
    bare("redact", str(source), "--out", str(copy))
    lines = copy.read_text(encoding="utf-8").split("\n")
    assert lines[0] == "order-id,recipient-name,buyer-email,sku,quantity" and lines[-1] == ""
    for original, redacted in zip(source.read_text(encoding="utf-8").split("\n")[1:3], lines[1:3], strict=True):
        kept, changed = redacted.split(","), original.replace('"', "").split(",")
        assert kept[3:] == changed[3:]  # the SKU and the quantity are not personal data
        assert all(k != c for k, c in zip(kept[:3], changed[:3], strict=True))
    assert "Lovelace" not in copy.read_text(encoding="utf-8") and "Hopper" not in copy.read_text(encoding="utf-8")
