"""PLACEHOLDER — the detectors helper replaces this module. The signatures are the contract."""

from __future__ import annotations

import re
from collections.abc import Sequence

from tutela.core.detect.kinds import ColumnVerdict, Detection, PiiType

# The longest value any detector reports; a source that cuts a stream into chunks overlaps
# them by this much so that no value is lost on a cut.
MAX_SPAN = 256

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}")


def detect(text: str) -> list[Detection]:
    """Every personal-data value in `text`, sorted by start, not overlapping each other."""
    return [Detection(m.start(), m.end(), PiiType.EMAIL, "email.pattern", 0.9) for m in _EMAIL.finditer(text)]


def classify_column(header: str, values: Sequence[str]) -> ColumnVerdict | None:
    """The type a column holds, judged from its header and a sample of its values; None if
    it holds no personal data."""
    hits = sum(1 for value in values if _EMAIL.fullmatch(value.strip()))
    if values and hits / len(values) >= 0.5:
        return ColumnVerdict(PiiType.EMAIL, "email.pattern", 0.9, hits, len(values))
    return None


def preview(kind: PiiType, value: str) -> str:
    """A masked preview of a found value: enough to recognise, never the value."""
    if len(value) <= 4:
        return "•" * len(value)
    return value[:2] + "•" * (len(value) - 4) + value[-2:]
