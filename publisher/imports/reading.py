"""Which format a file is, by its bytes and not its name, and the size limit: every import reads through here."""

from __future__ import annotations

from publisher.core import limits
from publisher.imports.csv_reading import read_csv
from publisher.imports.table import Table, Unreadable
from publisher.imports.xlsx_reading import read_xlsx

_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the old .xls (and .doc) container


def read(data: bytes, *, sheet: str | None = None) -> Table:
    """The table in `data` (XLSX or CSV), or Unreadable saying why not."""
    if len(data) > limits.IMPORT_BYTES:
        raise Unreadable("too_large", f"the file is {len(data)} bytes; at most {limits.IMPORT_BYTES}",
                         limit_mb=limits.IMPORT_BYTES // (1024 * 1024))
    if not data.strip():
        raise Unreadable("empty", "the file is empty")
    if data.startswith(_ZIP):
        return read_xlsx(data, sheet)
    if data.startswith(_OLE):
        raise Unreadable("old_excel", "an old Excel file (.xls): save it as .xlsx or CSV")
    return read_csv(data)
