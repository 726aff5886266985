"""Postal codes. A five- or six-digit number is a quantity or an id until its neighbours say
otherwise, so those need context: a US state before a ZIP, a city after a European code, a
cue word, 〒 before a Japanese code. UK and Canadian codes are distinctive alone."""

from __future__ import annotations

import re
from collections.abc import Iterator

from tutela.core.detect.context import any_case, has_cjk, one_of
from tutela.core.detect.kinds import Detection, PiiType

_US_STATE_CODES = (
    "AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY NC ND "
    "OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY PR GU VI AS MP AA AE AP"
)
_US_STATES = _US_STATE_CODES.split()
_CUE = any_case(
    "zip",
    "zip code",
    "zipcode",
    "postal code",
    "postalCode",
    "post code",
    "postcode",
    "plz",
    "cp",
    "c.p.",
    "cap",
    "code postal",
    "código postal",
    "codigo postal",
    "codice postale",
    "郵便番号",
    "邮编",
    "邮政编码",
)
_CITY = r"[A-ZÀ-Þ][A-Za-zÀ-ÿ'’-]+"
_LINE_END = r"(?=\s*(?:$|[\n\t;|\"']))"
# What `re` takes for white space in a text, the space aside (for a class; checked in the tests).
OTHER_SPACE = r"\t\n\x0b\x0c\r\x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"

# Every pattern opens with a character class few positions pass (a capital, a delimiter, 〒,
# 号) so that `re` skips ahead in C; a leading lookbehind would make it try every character.
# A word boundary before a match that opens on a letter is checked afterwards (_WORD_START).
# A UK or Canadian code's capital is followed by a capital or a digit, which most capitals
# in prose are not: that range test comes before the lookbehind's Unicode word test.
_PATTERNS: tuple[tuple[str, str, float], ...] = (
    # "Springfield, IL 62704" / "IL 62704-1234"
    (one_of(*_US_STATES) + r",?\s(?P<code>\d{5}(?:-\d{4})?)(?![\w-])", "postal.us_state", 0.9),
    # SW1A 1AA, E70 6ZA; the inward part's letters exclude C, I, K, M, O, V.
    (
        r"(?P<code>[A-PR-UWYZ](?=[A-Z\d])(?<![\w-].)(?:[A-HK-Y]?\d[A-Z\d]?|(?<=G)IR) ?\d[ABD-HJLNP-UW-Z]{2})(?![\w-])",
        "postal.uk",
        0.8,
    ),
    (
        r"(?P<code>[ABCEGHJ-NPRSTVXY]\d(?<![\w-]..)[ABCEGHJ-NPRSTV-Z] ?\d[ABCEGHJ-NPRSTV-Z]\d)(?![\w-])",
        "postal.ca",
        0.8,
    ),
    # A cue word: "PLZ 10115", "zip: 94105", "邮编：100020"
    (_CUE + r"[\s:：#.=\"']{0,4}(?P<code>\d{3}-\d{4}|\d{4,6}(?:-\d{4})?)(?![\w-])", "postal.context", 0.9),
    (r"〒\s?(?P<code>\d{3}-?\d{4})(?!\d)", "postal.jp", 0.95),
    # A European code before its city at the start of an address line or after a comma:
    # "10115 Berlin", "75001 Paris", "00184 Roma (RM)", "98035, Giardini Naxos".
    (r"[\n\t,;|\"'][ \t]{0,8}(?P<code>\d{5})(?=,?\s" + _CITY + r")", "postal.city", 0.75),
    # The city first: "Valladolid, 29697", "Madrid 28013" at the end of a line or field. A
    # space opens one pattern, a literal `re` finds in C; a comma or other white space the
    # other, a class without the space most characters of a text are.
    (r" (?<=[a-zà-ÿ] )(?P<code>\d{5})" + _LINE_END, "postal.city", 0.7),
    (
        "[," + OTHER_SPACE + r"](?:(?<=[a-zà-ÿ],)\s|(?<=[a-zà-ÿ]\s))(?P<code>\d{5})" + _LINE_END,
        "postal.city",
        0.7,
    ),
)
# Only in texts with Chinese or Japanese characters.
_CJK_PATTERNS: tuple[tuple[str, str, float], ...] = (
    (r"(?P<code>\d(?<![\w-]\d)\d\d-\d{4})\s?(?=[\u4e00-\u9fff]{1,3}[都道府県])", "postal.jp", 0.85),
    # A Chinese address ends with its six-digit code: "…路88号 100020".
    (r"[号座室楼]\s{0,2}(?P<code>\d{6})(?!\d)", "postal.cn", 0.85),
)
# The patterns whose match opens on a letter that must start a word.
_WORD_START = frozenset({"postal.us_state"})


def _compiled(patterns: tuple[tuple[str, str, float], ...]) -> tuple[tuple[re.Pattern[str], str, float], ...]:
    return tuple((re.compile(pattern, re.MULTILINE), detector, score) for pattern, detector, score in patterns)


_POSTALS = _compiled(_PATTERNS)
# The first pattern opening on a delimiter also holds at the start of the text.
_CITY_AT_START = re.compile(r"[ \t]{0,8}(?P<code>\d{5})(?=,?\s" + _CITY + r")")
_CJK_POSTALS = _compiled(_CJK_PATTERNS)


def postal_codes(text: str) -> Iterator[Detection]:
    head = _CITY_AT_START.match(text)
    if head is not None:
        yield Detection(head.start("code"), head.end("code"), PiiType.POSTAL_CODE, "postal.city", 0.75)
    for pattern, detector, confidence in _POSTALS + _CJK_POSTALS if has_cjk(text) else _POSTALS:
        word_start = detector in _WORD_START
        for match in pattern.finditer(text):
            start = match.start()
            if word_start and start and (text[start - 1].isalnum() or text[start - 1] == "_"):
                continue
            yield Detection(match.start("code"), match.end("code"), PiiType.POSTAL_CODE, detector, confidence)
