"""numbering.py applies phonenumbers' rules with their patterns compiled once; its verdicts
must be phonenumbers' own, number for number."""

from __future__ import annotations

import random
import re

import phonenumbers
import pytest

from tutela.core.detect import numbering
from tutela.core.detect.phones import REGIONS

_TYPES = (
    phonenumbers.PhoneNumberType.MOBILE,
    phonenumbers.PhoneNumberType.FIXED_LINE,
    phonenumbers.PhoneNumberType.TOLL_FREE,
    phonenumbers.PhoneNumberType.PREMIUM_RATE,
)


def _valid(parsed: phonenumbers.PhoneNumber, region: str) -> bool:
    if phonenumbers.is_valid_number_for_region(parsed, region):
        return True
    shared = phonenumbers.COUNTRY_CODE_TO_REGION_CODE.get(parsed.country_code or 0, ())
    return len(shared) > 1 and bool(phonenumbers.is_valid_number(parsed))


def _library_national(number: str, region: str) -> bool:
    try:
        parsed = phonenumbers.parse(number, region)
    except phonenumbers.NumberParseException:
        return False
    return _valid(parsed, region)


def _library_international(number: str) -> bool:
    try:
        parsed = phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException:
        return False
    return _valid(parsed, phonenumbers.region_code_for_country_code(parsed.country_code or 0))


def _examples(region: str) -> list[phonenumbers.PhoneNumber]:
    found = (phonenumbers.example_number_for_type(region, kind) for kind in _TYPES)
    return [number for number in found if number is not None]


def _variants(nsn: str) -> list[str]:
    """The number with each digit changed in turn, one digit shorter and longer: valid and
    invalid neighbours of a real number."""
    changed = [nsn[:i] + digit + nsn[i + 1 :] for i in range(len(nsn)) for digit in "0159"]
    return [nsn, nsn[:-1], nsn + "7", *changed]


@pytest.mark.parametrize("region", REGIONS)
def test_national_numbers_get_phonenumbers_verdict(region: str) -> None:
    numbers = {"0" + v for e in _examples(region) for v in _variants(phonenumbers.national_significant_number(e))}
    numbers |= {v for e in _examples(region) for v in _variants(phonenumbers.national_significant_number(e))}
    rng = random.Random(region)
    numbers |= {"".join(rng.choice("0123456789") for _ in range(rng.randint(7, 13))) for _ in range(200)}
    for number in sorted(numbers):
        verdict = numbering.national_valid(number, region)
        if verdict is not None:
            assert verdict == _library_national(number, region), (number, region)


@pytest.mark.parametrize("region", [*REGIONS, "GG", "IM"])
def test_international_numbers_get_phonenumbers_verdict(region: str) -> None:
    numbers = set()
    for example in _examples(region):
        nsn = phonenumbers.national_significant_number(example)
        numbers |= {f"+{example.country_code} {v}" for v in _variants(nsn)}
        numbers.add(f"+{example.country_code} (0){nsn}")
    rng = random.Random(region)
    numbers |= {"+" + "".join(rng.choice("0123456789") for _ in range(rng.randint(7, 15))) for _ in range(200)}
    numbers |= {"+800 12345678", "+882 1234567890", "+44 0000000"}
    for number in sorted(numbers):
        assert numbering.international_valid(re.sub(r"\D", "", number)) == _library_international(number), number


def test_numbers_parse_reads_another_way_are_left_to_phonenumbers() -> None:
    assert numbering.national_valid("01144207946095", "US") is None  # an international dialling prefix
    assert numbering.national_valid("4930123456", "DE") is None  # the country code without "+"
