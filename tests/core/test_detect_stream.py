"""Streamed detection: whatever the piece sizes and window, the segments are exactly the text
and hold exactly the values one whole-text pass finds, each inside one segment."""

from __future__ import annotations

import random

import pytest

from tutela.core.detect.engine import MAX_SPAN, detect
from tutela.core.detect.stream import segments


def _text(seed: int) -> str:
    rng = random.Random(seed)
    parts = []
    for i in range(3000):
        parts.append(rng.choice(["plain words ", f"mail jo.bloggs{i}@example.com ", "x" * rng.randint(0, 90), "\n"]))
    return "".join(parts)


@pytest.mark.parametrize("window", [2 * MAX_SPAN + 1, 1000, 1 << 14])
@pytest.mark.parametrize("piece", [1, 97, 10_000, None])
def test_segments_partition_the_text_and_find_what_one_pass_finds(window: int, piece: int | None) -> None:
    text = _text(window)
    size = piece or len(text)
    found = list(segments([text[i : i + size] for i in range(0, len(text), size)], window=window))
    assert "".join(s.text for s in found) == text
    assert [s.start for s in found] == [sum(len(s.text) for s in found[:i]) for i in range(len(found))]
    whole = [(d.start, d.end, d.type) for d in detect(text)]
    streamed = [(s.start + d.start, s.start + d.end, d.type) for s in found for d in s.detections]
    assert streamed == whole and len(whole) > 500
    assert all(0 <= d.start < d.end <= len(s.text) for s in found for d in s.detections)


def test_an_empty_text_is_one_empty_segment_and_a_tiny_window_is_refused() -> None:
    assert [(s.start, s.text, s.detections) for s in segments([])] == [(0, "", [])]
    with pytest.raises(ValueError, match="window must be longer"):
        list(segments(["x"], window=MAX_SPAN))
