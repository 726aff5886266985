from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from tutela.core.errors import ImportFileInvalid, ImportFormatUnknown
from tutela.core.formats.catalog import detect
from tutela.core.formats.text_table import detect_encoding, open_table
from tutela.core.formats.values import BadValue, country_code, parse_amount, parse_time, postal_code_ok


@pytest.mark.parametrize(
    ("sample", "encoding"),
    [(codecs.BOM_UTF8 + b"a,b", "utf-8-sig"), (codecs.BOM_UTF16_LE + "a".encode("utf-16-le"), "utf-16"),
     ("née,São".encode(), "utf-8"), ("née,café".encode("cp1252"), "cp1252"), (b"plain,ascii", "utf-8")],
)  # fmt: skip
def test_encoding_detection(sample: bytes, encoding: str) -> None:
    assert detect_encoding(sample) == encoding


def test_quoted_fields_with_tabs_and_newlines_stream_by_header(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_bytes(b'\xef\xbb\xbfName,Note\r\n"A, B","line one\r\nline\ttwo"\r\nC,\r\n\r\n')
    table = open_table(path)
    assert table.header == ["Name", "Note"]
    assert table.delimiter == ","
    assert list(table.rows()) == [(1, ["A, B", "line one\r\nline\ttwo"]), (2, ["C", ""])]
    table.close()


def test_utf16_tab_file(tmp_path: Path) -> None:
    path = tmp_path / "jp.txt"
    path.write_bytes(codecs.BOM_UTF16_LE + "order-id\tship-city\r\n1\t東京\r\n".encode("utf-16-le"))
    table = open_table(path)
    assert (table.encoding, table.delimiter) == ("utf-16", "\t")
    assert list(table.rows()) == [(1, ["1", "東京"])]
    table.close()


def test_binary_and_empty_files_are_refused(tmp_path: Path) -> None:
    binary = tmp_path / "x.xlsx"
    binary.write_bytes(b"PK\x03\x04\x00\x00binary")
    with pytest.raises(ImportFileInvalid, match="binary"):
        open_table(binary)
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    with pytest.raises(ImportFileInvalid, match="empty"):
        open_table(empty)


def test_unknown_header_says_how_to_map_it() -> None:
    with pytest.raises(ImportFormatUnknown) as caught:
        detect(["foo", "bar"], file_name="x.csv")
    assert "--map" in caught.value.hint


def test_values() -> None:
    assert parse_time("2026-05-01T12:34:56+02:00").isoformat() == "2026-05-01T10:34:56+00:00"  # type: ignore[union-attr]
    assert parse_time("2026-05-01 12:34:56 +0200").isoformat() == "2026-05-01T10:34:56+00:00"  # type: ignore[union-attr]
    assert parse_time("2026-05-01").isoformat() == "2026-05-01T00:00:00+00:00"  # type: ignore[union-attr]
    assert parse_time("") is None
    with pytest.raises(BadValue):
        parse_time("yesterday")
    assert str(parse_amount("1,234.50")) == "1234.50"
    assert str(parse_amount("12,5")) == "12.50"
    assert (country_code("DE"), country_code("United Kingdom"), country_code("UK")) == ("DE", "GB", "GB")
    with pytest.raises(BadValue):
        country_code("Atlantis")
    assert postal_code_ok("SW1A 1AA", "GB")
    assert not postal_code_ok("1234", "DE")
    assert postal_code_ok("anything", "ZZ")  # unknown formats are not guessed at
