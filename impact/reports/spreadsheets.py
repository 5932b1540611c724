"""Writing datasets as CSV and XLSX, so that a spreadsheet never runs a formula from a respondent.

A cell whose text begins with =, +, - or @ (or a tab or carriage return, which some spreadsheets
strip before reading the rest) is prefixed with an apostrophe: shown as text, never evaluated.
Numbers stay numbers.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable

from openpyxl import Workbook

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutral(value):
    """A cell value that no spreadsheet will take as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).replace(tzinfo=None) if value.tzinfo else value
    return value


def csv_text(columns: Iterable[str], rows: Iterable[tuple]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["" if value is None else neutral(value) for value in row])
    # A byte-order mark, so that Excel opens the file as UTF-8 rather than guessing.
    return "\ufeff" + out.getvalue()


def xlsx_bytes(sheets: Iterable[tuple[str, Iterable[str], Iterable[tuple]]]) -> bytes:
    """One workbook, a sheet per (name, columns, rows); times in UTC."""
    book = Workbook(write_only=True)
    for name, columns, rows in sheets:
        sheet = book.create_sheet(title=name[:31])
        sheet.append(list(columns))
        for row in rows:
            sheet.append([neutral(value) for value in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
