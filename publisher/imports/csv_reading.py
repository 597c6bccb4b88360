"""A CSV file as Excel and LibreOffice in the region write it.

Encoding, decided by the bytes:
- a byte order mark says it: UTF-8 (Excel's "CSV UTF-8"), UTF-16 LE or BE (Excel's "Unicode text", which
  is tab-separated);
- else UTF-8 when the bytes are valid UTF-8 (LibreOffice's default, and any ASCII file);
- else a Windows code page, as Excel's plain "CSV" writes it in a Serbian or Albanian Windows: 1251 when
  most letters are Cyrillic (bytes 0xC0-0xFF outnumber the ASCII letters: in 1251 they are Cyrillic letters,
  in Latin text only its few č ć đ š ž ë ç are), otherwise 1250 (Central European: č ć đ š ž, and the
  Albanian ë ç). A Latin file in 1252 reads the same as 1250 for ë and ç.
Delimiter: whichever of ; , or tab occurs most often outside quotes in the header line (Excel writes ; where
the decimal comma is the custom, , elsewhere); a tie or none reads as ,.
Every value is text; an empty cell is "".
"""

from __future__ import annotations

import codecs
import csv
import io

from publisher.core import limits
from publisher.imports.table import Row, Table, Unreadable

DELIMITERS = (";", ",", "\t")


def decode(data: bytes) -> tuple[str, str]:
    """The text of `data` and the name of the encoding it was read in."""
    for bom, name in ((codecs.BOM_UTF8, "UTF-8"), (codecs.BOM_UTF16_LE, "UTF-16"), (codecs.BOM_UTF16_BE, "UTF-16")):
        if data.startswith(bom):
            codec = "utf-8-sig" if name == "UTF-8" else "utf-16"
            try:
                return data.decode(codec), name
            except UnicodeDecodeError as exc:
                raise Unreadable("bad_encoding", f"the file says it is {name} but is not", encoding=name) from exc
    if b"\x00" in data:
        raise Unreadable("not_a_spreadsheet", "the file is neither CSV text nor an XLSX workbook")
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    high = sum(1 for b in data if b >= 0xC0)
    ascii_letters = sum(1 for b in data if 0x41 <= b <= 0x5A or 0x61 <= b <= 0x7A)
    if high > ascii_letters:
        return data.decode("cp1251", errors="replace"), "Windows-1251"
    return data.decode("cp1250", errors="replace"), "Windows-1250"


def delimiter(first_line: str) -> str:
    outside, quoted = [], False
    for char in first_line:
        if char == '"':
            quoted = not quoted
        elif not quoted:
            outside.append(char)
    counts = {d: outside.count(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    if counts[best] == 0 or list(counts.values()).count(counts[best]) > 1:
        return ","
    return best


def read_csv(data: bytes) -> Table:
    text, encoding = decode(data)
    first = text.split("\n", 1)[0]
    sep = delimiter(first)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep, strict=False)
    csv.field_size_limit(limits.IMPORT_CELL)
    headers: tuple[str, ...] | None = None
    header_row, rows = 0, []
    try:
        for number, record in enumerate(reader, start=1):
            if not any(cell.strip() for cell in record):
                continue  # an empty line: skipped, the numbers of the rows after it stay as in the file
            if len(record) > limits.IMPORT_COLUMNS:
                raise Unreadable("too_many_columns", f"row {number} has {len(record)} columns; at most "
                                 f"{limits.IMPORT_COLUMNS}", row=number, limit=limits.IMPORT_COLUMNS)
            if headers is None:
                headers, header_row = tuple(cell.strip() for cell in record), number
                continue
            if len(rows) >= limits.IMPORT_ROWS:
                raise Unreadable("too_many_rows", f"more than {limits.IMPORT_ROWS} rows",
                                 limit=limits.IMPORT_ROWS)
            cells = [cell.strip() for cell in record] + [""] * (len(headers) - len(record))
            rows.append(Row(number, tuple(cells)))
    except csv.Error as exc:  # a cell longer than the limit, or a stray NUL
        raise Unreadable("bad_csv", f"the CSV cannot be read near record {reader.line_num}: {exc}",
                         row=reader.line_num) from exc
    if headers is None:
        raise Unreadable("empty", "the file has no rows")
    shown = {";": ";", ",": ",", "\t": "tab"}[sep]
    return Table(headers, header_row, tuple(rows), source=f"CSV, {encoding}, {shown}")
