"""A whole table checked before any of it is stored, so that a bad file changes nothing:
every byte valid in its encoding, every row as wide as the header, every quote closed, at
least one data row. The same pass gives the file's sha256 (the import's identity).

Most reports hold no quote character at all; their rows are checked by counting delimiters
per line, and the csv parser only takes over from the first line with a quote."""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Iterator
from dataclasses import dataclass

from tutela.core.errors import ImportFileInvalid
from tutela.core.formats.hashed_read import HashingReader
from tutela.core.formats.text_table import TextTable


@dataclass(frozen=True)
class TableSurvey:
    sha256: str
    rows: int  # data rows, blank lines not counted


def survey_table(table: TextTable) -> TableSurvey:
    name = table.path.name
    with table.path.open("rb", buffering=0) as raw:
        hashing = HashingReader(raw)
        text = io.TextIOWrapper(io.BufferedReader(hashing, 1 << 20), encoding=table.encoding, newline="")
        width = len(table.header)
        counter = _RowCounter()
        try:
            text.readline()  # the header, read by open_table
            _check_rows(text, table.delimiter, width, counter, name)
        except UnicodeDecodeError:
            raise ImportFileInvalid(
                f"{name} is not valid {table.encoding} after data row {counter.rows}",
                hint="save it as UTF-8, or pass --encoding (e.g. cp1252, utf-16)",
            ) from None
        except csv.Error:
            raise ImportFileInvalid(
                f"{name}: data row {counter.rows + 1} is malformed (a quote is not closed)",
                hint="check the quotes in that line; if the file was cut short, export it again",
            ) from None
    if counter.rows == 0:
        raise ImportFileInvalid(f"{name} has a header but no data rows", hint="export the report again with its rows")
    return TableSurvey(hashing.digest.hexdigest(), counter.rows)


@dataclass
class _RowCounter:
    rows: int = 0


def _check_rows(lines: Iterator[str], delimiter: str, width: int, counter: _RowCounter, name: str) -> None:
    expected = width - 1
    blank = f"{delimiter} \r\n"
    for line in lines:
        if '"' in line:
            _check_quoted(itertools.chain([line], lines), delimiter, width, counter, name)
            return
        # A line of empty cells is skipped, as the import skips it (the first character
        # almost always settles that without stripping the line).
        if line[0] not in blank or line.strip(blank):
            if line.count(delimiter) != expected:
                _refuse(name, counter.rows + 1, line.count(delimiter) + 1, width)
            counter.rows += 1


def _check_quoted(lines: Iterator[str], delimiter: str, width: int, counter: _RowCounter, name: str) -> None:
    for cells in csv.reader(lines, delimiter=delimiter, strict=True):
        if "".join(cells).strip():
            if len(cells) != width:
                _refuse(name, counter.rows + 1, len(cells), width)
            counter.rows += 1


def _refuse(name: str, row: int, cells: int, width: int) -> None:
    raise ImportFileInvalid(
        f"{name}: data row {row} has {cells} cells where the header has {width}",
        hint="the file may be cut short or hand-edited: export the report again",
    )
