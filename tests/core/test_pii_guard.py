"""The free-text guard: card numbers (13 to 19 digits, spaces or dashes, Luhn-valid) next to
the e-mail and phone checks (tests/core/test_values.py)."""

from __future__ import annotations

import pytest

from tutela.core.pii_guard import luhn_valid, personal_data_kind


@pytest.mark.parametrize(
    "text",
    [
        "4111111111111111",  # Visa test number
        "card 4111 1111 1111 1111 exp 12/29",
        "paid with 5555-5555-5555-4444",  # Mastercard
        "Amex 3782 822463 10005",  # 15 digits in 4-6-5
        "old Visa 4222222222222",  # 13 digits
        "6011 0009 9013 9424",  # Discover
        "ref 4111 1111 1111 1111 2026",  # inside a longer run
        "SKU-4111111111111111",
    ],
)
def test_luhn_valid_card_numbers_are_found(text: str) -> None:
    assert personal_data_kind(text) == "a card number"


@pytest.mark.parametrize(
    "text",
    [
        "4111 1111 1111 1112",  # one digit off: fails Luhn, still too many digits for a note (a phone?)
        "5555-5555-5555-4445",
    ],
)
def test_luhn_invalid_numbers_are_not_called_cards(text: str) -> None:
    assert personal_data_kind(text) == "a phone number"


@pytest.mark.parametrize(
    "text",
    ["ticket 4711", "box 3 of 4, 12 items", "RMA D0pmX5bZRRMA", "refund 19.99 USD on 2026-11-29", "SKU-01"],
)
def test_ordinary_text_passes(text: str) -> None:
    assert personal_data_kind(text) is None


def test_amazon_order_ids_are_not_personal_data_and_phones_are_not_cards() -> None:
    # Both have enough digits for a card; neither is called one (a Luhn-valid order id included).
    assert luhn_valid("11412345671234563") and luhn_valid("8613800138002")
    assert personal_data_kind("replacement sent as order 114-1234567-1234563") is None
    assert personal_data_kind("order 114-1234567-1234563, call 206-555-0100 ext 1") == "a phone number"
    assert personal_data_kind("+86 138 0013 8002") == "a phone number"
    assert personal_data_kind("mail ada@example.com, card 4111 1111 1111 1111") == "an e-mail address"


def test_luhn() -> None:
    assert luhn_valid("79927398713") and not luhn_valid("79927398710")
    assert luhn_valid("0")
