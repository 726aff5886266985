"""Is a file text, and in which encoding: decided from its first bytes. Text that is not valid
in its encoding is decoded anyway (U+FFFD for each bad sequence) and the replacements are
counted, so that a report can say how much of a file was guessed at."""

from __future__ import annotations

import codecs
import threading
from collections.abc import Iterator
from typing import IO

HEAD_BYTES = 8192
READ_BYTES = 1 << 20

_BOMS: tuple[tuple[bytes, str], ...] = (
    # UTF-32 first: its little-endian BOM starts with UTF-16's.
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Control bytes that do not occur in text (tab, newlines, form feed and escape do).
_CONTROL = frozenset(range(32)) - {9, 10, 12, 13, 27}
_BINARY_MAGIC = (b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"\x1f\x8b", b"BZh", b"\xfd7zXZ", b"7z\xbc\xaf")


def encoding_of(head: bytes) -> str | None:
    """The encoding to decode a file with, or None for a binary file."""
    for bom, name in _BOMS:
        if head.startswith(bom):
            return name
    if head.startswith(_BINARY_MAGIC):
        return None
    if b"\x00" in head:
        return _bomless_utf16(head)
    if head and sum(1 for b in head if b in _CONTROL) / len(head) > 0.1:
        return None
    return "utf-8"


def _bomless_utf16(head: bytes) -> str | None:
    # Windows tools write UTF-16 without a BOM now and then: mostly-ASCII text then has a NUL
    # in every other byte, on one side only.
    even, odd = head[0::2], head[1::2]
    if len(head) >= 4 and odd.count(0) > 0.9 * len(odd) and even.count(0) < 0.1 * len(even):
        return "utf-16-le"
    if len(head) >= 4 and even.count(0) > 0.9 * len(even) and odd.count(0) < 0.1 * len(odd):
        return "utf-16-be"
    return None


_counter = threading.local()


def _count_and_replace(exc: UnicodeError) -> tuple[str, int]:
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    _counter.n = getattr(_counter, "n", 0) + 1
    return "\ufffd", exc.end


_ERRORS = "tutela.count-replace"
codecs.register_error(_ERRORS, _count_and_replace)


class CountingDecoder:
    """An incremental decoder that replaces what it cannot decode, as errors="replace" does,
    and counts each replacement in `replaced`."""

    def __init__(self, encoding: str) -> None:
        self._decoder = codecs.getincrementaldecoder(encoding)(errors=_ERRORS)
        self.replaced = 0

    def decode(self, data: bytes, final: bool = False) -> str:
        _counter.n = 0
        text = self._decoder.decode(data, final)
        self.replaced += _counter.n
        return text


class TextStream:
    """The decoded text of a byte stream, piece by piece (about a megabyte each), with the
    number of bytes read and characters replaced kept as it goes."""

    def __init__(self, stream: IO[bytes], encoding: str, *, limit: int | None = None) -> None:
        self._stream = stream
        self._decoder = CountingDecoder(encoding)
        self._left = limit
        self.bytes_read = 0

    @property
    def replaced(self) -> int:
        return self._decoder.replaced

    def __iter__(self) -> Iterator[str]:
        while True:
            want = READ_BYTES if self._left is None else min(READ_BYTES, self._left)
            data = self._stream.read(want) if want else b""
            if not data:
                tail = self._decoder.decode(b"", final=True)
                if tail:
                    yield tail
                return
            self.bytes_read += len(data)
            if self._left is not None:
                self._left -= len(data)
            text = self._decoder.decode(data)
            if text:
                yield text


def iter_lines(pieces: Iterator[str] | TextStream) -> Iterator[str]:
    """Lines (with their "\\n") from text pieces, without holding more than a line and a piece."""
    rest = ""
    for piece in pieces:
        rest += piece
        cut = rest.rfind("\n")
        if cut < 0:
            continue
        yield from _split_nl(rest[: cut + 1])
        rest = rest[cut + 1 :]
    if rest:
        yield rest


def _split_nl(text: str) -> Iterator[str]:
    start = 0
    while True:
        end = text.find("\n", start)
        if end < 0:
            return
        yield text[start : end + 1]
        start = end + 1
