"""Phone numbers in international and national formats for the seller's markets. A cheap
pattern proposes candidates; the phonenumbers library (slow: tens of microseconds a call)
decides, once per distinct number thanks to a bounded cache."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

import phonenumbers

from tutela.core.detect.context import PHONE_CUE, cue_before
from tutela.core.detect.kinds import Detection, PiiType

# Markets first; a national number is tried against these regions in this order.
REGIONS = ("US", "GB", "DE", "FR", "ES", "IT", "JP", "CN", "MX", "CA", "NL", "PL", "SE", "BE", "AT", "AU", "IN")

_CANDIDATE = re.compile(
    r"(?<![\w+./:-])"
    r"(?:(?:\+|\b00)\d{1,3}[ .-]?(?:\(0\)[ .-]?)?)?"  # country code, with the British "(0)"
    r"(?:\(\d{1,5}\)[ .-]?)?"  # an area code in parentheses
    r"\d{1,12}(?:(?:[ .\-/]|\. )\d{1,10}){0,5}"
    r"(?:\s?(?:x|ext\.?|#)\s?\d{1,5})?"
    r"(?![\w]|[.,/:-]\d)"
)
_EXTENSION = re.compile(r"\s?(?:x|ext\.?|#)\s?\d{1,5}$")
_DATE_OR_TIME = re.compile(
    r"\d{4}[-/. ]\d{1,2}[-/. ]\d{1,2}|\d{1,2}[-/. ]\d{1,2}[-/. ]\d{2,4}|\d{1,3}(?:\.\d{1,3}){3}|\d{1,2}[.:]\d{2}"
)
_TRACKING_4_4_4 = re.compile(r"\d{4}([ -])\d{4}\1\d{4}")
_ZIP_PLUS_4 = re.compile(r"\d{5}-\d{4}")
_NOT_PHONE_CUE = re.compile(
    r"〒|(?i:tracking|track|suivi|seguimiento|sendungsnummer|spedizione|dhl|ups|usps|dpd|fedex|royal mail|yamato)"
    r"|运单|追跡"
)
_NANP_SHAPE = re.compile(r"(?:\+?1[ .-]?)?(?:\(\d{3}\) ?|\d{3}[ .-])\d{3}[ .-]\d{4}")


@lru_cache(maxsize=65536)
def _international_valid(number: str) -> bool:
    try:
        parsed = phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException:
        return False
    return bool(phonenumbers.is_valid_number(parsed))


@lru_cache(maxsize=65536)
def _national_region(number: str) -> str | None:
    for region in REGIONS:
        try:
            parsed = phonenumbers.parse(number, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(parsed):
            return region
    return None


def _uncued_shape_ok(text: str, start: int, value: str, digits: int) -> bool:
    """Whether a national number without a phone cue still looks like one."""
    # A ZIP+4, a 〒 code or a number right after a carrier's name is not a phone.
    if _ZIP_PLUS_4.fullmatch(value) or cue_before(text, start, _NOT_PHONE_CUE, 24):
        return False
    # An unformatted run without a trunk zero is an id, a timestamp or an amount; seven or
    # eight digits are a local number at best and more often an SKU; twelve in fours is how
    # Yamato prints a tracking number.
    if value.isdigit() and value[0] != "0":
        return False
    return digits >= 9 and not _TRACKING_4_4_4.fullmatch(value)


def _judge_national(text: str, start: int, value: str, digits: int) -> float | None:
    if _DATE_OR_TIME.fullmatch(value):
        return None
    cue = cue_before(text, start, PHONE_CUE, 30)
    if not (cue or _uncued_shape_ok(text, start, value, digits)) or _national_region(value) is None:
        return None
    if cue:
        return 0.88
    return 0.8 if _NANP_SHAPE.fullmatch(value) or value[0] in "0(" else 0.7


def _judge(text: str, start: int, value: str) -> float | None:
    """The confidence that `value` (found at `start`) is a phone number, or None."""
    digits = sum(char.isdigit() for char in value)
    if not 7 <= digits <= 15:
        return None
    if value[0] == "+" or value.startswith("00"):
        number = "+" + value[2:] if value[0] == "0" else value
        return 0.92 if _international_valid(number) else None
    return _judge_national(text, start, value, digits)


def phones(text: str) -> Iterator[Detection]:
    for match in _CANDIDATE.finditer(text):
        start, value = match.start(), match.group()
        confidence = _judge(text, start, _EXTENSION.sub("", value))
        if confidence is not None:
            yield Detection(start, match.end(), PiiType.PHONE, "phone.phonenumbers", confidence)
