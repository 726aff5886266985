"""One file (or archive member) to a report: chosen by extension, then by sniffing its head;
a binary file is skipped with the reason, an unknown text file is scanned as plain text."""

from __future__ import annotations

from pathlib import PurePosixPath

from tutela.adapters.sources.delimited import scan_delimited
from tutela.adapters.sources.opener import Opener, unreadable
from tutela.adapters.sources.options import ScanOptions
from tutela.adapters.sources.sniff import HEAD_BYTES, encoding_of
from tutela.adapters.sources.text import scan_plain
from tutela.core.detect.findings import ScanReport, Skipped

DELIMITED = {".csv": False, ".tsv": True, ".tab": True}
JSON = {".json": False, ".ndjson": True, ".jsonl": True}
WORKBOOKS = {".xlsx", ".xlsm", ".xlsb", ".xls", ".ods"}
ARCHIVES = {".zip"}


def extension(name: str) -> str:
    return PurePosixPath(name).suffix.lower()


def skipped(location: str, reason: str) -> ScanReport:
    return ScanReport(skipped=[Skipped(location, reason)])


def scan_source(name: str, location: str, opener: Opener, options: ScanOptions, *, depth: int = 0) -> ScanReport:
    """`name` decides the reader by its extension; `depth` counts the archives around it."""
    ext = extension(name)
    try:
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
        report, _ = scan_plain(opener, location, encoding, chunk_chars=options.chunk_chars)
        return report
    except OSError as exc:
        return skipped(location, unreadable(exc))
