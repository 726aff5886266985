"""Spreadsheets, JSON and NDJSON: judged per sheet column and per key path."""

from __future__ import annotations

import json
from pathlib import Path

from tests.adapters.sources.workbooks import xlsx_bytes
from tutela.adapters.sources import ScanOptions, scan_paths
from tutela.core.detect.kinds import PiiType


def test_each_sheet_is_judged_like_a_csv(tmp_path: Path) -> None:
    path = tmp_path / "book.xlsx"
    path.write_bytes(
        xlsx_bytes(
            {
                "Orders": [["row", "buyer-email", "note"]]
                + [[i, f"buyer{i}@example.com", "ok" if i != 7 else "mail me at z@example.org"] for i in range(40)],
                "Empty": [],
            }
        )
    )
    report = scan_paths([path], ScanOptions())
    found = sorted((f.location, f.column, f.type, f.count, f.line) for f in report.findings)
    assert found == [
        (f"{path}!Orders", "buyer-email", PiiType.EMAIL, 40, 2),
        (f"{path}!Orders", "note", PiiType.EMAIL, 1, 9),
    ]
    assert report.locations_scanned == 1 and report.skipped == []


def test_a_broken_workbook_is_skipped_with_the_reason(tmp_path: Path) -> None:
    (tmp_path / "bad.xlsx").write_bytes(b"PK\x03\x04 not really")
    report = scan_paths([tmp_path / "bad.xlsx"], ScanOptions())
    assert [s.reason for s in report.skipped] == ["unreadable: not a valid workbook"]


def test_json_is_reported_by_key_path(tmp_path: Path) -> None:
    doc = {
        "orders": [
            {"id": i, "buyer": {"email": f"b{i}@example.com", "tag x": "n"}, "notes": ["fine", "ok", "thanks"]}
            for i in range(30)
        ]
    }
    doc["orders"][20]["notes"][1] = "cc c1@example.net"
    (tmp_path / "export.json").write_text(json.dumps(doc), encoding="utf-8")
    report = scan_paths([tmp_path / "export.json"], ScanOptions(sample_rows=10))
    found = {f.key_path: (f.type, f.count, f.sampled) for f in report.findings}
    assert found == {
        "$.orders[*].buyer.email": (PiiType.EMAIL, 10, 10),
        "$.orders[*].notes[*]": (PiiType.EMAIL, 1, 90),
    }
    assert all(f.column is None and f.location == str(tmp_path / "export.json") for f in report.findings)


def test_ndjson_is_read_line_by_line_and_a_broken_line_is_scanned_as_text(tmp_path: Path) -> None:
    lines = [json.dumps({"event": "ship", "to": {"email": f"p{i}@example.com"}}) for i in range(5)]
    lines.insert(3, '{"event": "ship", "to": broken x9@example.com')
    text = "\n".join(lines) + "\n"
    (tmp_path / "events.ndjson").write_text(text, encoding="utf-8")
    report = scan_paths([tmp_path / "events.ndjson"], ScanOptions())
    by_path = {(f.key_path, f.line): f for f in report.findings}
    assert set(by_path) == {("$.to.email", 1), (None, 4)}
    loose = by_path[(None, 4)]
    assert loose.start == text.index("x9@example.com")
    assert by_path[("$.to.email", 1)].count == 5


def test_a_json_file_that_does_not_parse_is_scanned_as_text(tmp_path: Path) -> None:
    text = "not json at all: write to q@example.com\n"
    (tmp_path / "broken.json").write_text(text, encoding="utf-8")
    [finding] = scan_paths([tmp_path / "broken.json"], ScanOptions()).findings
    assert (finding.key_path, finding.start) == (None, text.index("q@example.com"))
