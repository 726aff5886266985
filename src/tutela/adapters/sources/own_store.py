"""Tutela's own store and logs, scanned to show that nothing leaked: every table of the schema
with its text-like columns sampled (the vault's sealed values, blind indexes and wrapped keys
are binary columns and are never read), then the log files given."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from sqlalchemy.engine import Engine

from tutela.adapters.sources.database import scan_table
from tutela.adapters.sources.options import ScanOptions
from tutela.adapters.sources.scan import scan_paths
from tutela.core.detect.findings import ScanReport
from tutela.core.storage.schema import metadata


def scan_own_store(
    engine: Engine, log_paths: Sequence[Path], *, sample: int = 1000, published: frozenset[str] = frozenset()
) -> ScanReport:
    """`published`: the shop's own addresses (its privacy contact, its sender address), which
    its policy and notices carry on purpose and which are nobody's personal data."""
    report = ScanReport()
    for table in metadata.sorted_tables:
        report.merge(scan_table(engine, table, table.name, sample, published=published))
    present = [path for path in log_paths if path.exists()]
    if present:
        report.merge(scan_paths(present, ScanOptions(sample_rows=sample)))
    return report
