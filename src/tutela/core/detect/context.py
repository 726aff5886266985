"""Cue words near a candidate: the evidence that makes an ambiguous number a phone, a birth
date or an SSN. Looking only at a short window keeps the cost per candidate constant, so a
text full of candidates is still scanned in linear time."""

from __future__ import annotations

import re
from functools import lru_cache

# A match must start at a character that cannot continue the previous token, so every
# pattern that begins with a repeated class is tried once per token, not once per character.
NOT_AFTER_WORD = r"(?<![\w])"


def _trie(words: list[str]) -> str:
    """A regex that matches exactly `words`, factored by shared prefixes, so that at each
    position `re` compares one character per branch point instead of trying every word."""
    if words == [""]:
        return ""
    optional = "" in words
    by_first: dict[str, list[str]] = {}
    for word in words:
        if word:
            by_first.setdefault(word[0], []).append(word[1:])
    branches = []
    for first, rests in sorted(by_first.items()):
        char = r"[\s_-]?" if first == " " else re.escape(first)
        branches.append(char + _trie(sorted(set(rests))))
    body = branches[0] if len(branches) == 1 and not optional else "(?:" + "|".join(branches) + ")"
    return body + "?" if optional else body


def one_of(*words: str) -> str:
    """Exactly these words (a space matching an optional space, "_" or "-"), as a prefix tree."""
    return _trie(sorted(set(words)))


def any_case(*phrases: str) -> str:
    """An alternation of the phrases as written, lower case, capitalised and upper case, with
    an optional space, "_" or "-" between words. Python's `re` scans a case-insensitive
    alternation some fifty times slower than a prefix tree of literal words, whose first
    letters it can test at once; so cue lists are spelled out instead of `(?i:...)`."""
    variants: set[str] = set()
    for phrase in phrases:
        variants.update({phrase, phrase.lower(), phrase[:1].upper() + phrase[1:], phrase.upper()})
    return _trie(sorted(variants))


def cue_before(text: str, start: int, cue: re.Pattern[str], window: int = 40) -> bool:
    """Whether `cue` occurs in the `window` characters before `start` (same line or not)."""
    return cue.search(text, max(0, start - window), start) is not None


def cue_after(text: str, end: int, cue: re.Pattern[str], window: int = 40) -> bool:
    return cue.search(text, end, end + window) is not None


# Spelled out in the usual cases (any_case): a case-insensitive alternation is tried word by
# word at every position of the window, and this cue is looked for before most numbers.
PHONE_CUE = re.compile(
    any_case(
        "phone",
        "tel",
        "telephone",
        "mobile",
        "cell",
        "fax",
        "call",
        "whats app",
        "sms",
        "contact",
        "telefon",
        "handy",
        "téléphone",
        "portable",
        "teléfono",
        "móvil",
        "movil",
        "telefono",
        "cellulare",
        "numero",
        "número",
        "numéro",
        "nummer",
    )
    + "|WhatsApp|電話|携帯|电话|手机|联系方式"
)
CARD_CUE = re.compile(r"(?i:card|karte|carte|tarjeta|carta|visa|mastercard|amex|diners|cc\b)|カード|银行卡|信用卡")
SSN_CUE = re.compile(r"(?i:\bssn\b|social security|soc\.? ?sec|\bss#|taxpayer|\btin\b)")


_CJK = re.compile("[\u4e00-\u9fff\u3040-\u30ff]")


@lru_cache(maxsize=4)
def has_cjk(text: str) -> bool:
    """Whether `text` holds Chinese or Japanese characters: patterns for those scripts are
    skipped in the many texts without them. Cached per text (a string caches its own hash,
    so asking again costs a dictionary lookup): several detectors ask about the same text."""
    return not text.isascii() and _CJK.search(text) is not None
