"""Spreadsheets through python-calamine (xlsx, xlsm, xlsb, xls, ods): each sheet is judged like
a CSV, its first non-empty row taken as the header, at location "book.xlsx!Sheet1"."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from python_calamine import CalamineError, CalamineWorkbook, PasswordError

from tutela.adapters.sources.columns import ColumnScanner
from tutela.adapters.sources.opener import Opener, seekable
from tutela.core.detect.findings import Finding, ScanReport, Skipped

Cell = int | float | str | bool | time | date | datetime | timedelta


def scan_workbook(opener: Opener, location: str, *, sample_rows: int) -> ScanReport:
    with opener() as raw, seekable(raw) as data:
        size = data.seek(0, 2)
        data.seek(0)
        try:
            book = CalamineWorkbook.from_filelike(data)
        except PasswordError:
            return ScanReport(skipped=[Skipped(location, "encrypted workbook")])
        except (CalamineError, ValueError, OSError):
            return ScanReport(skipped=[Skipped(location, "unreadable: not a valid workbook")])
        report = ScanReport(locations_scanned=1, bytes_scanned=size)
        with book:
            for name in book.sheet_names:
                where = f"{location}!{name}"
                try:
                    report.findings.extend(_sheet(book, name, where, sample_rows))
                except CalamineError:
                    report.skipped.append(Skipped(where, "unreadable: sheet cannot be read"))
    return report


def _sheet(book: CalamineWorkbook, name: str, where: str, sample_rows: int) -> list[Finding]:
    sheet = book.get_sheet_by_name(name)
    first_row = (sheet.start or (0, 0))[0] + 1  # rows above the data are skipped by calamine
    columns = ColumnScanner(where, sample_rows)
    header: list[str] = []
    for number, row in enumerate(sheet.iter_rows(), start=first_row):
        cells = [_text(cell) for cell in row]
        if not header:
            header = [c.strip() for c in cells]
            if not any(header):
                header = []
            continue
        for i, value in enumerate(cells):
            label = header[i] if i < len(header) and header[i] else f"column {i + 1}"
            columns.add(str(i), value, number, header=label)
    return columns.findings()


def _text(cell: Cell) -> str:
    if isinstance(cell, bool):
        return ""
    if isinstance(cell, float) and cell.is_integer() and abs(cell) < 1e16:
        # Phone and card numbers typed into a sheet come back as floats: 4915112345678.0.
        return str(int(cell))
    if isinstance(cell, (date, time)):
        return cell.isoformat()
    if isinstance(cell, timedelta):
        return ""
    return str(cell)
