"""Searching a pattern only around its anchors: characters every match contains.

`re` skips quickly only to the start of a pattern that opens on a literal or a character
class; a pattern whose start is spread over many characters (a run of Chinese characters
before 丁目 or 様) is tried at every one of them. When every match is at most `width`
characters long and contains one of the anchors, a rare character found by a cheap scan,
searching from `width` characters before each anchor to `width` after it finds exactly the
matches `finditer` finds, for a cost proportional to the anchors."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

# Past a window's last possible match end, for the pattern's lookaheads and `$` (which holds
# at an `endpos`): truncating the text that far away changes no match that ends before it.
_MARGIN = 16


def finditer(pattern: re.Pattern[str], text: str, anchors: Iterable[int], longest: int) -> Iterator[re.Match[str]]:
    """The matches of `pattern.finditer(text)`, given the ascending positions of `anchors`
    such that every match of at most `longest` characters contains one of them."""
    pos = 0  # no match of finditer's starts before this
    for at in anchors:
        if at < pos:
            continue  # inside the previous match, or already searched
        match = pattern.search(text, max(pos, at - longest), at + longest + _MARGIN)
        # A match starting after the anchor may have been cut by the window: a later anchor
        # finds it again in a window of its own.
        if match is not None and match.start() <= at:
            yield match
            pos = match.end()
        else:
            pos = at + 1  # no match starts at or before the anchor
