"""Delimited text (an order report, a CSV export) read as a table: when the first line is a
header, a cell under "ship-postal-code" or "date_of_birth" is that type if it has the shape,
although a bare 94533 or 1986-10-21 says nothing by itself. The header is read once; each
row is split once, so the work is linear in the text."""

from __future__ import annotations

import re
from collections.abc import Iterator

from tutela.core.detect.headers import SHAPES, header_type, normalised
from tutela.core.detect.kinds import Detection, PiiType

# The types a header can vouch for: the ones whose values are ambiguous alone. Types with a
# validator (cards, IBANs, e-mail…) are left to their detectors.
_VOUCHED = frozenset(
    {PiiType.POSTAL_CODE, PiiType.DATE_OF_BIRTH, PiiType.PERSON_NAME, PiiType.STREET_ADDRESS, PiiType.PHONE}
)
_MIN_COLUMNS = 3
_MAX_HEADER = 4096
# A comma-separated cell: quoted (with "" inside) or bare.
_CSV_CELL = re.compile(r'"(?:[^"]|"")*"|[^,\n\r]*')
_LINE = re.compile(r"[^\n]*")


def _cells(line: str, delimiter: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each cell's value within `line`, quotes excluded."""
    if delimiter == "\t":
        start = 0
        for part in line.split("\t"):
            yield start, start + len(part)
            start += len(part) + 1
        return
    position = 0
    while position <= len(line):
        match = _CSV_CELL.match(line, position)
        assert match is not None  # the pattern also matches an empty cell
        start, end = match.span()
        if end > start and line[start] == '"':
            start, end = start + 1, end - 1
        yield start, end
        position = match.end() + 1


def table_cells(text: str) -> Iterator[Detection]:
    newline = text.find("\n", 0, _MAX_HEADER)
    header = text[: newline if newline >= 0 else len(text)].rstrip("\r")
    delimiter = "\t" if header.count("\t") >= _MIN_COLUMNS - 1 else ","
    if header.count(delimiter) < _MIN_COLUMNS - 1 or newline < 0:
        return
    columns = {
        index: kind
        for index, (start, end) in enumerate(_cells(header, delimiter))
        if (kind := header_type(normalised(header[start:end]))) in _VOUCHED
    }
    if not columns:
        return
    for line_match in _LINE.finditer(text, newline + 1):
        line = line_match.group().rstrip("\r")
        base = line_match.start()
        for index, (start, end) in enumerate(_cells(line, delimiter)):
            kind = columns.get(index)
            if kind is None or end <= start:
                continue
            value = line[start:end].strip()
            shape = SHAPES.get(kind)
            if value and (shape is None or shape(value)):
                offset = base + start + (len(line[start:end]) - len(line[start:end].lstrip()))
                yield Detection(offset, offset + len(value), kind, "column.header", 0.75)
