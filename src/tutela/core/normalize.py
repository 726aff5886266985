"""Checking and normalising values before they are stored or looked up. The common,
already-canonical shapes take a fast path; everything else goes to the libraries made for
the job (email-validator, phonenumbers)."""

from __future__ import annotations

import re

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from tutela.core.errors import InvalidValue

# A conservative subset of valid addresses: if this matches, email-validator would accept it.
_SIMPLE_EMAIL = re.compile(
    r"[A-Za-z0-9_%+\-]+(?:\.[A-Za-z0-9_%+\-]+)*@"
    r"(?:[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24}"
)
_SPECIAL_USE_TLDS = frozenset({"arpa", "invalid", "local", "localhost", "onion", "test"})
_E164 = re.compile(r"\+[1-9][0-9]{6,14}")
# "+1 206-555-0100", "+44 20 7946 0018": international form with plain separators. Not when
# a group after the country code starts with 0 ("+49 030 …", a trunk prefix written by
# mistake) or with parentheses ("+44 (0)20 …"): phonenumbers knows how to read those.
_INTERNATIONAL_PLAIN = re.compile(r"\+[1-9][0-9]{0,3}(?:[ .\-]+[1-9][0-9]*)(?:[ .\-]+[0-9]+)*")
_SEPARATORS = str.maketrans("", "", " .-")


def normalize_email(value: str) -> str:
    """The stored form: trimmed; the domain lower-cased. Raises InvalidValue."""
    text = value.strip()
    if _SIMPLE_EMAIL.fullmatch(text) and text.rsplit(".", 1)[-1].lower() not in _SPECIAL_USE_TLDS:
        local, _, domain = text.partition("@")
        return f"{local}@{domain.lower()}"
    try:
        return str(validate_email(text, check_deliverability=False).normalized)
    except EmailNotValidError:
        raise InvalidValue(
            "user.contact.email is not a valid e-mail address",
            hint="give an address such as name@example.com",
        ) from None


def email_index_key(value: str) -> str:
    """What the e-mail blind index hashes: trimmed and case-folded."""
    return value.strip().casefold()


def normalize_phone(value: str, default_region: str) -> str:
    """E.164, with the shop's country for national numbers. Raises InvalidValue."""
    text = value.strip()
    if _E164.fullmatch(text):
        return text
    if _INTERNATIONAL_PLAIN.fullmatch(text):
        compact = text.translate(_SEPARATORS)
        if _E164.fullmatch(compact):
            return compact
    try:
        number = phonenumbers.parse(text, default_region)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_possible_number(number):
        raise InvalidValue(
            "user.contact.phone_number is not a possible phone number",
            hint="give it in international form, e.g. +44 20 7946 0018",
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_index_key(value: str, default_region: str) -> str:
    """What the phone blind index hashes: the E.164 digits."""
    return normalize_phone(value, default_region)[1:]


def normalize_order_id(value: str) -> str:
    text = value.strip()
    if not text or len(text) > 64 or not re.fullmatch(r"[A-Za-z0-9\-_#.]+", text):
        raise InvalidValue("order id must be 1-64 letters, digits or -_#.", hint="e.g. 114-1234567-1234567")
    return text.upper()
