"""CSV cells a spreadsheet will not run as formulas, wherever it might split them (history and audit exports)."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from typing import Any

# A spreadsheet may split a cell wherever it sees its own separator (`;` in Serbian Excel, `,` elsewhere, a
# tab, a line break), so a formula may start in the middle of a cell: an apostrophe goes before the formula
# character at every such point, and before a cell that starts with a tab or carriage return.
_FORMULA_AT_SPLIT = re.compile(r"(^|[;,\t\r\n])(\s*)([=+\-@])")


def neutralise(value: Any) -> str:
    """A CSV cell as text, with an apostrophe wherever a spreadsheet could find a formula in it."""
    text = "" if value is None else str(value)
    text = _FORMULA_AT_SPLIT.sub(r"\1\2'\3", text)
    return "'" + text if text.startswith(("\t", "\r")) else text


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
