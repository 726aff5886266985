"""Checksums and validity rules that turn a pattern match into a confirmed value. Each takes
the candidate's characters (separators already removed) and answers yes or no; none of them
looks at the surrounding text."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from datetime import date

# ISO 13616 lengths by country (the SWIFT IBAN registry); a country missing here has no IBAN.
IBAN_LENGTHS: dict[str, int] = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22,
    "BI": 27, "BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DJ": 27,
    "DK": 18, "DO": 28, "EE": 20, "EG": 29, "ES": 24, "FI": 18, "FK": 18, "FO": 18, "FR": 27,
    "GB": 22, "GE": 22, "GI": 23, "GL": 18, "GR": 27, "GT": 28, "HR": 21, "HU": 28, "IE": 22,
    "IL": 23, "IQ": 23, "IS": 26, "IT": 27, "JO": 30, "KW": 30, "KZ": 20, "LB": 28, "LC": 32,
    "LI": 21, "LT": 20, "LU": 20, "LV": 21, "LY": 25, "MC": 27, "MD": 24, "ME": 22, "MK": 19,
    "MN": 20, "MR": 27, "MT": 31, "MU": 30, "NI": 28, "NL": 18, "NO": 15, "OM": 23, "PK": 24,
    "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "RU": 33, "SA": 24, "SC": 31,
    "SD": 18, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "SO": 23, "ST": 25, "SV": 28, "TL": 23,
    "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20,
}  # fmt: skip

# The first two digits of a resident identity number: the province-level region (GB/T 2260).
CN_REGIONS = frozenset(
    {11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46}
    | {50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82, 83, 91}
)
_CN_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CN_CHECK = "10X98765432"


def luhn_valid(digits: str) -> bool:
    """The Luhn (mod 10) check that every payment card number carries in its last digit."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = ord(char) - 48
        if position % 2:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def _in(prefix: str, low: int, high: int) -> bool:
    return low <= int(prefix) <= high


# (scheme, allowed lengths, does the number's start fall in the scheme's IIN ranges)
_CARD_SCHEMES: tuple[tuple[str, range, Callable[[str], bool]], ...] = (
    ("visa", range(13, 20, 3), lambda d: d[0] == "4"),
    ("mastercard", range(16, 17), lambda d: _in(d[:2], 51, 55) or _in(d[:4], 2221, 2720)),
    ("amex", range(15, 16), lambda d: d[:2] in ("34", "37")),
    (
        "discover",
        range(16, 20),
        lambda d: d[:4] == "6011" or d[:2] == "65" or _in(d[:3], 644, 649) or _in(d[:6], 622126, 622925),
    ),
    # JCB's assigned range is 3528–3589; issuers' test and co-branded numbers use all of 35xx.
    ("jcb", range(16, 20), lambda d: d[:2] == "35"),
    ("unionpay", range(16, 20), lambda d: d[:2] == "62"),
    ("diners", range(14, 20), lambda d: _in(d[:3], 300, 305) or d[:2] in ("36", "38", "39") or d[:4] == "3095"),
    (
        "maestro",
        range(12, 20),
        lambda d: d[:2] in ("50", "56", "57", "58", "63", "67") or d[:4] in ("6759", "6761", "6762", "6763"),
    ),
)


def card_brand(digits: str) -> str | None:
    """The scheme whose IIN range and length the number fits, or None: a Luhn-valid number
    outside every range is much more likely an id than a card."""
    for scheme, lengths, starts in _CARD_SCHEMES:
        if len(digits) in lengths and starts(digits):
            return scheme
    return None


def card_valid(digits: str) -> bool:
    return 13 <= len(digits) <= 19 and card_brand(digits) is not None and luhn_valid(digits)


def iban_valid(compact: str) -> bool:
    """Country length and the ISO 7064 mod 97-10 check (the number rearranged reads 1 mod 97)."""
    if IBAN_LENGTHS.get(compact[:2]) != len(compact) or not compact[2:4].isdigit():
        return False
    rearranged = compact[4:] + compact[:4]
    number = "".join(str(int(char, 36)) for char in rearranged)
    return int(number) % 97 == 1


def ssn_valid(digits: str) -> bool:
    """SSA rules: area not 000, 666 or 900–999; group not 00; serial not 0000."""
    if len(digits) != 9 or not digits.isdigit():
        return False
    area, group, serial = digits[:3], digits[3:5], digits[5:]
    return area not in ("000", "666") and area[0] != "9" and group != "00" and serial != "0000"


def _valid_date(year: int, month: int, day: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def cn_resident_id_valid(value: str) -> bool:
    """GB 11643: a known province, a real birth date, and the ISO 7064 mod 11-2 check char."""
    if len(value) != 18 or not value[:17].isdigit():
        return False
    if int(value[:2]) not in CN_REGIONS:
        return False
    year, month, day = int(value[6:10]), int(value[10:12]), int(value[12:14])
    if not 1900 <= year <= 2099 or not _valid_date(year, month, day):
        return False
    total = sum(int(char) * weight for char, weight in zip(value[:17], _CN_WEIGHTS, strict=True))
    return _CN_CHECK[total % 11] == value[17].upper()


def ip_valid(value: str) -> bool:
    """A parseable address that can point at a person: not unspecified, loopback or multicast."""
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return False
    return not (address.is_unspecified or address.is_loopback or address.is_multicast)


def plausible_birth_date(year: int, month: int, day: int) -> bool:
    return 1900 <= year <= 2030 and _valid_date(year, month, day)
