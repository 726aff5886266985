"""Plain text streamed in windows: a value on a window's edge is found once, at its absolute
character offset and line, and the windows' findings equal one pass over the whole text."""

from __future__ import annotations

from pathlib import Path

from tutela.adapters.sources import ScanOptions, scan_paths, scan_text
from tutela.adapters.sources.text import scan_pieces
from tutela.core.detect.engine import MAX_SPAN, detect
from tutela.core.detect.kinds import PiiType

EMAIL = "jane.doe@example.com"


def _expected(text: str) -> list[tuple[int, int]]:
    return [(d.start, d.end) for d in detect(text)]


def test_a_value_straddling_every_window_edge_is_found_once_at_its_absolute_offset() -> None:
    chunk = 1000
    for cut_at in range(chunk + MAX_SPAN - 30, chunk + MAX_SPAN + 5):
        prefix = ("x" * 79 + "\n") * (cut_at // 80) + "y" * (cut_at % 80)
        text = prefix + " " + EMAIL + " tail\n" + "z " * 3000 + EMAIL + "\n"
        result = scan_pieces([text[i : i + 333] for i in range(0, len(text), 333)], "t.log", chunk_chars=chunk)
        assert [(f.start, f.end) for f in result.findings] == _expected(text)
        first = result.findings[0]
        assert first.start is not None and text[first.start : first.end] == EMAIL
        assert first.line == text.count("\n", 0, first.start) + 1
        assert result.chars == len(text) and result.newlines == text.count("\n")


def test_a_file_larger_than_a_window_scans_like_one_pass(tmp_path: Path) -> None:
    lines = [f"2026-11-29 order shipped to buyer{i}@example.com ok" if i % 7 == 0 else f"line {i}" for i in range(5000)]
    text = "\n".join(lines) + "\n"
    (tmp_path / "app.log").write_text(text, encoding="utf-8")
    report = scan_paths([tmp_path / "app.log"], ScanOptions(chunk_chars=4096))
    assert [(f.start, f.end) for f in report.findings] == _expected(text)
    for f in report.findings:
        assert f.line == text.count("\n", 0, f.start) + 1
        assert f.type is PiiType.EMAIL and "@" in f.preview
        assert f.start is not None and text[f.start : f.end] not in f.preview
    assert report.locations_scanned == 1 and report.bytes_scanned == len(text.encode())


def test_a_long_single_line_is_scanned_in_windows(tmp_path: Path) -> None:
    # 1 MB on one line, in 32 KB windows: the same logic as a 100 MB line in 1 MB windows.
    filler = "a" * 4000 + " "
    body = (filler + EMAIL + " ") * 250
    path = tmp_path / "one-line.log"
    path.write_text(body, encoding="utf-8")
    report = scan_paths([path], ScanOptions(chunk_chars=1 << 15))
    assert len(report.findings) == 250
    assert all(f.line == 1 for f in report.findings)
    assert report.findings[-1].start == body.rindex(EMAIL)


def test_offsets_are_characters_of_the_decoded_text_not_bytes(tmp_path: Path) -> None:
    text = "Grüße aus Köln – 北京 " * 50 + EMAIL + "\n"
    path = tmp_path / "notes.txt"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))  # with a BOM, which is not text
    [finding] = scan_paths([path], ScanOptions()).findings
    assert (finding.start, finding.end) == (text.index(EMAIL), text.index(EMAIL) + len(EMAIL))


def test_utf16_with_a_bom_is_decoded(tmp_path: Path) -> None:
    path = tmp_path / "export.txt"
    path.write_text("contact: " + EMAIL + "\n", encoding="utf-16")
    [finding] = scan_paths([path], ScanOptions()).findings
    assert finding.start == len("contact: ")


def test_invalid_utf8_is_replaced_and_counted(tmp_path: Path) -> None:
    path = tmp_path / "mixed.log"
    path.write_bytes(b"caf\xe9 \xff\xfe ok " + EMAIL.encode() + b"\n")
    report = scan_paths([path], ScanOptions())
    assert report.replaced_characters == 3
    [finding] = report.findings
    assert finding.start == len("caf\ufffd \ufffd\ufffd ok ")


def test_a_binary_file_is_skipped_with_the_reason(tmp_path: Path) -> None:
    path = tmp_path / "image.dat"
    path.write_bytes(bytes(range(256)) * 10 + EMAIL.encode())
    report = scan_paths([path], ScanOptions())
    assert report.findings == []
    assert [(s.location, s.reason) for s in report.skipped] == [(str(path), "binary file")]


def test_scan_text_reports_offsets_and_lines() -> None:
    text = "hello\nwrite to " + EMAIL + "\n"
    report = scan_text(text, "paste")
    [finding] = report.findings
    assert (finding.location, finding.line, finding.start) == ("paste", 2, text.index(EMAIL))
    assert report.bytes_scanned == len(text.encode())
