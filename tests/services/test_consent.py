"""The consent ledger and the marketing gate, on both backends."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from tests.conftest import OWNER
from tests.helpers import count, rows
from tests.importer_files import write_table
from tutela.core.clock import FixedClock
from tutela.core.errors import InvalidValue, LinkInvalid, UnknownPurpose
from tutela.services import consent, consent_links, consent_suppressions, importing, vault
from tutela.services.consent import Proof
from tutela.services.context import Context

WORDING = "Yes, send me offers by e-mail. I can unsubscribe at any time."
CHECKOUT = Proof(source="checkout_form", notice_version="3")


def own_shop_customer(store: Context, email: str = "lin@example.cn") -> str:
    return vault.add_customer(store, actor=OWNER, purpose="fulfillment", source="own_shop",
                              fields={"user.name": "Lin Wei", "user.contact.email": email})  # fmt: skip


def amazon_customer(store: Context) -> str:
    fields = {"user.name": "Ada", "user.contact.email": "ada@marketplace.amazon.com"}
    return vault.add_customer(store, actor=OWNER, purpose="fulfillment", source="amazon", fields=fields)


@pytest.fixture
def notice(store: Context) -> str:
    return consent.add_notice(store, actor=OWNER, purpose="marketing_email", version="3", wording=WORDING)


def allowed(store: Context, customer_id: str) -> consent.Decision:
    return consent.can_contact(store, customer_id=customer_id, purpose="marketing_email", channel="email")


def test_grant_then_withdraw_with_proof_and_audit(store: Context, notice: str) -> None:
    lin = own_shop_customer(store)
    assert not allowed(store, lin).allowed
    consent.grant(store, actor=OWNER, customer_id=lin, purpose="marketing_email", channel="email",
                  proof=Proof(source="checkout_form", notice_version="3", client="203.0.113.9|Firefox"))  # fmt: skip
    assert allowed(store, lin) == consent.Decision(True, "consent granted")
    consent.withdraw(store, actor=OWNER, customer_id=lin, purpose="marketing_email", channel=None,
                     proof=Proof(source="support_call"))  # fmt: skip
    decision = allowed(store, lin)
    assert not decision.allowed and decision.reason == "consent withdrawn"
    history = consent.history(store, lin)
    granted, withdrawn = history["events"]
    assert (granted["kind"], withdrawn["kind"]) == ("granted", "withdrawn")
    assert granted["wording_sha256"] == notice and granted["notice_version"] == "3"
    assert granted["client_sha256"] and "203.0.113.9" not in granted["client_sha256"]
    assert history["current"]["marketing_email/email"]["allowed"] is False
    actions = [r[0] for r in rows(store, "SELECT action FROM audit_event WHERE action LIKE 'consent.%' ORDER BY seq")]
    assert actions == ["consent.notice", "consent.granted", "consent.withdrawn"]


def test_bad_grants_are_refused(store: Context, notice: str) -> None:
    lin = own_shop_customer(store)
    cases = [
        ("email", Proof(source="", notice_version="3"), "its source"),
        ("email", Proof(source="checkout_form"), "notice"),
        ("email", Proof(source="checkout_form", notice_version="9"), "no notice version '9'"),
        ("sms", CHECKOUT, "does not collect"),
        ("fax", CHECKOUT, "unknown channel"),
    ]
    for channel, proof, message in cases:
        with pytest.raises(InvalidValue, match=message):
            consent.grant(store, actor=OWNER, customer_id=lin, purpose="marketing_email", channel=channel, proof=proof)
    with pytest.raises(UnknownPurpose, match="does not rest on consent"):
        consent.grant(store, actor=OWNER, customer_id=lin, purpose="fulfillment", channel="email", proof=CHECKOUT)
    assert count(store, "consent_event") == 0


def test_amazon_buyers_never_enter_marketing(store: Context, notice: str) -> None:
    ada = amazon_customer(store)
    consent.grant(store, actor=OWNER, customer_id=ada, purpose="marketing_email", channel="email", proof=CHECKOUT)
    decision = allowed(store, ada)
    assert not decision.allowed and "AUP §4.2" in decision.reason
    lin = own_shop_customer(store)
    consent.grant(store, actor=OWNER, customer_id=lin, purpose="marketing_email", channel="email",
                  proof=Proof(source="amazon_messaging", notice_version="3"))  # fmt: skip
    assert "Amazon messaging does not count" in allowed(store, lin).reason
    gate = consent.ConsentGate(store, "marketing_email", "email")
    assert not gate.can_contact(ada) and not gate.can_contact(lin)


def test_withdrawal_wins_at_the_same_instant(store: Context, notice: str) -> None:
    lin = own_shop_customer(store)
    with store.engine.begin() as connection:  # one call, grant listed after the withdrawal
        consent.append(connection, store, OWNER, [
            (lin, "marketing_email", "email", consent.Kind.WITHDRAWN, Proof(source="import"), None),
            (lin, "marketing_email", "email", consent.Kind.GRANTED, Proof(source="import", notice_version="imported"),
             None),
        ])  # fmt: skip
    assert allowed(store, lin).reason == "consent withdrawn"
    consent.grant(store, actor=OWNER, customer_id=lin, purpose="marketing_email", channel="email", proof=CHECKOUT)
    consent.withdraw(store, actor=OWNER, customer_id=lin, purpose="marketing_email", channel="email",
                     proof=Proof(source="request"))  # fmt: skip
    assert allowed(store, lin).reason == "consent withdrawn"  # same clock time: the ledger order decides


def test_consent_lapses_and_is_marked_expired(store: Context, clock: FixedClock, notice: str) -> None:
    lin = own_shop_customer(store)
    consent.grant(store, actor=OWNER, customer_id=lin, purpose="marketing_email", channel="email", proof=CHECKOUT)
    clock.advance(timedelta(days=365 * 2 + 1))
    assert allowed(store, lin).reason == "consent lapsed; ask again"
    assert consent.expire_lapsed(store, actor=OWNER) == 1
    assert consent.expire_lapsed(store, actor=OWNER) == 0
    assert [e["kind"] for e in consent.history(store, lin)["events"]] == ["granted", "expired"]


def test_the_gate_agrees_with_can_contact(store: Context, notice: str) -> None:
    ids = [own_shop_customer(store, f"c{n}@example.org") for n in range(6)] + [amazon_customer(store)]
    for customer_id in ids[::2]:
        consent.grant(store, actor=OWNER, customer_id=customer_id, purpose="marketing_email", channel="email",
                      proof=CHECKOUT)  # fmt: skip
    gate = consent.ConsentGate(store, "marketing_email", "email")
    assert {c for c in ids if gate.can_contact(c)} == {c for c in ids if allowed(store, c).allowed} == set(ids[0:6:2])


def test_shop_export_flags_become_ledger_events(store: Context, tmp_path: Path) -> None:
    header = ["Email", "First Name", "Last Name", "Accepts Email Marketing"]
    first = write_table(tmp_path / "customers.csv", header, [
        {"Email": "lin@example.cn", "First Name": "Lin", "Last Name": "Wei", "Accepts Email Marketing": "yes"},
        {"Email": "bo@example.cn", "First Name": "Bo", "Last Name": "Li", "Accepts Email Marketing": "no"},
    ], delimiter=",")  # fmt: skip
    report = importing.import_file(store, actor=OWNER, path=first)
    assert report.tally.consent_events_new == 1  # Bo never granted: nothing to withdraw
    (lin,) = [r[0] for r in rows(store, "SELECT customer_id FROM consent_state")]
    assert allowed(store, lin).allowed
    (event,) = consent.history(store, lin)["events"]
    assert event["source"] == "import" and event["evidence_sha256"] == report.sha256
    same = write_table(tmp_path / "again.csv", header + ["Note"], [
        {"Email": "lin@example.cn", "First Name": "Lin", "Last Name": "Wei", "Accepts Email Marketing": "yes"},
    ], delimiter=",")  # fmt: skip
    assert importing.import_file(store, actor=OWNER, path=same).tally.consent_events_new == 0
    refused = write_table(tmp_path / "later.csv", header, [
        {"Email": "lin@example.cn", "First Name": "Lin", "Last Name": "Wei", "Accepts Email Marketing": "no"},
    ], delimiter=",")  # fmt: skip
    assert importing.import_file(store, actor=OWNER, path=refused).tally.consent_events_new == 1
    assert allowed(store, lin).reason == "consent withdrawn"


def test_suppression_list_withdraws_and_creates_nobody(store: Context, notice: str, tmp_path: Path) -> None:
    lin = own_shop_customer(store, "Lin@Example.cn")
    consent.grant(store, actor=OWNER, customer_id=lin, purpose="marketing_email", channel="email", proof=CHECKOUT)
    customers_before = count(store, "customer")
    path = write_table(tmp_path / "suppressions.csv", ["Email Address", "Reason"], [
        {"Email Address": "lin@example.CN", "Reason": "unsubscribed"},
        {"Email Address": "stranger@example.org", "Reason": "bounced"},
        {"Email Address": "not an address", "Reason": "bounced"},
    ], delimiter=",")  # fmt: skip
    report = consent_suppressions.import_suppressions(store, actor=OWNER, path=path)
    assert report.as_dict() == {"rows": 3, "withdrawals": 1, "customers": 1, "unknown": 1, "invalid_rows": [3]}
    assert count(store, "customer") == customers_before
    assert allowed(store, lin).reason == "consent withdrawn"
    again = consent_suppressions.import_suppressions(store, actor=OWNER, path=path)
    assert again.withdrawals == 0  # replayed: nothing new


def test_signed_links(store: Context, clock: FixedClock) -> None:
    token = consent_links.make_token(store, "c0123", purpose="marketing_email", lifetime=timedelta(days=30))
    claims = consent_links.read_token(store, token)
    assert (claims.customer_id, claims.purpose) == ("c0123", "marketing_email")
    body, signature = token.split(".")
    tampered = consent_links.make_token(store, "c0124", purpose="marketing_email").split(".")[0] + "." + signature
    for bad in (tampered, body + ".AAAA", "garbage", token + "x", ""):
        with pytest.raises(LinkInvalid) as caught:
            consent_links.read_token(store, bad)
        assert caught.value.message == "this link is not valid or has expired"
    clock.advance(timedelta(days=31))
    with pytest.raises(LinkInvalid):
        consent_links.read_token(store, token)


def test_sale_share_opt_out_is_recorded_once(store: Context) -> None:
    lin = own_shop_customer(store)
    assert consent.opt_out_of_sale(store, actor=OWNER, customer_id=lin, source="gpc", client="198.51.100.1|Chrome")
    assert not consent.opt_out_of_sale(store, actor=OWNER, customer_id=lin, source="gpc")
    assert consent.history(store, lin)["sale_share_opt_out"]["source"] == "gpc"
