"""Checksums and validity rules, with known-good and one-character-off values."""

from __future__ import annotations

import pytest

from tutela.core.detect.validators import (
    card_brand,
    card_valid,
    cn_resident_id_valid,
    iban_valid,
    luhn_valid,
    ssn_valid,
)


@pytest.mark.parametrize(
    ("digits", "brand"),
    [
        ("4111111111111111", "visa"),
        ("4222222222222", "visa"),
        ("5555555555554444", "mastercard"),
        ("2223003122003222", "mastercard"),  # the 2-series range
        ("378282246310005", "amex"),
        ("6011111111111117", "discover"),
        ("3530111333300000", "jcb"),
        ("6200000000000005", "unionpay"),
        ("30569309025904", "diners"),
        ("6759649826438453", "maestro"),
    ],
)
def test_card_numbers_of_every_scheme_are_valid(digits: str, brand: str) -> None:
    assert luhn_valid(digits)
    assert card_brand(digits) == brand
    assert card_valid(digits)


@pytest.mark.parametrize("digits", ["4111111111111112", "5555555555554445", "378282246310006"])
def test_one_digit_off_fails_luhn(digits: str) -> None:
    assert not luhn_valid(digits)
    assert not card_valid(digits)


def test_luhn_valid_number_outside_every_iin_range_is_not_a_card() -> None:
    assert luhn_valid("1234567812345670")
    assert not card_valid("1234567812345670")


@pytest.mark.parametrize(
    "iban",
    ["DE89370400440532013000", "GB29NWBK60161331926819", "FR1420041010050500013M02606", "ES9121000418450200051332"],
)
def test_ibans_pass_length_and_mod97(iban: str) -> None:
    assert iban_valid(iban)


@pytest.mark.parametrize(
    "iban",
    [
        "DE89370400440532013001",  # checksum off
        "DE8937040044053201300",  # one character short for Germany
        "XX89370400440532013000",  # no such country
    ],
)
def test_bad_ibans_fail(iban: str) -> None:
    assert not iban_valid(iban)


@pytest.mark.parametrize("ssn", ["123456789", "078051120", "665123456"])
def test_ssns_that_follow_the_rules(ssn: str) -> None:
    assert ssn_valid(ssn)


@pytest.mark.parametrize("ssn", ["000123456", "666123456", "900123456", "123001234", "123450000", "12345678"])
def test_ssns_that_break_a_rule(ssn: str) -> None:
    assert not ssn_valid(ssn)


def test_cn_resident_id_checksum_region_and_birth_date() -> None:
    assert cn_resident_id_valid("11010519491231002X")
    assert cn_resident_id_valid("11010519491231002x")
    assert not cn_resident_id_valid("110105194912310021")  # wrong check character
    assert not cn_resident_id_valid("990105194912310023")  # no such region (check character right)
    assert not cn_resident_id_valid("110105194902300020")  # 30 February (check character right)
