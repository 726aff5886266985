"""Streaming a delimited text file with its header: encoding from the BOM or a sample
(UTF-8, UTF-16, Windows-1252), delimiter from the header line, quoted fields with tabs and
newlines, constant memory whatever the size."""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from tutela.core.errors import ImportFileInvalid

_SAMPLE_BYTES = 1 << 16
csv.field_size_limit(1 << 24)  # free-text columns (customer comments, notes) can be long


def detect_encoding(sample: bytes) -> str:
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(sample) - 4:  # not just a character cut at the end of the sample
            return "cp1252"
    return "utf-8"


def detect_delimiter(header_line: str) -> str:
    counts = {d: header_line.count(d) for d in ("\t", ",", ";", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


@dataclass
class TextTable:
    """An open table: `header`, then `rows()` yields (row number, cells); row 1 is the
    first data row. `bytes_read()` tells progress."""

    path: Path
    encoding: str
    delimiter: str
    header: list[str]
    _binary: IO[bytes]
    _reader: Iterator[list[str]]

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        number = 0
        try:
            for cells in self._reader:
                if not (cells and cells[0].strip()) and not "".join(cells).strip():
                    continue  # a blank line (the first cell is the cheap common answer)
                number += 1
                yield number, cells
        except UnicodeDecodeError:
            raise ImportFileInvalid(
                f"{self.path.name} is not valid {self.encoding} after data row {number}",
                hint="save it as UTF-8, or pass --encoding (e.g. cp1252, utf-16)",
            ) from None
        except csv.Error as exc:
            raise ImportFileInvalid(
                f"{self.path.name} has a malformed line after data row {number} ({exc})",
                hint="check for an unclosed quote in that line",
            ) from None

    def bytes_read(self) -> int:
        return self._binary.tell()

    def close(self) -> None:
        self._binary.close()


def open_table(path: Path, *, encoding: str | None = None) -> TextTable:
    binary = path.open("rb")
    try:
        sample = binary.read(_SAMPLE_BYTES)
        if b"\x00" in sample and not sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            raise ImportFileInvalid(f"{path.name} is a binary file, not a report", hint="export it as CSV or TSV")
        chosen = encoding or detect_encoding(sample)
        binary.seek(0)
        text = io.TextIOWrapper(binary, encoding=chosen, newline="")
        first = text.readline()
        if not first.strip():
            raise ImportFileInvalid(f"{path.name} is empty", hint="export the report again")
        delimiter = detect_delimiter(first)
        header = next(csv.reader([first], delimiter=delimiter))
        reader = csv.reader(text, delimiter=delimiter)
    except LookupError:
        binary.close()
        raise ImportFileInvalid(f"unknown encoding '{encoding}'", hint="use utf-8, utf-16 or cp1252") from None
    except UnicodeDecodeError:
        binary.close()
        raise ImportFileInvalid(
            f"{path.name} cannot be read as {encoding or 'UTF-8'}", hint="pass --encoding (e.g. cp1252, utf-16)"
        ) from None
    except BaseException:
        binary.close()
        raise
    return TextTable(path, chosen, delimiter, [h.strip() for h in header], binary, reader)
