"""Spreadsheet files as people bring them: CSV in the encodings and separators Excel writes, XLSX made with
openpyxl, and a file that only pretends to be one."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from openpyxl import Workbook

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
       b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")


def csv_bytes(rows: Sequence[Sequence[str]], *, sep: str = ",", encoding: str = "utf-8", bom: bool = False) -> bytes:
    text = "\r\n".join(sep.join(_quoted(cell, sep) for cell in row) for row in rows) + "\r\n"
    data = text.encode(encoding)
    return ("\ufeff".encode(encoding) if bom else b"") + data if encoding != "utf-16" else data


def _quoted(cell: str, sep: str) -> str:
    return f'"{cell.replace(chr(34), chr(34) * 2)}"' if sep in cell or '"' in cell or "\n" in cell else cell


def xlsx_bytes(rows: Sequence[Sequence[Any]], *, title: str = "Sheet1", more: dict[str, Sequence[Sequence[Any]]]
               | None = None, merge: str | None = None) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = title
    for row in rows:
        sheet.append(list(row))
    if merge:
        sheet.merge_cells(merge)
    for name, extra in (more or {}).items():
        other = book.create_sheet(name)
        for row in extra:
            other.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
