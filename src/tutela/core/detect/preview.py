"""Masked previews: enough of a found value for a person to recognise which record it is,
never the value. Masks have a fixed width so a preview does not tell a value's length."""

from __future__ import annotations

from tutela.core.detect.kinds import PiiType

MASK = "•••"


def _digits(value: str) -> str:
    return "".join(char for char in value if char.isdigit())


def _email(value: str) -> str:
    local, _, domain = value.rpartition("@")
    return f"{local[:1]}{MASK}@{domain}" if len(local) > 1 else f"{MASK}@{domain}"


def _initials(value: str) -> str:
    words = value.replace("-", " ").split()
    if len(words) == 1 and len(value) > 1 and not value.isascii():
        return value[0] + MASK  # a CJK name is one run of characters: its surname only
    return " ".join(f"{word[0]}." for word in words)


def _tail(value: str, keep: int) -> str:
    digits = _digits(value) or value
    return MASK + digits[-keep:] if len(digits) > keep * 2 else MASK


def _words(value: str) -> str:
    return " ".join(word[0] + MASK for word in value.split())


def _ip(value: str) -> str:
    separator = "." if "." in value and ":" not in value else ":"
    return value.split(separator, maxsplit=1)[0] + separator + MASK


def _shape(value: str) -> str:
    return "".join("•" if char.isalnum() else char for char in value)


def preview(kind: PiiType, value: str) -> str:
    """A masked preview of a found value: enough to recognise, never the value."""
    value = value.strip()
    if kind in (PiiType.EMAIL, PiiType.AMAZON_RELAY_EMAIL) and "@" in value:
        shown = _email(value)
    elif kind is PiiType.PERSON_NAME:
        shown = _initials(value)
    elif kind in (PiiType.PAYMENT_CARD, PiiType.AMAZON_ORDER_ID):
        shown = _tail(value, 4)
    elif kind in (PiiType.PHONE, PiiType.CN_MOBILE, PiiType.US_SSN, PiiType.CN_RESIDENT_ID):
        shown = _tail(value, 2)
    elif kind is PiiType.IBAN:
        shown = value[:2] + MASK + _tail(value, 4)[len(MASK) :] if len(value) > 12 else MASK
    elif kind is PiiType.STREET_ADDRESS:
        shown = _words(value)
    elif kind is PiiType.POSTAL_CODE:
        shown = value[:2] + MASK if len(value) > 4 else MASK
    elif kind is PiiType.IP_ADDRESS:
        shown = _ip(value)
    else:  # dates of birth and anything new: the shape only
        shown = _shape(value)
    # Whatever the rule, a value short enough to survive it is masked completely.
    return MASK if not value or value in shown else shown
