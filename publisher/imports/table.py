"""What a spreadsheet holds once read, whatever its format, and the refusal of a file that cannot be read."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from publisher.core.errors import Invalid


@dataclass(frozen=True)
class Row:
    number: int  # as the person sees it in the file: a spreadsheet's row number, a CSV's record number
    values: tuple[Any, ...]  # one per header; text, or a number or a date as an XLSX cell typed it


@dataclass(frozen=True)
class Table:
    headers: tuple[str, ...]
    header_row: int
    rows: tuple[Row, ...] = field(default=())
    source: str = ""  # "csv (UTF-8, ;)" or "xlsx (Sheet1)": how it was read, for the preview


class Unreadable(Invalid):
    """The file as a whole cannot be imported (not a spreadsheet, too large, too many rows, no header...).

    `code` says which, `details` holds the numbers the sentence needs; pages word it in the reader's language.
    """

    def __init__(self, code: str, message: str, **params: Any) -> None:
        super().__init__(message, code=code, details=params)
