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
