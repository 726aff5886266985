"""The scanner's entry points: `detect` over a text, `classify_column` over a table column and
`preview` of a found value. Each detector lives in its own module (detectors.py lists them)."""

from __future__ import annotations

from tutela.core.detect.columns import classify_column
from tutela.core.detect.detectors import DETECTORS, MAX_SPAN, detect
from tutela.core.detect.preview import preview

__all__ = ["DETECTORS", "MAX_SPAN", "classify_column", "detect", "preview"]
