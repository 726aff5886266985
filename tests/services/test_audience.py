"""The audience export: only eligible contacts, each with a one-click unsubscribe link."""

from __future__ import annotations

import csv
import json
import stat
from pathlib import Path

import pytest

from tests.conftest import OWNER
from tests.helpers import rows
from tests.services.test_consent import CHECKOUT, WORDING, amazon_customer, own_shop_customer
from tutela.core.errors import InvalidValue, UnknownPurpose
from tutela.services import audience, consent, consent_links
from tutela.services.consent import Proof
from tutela.services.context import Context


def test_only_eligible_contacts_with_rfc8058_links(store: Context, tmp_path: Path) -> None:
    consent.add_notice(store, actor=OWNER, purpose="marketing_email", version="3", wording=WORDING)
    granted = [own_shop_customer(store, f"fan{n}@example.org") for n in range(3)]
    withdrawn = own_shop_customer(store, "gone@example.org")
    ada = amazon_customer(store)
    for customer_id in [*granted, withdrawn, ada]:
        consent.grant(store, actor=OWNER, customer_id=customer_id, purpose="marketing_email", channel="email",
                      proof=CHECKOUT)  # fmt: skip
    consent.withdraw(store, actor=OWNER, customer_id=withdrawn, purpose="marketing_email", channel=None,
                     proof=Proof(source="unsubscribe_link"))  # fmt: skip
    out = tmp_path / "list.csv"
    result = audience.export_audience(store, actor=OWNER, purpose="marketing_email", out=out)
    assert (result.contacts, result.skipped) == (3, 1)  # Ada: known only from Amazon
    with out.open(encoding="utf-8", newline="") as handle:
        written = list(csv.DictReader(handle))
    assert sorted(r["email"] for r in written) == ["fan0@example.org", "fan1@example.org", "fan2@example.org"]
    first = written[0]
    assert first["name"] == "Lin Wei"
    assert first["List-Unsubscribe"] == f"<{first['unsubscribe_url']}>"
    assert first["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    token = first["unsubscribe_url"].rsplit("/", 1)[1]
    claims = consent_links.read_token(store, token)
    assert claims.purpose == "marketing_email" and claims.customer_id in granted
    assert "@" not in first["unsubscribe_url"]
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    (details,) = rows(store, "SELECT details FROM audit_event WHERE action = 'audience.export'")
    facts = json.loads(details[0])
    assert facts["contacts"] == 3 and facts["file_sha256"] == result.sha256
    assert "example.org" not in details[0]
    with pytest.raises(InvalidValue, match="exists"):
        audience.export_audience(store, actor=OWNER, purpose="marketing_email", out=out)
    assert not list(tmp_path.glob(".*partial"))


def test_no_audience_for_a_purpose_without_consent(store: Context, tmp_path: Path) -> None:
    with pytest.raises(UnknownPurpose, match="does not rest on consent"):
        audience.export_audience(store, actor=OWNER, purpose="fulfillment", out=tmp_path / "x.csv")
    assert not (tmp_path / "x.csv").exists()
