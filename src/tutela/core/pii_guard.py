"""A quick check that free text an operator types (a reason, a note) does not carry an
e-mail address, a phone number or a payment card number into places that must hold no
personal data."""

from __future__ import annotations

import re

from tutela.core.detect.validators import luhn_valid

_EMAIL = re.compile(r"[^\s@]+@[^\s@]+\.[A-Za-z]{2,}")
_PHONE = re.compile(r"(?:\+\d[\d ()./-]{6,}\d)|(?:\d[\d ()./-]{8,}\d)")
# Digits in groups split by single spaces or dashes ("4111 1111 1111 1111", "4111-1111-…", one run);
# not after a "+": that is an international phone number, which the phone check names.
_DIGIT_GROUPS = re.compile(r"(?<![\d+])\d+(?:[ -]\d+)*(?!\d)")
# An Amazon order id (3-7-7 digits) names an order, not a person: agents write them in notes
# ("replacement sent as 114-…"), so it is taken for neither a card nor a phone number.
_AMAZON_ORDER_ID = re.compile(r"(?<!\d)\d{3}-\d{7}-\d{7}(?!\d)")
CARD_DIGITS = range(13, 20)  # ISO/IEC 7812: 13 to 19 digits

__all__ = ["luhn_valid", "personal_data_kind"]


def _has_card_number(text: str) -> bool:
    for match in _DIGIT_GROUPS.finditer(_AMAZON_ORDER_ID.sub(" ", text)):
        groups = re.split(r"[ -]", match.group())
        # Any consecutive groups (a card inside a longer run: "4111 1111 1111 1111 2026").
        for start in range(len(groups)):
            digits = ""
            for group in groups[start:]:
                digits += group
                if len(digits) > CARD_DIGITS[-1]:
                    break
                if len(digits) in CARD_DIGITS and luhn_valid(digits):
                    return True
    return False


def personal_data_kind(text: str) -> str | None:
    """'an e-mail address' / 'a card number' / 'a phone number' if the text seems to hold
    one, else None. Cards are looked for before phones: a card number has enough digits to
    pass for a phone number, and the message should name the more sensitive one."""
    if _EMAIL.search(text):
        return "an e-mail address"
    if _has_card_number(text):
        return "a card number"
    for match in _PHONE.finditer(_AMAZON_ORDER_ID.sub(" ", text)):
        if sum(ch.isdigit() for ch in match.group()) >= 10:
            return "a phone number"
    return None
