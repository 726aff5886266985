"""The whole-file check that runs before an import stores anything."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from tutela.core.errors import ImportFileInvalid
from tutela.core.formats.table_survey import survey_table
from tutela.core.formats.text_table import open_table


def survey(path: Path, data: bytes) -> int:
    path.write_bytes(data)
    table = open_table(path)
    try:
        found = survey_table(table)
    finally:
        table.close()
    assert found.sha256 == hashlib.sha256(data).hexdigest()
    return found.rows


def test_counts_data_rows_and_skips_blank_lines(tmp_path: Path) -> None:
    assert survey(tmp_path / "t.txt", b"a\tb\tc\r\n1\t2\t3\r\n\r\n\t\t\r\n4\t5\t6") == 2


def test_quoted_cells_with_delimiters_and_newlines_are_one_cell(tmp_path: Path) -> None:
    data = b'Name,Note,Zip\r\nA,plain,1\r\n"B, C","line one\r\nline, two",2\r\nD,,3\r\n'
    assert survey(tmp_path / "q.csv", data) == 3


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"a\tb\tc\r\n1\t2\t3\r\n4\t5\r\n7\t8\t9\r\n", "data row 2 has 2 cells where the header has 3"),
        (b"a\tb\tc\r\n1\t2\t3\r\n4\t5\t6\t7\r\n", "data row 2 has 4 cells where the header has 3"),
        (b"a\tb\tc\r\n1\t2\t3\r\n4\t5", "data row 2 has 2 cells where the header has 3"),  # cut short
        (b'a,b\r\n"1",2\r\n3,4\r\n5\r\n', "data row 3 has 1 cells where the header has 2"),  # after a quote
        (b'a,b\r\n1,"never closed\r\n', "data row 1 is malformed (a quote is not closed)"),
        (b"a,b\r\n", "has a header but no data rows"),
        (b"a,b\r\n\r\n,\r\n", "has a header but no data rows"),
    ],
)
def test_a_bad_table_is_refused_with_the_row(tmp_path: Path, data: bytes, problem: str) -> None:
    with pytest.raises(ImportFileInvalid) as caught:
        survey(tmp_path / "bad.txt", data)
    assert problem in caught.value.message
    assert caught.value.hint


def test_bytes_invalid_in_the_encoding_far_into_the_file(tmp_path: Path) -> None:
    rows = b"".join(b"%d\tok\r\n" % n for n in range(20_000))  # past the 64 KiB detection sample
    with pytest.raises(ImportFileInvalid) as caught:
        survey(tmp_path / "late.txt", b"a\tb\r\n" + rows + b"20000\t\xff\xfe\r\n")
    assert "is not valid utf-8" in caught.value.message
