"""Structured numbers with a format or a checksum: Amazon order ids, payment cards, IBANs, US
social security numbers, Chinese resident identity and mobile numbers.

The digit-led patterns are searched only inside the runs of number characters (runs.py),
found once per text; each needs a run at least as long as its shortest match. The IBAN
pattern opens on a capital with the lookbehind right after it, so that `re` skips ahead in C
instead of trying the lookbehind at every position. Every pattern is anchored so that it
cannot start or end inside a longer token (the lookarounds), which is what keeps a 14-digit
order-item id, a 22-digit tracking number, a UUID or an SKU from yielding a card or a phone
from its middle; it also makes each pattern try a long digit run once, not once per digit."""

from __future__ import annotations

import re
from collections.abc import Iterator

from tutela.core.detect.context import CARD_CUE, SSN_CUE, cue_before
from tutela.core.detect.kinds import Detection, PiiType
from tutela.core.detect.runs import shaped
from tutela.core.detect.validators import IBAN_LENGTHS, card_valid, cn_resident_id_valid, iban_valid, ssn_valid

_ORDER_ID = re.compile(r"\d(?<![\w-]\d)\d\d-\d{7}-\d{7}(?![\w-])")

# A card as one run of 13–19 digits or as groups of 3–6 separated by one space or dash (4-4-4-4,
# 4-6-5 Amex, 4-6-4 Diners, 4-4-4-4-3); a trailing group too many (an expiry year) is dropped.
_CARD = re.compile(r"\d(?<![\w-]\d)(?:\d{12,18}|\d{3}([ -])\d{4,6}(?:\1\d{3,5}){1,4})(?![\w]|-\d)")

_IBAN = re.compile(r"([A-Z](?<![A-Za-z0-9].)[A-Z])\d{2}(?: ?[A-Z0-9]){10,32}")

_SSN_DASHED = re.compile(r"\d(?<![\w-]\d)\d\d-\d{2}-\d{4}(?![\w]|-\d)")
_SSN_PLAIN = re.compile(r"\d(?<![\w-]\d)\d\d ?\d{2} ?\d{4}(?![\w-])")

_CN_ID = re.compile(r"\d(?<![\w-]\d)\d{16}[\dXx](?![\w-])")

# Mainland mobile prefixes (13x–19x as allocated); 11 digits, optionally +86/0086, in 3-4-4.
_CN_MOBILE = re.compile(
    r"[+01](?<![\w+-].)(?:(?<=\+)86[ -]?1|(?<=0)086[ -]?1|(?<=1))"
    r"(?:3\d|4[5-9]|5[0-35-9]|6[2567]|7[0-8]|8\d|9[0-35-9])(?:[ -]?\d{4}){2}(?![\w]|-\d)"
)


def order_ids(text: str) -> Iterator[Detection]:
    for start, endpos in shaped(text).order:
        for match in _ORDER_ID.finditer(text, start, endpos):
            yield Detection(match.start(), match.end(), PiiType.AMAZON_ORDER_ID, "amazon_order.pattern", 0.95)


def cards(text: str) -> Iterator[Detection]:
    for run_start, endpos in shaped(text).card:
        for match in _CARD.finditer(text, run_start, endpos):
            yield from _card(text, match.start(), match.group())


def _card(text: str, start: int, value: str) -> Iterator[Detection]:
    # A bare run of 13 or 14 digits is an EAN or an order-item id far more often than an old
    # Visa or a Diners card; only a cue ("card", "Karte", "carta") makes it one.
    if value.isdigit() and len(value) < 15 and not cue_before(text, start, CARD_CUE):
        return
    # Drop trailing groups until the digits are a card, e.g. "4111 1111 1111 1111 2026".
    while value:
        if card_valid(value.replace(" ", "").replace("-", "")):
            yield Detection(start, start + len(value), PiiType.PAYMENT_CARD, "card.luhn", 0.97)
            return
        cut = max(value.rfind(" "), value.rfind("-"))
        value = value[:cut] if cut > 0 else ""


def ibans(text: str) -> Iterator[Detection]:
    for match in _IBAN.finditer(text):
        length = IBAN_LENGTHS.get(match.group(1))
        if length is None:
            continue
        # The greedy match may run into the next word; cut it at the country's length.
        value, start = match.group(), match.start()
        compact_count, end = 0, start
        for offset, char in enumerate(value):
            if char != " ":
                compact_count += 1
                if compact_count == length:
                    end = start + offset + 1
                    break
        if compact_count != length or (end < len(text) and text[end].isalnum()):
            continue
        if iban_valid(text[start:end].replace(" ", "")):
            yield Detection(start, end, PiiType.IBAN, "iban.mod97", 0.98)


def ssns(text: str) -> Iterator[Detection]:
    shapes = shaped(text)
    # A dashed number's dashes are inside its run: most runs (plain ids, amounts) have none.
    for start, endpos in shapes.ssn_dashed:
        for match in _SSN_DASHED.finditer(text, start, endpos):
            if ssn_valid(match.group().replace("-", "")):
                sure = cue_before(text, match.start(), SSN_CUE)
                yield Detection(match.start(), match.end(), PiiType.US_SSN, "ssn.rules", 0.95 if sure else 0.8)
    # Without dashes nine digits are anything (a zip+4, an id); only a cue makes them an SSN.
    # Nine digits and spaces, no dash: a run of fewer other characters (a date's 2024-03-15)
    # holds none.
    for start, endpos in shapes.ssn_plain:
        for match in _SSN_PLAIN.finditer(text, start, endpos):
            if ssn_valid(match.group().replace(" ", "")) and cue_before(text, match.start(), SSN_CUE):
                yield Detection(match.start(), match.end(), PiiType.US_SSN, "ssn.context", 0.85)


def cn_resident_ids(text: str) -> Iterator[Detection]:
    for start, endpos in shaped(text).cn_id:
        for match in _CN_ID.finditer(text, start, endpos):
            if cn_resident_id_valid(match.group()):
                yield Detection(match.start(), match.end(), PiiType.CN_RESIDENT_ID, "cn_id.mod11", 0.98)


def cn_mobiles(text: str) -> Iterator[Detection]:
    for start, endpos in shaped(text).cn_mobile:
        for match in _CN_MOBILE.finditer(text, start, endpos):
            yield Detection(match.start(), match.end(), PiiType.CN_MOBILE, "cn_mobile.pattern", 0.9)
