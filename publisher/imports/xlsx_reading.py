"""An XLSX workbook, read with openpyxl in read-only mode (rows streamed, never the whole sheet in memory).

- The first sheet, or the one named; a name that is not there is refused with the names that are.
- Values as the cells are typed: text, numbers (int or float), dates (datetime), booleans.
- Formulas: the value the spreadsheet last computed and saved (data_only); a formula never computed (a file
  written by a program, not saved by Excel or LibreOffice) reads as an empty cell.
- Merged cells: the value is in the first (top-left) cell only; the others read as empty.
- Empty rows are skipped; the row numbers of the others stay the spreadsheet's own.
- A workbook whose parts unpack to more than limits.IMPORT_UNPACKED_BYTES is refused as too large before
  anything is parsed (openpyxl keeps every shared string in memory, even in read-only mode).
"""

from __future__ import annotations

import io
import zipfile
from datetime import datetime
from typing import Any

from openpyxl import load_workbook

from publisher.core import limits
from publisher.imports.table import Row, Table, Unreadable


def _cell(value: Any) -> Any:
    if isinstance(value, str):
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, datetime) and value.time() == datetime.min.time():
        return value.date()  # a date cell without a time of day is a date
    return value


def _trimmed(cells: tuple[Any, ...]) -> tuple[Any, ...]:
    """Without the empty cells at the end (max_col pads every row to it)."""
    end = len(cells)
    while end and cells[end - 1] == "":
        end -= 1
    return cells[:end]


def _unpacked_size(data: bytes) -> int:
    """What the workbook's parts declare they unpack to; zipfile never reads a part past its declared size."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return sum(part.file_size for part in archive.infolist())


def read_xlsx(data: bytes, sheet: str | None = None) -> Table:
    """The sheet's table, or Unreadable. A damaged workbook fails deep inside zipfile, zlib, the XML parser or
    openpyxl with whatever each raises (zlib.error, NotImplementedError, ParseError, KeyError...): every
    failure but our own refusals reads as "not a workbook that can be read", never as a 500."""
    try:
        return _read(data, sheet)
    except Unreadable:
        raise
    except Exception as exc:  # noqa: BLE001 (see the docstring)
        raise Unreadable("bad_xlsx", "the file is not an XLSX workbook that can be read") from exc


def _read(data: bytes, sheet: str | None) -> Table:
    unpacked = _unpacked_size(data)
    if unpacked > limits.IMPORT_UNPACKED_BYTES:
        raise Unreadable("too_large", f"the workbook unpacks to {unpacked} bytes; at most "
                         f"{limits.IMPORT_UNPACKED_BYTES}", limit_mb=limits.IMPORT_BYTES // (1024 * 1024))
    book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        if sheet:
            if sheet not in book.sheetnames:
                raise Unreadable("no_sheet", f"the workbook has no sheet {sheet!r}", sheet=sheet,
                                 sheets=", ".join(book.sheetnames))
            worksheet = book[sheet]
        else:
            worksheet = book.worksheets[0]
        headers: tuple[str, ...] | None = None
        header_row, rows = 0, []
        for number, values in enumerate(worksheet.iter_rows(max_col=limits.IMPORT_COLUMNS, values_only=True),
                                        start=1):
            cells = _trimmed(tuple(_cell(v) for v in values))
            if not cells:
                continue
            if headers is None:
                headers, header_row = tuple(str(c) for c in cells), number
                continue
            if len(rows) >= limits.IMPORT_ROWS:
                raise Unreadable("too_many_rows", f"more than {limits.IMPORT_ROWS} rows", limit=limits.IMPORT_ROWS)
            long = next((c for c in cells if isinstance(c, str) and len(c) > limits.IMPORT_CELL), None)
            if long is not None:
                raise Unreadable("bad_cell", f"a cell in row {number} is longer than {limits.IMPORT_CELL} characters",
                                 row=number, limit=limits.IMPORT_CELL)
            rows.append(Row(number, cells + ("",) * (len(headers) - len(cells))))
        if headers is None:
            raise Unreadable("empty", "the sheet has no rows")
        return Table(headers, header_row, tuple(rows), source=f"XLSX, {worksheet.title}")
    finally:
        book.close()
