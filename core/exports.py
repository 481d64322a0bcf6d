"""The one writer for every export in Prudence: CSV and XLSX.

Cells are made safe for spreadsheets: a value starting with = + - @, a tab or a carriage
return would be read as a formula (CSV injection), so it gets a leading apostrophe. Every
value is written as text, so phone numbers and IDs keep their leading zeros and "+".
CSV is UTF-8 with a byte-order mark, which Excel needs to read Chinese correctly.
"""

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime

from openpyxl import Workbook
from openpyxl.cell.cell import TYPE_STRING

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def safe_cell(value) -> str:
    """The text a spreadsheet will show and never evaluate."""
    if value is None:
        return ""
    if isinstance(value, bool):
        text = "TRUE" if value else "FALSE"
    elif isinstance(value, datetime):
        text = value.isoformat(timespec="seconds")
    elif isinstance(value, date):
        text = value.isoformat()
    else:
        text = str(value)
    if text.startswith(FORMULA_TRIGGERS):
        return "'" + text
    return text


def write_csv(headers: Sequence[str], rows: Iterable[Sequence]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([safe_cell(h) for h in headers])
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def write_xlsx(headers: Sequence[str], rows: Iterable[Sequence], *, title: str = "Export") -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    sheet.append([safe_cell(h) for h in headers])
    for row in rows:
        sheet.append([_text_cell(sheet, safe_cell(v)) for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _text_cell(sheet, text: str):
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value=text)
    cell.data_type = TYPE_STRING
    return cell


def write(fmt: str, headers: Sequence[str], rows: Iterable[Sequence], *, title: str = "Export"):
    """``(content, content_type, extension)`` for ``fmt`` "csv" or "xlsx"."""
    if fmt == "xlsx":
        return write_xlsx(headers, rows, title=title), XLSX_CONTENT_TYPE, "xlsx"
    if fmt == "csv":
        return write_csv(headers, rows), CSV_CONTENT_TYPE, "csv"
    raise ValueError(f"unknown export format {fmt!r}")
