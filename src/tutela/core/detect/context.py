"""Cue words near a candidate: the evidence that makes an ambiguous number a phone, a birth
date or an SSN. Looking only at a short window keeps the cost per candidate constant, so a
text full of candidates is still scanned in linear time."""

from __future__ import annotations

import re

# A match must start at a character that cannot continue the previous token, so every
# pattern that begins with a repeated class is tried once per token, not once per character.
NOT_AFTER_WORD = r"(?<![\w])"


def cue_before(text: str, start: int, cue: re.Pattern[str], window: int = 40) -> bool:
    """Whether `cue` occurs in the `window` characters before `start` (same line or not)."""
    return cue.search(text, max(0, start - window), start) is not None


def cue_after(text: str, end: int, cue: re.Pattern[str], window: int = 40) -> bool:
    return cue.search(text, end, end + window) is not None


PHONE_CUE = re.compile(
    r"(?i:phone|tel\b|tel\.|telephone|mobile|cell|fax|call|whats ?app|sms|contact|"
    r"telefon|handy|téléphone|portable|teléfono|móvil|movil|telefono|cellulare|"
    r"numero|número|numéro|nummer)|電話|携帯|电话|手机|联系方式|tel"
)
SSN_CUE = re.compile(r"(?i:\bssn\b|social security|soc\.? ?sec|\bss#|taxpayer|\btin\b)")
