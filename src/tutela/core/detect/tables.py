"""Delimited text (an order report, a CSV export) read as a table: when the first line is a
header, a cell under "ship-postal-code" or "date_of_birth" is that type if it has the shape,
although a bare 94533 or 1986-10-21 says nothing by itself. The header is read once; each
row is split once, so the work is linear in the text."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

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


def _cells(line: str, delimiter: str, last: int) -> Iterator[tuple[int, int]]:
    """(start, end) of each cell's value within `line`, quotes excluded, up to cell `last`
    (the one after it may run to the end of the line)."""
    # Without quotes (or a stray carriage return, which also ends a comma-separated cell)
    # the cells are what a split makes, at a fraction of the pattern's cost.
    if delimiter == "\t" or ('"' not in line and "\r" not in line):
        start = 0
        for part in line.split(delimiter, last + 1):
            yield start, start + len(part)
            start += len(part) + 1
        return
    position = 0
    while position <= len(line) and last >= 0:
        last -= 1
        match = _CSV_CELL.match(line, position)
        assert match is not None  # the pattern also matches an empty cell
        start, end = match.span()
        if end > start and line[start] == '"':
            start, end = start + 1, end - 1
        yield start, end
        position = match.end() + 1


# Exports repeat their header rows file after file: each header row is read once.
@lru_cache(maxsize=1024)
def _vouched_columns(header: str, delimiter: str) -> tuple[tuple[int, PiiType], ...]:
    """(index, type) of each column whose header vouches for its values' type."""
    return tuple(
        (index, kind)
        for index, (start, end) in enumerate(_cells(header, delimiter, len(header)))
        if (kind := header_type(normalised(header[start:end]))) in _VOUCHED
    )


def table_cells(text: str) -> Iterator[Detection]:
    newline = text.find("\n", 0, _MAX_HEADER)
    header = text[: newline if newline >= 0 else len(text)].rstrip("\r")
    delimiter = "\t" if header.count("\t") >= _MIN_COLUMNS - 1 else ","
    if header.count(delimiter) < _MIN_COLUMNS - 1 or newline < 0:
        return
    columns = dict(_vouched_columns(header, delimiter))
    if not columns:
        return
    last = max(columns)
    base = newline + 1
    for line in text[base:].split("\n"):
        row = line.rstrip("\r")
        for index, (start, end) in enumerate(_cells(row, delimiter, last)):
            kind = columns.get(index)
            if kind is None or end <= start:
                continue
            cell = row[start:end]
            value = cell.strip()
            shape = SHAPES.get(kind)
            if value and (shape is None or shape(value)):
                offset = base + start + (len(cell) - len(cell.lstrip()))
                yield Detection(offset, offset + len(value), kind, "column.header", 0.75)
        base += len(line) + 1
