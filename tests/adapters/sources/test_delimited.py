"""CSV and TSV: one verdict per column of personal data, free-text columns detected cell by
cell and reported per column, the dialect sniffed."""

from __future__ import annotations

import csv
from pathlib import Path

from tutela.adapters.sources import ScanOptions, scan_paths
from tutela.core.detect.kinds import PiiType


def _write(path: Path, rows: list[list[str]], delimiter: str = ",") -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f, delimiter=delimiter).writerows(rows)


def test_an_email_column_gets_one_verdict_not_a_finding_per_cell(tmp_path: Path) -> None:
    rows = [["row", "buyer-email", "status", "customer-comments"]]
    for i in range(3000):
        comment = f"please call me, or write to alt{i}@example.org" if i % 500 == 0 else "great, thanks"
        rows.append([str(i), f"buyer{i}@example.com", "shipped", comment])
    path = tmp_path / "orders.csv"
    _write(path, rows)
    report = scan_paths([path], ScanOptions(sample_rows=200))
    by_column = {f.column: f for f in report.findings}
    assert set(by_column) == {"buyer-email", "customer-comments"}
    verdict = by_column["buyer-email"]
    assert (verdict.type, verdict.count, verdict.sampled) == (PiiType.EMAIL, 200, 200)
    assert verdict.line == 2 and "buyer0@example.com" not in verdict.preview
    comments = by_column["customer-comments"]
    # Free text is read in full, not sampled: all six leaks are counted, the first one located.
    assert (comments.type, comments.count, comments.sampled, comments.line) == (PiiType.EMAIL, 6, 3000, 2)
    assert all(f.location == str(path) for f in report.findings)


def test_tsv_and_semicolons_are_sniffed(tmp_path: Path) -> None:
    rows = [["name", "email"]] + [[f"n{i}", f"p{i}@example.com"] for i in range(20)]
    _write(tmp_path / "a.tsv", rows, "\t")
    _write(tmp_path / "b.csv", rows, ";")
    report = scan_paths([tmp_path], ScanOptions())
    assert [(f.location, f.column) for f in report.findings] == [
        (str(tmp_path / "a.tsv"), "email"),
        (str(tmp_path / "b.csv"), "email"),
    ]


def test_a_quoted_cell_over_several_lines_keeps_line_numbers(tmp_path: Path) -> None:
    rows = [["id", "note"], ["1", "first\nsecond\nthird"], ["2", "mail x@example.com please"]]
    _write(tmp_path / "notes.csv", rows)
    [finding] = scan_paths([tmp_path / "notes.csv"], ScanOptions()).findings
    assert (finding.column, finding.line) == ("note", 5)


def test_a_field_beyond_the_csv_limit_is_scanned_as_text(tmp_path: Path) -> None:
    # The limit is process-wide (the importer raises it to 16 MiB): set the default here.
    previous = csv.field_size_limit(131_072)
    try:
        _field_beyond_the_limit(tmp_path)
    finally:
        csv.field_size_limit(previous)


def _field_beyond_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "huge.csv"
    path.write_text("id,blob\n1," + "a" * 200_000 + " x@example.com\n", encoding="utf-8")
    [finding] = scan_paths([path], ScanOptions()).findings
    assert finding.column is None and finding.line == 2
