"""An import's refusals in the reader's language: a file that cannot be read (publisher.imports.table.Unreadable)
and each problem of a row (publisher.imports.checking.Problem), from their codes and params."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from publisher.core import limits
from publisher.imports.checking import Problem
from publisher.imports.table import Unreadable

UNREADABLE = {
    "too_large": _l("The file is larger than %(limit_mb)d MB. Split it into smaller files."),
    "empty": _l("The file is empty: it has no header row."),
    "not_a_spreadsheet": _l("This is not a spreadsheet. Upload a CSV file or an Excel workbook (.xlsx)."),
    "bad_xlsx": _l("The file cannot be read as an Excel workbook (.xlsx). Open it in Excel or LibreOffice, "
                   "save it as .xlsx or CSV and upload it again."),
    "old_excel": _l("This is an old Excel file (.xls). Save it as .xlsx or CSV and upload it again."),
    "bad_encoding": _l("The file says it is %(encoding)s text but it is not. Save it again as CSV UTF-8."),
    "bad_csv": _l("The CSV file cannot be read near row %(row)d (a cell too long, or a quote never closed)."),
    "bad_cell": _l("A cell in row %(row)d is longer than %(limit)d characters."),
    "too_many_rows": _l("The file has more than %(limit)d rows. Split it into smaller files."),
    "too_many_columns": _l("Row %(row)d has more than %(limit)d columns."),
    "no_sheet": _l("The workbook has no sheet “%(sheet)s”. Its sheets: %(sheets)s."),
    "import_expired": _l("This preview is no longer available (it is kept for an hour). Upload the file again."),
    "import_changed": _l("The kept file is not the one previewed. Upload the file again."),
}

ROW_PROBLEMS = {
    "required": _l("This cell is required."),
    "too_long": _l("At most %(limit)d characters; this one has %(length)d."),
    "bad_email": _l("Not an e-mail address, such as name@example.rs."),
    "bad_pattern": _l("Not in the form this column needs."),
    "bad_date": _l("Not a date: write it as 4.12.2026. or 2026-12-04."),
    "bad_number": _l("Not a number."),
    "bad_choice": _l("“%(value)s” is not one of the values this column takes."),
    "duplicate_in_file": _l("“%(value)s” is already in row %(first_row)d of this file."),
    "taken": _l("“%(value)s” exists already."),
    "missing_column": _l("The file has no column for this; it is required."),
    "doubled_column": _l("A column before this one has the same meaning; this one is left out."),
    "refused": _l("Refused while writing: %(reason)s"),
    "no_rows": _l("The file has a header row but no rows under it."),
}


def unreadable(exc: Unreadable) -> str:
    words = UNREADABLE.get(exc.code)
    params: dict[str, Any] = {"limit_mb": limits.IMPORT_BYTES // (1024 * 1024), **(exc.details or {})}
    return str(words) % params if words is not None else exc.message


def problem(found: Problem) -> str:
    words = ROW_PROBLEMS.get(found.code)
    return str(words) % found.params if words is not None else gettext("This cell cannot be imported.")
