"""ZIP archives: members read by extension at "a.zip!inner/path", and the limits against zip
bombs (ratio, total size, depth) reported as skipped members."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from tests.adapters.sources.workbooks import xlsx_bytes
from tutela.adapters.sources import ScanOptions, scan_paths

LEAK = "shipped to jane.doe@example.com\n"


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buf.getvalue()


def test_members_are_dispatched_by_extension(tmp_path: Path) -> None:
    book = xlsx_bytes({"S": [["email"], ["a@example.com"], ["b@example.com"]]})
    csv = b"id,email\n1,c@example.com\n2,d@example.com\n"
    (tmp_path / "a.zip").write_bytes(
        _zip({"logs/app.log": LEAK.encode(), "dir/f.csv": csv, "b.xlsx": book, "pic.png": b"\x89PNG\r\n\x1a\n\x00"})
    )
    report = scan_paths([tmp_path], ScanOptions())
    where = str(tmp_path / "a.zip")
    assert sorted(f.location for f in report.findings) == [
        f"{where}!b.xlsx!S",
        f"{where}!dir/f.csv",
        f"{where}!logs/app.log",
    ]
    log = next(f for f in report.findings if f.location.endswith("app.log"))
    assert (log.line, log.start) == (1, LEAK.index("jane"))
    assert [(s.location, s.reason) for s in report.skipped] == [(f"{where}!pic.png", "binary file")]


def test_a_member_that_expands_beyond_the_ratio_is_not_read(tmp_path: Path) -> None:
    bomb = b"\n" * (4 << 20)  # 4 MB of newlines compress about 1000x
    (tmp_path / "bomb.zip").write_bytes(_zip({"big.log": bomb, "ok.log": LEAK.encode()}))
    report = scan_paths([tmp_path / "bomb.zip"], ScanOptions())
    assert [f.location for f in report.findings] == [f"{tmp_path / 'bomb.zip'}!ok.log"]
    [skipped] = report.skipped
    assert skipped.location == f"{tmp_path / 'bomb.zip'}!big.log"
    assert skipped.reason.startswith("zip bomb: member expands ") and skipped.reason.endswith("x (limit 200x)")


def test_the_total_size_counts_nested_archives(tmp_path: Path) -> None:
    inner = _zip({"one.log": LEAK.encode() * 30, "two.log": LEAK.encode() * 30})
    (tmp_path / "outer.zip").write_bytes(_zip({"inner.zip": inner}))
    report = scan_paths([tmp_path / "outer.zip"], ScanOptions(zip_max_total_bytes=len(inner) + len(LEAK) * 40))
    outer = str(tmp_path / "outer.zip")
    assert [f.location for f in report.findings] == [f"{outer}!inner.zip!one.log"] * 30
    assert [(s.location, s.reason.split(" (")[0]) for s in report.skipped] == [
        (f"{outer}!inner.zip!two.log", f"zip bomb: archive expands beyond {len(inner) + len(LEAK) * 40} bytes")
    ]


def test_archives_nested_deeper_than_the_limit_are_not_opened(tmp_path: Path) -> None:
    level3 = _zip({"deep.log": LEAK.encode()})
    level2 = _zip({"l3.zip": level3, "mid.log": LEAK.encode()})
    (tmp_path / "l1.zip").write_bytes(_zip({"l2.zip": level2}))
    report = scan_paths([tmp_path / "l1.zip"], ScanOptions(zip_max_depth=2))
    top = str(tmp_path / "l1.zip")
    assert [f.location for f in report.findings] == [f"{top}!l2.zip!mid.log"]
    assert [(s.location, s.reason) for s in report.skipped] == [
        (f"{top}!l2.zip!l3.zip", "nested archive too deep: level 3 (limit 2)")
    ]


def test_a_corrupt_archive_is_skipped(tmp_path: Path) -> None:
    (tmp_path / "bad.zip").write_bytes(b"PK\x03\x04garbage")
    report = scan_paths([tmp_path / "bad.zip"], ScanOptions())
    assert [s.reason for s in report.skipped] == ["unreadable: not a valid zip archive"]
