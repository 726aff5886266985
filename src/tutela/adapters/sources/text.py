"""Plain text and logs, streamed: the decoded text is scanned in windows that overlap by
MAX_SPAN characters, each position decided by exactly one window, so memory stays at about two
windows and time is linear whatever the size of the file or the length of its lines."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from tutela.adapters.sources.opener import Opener
from tutela.adapters.sources.sniff import TextStream
from tutela.core.detect.engine import MAX_SPAN, detect, preview
from tutela.core.detect.findings import Finding, ScanReport


@dataclass(slots=True)
class TextResult:
    """Findings with character offsets and lines counted from the start of the text given,
    and how many characters and newlines that text had (to place a later part after it)."""

    findings: list[Finding] = field(default_factory=list)
    chars: int = 0
    newlines: int = 0


def scan_pieces(pieces: Iterable[str], location: str, *, chunk_chars: int = 1 << 20) -> TextResult:
    result = TextResult()
    buf = ""  # the current window's text ...
    buf_start = 0  # ... and the absolute offset of its first character
    decided = 0  # every start before this offset has been decided by an earlier window
    last_end = 0  # end of the last finding emitted: nothing may overlap it
    line_pos, line_no = 0, 1  # the line of offset line_pos, moved forward only

    def window(final: bool) -> None:
        nonlocal buf, buf_start, decided, last_end, line_pos, line_no
        end = buf_start + len(buf)
        # A value that starts before the cut ends before the window does (it is at most
        # MAX_SPAN long), and a detector still sees a character after it.
        cut = end if final else max(decided, end - MAX_SPAN - 1)
        for d in detect(buf):
            start, stop = buf_start + d.start, buf_start + d.end
            if start < max(decided, last_end):
                continue
            if start >= cut:
                break
            line_no += buf.count("\n", line_pos - buf_start, start - buf_start)
            line_pos = start
            value = buf[d.start : d.end]
            result.findings.append(
                Finding(location, d.type, d.detector, d.confidence, preview(d.type, value), line_no, start, stop)
            )
            last_end = stop
        line_no += buf.count("\n", line_pos - buf_start, cut - buf_start)
        line_pos = decided = cut
        # The next window starts MAX_SPAN before the cut, so detectors keep their left context.
        keep = max(0, cut - MAX_SPAN - buf_start)
        buf_start += keep
        buf = buf[keep:]

    for piece in pieces:
        result.chars += len(piece)
        result.newlines += piece.count("\n")
        buf += piece
        while len(buf) >= chunk_chars + MAX_SPAN:
            # Scan a window of chunk_chars + MAX_SPAN at most: a piece larger than a window
            # (a whole file given as one string) is still scanned window by window.
            rest = buf[chunk_chars + MAX_SPAN :]
            buf = buf[: chunk_chars + MAX_SPAN]
            window(final=False)
            buf += rest
    window(final=True)
    return result


def scan_plain(
    opener: Opener, location: str, encoding: str, *, chunk_chars: int, byte_range: tuple[int, int] | None = None
) -> tuple[ScanReport, TextResult]:
    """A text file (or one byte range of it, cut at line boundaries) as plain text."""
    with opener() as raw:
        limit = None
        if byte_range is not None:
            raw.seek(byte_range[0])
            limit = byte_range[1] - byte_range[0]
        stream = TextStream(raw, encoding, limit=limit)
        result = scan_pieces(stream, location, chunk_chars=chunk_chars)
    report = ScanReport(
        findings=result.findings,
        locations_scanned=1,
        bytes_scanned=stream.bytes_read,
        replaced_characters=stream.replaced,
    )
    return report, result
