"""The unit of parallel work: a whole file, or a byte range of a large plain-text file cut at
line boundaries. A unit names a path and carries no data, so it can be sent to a process or a
Dask worker; its result carries findings with masked previews only, never a value."""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import BinaryIO

from tutela.adapters.sources.dispatch import ARCHIVES, DELIMITED, JSON, WORKBOOKS, extension, scan_source
from tutela.adapters.sources.opener import file_opener, unreadable
from tutela.adapters.sources.options import ScanOptions
from tutela.adapters.sources.sniff import HEAD_BYTES, encoding_of
from tutela.adapters.sources.text import scan_plain
from tutela.adapters.sources.walk import FileEntry
from tutela.core.detect.findings import Finding, ScanReport, Skipped

_STRUCTURED = set(DELIMITED) | set(JSON) | WORKBOOKS | ARCHIVES
_SPLITTABLE = {"utf-8", "utf-8-sig"}  # a "\n" byte is a line boundary and never inside a character
_BOUNDARY_READ = 64 * 1024


@dataclass(frozen=True, slots=True)
class Unit:
    path: str
    location: str
    size: int
    byte_range: tuple[int, int] | None = None
    encoding: str | None = None  # set for a byte range: the file's, decided once from its head


@dataclass(slots=True)
class UnitResult:
    report: ScanReport
    # For a byte range: how many characters and newlines it decoded to, so that the findings
    # of later ranges can be placed in the whole file.
    chars: int = 0
    newlines: int = 0
    failed: bool = False


def scan_unit(unit: Unit, options: ScanOptions) -> UnitResult:
    opener = file_opener(unit.path)
    if unit.byte_range is None:
        return UnitResult(scan_source(unit.path, unit.location, opener, options))
    assert unit.encoding is not None
    # Only the first range starts with the byte-order mark.
    encoding = unit.encoding if unit.byte_range[0] == 0 else "utf-8"
    try:
        report, text = scan_plain(
            opener, unit.location, encoding, chunk_chars=options.chunk_chars, byte_range=unit.byte_range
        )
    except OSError as exc:
        return failed(unit, unreadable(exc))
    return UnitResult(report, text.chars, text.newlines)


def failed(unit: Unit, reason: str) -> UnitResult:
    """The result of a unit that was not scanned, saying exactly what was left out."""
    if unit.byte_range is not None:
        reason = f"{reason} (bytes {unit.byte_range[0]}-{unit.byte_range[1]} not scanned)"
    return UnitResult(ScanReport(skipped=[Skipped(unit.location, reason)]), failed=True)


def plan(entries: Sequence[FileEntry], options: ScanOptions, *, split: bool) -> list[Unit]:
    units: list[Unit] = []
    for entry in entries:
        if split and entry.size > options.split_bytes and extension(entry.path) not in _STRUCTURED:
            units.extend(_ranges(entry, options.split_bytes))
        else:
            units.append(Unit(entry.path, entry.location, entry.size))
    return units


def _ranges(entry: FileEntry, split_bytes: int) -> list[Unit]:
    whole = [Unit(entry.path, entry.location, entry.size)]
    try:
        with open(entry.path, "rb") as f:
            encoding = encoding_of(f.read(HEAD_BYTES))
            if encoding not in _SPLITTABLE:
                return whole
            cuts = [0]
            while cuts[-1] + split_bytes < entry.size:
                cut = _next_line_start(f, cuts[-1] + split_bytes)
                if cut >= entry.size:
                    break
                cuts.append(cut)
    except OSError:
        return whole  # the worker reports it as unreadable
    assert encoding is not None
    cuts.append(entry.size)
    return [Unit(entry.path, entry.location, b - a, (a, b), encoding) for a, b in itertools.pairwise(cuts)]


def _next_line_start(f: BinaryIO, pos: int) -> int:
    f.seek(pos)
    while True:
        block = f.read(_BOUNDARY_READ)
        if not block:
            return pos
        nl = block.find(b"\n")
        if nl >= 0:
            return pos + nl + 1
        pos += len(block)


def merge(units: Sequence[Unit], results: Sequence[UnitResult]) -> ScanReport:
    """The results of a scan's units as one report, a file's byte ranges placed one after the
    other. After a range that failed, later ranges' findings keep their type and preview but
    lose line and offsets, which can no longer be known."""
    report = ScanReport()
    chars = newlines = 0
    known = True
    for unit, result in zip(units, results, strict=True):
        if unit.byte_range is None or unit.byte_range[0] == 0:
            chars = newlines = 0
            known = True
        else:
            result.report.locations_scanned = 0  # a file counts once, not once per range
        if unit.byte_range is not None and (chars or newlines or not known):
            result.report.findings = [_shift(f, chars, newlines, known) for f in result.report.findings]
        report.merge(result.report)
        if result.failed:
            known = False
        chars += result.chars
        newlines += result.newlines
    report.findings.sort(key=_order)
    report.skipped.sort(key=lambda s: s.location)
    return report


def _shift(f: Finding, chars: int, newlines: int, known: bool) -> Finding:
    if not known:
        return dataclasses.replace(f, line=None, start=None, end=None)
    return dataclasses.replace(
        f,
        line=None if f.line is None else f.line + newlines,
        start=None if f.start is None else f.start + chars,
        end=None if f.end is None else f.end + chars,
    )


def _order(f: Finding) -> tuple[str, int, int, str, str, str]:
    return (
        f.location,
        -1 if f.start is None else f.start,
        -1 if f.line is None else f.line,
        f.column or "",
        f.key_path or "",
        f.type.value,
    )
