"""A file read for `tutela redact`: decoded as the scanner decodes it, a CSV/TSV redacted row
by row under its header (whole columns judged personal data), any other text as a stream."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

from tutela.adapters.sources.delimited import read_rows
from tutela.adapters.sources.sniff import HEAD_BYTES, TextStream, encoding_of
from tutela.core.errors import ScanInputInvalid
from tutela.services.redaction import Redaction

_TABLES = {".csv": False, ".tsv": True, ".tab": True}


def redacted_text(path: Path, worker: Redaction, *, sample: int = 1000) -> Iterator[str]:
    """The redacted copy's text, piece by piece (the caller writes it whole or not at all)."""
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise ScanInputInvalid(f"cannot read {path}: {exc.strerror}", hint="check the path and permissions") from None
    with handle:
        encoding = encoding_of(handle.read(HEAD_BYTES))
        if encoding is None:
            raise ScanInputInvalid(f"{path} is not a text file", hint="redact text, CSV, log or JSON files")
        handle.seek(0)
        stream = TextStream(handle, encoding)
        tab = _TABLES.get(path.suffix.lower())
        if tab is None:
            yield from worker.stream(stream)
            return
        rows, dialect, newline = read_rows(stream, tab=tab)
        buffer = io.StringIO()
        writer = csv.writer(buffer, dialect, lineterminator=newline)
        for row in worker.rows(rows, sample=sample):
            writer.writerow(row)
            if buffer.tell() > 1 << 16:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue()
