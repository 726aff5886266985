"""Normalising, masking and the free-text guard."""

from __future__ import annotations

import pytest

from tutela.core.errors import InvalidValue
from tutela.core.masking import mask
from tutela.core.normalize import email_index_key, normalize_email, normalize_order_id, normalize_phone
from tutela.core.pii_guard import personal_data_kind


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        (" Ada@Example.COM ", "Ada@example.com"),
        ("o'neil@example.co.uk", "o'neil@example.co.uk"),
        ("x+tag@sub.example.de", "x+tag@sub.example.de"),
        ("buyer123@marketplace.amazon.de", "buyer123@marketplace.amazon.de"),
    ],
)
def test_email_normalisation(raw: str, stored: str) -> None:
    assert normalize_email(raw) == stored
    assert email_index_key(normalize_email(raw)) == stored.casefold()


@pytest.mark.parametrize(
    "raw", ["not-an-email", "a@b", "a..b@example.com", "a@-example.com", "ada@example.invalid", ""]
)
def test_invalid_email_is_refused_without_echoing(raw: str) -> None:
    with pytest.raises(InvalidValue) as caught:
        normalize_email(raw)
    assert (raw not in str(caught.value)) or raw == ""


@pytest.mark.parametrize(
    ("raw", "region", "e164"),
    [
        ("+44 20 7946 0018", "DE", "+442079460018"),
        ("030 12345678", "DE", "+493012345678"),
        ("(415) 555-2671", "US", "+14155552671"),
        ("+8613800138000", "DE", "+8613800138000"),
    ],
)
def test_phone_normalisation(raw: str, region: str, e164: str) -> None:
    assert normalize_phone(raw, region) == e164


@pytest.mark.parametrize("raw", ["call me", "+49 1", "+1 23"])
def test_impossible_phone_is_refused(raw: str) -> None:
    with pytest.raises(InvalidValue) as caught:
        normalize_phone(raw, "DE")
    assert raw not in str(caught.value)


def test_order_id() -> None:
    assert normalize_order_id(" 114-1234567-1234567 ") == "114-1234567-1234567"
    with pytest.raises(InvalidValue):
        normalize_order_id("drop table;")


@pytest.mark.parametrize(
    ("category", "value", "masked"),
    [
        ("user.contact.email", "ada@example.com", "a••@example.com"),
        ("user.contact.phone_number", "+442079460018", "+44••••••••18"),
        ("user.name", "Ada Lovelace", "A•• L•••••••"),
        ("user.contact.address.postal_code", "SW1A 1AA", "••••••AA"),
        ("user.behavior.purchase_history", "anything", "••••••••"),
    ],
)
def test_masks_hide_most_of_the_value(category: str, value: str, masked: str) -> None:
    assert mask(category, value) == masked


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("customer asked by mail ada@example.com", "an e-mail address"),
        ("call +44 20 7946 0018", "a phone number"),
        ("GDPR Art. 17 request, ticket 4711", None),
        ("order 114-1234567-1234567", None),  # an order id names an order, not a person
    ],
)
def test_personal_data_guard(text: str, kind: str | None) -> None:
    assert personal_data_kind(text) == kind


@pytest.mark.parametrize(
    "raw",
    ["+1 206-555-0100", "+44 20 7946 0018", "+49 030 12345678", "+44 (0)20 7946 0018", "+86 138 0013 8000",
     "+33 6 12 34 56 78", "+81 90-1234-5678", "+1.415.555.2671"],
)  # fmt: skip
def test_phone_fast_path_agrees_with_phonenumbers(raw: str) -> None:
    import phonenumbers

    expected = phonenumbers.format_number(phonenumbers.parse(raw, "DE"), phonenumbers.PhoneNumberFormat.E164)
    assert normalize_phone(raw, "DE") == expected
