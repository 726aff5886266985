"""JSON and NDJSON by key path: every scalar is filed under its path ("$.orders[*].buyer.email")
and each path is judged like a table column, its last key as the header. A JSON document is
parsed as a stream (ijson), NDJSON line by line, so neither is held in memory. A .json file
that does not parse is scanned as plain text instead; an NDJSON line that does not parse is
scanned as text where it stands."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import ijson

from tutela.adapters.sources.columns import ColumnScanner
from tutela.adapters.sources.opener import Opener
from tutela.adapters.sources.sniff import TextStream, iter_lines
from tutela.adapters.sources.text import scan_plain
from tutela.core.detect.engine import detect, preview
from tutela.core.detect.findings import Finding, ScanReport

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*\Z")


def scan_json(
    opener: Opener, location: str, encoding: str, *, lines: bool, sample_rows: int, chunk_chars: int
) -> ScanReport:
    if lines:
        return _ndjson(opener, location, encoding, sample_rows)
    try:
        return _document(opener, location, encoding, sample_rows)
    except (ijson.JSONError, RecursionError):
        report, _ = scan_plain(opener, location, encoding, chunk_chars=chunk_chars)
        return report


def _key(name: str) -> str:
    return f".{name}" if _NAME.match(name) else f"[{json.dumps(name, ensure_ascii=False)}]"


def _header(segments: list[str]) -> str:
    for seg in reversed(segments):
        if seg.startswith("."):
            return seg[1:]
        if seg.startswith('["'):
            return str(json.loads(seg[1:-1]))
    return "$"


def _scalar(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)  # phone and card numbers are sometimes stored as numbers
    return None


def _document(opener: Opener, location: str, encoding: str, sample_rows: int) -> ScanReport:
    columns = ColumnScanner(location, sample_rows, key_paths=True)
    with opener() as raw:
        stream = TextStream(raw, encoding)
        segments: list[str] = []
        for event, value in ijson.basic_parse(_Utf8(stream), multiple_values=True, use_float=True):
            if event == "map_key":
                segments[-1] = _key(value)
            elif event == "start_map":
                segments.append(".")
            elif event == "start_array":
                segments.append("[*]")
            elif event in {"end_map", "end_array"}:
                segments.pop()
            elif (text := _scalar(value)) is not None:
                columns.add("$" + "".join(segments), text, header=_header(segments))
    return ScanReport(
        findings=columns.findings(),
        locations_scanned=1,
        bytes_scanned=stream.bytes_read,
        replaced_characters=stream.replaced,
    )


def _walk(value: Any, path: str, header: str) -> Iterator[tuple[str, str, str]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _walk(item, path + _key(str(key)), str(key))
    elif isinstance(value, list):
        for item in value:
            yield from _walk(item, path + "[*]", header)
    elif (text := _scalar(value)) is not None:
        yield path, text, header


def _ndjson(opener: Opener, location: str, encoding: str, sample_rows: int) -> ScanReport:
    columns = ColumnScanner(location, sample_rows, key_paths=True)
    loose: list[Finding] = []
    with opener() as raw:
        stream = TextStream(raw, encoding)
        offset = 0
        for number, line in enumerate(iter_lines(stream), start=1):
            if line.strip():
                try:
                    record = json.loads(line)
                except (ValueError, RecursionError):
                    loose.extend(_text_findings(line, location, number, offset))
                else:
                    for path, text, header in _walk(record, "$", "$"):
                        columns.add(path, text, number, header=header)
            offset += len(line)
    return ScanReport(
        findings=columns.findings() + loose,
        locations_scanned=1,
        bytes_scanned=stream.bytes_read,
        replaced_characters=stream.replaced,
    )


def _text_findings(line: str, location: str, number: int, offset: int) -> list[Finding]:
    return [
        Finding(
            location,
            d.type,
            d.detector,
            d.confidence,
            preview(d.type, line[d.start : d.end]),
            line=number,
            start=offset + d.start,
            end=offset + d.end,
        )
        for d in detect(line)
    ]


class _Utf8:
    """A file-like view of decoded text as UTF-8 bytes, for ijson: the file's own encoding and
    its replacements are handled once, by TextStream."""

    def __init__(self, stream: TextStream) -> None:
        self._pieces = iter(stream)
        self._rest = b""

    def read(self, size: int = -1) -> bytes:
        while size < 0 or len(self._rest) < size:
            piece = next(self._pieces, None)
            if piece is None:
                break
            self._rest += piece.encode("utf-8", "surrogatepass")
        if size < 0:
            out, self._rest = self._rest, b""
        else:
            out, self._rest = self._rest[:size], self._rest[size:]
        return out
