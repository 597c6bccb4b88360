"""CSV cells a spreadsheet will not run: anything that could start a formula gets a leading apostrophe."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Excel and LibreOffice split a pasted or imported line at ; or , as well: a formula may start after either.
_SPLIT = re.compile(r"[;,]")


def neutralise(value: Any) -> str:
    """A cell as text; one a spreadsheet could take for a formula, whole or after a ; or , is prefixed with '."""
    text = "" if value is None else str(value)
    if any(part.lstrip(" ").startswith(FORMULA_START) for part in _SPLIT.split(text)):
        return "'" + text
    return text


def line_writer() -> Callable[[list[Any]], str]:
    """A function that turns one row of cells into one neutralised CSV line (for a streamed export)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def line(cells: list[Any]) -> str:
        writer.writerow([neutralise(c) for c in cells])
        out = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return out

    return line
