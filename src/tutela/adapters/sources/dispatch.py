"""One file (or archive member) to a report: chosen by extension, then by sniffing its head;
a binary file is skipped with the reason, an unknown text file is scanned as plain text."""

from __future__ import annotations

from pathlib import PurePosixPath

from tutela.adapters.sources.archive import Budget, scan_zip
from tutela.adapters.sources.delimited import scan_delimited
from tutela.adapters.sources.json_records import scan_json
from tutela.adapters.sources.opener import Opener, unreadable
from tutela.adapters.sources.options import ScanOptions
from tutela.adapters.sources.sniff import HEAD_BYTES, encoding_of
from tutela.adapters.sources.text import scan_plain
from tutela.adapters.sources.xlsx import scan_workbook
from tutela.core.detect.findings import ScanReport, Skipped

DELIMITED = {".csv": False, ".tsv": True, ".tab": True}
JSON = {".json": False, ".ndjson": True, ".jsonl": True}
WORKBOOKS = {".xlsx", ".xlsm", ".xlsb", ".xls", ".ods"}
ARCHIVES = {".zip"}


def extension(name: str) -> str:
    return PurePosixPath(name).suffix.lower()


def skipped(location: str, reason: str) -> ScanReport:
    return ScanReport(skipped=[Skipped(location, reason)])


def scan_source(
    name: str, location: str, opener: Opener, options: ScanOptions, *, depth: int = 0, budget: Budget | None = None
) -> ScanReport:
    """`name` decides the reader by its extension; `depth` counts the archives around it and
    `budget` is what their size limit leaves."""
    ext = extension(name)
    try:
        if ext in ARCHIVES:
            return scan_zip(opener, location, options, depth=depth + 1, budget=budget, scan_member=scan_source)
        if ext in WORKBOOKS:
            return scan_workbook(opener, location, sample_rows=options.sample_rows)
        return _scan_text_file(ext, location, opener, options)
    except OSError as exc:
        return skipped(location, unreadable(exc))


def _scan_text_file(ext: str, location: str, opener: Opener, options: ScanOptions) -> ScanReport:
    with opener() as raw:
        head = raw.read(HEAD_BYTES)
    encoding = encoding_of(head)
    if encoding is None:
        return skipped(location, "binary file")
    if ext in DELIMITED:
        return scan_delimited(
            opener,
            location,
            encoding,
            sample_rows=options.sample_rows,
            chunk_chars=options.chunk_chars,
            tab=DELIMITED[ext],
        )
    if ext in JSON:
        return scan_json(
            opener,
            location,
            encoding,
            lines=JSON[ext],
            sample_rows=options.sample_rows,
            chunk_chars=options.chunk_chars,
        )
    report, _ = scan_plain(opener, location, encoding, chunk_chars=options.chunk_chars)
    return report
