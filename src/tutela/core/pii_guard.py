"""A quick check that free text an operator types (a reason, a note) does not carry an
e-mail address or a phone number into places that must hold no personal data."""

from __future__ import annotations

import re

_EMAIL = re.compile(r"[^\s@]+@[^\s@]+\.[A-Za-z]{2,}")
_PHONE = re.compile(r"(?:\+\d[\d ()./-]{6,}\d)|(?:\d[\d ()./-]{8,}\d)")


def personal_data_kind(text: str) -> str | None:
    """'an e-mail address' / 'a phone number' if the text seems to hold one, else None."""
    if _EMAIL.search(text):
        return "an e-mail address"
    for match in _PHONE.finditer(text):
        if sum(ch.isdigit() for ch in match.group()) >= 10:
            return "a phone number"
    return None
