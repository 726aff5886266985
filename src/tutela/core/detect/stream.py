"""Detection over a text of any length in constant memory: the text arrives in pieces, is
scanned in windows that overlap by MAX_SPAN characters, and leaves as consecutive segments
that together are exactly the text, each with the values found wholly inside it. A scan
counts lines over the segments; a redaction rewrites them."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from tutela.core.detect.engine import MAX_SPAN, detect
from tutela.core.detect.kinds import Detection

DEFAULT_WINDOW = 1 << 20


@dataclass(frozen=True, slots=True)
class Segment:
    """`text` starts at character `start` of the whole text; detections are relative to `text`."""

    start: int
    text: str
    detections: list[Detection]


def segments(pieces: Iterable[str], *, window: int = DEFAULT_WINDOW) -> Iterator[Segment]:
    if window <= 2 * MAX_SPAN:
        raise ValueError(f"window must be longer than {2 * MAX_SPAN} characters")
    buffer = ""  # text from buffer_start on: MAX_SPAN of context before `emitted`, then the rest
    buffer_start = 0
    emitted = 0  # everything before this offset has left in a segment

    def cut(final: bool) -> Segment:
        nonlocal buffer, buffer_start, emitted
        end = buffer_start + len(buffer)
        # A value that starts before the cut is at most MAX_SPAN long: it ends inside this
        # window, with a character after it for the detector to see where it ends.
        boundary = end if final else end - MAX_SPAN - 1
        found: list[Detection] = []
        for d in detect(buffer):
            start = buffer_start + d.start
            if start < emitted:
                continue  # decided by the previous window
            if start >= boundary:
                break
            found.append(d)
        segment_end = max(boundary, buffer_start + found[-1].end) if found else boundary
        offset = emitted - buffer_start
        segment = Segment(
            start=emitted,
            text=buffer[offset : segment_end - buffer_start],
            detections=[Detection(d.start - offset, d.end - offset, d.type, d.detector, d.confidence) for d in found],
        )
        emitted = segment_end
        # The next window keeps MAX_SPAN characters before `emitted` as left context.
        keep_from = max(0, emitted - MAX_SPAN - buffer_start)
        buffer = buffer[keep_from:]
        buffer_start += keep_from
        return segment

    for piece in pieces:
        # A piece is taken a window at a time, even when it is a whole file on one line.
        for at in range(0, len(piece), window):
            buffer += piece[at : at + window]
            if len(buffer) >= window + MAX_SPAN:
                segment = cut(final=False)
                if segment.text:
                    yield segment
    last = cut(final=True)
    if last.text or last.start == 0:
        yield last
