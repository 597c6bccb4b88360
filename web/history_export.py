"""The history's rows for download: the columns and XLSX (the CSV's cells: web.spreadsheet).

XLSX (openpyxl, write-only: rows go to a temporary file as they come, so memory stays flat for any history):
text cells are written as text, never as formulas; times as Excel date-times in the office's zone.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import gettext
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from sqlalchemy import Row

from web import labels

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
XLSX_TIME_FORMAT = "yyyy-mm-dd hh:mm:ss"
XLSX_CHUNK = 64 * 1024
EXCEL_FIRST_YEAR = 1900  # Excel has no dates before 1900: such a time is written as text
COLUMN_WIDTHS = (20, 16, 14, 8, 50, 20, 20, 40, 50)


def header() -> list[str]:
    return [gettext("Time"), gettext("Channel"), gettext("State"), gettext("Post"), gettext("Title"),
            gettext("Written by"), gettext("Approved by"), gettext("Link"), gettext("What happened")]


def cells(row: Row, zone: ZoneInfo) -> list[Any]:
    """One delivery's cells: the time as an aware datetime in the office's zone, the post's id as a number."""
    # A channel's delivery of one language version is named with the language, as the page labels it.
    channel = f"{row.channel} ({labels.language_name(row.language)})" if row.language else row.channel
    return [row.at.astimezone(zone), channel, str(labels.DELIVERY_STATES.get(row.status, row.status)),
            row.post_id, row.title, row.author_display or row.author, row.approver_display or row.approver or "",
            row.url or "", row.error or ""]


def _xlsx_cell(sheet: Any, value: Any) -> WriteOnlyCell:
    if isinstance(value, datetime):
        local = value.replace(tzinfo=None)
        if local.year < EXCEL_FIRST_YEAR:
            return _xlsx_cell(sheet, value.isoformat(timespec="seconds"))
        cell = WriteOnlyCell(sheet, value=local)
        cell.number_format = XLSX_TIME_FORMAT
        return cell
    if isinstance(value, int):
        return WriteOnlyCell(sheet, value=value)
    cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", str(value)))
    cell.data_type = "s"  # text stays text: "=HYPERLINK(...)" is a title, not a formula
    return cell


def write_xlsx(rows: Iterator[Row], zone: ZoneInfo, title: str) -> str:
    """The workbook written to a temporary file; returns its path (the caller streams and removes it)."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=title[:31])
    for index, width in enumerate(COLUMN_WIDTHS):
        sheet.column_dimensions[chr(ord("A") + index)].width = width
    sheet.append([_xlsx_cell(sheet, name) for name in header()])
    for row in rows:
        sheet.append([_xlsx_cell(sheet, value) for value in cells(row, zone)])
    fd, path = tempfile.mkstemp(prefix="history-", suffix=".xlsx")
    os.close(fd)
    try:
        book.save(path)
    except BaseException:
        os.unlink(path)
        raise
    return path


def stream_file(path: str) -> Iterator[bytes]:
    """The file's bytes in chunks, removing it when done (or when the download is abandoned)."""
    try:
        with open(path, "rb") as fp:
            while chunk := fp.read(XLSX_CHUNK):
                yield chunk
    finally:
        os.unlink(path)
