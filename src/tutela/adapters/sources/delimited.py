"""CSV and TSV: the dialect sniffed from the head, the first row taken as the header, and each
column judged as a whole (see columns.py). A file the csv module cannot parse (a field beyond
its size limit, say) is scanned as plain text instead, so nothing is left unread."""

from __future__ import annotations

import csv
import itertools
from collections.abc import Iterator

from tutela.adapters.sources.columns import ColumnScanner
from tutela.adapters.sources.opener import Opener
from tutela.adapters.sources.sniff import TextStream, iter_lines
from tutela.adapters.sources.text import scan_plain
from tutela.core.detect.findings import ScanReport

_SNIFF_CHARS = 64 * 1024
_SNIFF_LINES = 50


def scan_delimited(
    opener: Opener, location: str, encoding: str, *, sample_rows: int, chunk_chars: int, tab: bool
) -> ScanReport:
    try:
        return _scan(opener, location, encoding, sample_rows=sample_rows, tab=tab)
    except csv.Error:
        report, _ = scan_plain(opener, location, encoding, chunk_chars=chunk_chars)
        return report


def read_rows(stream: TextStream, *, tab: bool) -> tuple[Iterator[list[str]], type[csv.Dialect] | csv.Dialect, str]:
    """The rows of a delimited text (header first), the dialect sniffed from its head, and the
    line ending its head uses (a redacted copy keeps it)."""
    lines = iter_lines(stream)
    head: list[str] = []
    size = 0
    for text in lines:
        head.append(text)
        size += len(text)
        if size >= _SNIFF_CHARS or len(head) >= _SNIFF_LINES:
            break
    dialect = _dialect("".join(head), tab=tab)
    newline = "\r\n" if head and head[0].endswith("\r\n") else "\n"
    return csv.reader(itertools.chain(head, lines), dialect), dialect, newline


def _scan(opener: Opener, location: str, encoding: str, *, sample_rows: int, tab: bool) -> ScanReport:
    with opener() as raw:
        stream = TextStream(raw, encoding)
        reader, _, _ = read_rows(stream, tab=tab)
        header = next(reader, [])
        columns = ColumnScanner(location, sample_rows)
        previous = reader.line_num  # type: ignore[attr-defined]
        for row in reader:
            line = previous + 1  # a record starts on the line after the previous one ended
            previous = reader.line_num  # type: ignore[attr-defined]
            for i, value in enumerate(row):
                name = header[i].strip() if i < len(header) and header[i].strip() else f"column {i + 1}"
                columns.add(str(i), value, line, header=name)
    return ScanReport(
        findings=columns.findings(),
        locations_scanned=1,
        bytes_scanned=stream.bytes_read,
        replaced_characters=stream.replaced,
    )


def _dialect(sample: str, *, tab: bool) -> type[csv.Dialect] | csv.Dialect:
    default: type[csv.Dialect] = csv.excel_tab if tab else csv.excel
    if not sample.strip():
        return default
    try:
        return csv.Sniffer().sniff(sample, delimiters="\t" if tab else ",;\t|")
    except csv.Error:
        return default
