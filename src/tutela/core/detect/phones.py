"""Phone numbers in international and national formats for the seller's markets. A cheap
pattern proposes candidates; phonenumbers' rules decide (numbering.py applies them with
their patterns compiled once; the library itself, tens of microseconds a call, only for
rare spellings), once per distinct number thanks to a bounded cache."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

import phonenumbers

from tutela.core.detect import numbering
from tutela.core.detect.context import PHONE_CUE, cue_before
from tutela.core.detect.kinds import Detection, PiiType
from tutela.core.detect.runs import number_runs

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
# Where a candidate may start: a "+", "(" or digit that starts a token and is followed by at
# least six more characters a phone number is written with (seven digits is the shortest
# number judged). It is searched only inside the runs of number characters (runs.py), which
# are at least that long, so the many short numbers (quantities, prices, times) never reach
# it; the full candidate pattern is then matched only there.
_START = re.compile(r"[+(\d](?<![\w+./:-].)(?=[\d() .\-/]{6})")
_NOT_DIGIT = re.compile(r"\D")
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


# The same markets for a number with a trunk "0": the regions that dial one first, so that a
# national number is usually proven by the first parse. The order only saves time: a number
# is a phone if any region takes it.
_TRUNK_ZERO_FIRST = ("DE", "GB", "FR", "IT", "JP", "CN", "AT", "NL", "BE", "SE", "AU", "IN", "PL", "MX", "ES")
_TRUNK_ZERO_REGIONS: tuple[str, ...] = (*_TRUNK_ZERO_FIRST, *(r for r in REGIONS if r not in _TRUNK_ZERO_FIRST))
_MOBILE_CN_REGIONS: tuple[str, ...] = ("CN", *(region for region in REGIONS if region != "CN"))


def _parsed_valid(number: str, region: str) -> bool:
    """phonenumbers' own verdict on a national number for `region` (or a region sharing its
    country code), for the numbers numbering.py leaves to it."""
    try:
        parsed = phonenumbers.parse(number, region)
    except phonenumbers.NumberParseException:
        return False
    if phonenumbers.is_valid_number_for_region(parsed, region):
        return True
    shared = phonenumbers.COUNTRY_CODE_TO_REGION_CODE.get(parsed.country_code or 0, ())
    return len(shared) > 1 and bool(phonenumbers.is_valid_number(parsed))


@lru_cache(maxsize=65536)
def _international_valid(number: str) -> bool:
    return numbering.international_valid(_NOT_DIGIT.sub("", number))


@lru_cache(maxsize=65536)
def _national_region(number: str) -> str | None:
    regions: tuple[str, ...] = REGIONS
    if number[0] == "0":
        regions = _TRUNK_ZERO_REGIONS
    elif number[0] == "1" and len(number) in (11, 13):
        regions = _MOBILE_CN_REGIONS
    digits = _NOT_DIGIT.sub("", number)
    for region in regions:
        verdict = numbering.national_valid(digits, region)
        if verdict is None:
            verdict = _parsed_valid(number, region)
        if verdict:
            return region
    return None


def _uncued_shape_ok(text: str, start: int, value: str, digits: int) -> bool:
    """Whether a national number without a phone cue still looks like one."""
    # An unformatted run without a trunk zero is an id, a timestamp or an amount; seven or
    # eight digits are a local number at best and more often an SKU; twelve in fours is how
    # Yamato prints a tracking number.
    if (value.isdigit() and value[0] != "0") or digits < 9 or _TRACKING_4_4_4.fullmatch(value):
        return False
    # A ZIP+4, a 〒 code or a number right after a carrier's name is not a phone. Asked last:
    # the carriers' case-insensitive alternation is tried at every character of its window.
    return not (_ZIP_PLUS_4.fullmatch(value) or cue_before(text, start, _NOT_PHONE_CUE, 24))


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
    digits = sum(map(str.isdigit, value))
    if not 7 <= digits <= 15:
        return None
    if value[0] == "+" or value.startswith("00"):
        number = "+" + value[2:] if value[0] == "0" else value
        return 0.92 if _international_valid(number) else None
    return _judge_national(text, start, value, digits)


def phones(text: str) -> Iterator[Detection]:
    end = 0
    for run_start, run_end in number_runs(text):
        # The start's lookahead reads only run characters, so the run's end may bound it.
        for start_match in _START.finditer(text, max(run_start, end), run_end):
            if start_match.start() < end:
                continue  # inside the previous candidate
            match = _CANDIDATE.match(text, start_match.start())
            if match is None:
                continue
            start, end, value = match.start(), match.end(), match.group()
            number = _EXTENSION.sub("", value) if "x" in value or "#" in value else value
            confidence = _judge(text, start, number)
            if confidence is not None:
                yield Detection(start, end, PiiType.PHONE, "phone.phonenumbers", confidence)
