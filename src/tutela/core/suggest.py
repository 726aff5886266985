"""'Did you mean …?' for every error that names an unknown key."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def did_you_mean(word: str, choices: Iterable[str], what: str) -> str:
    options = sorted(choices)
    close = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    if close:
        return f"did you mean '{close[0]}'?"
    if len(options) <= 12:
        return f"known {what}s: " + ", ".join(options)
    return f"see `tutela policy show` for the known {what}s"
