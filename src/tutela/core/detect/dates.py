"""Dates of birth. A date alone is an order date or a log timestamp; only a birth cue right
before it (in the seller's languages, or a key such as date_of_birth) makes it personal."""

from __future__ import annotations

import re
from collections.abc import Iterator

from tutela.core.detect.context import any_case
from tutela.core.detect.kinds import Detection, PiiType
from tutela.core.detect.validators import plausible_birth_date

_MONTH_WORD = r"[A-Za-zÀ-ÿ]{3,10}\.?"
_DATE = (
    r"(?P<date>\d{4}[-/.]\d{1,2}[-/.]\d{1,2}"
    r"|\d{1,2}[-/.]\d{1,2}[-/.](?:\d{4}|\d{2})"
    r"|\d{1,2}\.?\s(?:de\s)?" + _MONTH_WORD + r"\s(?:de\s)?\d{4}"
    r"|" + _MONTH_WORD + r"\s\d{1,2},?\s\d{4}"
    r"|\d{4}\s?年\s?\d{1,2}\s?月\s?\d{1,2}\s?日)"
)
_CUE = any_case(
    "dob",
    "d.o.b.",
    "date of birth",
    "dateOfBirth",
    "birth date",
    "birthdate",
    "birthday",
    "born",
    "born on",
    "geburtsdatum",
    "geburtstag",
    "geb.",
    "geboren",
    "geboren am",
    "date de naissance",
    "né le",
    "née le",
    "fecha de nacimiento",
    "nacido el",
    "nacida el",
    "data di nascita",
    "nato il",
    "nata il",
    "生年月日",
    "誕生日",
    "出生日期",
    "出生年月日",
    "生日",
)
# Up to a few separators (": ", "\": \"", " = ") or short filler between the cue and the date.
_DOB = re.compile(_CUE + r"[\s\"'=:：,;|>]{0,6}(?:(?:on|am|le|el|il)\s)?" + _DATE)
_NUMBERS = re.compile(r"\d+")


def _plausible(value: str) -> bool:
    numbers = [int(n) for n in _NUMBERS.findall(value)]
    if len(numbers) == 3:
        if numbers[0] > 31:  # year first
            return plausible_birth_date(numbers[0], numbers[1], numbers[2])
        year = numbers[2] + (1900 if numbers[2] < 100 else 0)
        return plausible_birth_date(year, numbers[1], numbers[0]) or plausible_birth_date(year, numbers[0], numbers[1])
    return True  # a month written as a word: the pattern already fixed its shape


def dates_of_birth(text: str) -> Iterator[Detection]:
    for match in _DOB.finditer(text):
        if _plausible(match.group("date")):
            yield Detection(match.start("date"), match.end("date"), PiiType.DATE_OF_BIRTH, "dob.context", 0.9)
