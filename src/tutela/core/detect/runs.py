"""Where numbers are written: the runs of digits and the characters numbers are written with
(spaces, dots, dashes, slashes, parentheses, "+"), found once per text and shared by every
number detector.

A third of a seller's text is digits. A pattern that opens on a digit is tried at every one
of them, so each number detector scanning the text itself cost as much as the rest of its
work; scanning once for runs of seven or more such characters (the shortest value any number
detector reports) and searching each detector's own pattern only inside those runs gives the
same matches, since every such pattern consumes only run characters (a Chinese id's final X
excepted, which the window's two extra characters cover)."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

# A short run fails at each of its characters without a match object being made; a long run
# is consumed whole, so a phone number's digits are not tried again one by one.
_RUN = re.compile(r"[\d+(][\d .\-/()+]{6,}")

# Characters past a run a detector's pattern still reads: an X check character, then its
# lookahead.
TAIL = 2


@lru_cache(maxsize=4)
def number_runs(text: str) -> tuple[tuple[int, int], ...]:
    """(start, end) of every run of at least seven number characters that opens on a digit,
    "+" or "(", in order. A value a number detector reports starts inside one of them. Cached
    per text (a string caches its own hash): every number detector asks about the same text."""
    return tuple(match.span() for match in _RUN.finditer(text))


def windows(text: str, shortest: int) -> list[tuple[int, int]]:
    """(start, endpos) to search a pattern within, for each run of at least `shortest`
    characters: the run and the TAIL after it."""
    return [(start, end + TAIL) for start, end in number_runs(text) if end - start >= shortest]


# A run that is an Amazon order id and nothing else (spaces after it aside).
_ORDER_SHAPE = re.compile(r"\d{3}-\d{7}-\d{7}")


class Shaped(NamedTuple):
    """For each digit-led pattern, the windows (as `windows` gives them) of the runs whose
    shape it can match in."""

    order: list[tuple[int, int]]
    card: list[tuple[int, int]]
    ssn_dashed: list[tuple[int, int]]
    ssn_plain: list[tuple[int, int]]
    cn_id: list[tuple[int, int]]
    cn_mobile: list[tuple[int, int]]
    ipv4: list[tuple[int, int]]


@lru_cache(maxsize=4)
def shaped(text: str) -> Shaped:
    """Each run looked at once, its shape sending it to the patterns that can match in it.

    Every pattern here starts a match only at a token start and its lookarounds forbid a
    digit on either side, so in a run of digits alone (spaces after them aside; the character
    before a run is never a digit) a match is the whole run: a card has 13 to 19 digits, an
    SSN without dashes 9, a Chinese id 17 and its X or 18, a Chinese mobile 11 or 15 with
    0086. A run that is exactly an order id (ddd-ddddddd-ddddddd) holds no other value. Any
    other run goes to each pattern it is long enough for (SSNs and IPv4 addresses also need
    their dash or dot)."""
    shapes = Shaped([], [], [], [], [], [], [])
    for start, end in number_runs(text):
        window = (start, end + TAIL)
        core = text[start:end].rstrip(" ")
        if core.isdigit():
            _digits_only(shapes, window, len(core))
        elif len(core) == 19 and _ORDER_SHAPE.fullmatch(core):
            shapes.order.append(window)
        else:
            _other(shapes, window, core, end - start)
    return shapes


def _digits_only(shapes: Shaped, window: tuple[int, int], length: int) -> None:
    if 13 <= length <= 19:
        shapes.card.append(window)
    if length == 9:
        shapes.ssn_plain.append(window)
    elif length in {11, 15}:
        shapes.cn_mobile.append(window)
    elif length in {17, 18}:
        shapes.cn_id.append(window)


def _other(shapes: Shaped, window: tuple[int, int], core: str, span: int) -> None:
    dashes = core.count("-")
    if span >= 19 and dashes:
        shapes.order.append(window)
    if span >= 12:
        shapes.card.append(window)
    if span >= 11 and dashes:
        shapes.ssn_dashed.append(window)
    if span - dashes >= 9:
        shapes.ssn_plain.append(window)
    if span >= 17:
        shapes.cn_id.append(window)
    if span >= 11:
        shapes.cn_mobile.append(window)
    if "." in core:
        shapes.ipv4.append(window)
