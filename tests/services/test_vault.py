from __future__ import annotations

import pytest

from tests.conftest import MARKETING, OWNER, RETURNS, SUPPORT
from tests.helpers import ADA, break_audit_inserts, count, execute, rows, stored_fields
from tutela.core.errors import (
    AccessDenied,
    AuditWriteFailed,
    CannotOpen,
    CategoryNotDeclared,
    CustomerErased,
    CustomerNotFound,
    InvalidValue,
    PersonalDataInText,
    SourceNotAllowed,
    UnknownCategory,
)
from tutela.core.policy import Access
from tutela.core.record_codec import decode
from tutela.services import vault
from tutela.services.context import Context


def add_ada(store: Context, **extra: str) -> str:
    return vault.add_customer(
        store,
        actor=OWNER,
        purpose="fulfillment",
        source="amazon",
        fields={**ADA, **extra},
        order_ids=["114-1234567-1234567"],
    )


def test_add_then_find_by_email_phone_and_order_id(store: Context) -> None:
    customer_id = add_ada(store)
    vault.add_customer(
        store,
        actor=OWNER,
        purpose="fulfillment",
        source="shopify",
        fields={"user.name": "Grace Hopper", "user.contact.email": "grace@example.com"},
    )
    for query in (
        {"email": "  ada.lovelace@EXAMPLE.com"},
        {"phone": "+442079460018"},
        {"phone": "+44 (0)20 7946 0018".replace("(0)", "")},
        {"order_id": "114-1234567-1234567"},
    ):
        found = vault.find_customers(store, actor=OWNER, **query)
        assert [f.id for f in found] == [customer_id], query
        assert found[0].sources == ["amazon"]
        assert "user.contact.email" in found[0].categories
    assert vault.find_customers(store, actor=OWNER, email="nobody@example.com") == []


def test_reveal_follows_the_policy_per_role_and_purpose(store: Context) -> None:
    customer_id = add_ada(store)
    as_support = {
        f.category: f for f in vault.reveal(store, actor=SUPPORT, purpose="returns", customer_id=customer_id).fields
    }
    assert as_support["user.name"].access is Access.PLAIN
    assert as_support["user.name"].value == "Ada Lovelace"
    assert as_support["user.contact.email"].access is Access.MASKED
    assert as_support["user.contact.email"].value == "A•••••••••••@example.com"
    assert as_support["user.contact.phone_number"].access is Access.DENIED
    assert as_support["user.contact.phone_number"].value is None
    as_returns = {
        f.category: f for f in vault.reveal(store, actor=RETURNS, purpose="returns", customer_id=customer_id).fields
    }
    assert as_returns["user.contact.address.street"].value == "12 St James's Square"
    # AUP §4.2: marketing never sees an Amazon-sourced contact, even with a plain grant.
    as_marketing = vault.reveal(store, actor=MARKETING, purpose="marketing_email", customer_id=customer_id)
    assert all(f.access is Access.DENIED and f.value is None for f in as_marketing.fields)
    shop_buyer = vault.add_customer(
        store,
        actor=OWNER,
        purpose="fulfillment",
        source="own_shop",
        fields={"user.name": "Shop Buyer", "user.contact.email": "buyer@example.com"},
    )
    seen = {
        f.category: f.value
        for f in vault.reveal(store, actor=MARKETING, purpose="marketing_email", customer_id=shop_buyer).fields
    }
    assert seen == {"user.name": "Shop Buyer", "user.contact.email": "buyer@example.com"}
    as_owner = {
        f.category: f.value
        for f in vault.reveal(store, actor=OWNER, purpose="fulfillment", customer_id=customer_id).fields
    }
    assert as_owner["user.contact.phone_number"] == "+442079460018"
    assert as_owner["user.contact.email"] == "Ada.Lovelace@example.com"


def test_restricted_tax_copy_is_seen_only_under_tax(store: Context) -> None:
    customer_id = vault.add_customer(
        store,
        actor=OWNER,
        purpose="tax",
        source="amazon",
        fields={"user.name": "Ada Tax", "user.financial.tax_id": "DE123456789"},
    )
    under_support = {
        f.category: f for f in vault.reveal(store, actor=OWNER, purpose="support", customer_id=customer_id).fields
    }
    assert under_support["user.name"].access is Access.DENIED
    under_tax = {
        f.category: f.value for f in vault.reveal(store, actor=OWNER, purpose="tax", customer_id=customer_id).fields
    }
    assert under_tax == {"user.name": "Ada Tax", "user.financial.tax_id": "DE123456789"}


def test_a_purpose_stores_only_what_it_declares_and_from_its_sources(store: Context) -> None:
    with pytest.raises(CategoryNotDeclared):
        vault.add_customer(
            store,
            actor=OWNER,
            purpose="marketing_email",
            source="own_shop",
            fields={"user.name": "A", "user.contact.address.street": "1 Road"},
        )
    with pytest.raises(SourceNotAllowed) as amazon:
        vault.add_customer(
            store,
            actor=OWNER,
            purpose="marketing_email",
            source="amazon",
            fields={"user.contact.email": "a@example.com"},
        )
    assert "AUP §4.2" in amazon.value.message
    with pytest.raises(UnknownCategory) as typo:
        vault.add_customer(
            store, actor=OWNER, purpose="fulfillment", source="amazon", fields={"user.contact.emial": "a@example.com"}
        )
    assert "user.contact.email" in typo.value.hint
    assert count(store, "customer") == 0


def test_one_bad_value_in_a_batch_writes_nothing(store: Context) -> None:
    good = vault.NewCustomer(fields={"user.name": "Good Person", "user.contact.email": "good@example.com"})
    bad = vault.NewCustomer(fields={"user.name": "Bad Person", "user.contact.email": "not-an-address"})
    events_before = count(store, "audit_event")
    with pytest.raises(InvalidValue) as caught:
        vault.add_customers(store, actor=OWNER, purpose="fulfillment", source="manual", customers=[good, bad])
    assert "not-an-address" not in str(caught.value)
    assert (count(store, "customer"), stored_fields(store), count(store, "audit_event")) == (0, 0, events_before)


def test_rectify_replaces_every_copy_and_the_index(store: Context) -> None:
    customer_id = add_ada(store)
    vault.add_customer(store, actor=OWNER, purpose="support", source="manual", fields={"user.name": "Other"})
    vault.rectify(
        store,
        actor=OWNER,
        purpose="support",
        customer_id=customer_id,
        fields={"user.contact.email": "ada@newmail.example.com"},
    )
    assert vault.find_customers(store, actor=OWNER, email="Ada.Lovelace@Example.com") == []
    assert [f.id for f in vault.find_customers(store, actor=OWNER, email="ADA@newmail.example.com")] == [customer_id]
    shown = {
        f.category: f.value
        for f in vault.reveal(store, actor=OWNER, purpose="fulfillment", customer_id=customer_id).fields
    }
    assert shown["user.contact.email"] == "ada@newmail.example.com"
    with pytest.raises(AccessDenied):
        vault.rectify(
            store,
            actor=SUPPORT,
            purpose="returns",
            customer_id=customer_id,
            fields={"user.contact.address.street": "1 New Road"},
        )


def test_rectify_adds_a_missing_category_under_the_acting_purpose(store: Context) -> None:
    customer_id = vault.add_customer(
        store, actor=OWNER, purpose="support", source="manual", fields={"user.name": "Ada"}
    )
    vault.rectify(
        store,
        actor=OWNER,
        purpose="support",
        customer_id=customer_id,
        fields={"user.contact.phone_number": "+4930123456789"},
    )
    assert [f.id for f in vault.find_customers(store, actor=OWNER, phone="+49 30 123456789")] == [customer_id]
    with pytest.raises(CategoryNotDeclared):
        vault.rectify(
            store,
            actor=OWNER,
            purpose="support",
            customer_id=customer_id,
            fields={"user.contact.address.street": "1 Road"},
        )


def test_erase_crypto_shreds_and_keeps_a_tombstone_without_personal_data(store: Context) -> None:
    customer_id = add_ada(store)
    receipt = vault.erase(store, actor=OWNER, customer_id=customer_id, reason="GDPR Art. 17 request, ticket 4711")
    assert receipt.fields_deleted == len(ADA)
    assert stored_fields(store) == 0
    assert count(store, "order_link") == 0
    (row,) = rows(store, "SELECT wrapped_dek, kek_version, erased_at FROM customer")
    assert row.wrapped_dek is None and row.kek_version is None and row.erased_at is not None
    (tomb,) = rows(store, "SELECT customer_id, reason FROM tombstone")
    assert tomb.customer_id == customer_id
    assert vault.find_customers(store, actor=OWNER, email=ADA["user.contact.email"]) == []
    assert vault.find_customers(store, actor=OWNER, order_id="114-1234567-1234567") == []
    with pytest.raises(CustomerErased):
        vault.reveal(store, actor=OWNER, purpose="fulfillment", customer_id=customer_id)
    with pytest.raises(CustomerErased):
        vault.erase(store, actor=OWNER, customer_id=customer_id, reason="again")
    journal = store.settings.tombstone_journal.read_text()
    assert customer_id in journal and "Ada" not in journal


def test_erase_reason_must_not_carry_personal_data(store: Context) -> None:
    customer_id = add_ada(store)
    with pytest.raises(PersonalDataInText) as caught:
        vault.erase(store, actor=OWNER, customer_id=customer_id, reason="asked by ada.lovelace@example.com")
    assert "ada.lovelace" not in str(caught.value)
    assert stored_fields(store) == len(ADA)


def test_unknown_customer(store: Context) -> None:
    with pytest.raises(CustomerNotFound):
        vault.reveal(store, actor=OWNER, purpose="support", customer_id="c-nope")
    (event,) = rows(store, "SELECT action, outcome FROM audit_event WHERE customer_id = 'c-nope'")
    assert tuple(event) == ("customer.reveal", "not_found")


def test_tampered_ciphertext_gives_an_opaque_error_and_an_audit_event(store: Context) -> None:
    customer_id = add_ada(store)
    (row,) = rows(store, "SELECT fields FROM record")
    damaged = bytearray(row.fields)
    damaged[-1] ^= 0xFF  # the tag of the last field's envelope
    execute(store, "UPDATE record SET fields = :f", f=bytes(damaged))
    with pytest.raises(CannotOpen) as caught:
        vault.reveal(store, actor=OWNER, purpose="fulfillment", customer_id=customer_id)
    assert "Ada" not in str(caught.value)
    (event,) = rows(store, "SELECT outcome FROM audit_event WHERE action = 'customer.reveal'")
    assert event.outcome == "cannot_open"


def test_tampered_record_found_by_index_is_refused_and_audited(store: Context) -> None:
    add_ada(store)
    (row,) = rows(store, "SELECT fields FROM record")
    entries = decode(row.fields)
    assert [e.category for e in entries[:2]] == ["user.name", "user.contact.email"]
    damaged = bytearray(row.fields)
    damaged[4 + len(entries[0].envelope) + 4 + len(entries[1].envelope) - 1] ^= 0x01  # the e-mail's tag
    execute(store, "UPDATE record SET fields = :f", f=bytes(damaged))
    with pytest.raises(CannotOpen):
        vault.find_customers(store, actor=OWNER, email=ADA["user.contact.email"])
    (event,) = rows(store, "SELECT outcome FROM audit_event WHERE action = 'customer.find'")
    assert event.outcome == "cannot_open"


def test_ciphertext_moved_to_another_customer_does_not_open(store: Context) -> None:
    ada = add_ada(store)
    grace = vault.add_customer(
        store, actor=OWNER, purpose="fulfillment", source="amazon", fields={"user.name": "Grace Hopper"}
    )
    execute(
        store,
        "UPDATE record SET fields = (SELECT fields FROM record WHERE customer_id = :a) WHERE customer_id = :g",
        a=ada,
        g=grace,
    )
    with pytest.raises(CannotOpen):
        vault.reveal(store, actor=OWNER, purpose="fulfillment", customer_id=grace)


def test_no_personal_data_value_ever_enters_the_audit_log(store: Context) -> None:
    customer_id = add_ada(store)
    vault.find_customers(store, actor=OWNER, email=ADA["user.contact.email"])
    vault.find_customers(store, actor=OWNER, phone=ADA["user.contact.phone_number"])
    vault.reveal(store, actor=SUPPORT, purpose="support", customer_id=customer_id)
    vault.rectify(store, actor=OWNER, purpose="support", customer_id=customer_id, fields={"user.name": "Ada King"})
    vault.erase(store, actor=OWNER, customer_id=customer_id, reason="request 12")
    audit_text = "\n".join(" ".join(str(v) for v in row) for row in rows(store, "SELECT * FROM audit_event"))
    values = [*ADA.values(), "Ada King", "ada.lovelace@example.com", "+442079460018", "Lovelace", "James"]
    for value in values:
        assert value.lower() not in audit_text.lower(), value
    assert "customer.reveal" in audit_text


def test_fail_closed_when_the_audit_log_cannot_be_written(store: Context) -> None:
    customer_id = add_ada(store)
    fields_before = stored_fields(store)
    break_audit_inserts(store)
    with pytest.raises(AuditWriteFailed):
        vault.reveal(store, actor=OWNER, purpose="fulfillment", customer_id=customer_id)
    with pytest.raises(AuditWriteFailed):
        vault.add_customer(store, actor=OWNER, purpose="fulfillment", source="amazon", fields={"user.name": "New"})
    with pytest.raises(AuditWriteFailed):
        vault.erase(store, actor=OWNER, customer_id=customer_id, reason="test")
    with pytest.raises(AuditWriteFailed):
        vault.rectify(store, actor=OWNER, purpose="support", customer_id=customer_id, fields={"user.name": "X"})
    assert count(store, "customer") == 1
    assert stored_fields(store) == fields_before
    assert count(store, "tombstone") == 0
    (blob,) = rows(store, "SELECT fields FROM record")
    assert len(blob.fields) > 0
