"""The number detectors search their patterns only inside runs of number characters; that must
find exactly what scanning the whole text finds."""

from __future__ import annotations

import re
import sys

import pytest

from tutela.core.detect import network, numbers, postcodes
from tutela.core.detect.kinds import PiiType
from tutela.core.detect.network import ip_addresses
from tutela.core.detect.runs import number_runs, shaped, windows

_TEXT = (
    "order 113-1234567-1234567, card 4111 1111 1111 1111 2026 / 4111-1111-1111-1111-99, "
    "id 11010519491231002X; 11010519491231002x-1 ssn 123-45-6789 or 123 45 6789 (+86 138-1234-5678) "
    "008613812345678 1-2-3-4-5-6-7-8 v1.2.3.4 10.0.0.1. 192.168.1.1x 5.6.7.8\t12 34 56 78 90 12 34 "
    "2026-01-05 12:30:45 +1 (206) 555-0142 0049 30 1234567 1234567890123456789012345 ++++++++ 7"
)
_SHORTEST = (
    (numbers._ORDER_ID, 19),
    (numbers._CARD, 12),
    (numbers._SSN_DASHED, 11),
    (numbers._SSN_PLAIN, 9),
    (numbers._CN_ID, 17),
    (numbers._CN_MOBILE, 11),
    (network._IPV4, 7),
)


@pytest.mark.parametrize(("pattern", "shortest"), _SHORTEST)
@pytest.mark.parametrize("text", [_TEXT, _TEXT.replace(" ", "\n"), "7" * 40, "1-2 " * 50, ""])
def test_searching_inside_runs_finds_what_the_whole_text_gives(
    pattern: re.Pattern[str], shortest: int, text: str
) -> None:
    whole = [match.span() for match in pattern.finditer(text)]
    runs = windows(text, shortest)
    inside = [match.span() for start, endpos in runs for match in pattern.finditer(text, start, endpos)]
    assert inside == whole


_SHAPED = (
    (numbers._ORDER_ID, "order"),
    (numbers._CARD, "card"),
    (numbers._SSN_DASHED, "ssn_dashed"),
    (numbers._SSN_PLAIN, "ssn_plain"),
    (numbers._CN_ID, "cn_id"),
    (numbers._CN_MOBILE, "cn_mobile"),
    (network._IPV4, "ipv4"),
)
_SHAPED_TEXTS = [
    _TEXT,
    _TEXT.replace(" ", "\n"),
    "7" * 40,
    "1-2 " * 50,
    "",
    " ".join("4111111111111111"[:n] + "X" * (n % 2) for n in range(7, 17)),
    "113-1234567-1234567 13812345678 0086138123456789 123456789 11010519491231002X 110105194912310028",
    "113-1234567-1234567  x 4111111111111111  \n1381234567890 008613812345678 12345678901234567",
]


@pytest.mark.parametrize(("pattern", "field"), _SHAPED)
@pytest.mark.parametrize("text", _SHAPED_TEXTS)
def test_a_run_sent_only_to_the_patterns_its_shape_allows_finds_what_the_whole_text_gives(
    pattern: re.Pattern[str], field: str, text: str
) -> None:
    whole = [match.span() for match in pattern.finditer(text)]
    runs = getattr(shaped(text), field)
    inside = [match.span() for start, endpos in runs for match in pattern.finditer(text, start, endpos)]
    assert inside == whole


def test_runs_are_maximal_and_at_least_seven_characters() -> None:
    # Separators count, a trailing space too; a line break ends a run.
    runs = number_runs("a 123456 b 12345 c (030) 12-34 +1 206\nx 12 34")
    assert list(runs) == [(2, 9), (19, 37)]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("addr=::ffff:c000:280 ok", "::ffff:c000:280"),
        ("at 12:30:45 from abcd:ef01::2", "abcd:ef01::2"),
        ("fe80::1ff:fe23:4567:890a", "fe80::1ff:fe23:4567:890a"),
    ],
)
def test_an_ipv6_address_is_read_back_from_its_first_colon(text: str, value: str) -> None:
    found = [text[d.start : d.end] for d in ip_addresses(text) if d.type is PiiType.IP_ADDRESS]
    assert found == [value]


def test_a_time_or_a_longer_hex_word_is_not_an_ipv6_address() -> None:
    assert list(ip_addresses("at 12:30:45, deadbeef1:2:3")) == []


def test_other_space_is_what_re_takes_for_white_space_but_the_space() -> None:
    other = re.compile("[" + postcodes.OTHER_SPACE + "]")
    for char in map(chr, range(sys.maxunicode + 1)):
        assert bool(other.match(char)) == (char != " " and re.match(r"\s", char) is not None), hex(ord(char))
