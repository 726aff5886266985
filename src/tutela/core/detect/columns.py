"""A table column judged as a whole. The values are the evidence: each sampled cell is run
through the detectors on its own. The header is a prior: it names what values alone cannot
prove (a surname missing from the gazetteer, a five-digit postal code) and it vetoes weak
value evidence in columns that are known not to be personal (sku, asin, price, quantity)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from tutela.core.detect.detectors import detect
from tutela.core.detect.headers import NOT_PERSONAL, SHAPES, header_type, normalised
from tutela.core.detect.kinds import ColumnVerdict, PiiType

_VALUE_SHARE = 0.5  # of the non-empty sampled values
_HEADER_SHARE = 0.6
_STRONG_SHARE = 0.8


def _value_evidence(values: Sequence[str]) -> tuple[Counter[PiiType], dict[PiiType, str]]:
    """How many values are, nearly whole, one type, and the detector that said so."""
    counts: Counter[PiiType] = Counter()
    detectors: dict[PiiType, str] = {}
    for value in values:
        found = detect(value)
        if not found:
            continue
        best = max(found, key=lambda d: d.end - d.start)
        if (best.end - best.start) * 2 >= len(value):
            counts[best.type] += 1
            detectors.setdefault(best.type, best.detector)
    return counts, detectors


def classify_column(header: str, values: Sequence[str]) -> ColumnVerdict | None:
    """The type a column holds, judged from its header and a sample of its values; None if
    it holds no personal data."""
    sample = [value.strip() for value in values if value and value.strip()]
    header_text = normalised(header)
    excluded = bool(NOT_PERSONAL.search(header_text))
    hinted = None if excluded else header_type(header_text)
    if not sample:
        return None
    counts, detectors = _value_evidence(sample)
    if counts:
        kind, hits = counts.most_common(1)[0]
        share = hits / len(sample)
        needed = _STRONG_SHARE if excluded else _VALUE_SHARE
        # A header naming the type lowers the bar: names and postal codes are often missed alone.
        if hinted is kind:
            needed = min(needed, 0.2)
        if share >= needed:
            confidence = round(min(0.99, 0.6 + 0.4 * share), 2)
            return ColumnVerdict(kind, detectors[kind], confidence, hits, len(sample))
    if hinted is None:
        return None
    shape = SHAPES.get(hinted)
    fitting = sum(1 for value in sample if shape is None or shape(value))
    if fitting / len(sample) < _HEADER_SHARE:
        return None
    return ColumnVerdict(hinted, "column.header", round(0.5 + 0.3 * fitting / len(sample), 2), fitting, len(sample))
