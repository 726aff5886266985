"""`tutela returns …` end to end, in process, on both backends, with cases imported from a
real returns report."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.adapters.cli.test_cli import Cli
from tests.returns_files import ADA_ORDER, GRACE_ORDER, KEEP_ORDER, write_returns_files
from tutela.core.settings import Settings


@pytest.fixture
def cli(settings: Settings, tmp_path: Path) -> Cli:
    runner = Cli(settings)
    runner("init")
    runner("import", "--brief", *map(str, write_returns_files(tmp_path)))
    return runner


def _ids(cli: Cli) -> dict[str, int]:
    return {r["order_id"]: r["id"] for r in json.loads(cli("returns", "list", "--json").stdout)}


def test_list_shows_the_queue_open_first(cli: Cli) -> None:
    listed = json.loads(cli("returns", "list", "--json").stdout)
    assert [(r["order_id"], r["open"]) for r in listed] == [(ADA_ORDER, True), (GRACE_ORDER, False)]
    assert listed[0]["reason"] == "CR-DEFECTIVE" and listed[0]["age_days"] >= 0 and listed[0]["customer_id"]
    assert [r["order_id"] for r in json.loads(cli("returns", "list", "--status", "closed", "--json").stdout)] == [
        GRACE_ORDER
    ]
    table = cli("returns", "list").stdout
    assert ADA_ORDER in table and "CR-DEFECTIVE" in table and "Ada" not in table
    wrong = cli("returns", "list", "--status", "pending", code=6)
    assert "error vault.invalid_value" in wrong.stderr


def test_show_under_returns_as_a_role(cli: Cli) -> None:
    ada = _ids(cli)[ADA_ORDER]
    shown = json.loads(cli("returns", "show", str(ada), "--purpose", "returns", "--as", "returns_agent",
                           "--json").stdout)  # fmt: skip
    fields = {f["category"]: (f["access"], f["value"]) for f in shown["fields"]}
    assert fields["user.name"] == ("plain", "Ada Lovelace") and fields["user.contact.email"][0] == "masked"
    assert shown["role"] == "returns_agent" and shown["return_key"] == "RMA-ADA-1"
    text = cli("returns", "show", str(ada), "--purpose", "returns", "--as", "support_agent").stdout
    assert "Ada Lovelace" in text and "12 Main St" not in text and "denied" in text
    refused = cli("returns", "show", str(ada), "--purpose", "support", code=6)
    assert "error vault.purpose_not_allowed" in refused.stderr and "Ada" not in refused.stdout + refused.stderr
    assert "error returns.not_found" in cli("returns", "show", "999", "--purpose", "returns", code=5).stderr


def test_open_note_close(cli: Cli) -> None:
    opened = cli("returns", "open", "--order", KEEP_ORDER, "--reason", "Too small", "--note", "Box dented",
                 "--name", "Kim Park", "--street", "5 Elm St", "--city", "Seattle", "--postal-code", "98101",
                 "--country", "US").stdout  # fmt: skip
    assert "opened return 3 (manual-3)" in opened and "Kim" not in opened
    shown = json.loads(cli("returns", "show", "3", "--purpose", "returns", "--json").stdout)
    sources = {f["category"]: (f["value"], f["stored_under"], f["source"]) for f in shown["fields"]}
    assert sources["user.contact.address.street"] == ("5 Elm St", "returns", "manual")
    assert [n["text"] for n in shown["notes"]] == ["Box dented"]
    assert "noted on return 3 (2 notes)" in cli("returns", "note", "3", "Label sent").stdout
    refused = cli("returns", "note", "3", "card 4111 1111 1111 1111", code=6)
    assert "error input.personal_data" in refused.stderr and "a card number" in refused.stderr
    assert "4111" not in refused.stderr and "fix:" in refused.stderr
    assert "closed return 3 as refunded" in cli("returns", "close", "3", "--outcome", "refunded").stdout
    again = cli("returns", "close", "3", "--outcome", "refunded", code=6)
    assert "error returns.already_closed" in again.stderr and "return 3 is already closed (on 20" in again.stderr
    assert "did you mean 'rejected'" in cli("returns", "close", "1", "--outcome", "rejectd", code=6).stderr
    missing = cli("returns", "open", "--order", "111-9999999-9999999", "--reason", "Broken", code=5)
    assert "error order.not_found" in missing.stderr
    events = cli("audit", "tail", "-n", "30").stdout
    assert "return.open" in events and "return.note" in events and "return.close" in events
    assert "Kim" not in events and "Elm" not in events
