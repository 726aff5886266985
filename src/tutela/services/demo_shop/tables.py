"""Export files written row by row: the file layout and a writer that counts what it wrote."""

from __future__ import annotations

import csv
from collections.abc import Mapping
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from tutela.services.demo_shop.manifest import DemoFile


@dataclass(frozen=True)
class FileSpec:
    name: str
    kind: str
    encoding: str
    header: tuple[str, ...]
    delimiter: str
    line_end: str


def _open_text(path: Path, encoding: str) -> TextIO:
    if encoding == "utf-16":
        # a fixed little-endian BOM, as Amazon JP sends, so the bytes do not depend on the machine's byte order
        handle = path.open("w", encoding="utf-16-le", newline="")
        handle.write("\ufeff")
        return handle
    return path.open("w", encoding=encoding, newline="")


class TableWriter:
    """One export file: header first, then rows as they are invented, so memory stays flat."""

    def __init__(self, stack: ExitStack, out_dir: Path, spec: FileSpec) -> None:
        self._spec = spec
        handle = stack.enter_context(_open_text(out_dir / spec.name, spec.encoding))
        tab_separated = spec.delimiter == "\t"
        # Amazon's flat files are never quoted: a stray tab or newline must fail loudly rather than shift columns
        self._writer = csv.DictWriter(
            handle,
            fieldnames=spec.header,
            restval="",
            extrasaction="raise",
            delimiter=spec.delimiter,
            lineterminator=spec.line_end,
            quoting=csv.QUOTE_NONE if tab_separated else csv.QUOTE_MINIMAL,
            quotechar=None if tab_separated else '"',
        )
        self._writer.writeheader()
        self.rows = 0

    def write(self, row: Mapping[str, str]) -> None:
        self._writer.writerow(row)
        self.rows += 1

    def described(self) -> DemoFile:
        return DemoFile(name=self._spec.name, kind=self._spec.kind, encoding=self._spec.encoding, rows=self.rows)
