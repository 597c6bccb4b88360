"""Reading CSV and XLSX as people bring them, matching headers in any language or script, and finding every
problem at once with the row and column the person sees (publisher/imports). No database here; writing is
tested with the people import (test_people_import.py)."""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal

import pytest

from publisher.core import limits
from publisher.imports import reading
from publisher.imports.checking import check
from publisher.imports.fields import Field, Kind
from publisher.imports.table import Unreadable
from tests.factories.spreadsheets import PNG, csv_bytes, xlsx_bytes

NAMES = [["Ime", "Grad"], ["Đorđe", "Čačak"], ["Ćamil", "Niš"]]

EVENTS = Kind("events", (
    Field("title", "text", ("Naslov", "Title", "Titulli"), required=True, max_length=20, unique=True),
    Field("email", "email", ("E-mail", "Е-пошта", "Email", "Imejl")),
    Field("day", "date", ("Datum", "Date", "Data")),
    Field("guests", "number", ("Broj gostiju", "Guests")),
    Field("kind", "choice", ("Vrsta", "Kind"), choices={"sastanak": "meeting", "takim": "meeting",
                                                         "konferencija": "conference"}),
))


def table_of(data: bytes, **kw):
    return reading.read(data, **kw)


@pytest.mark.parametrize(("data", "how"), [
    (csv_bytes(NAMES, bom=True), "UTF-8"),
    (csv_bytes(NAMES, sep=";"), "UTF-8"),
    (csv_bytes(NAMES, sep=";", encoding="cp1250"), "Windows-1250"),
    (csv_bytes(NAMES, sep="\t", encoding="utf-16"), "UTF-16"),
    (csv_bytes([["Име", "Град"], ["Ђорђе", "Чачак"], ["Ћамил", "Ниш"]], sep=";", encoding="cp1251"), "Windows-1251"),
], ids=["utf8-bom", "semicolon", "cp1250", "utf16-tab", "cp1251"])
def test_csv_in_every_encoding_excel_writes(data, how):
    table = table_of(data)
    assert how in table.source
    assert len(table.headers) == 2 and [r.number for r in table.rows] == [2, 3]
    if how != "Windows-1251":
        assert table.headers == ("Ime", "Grad")
        assert table.rows[0].values == ("Đorđe", "Čačak") and table.rows[1].values == ("Ćamil", "Niš")
    else:
        assert table.rows[0].values == ("Ђорђе", "Чачак")


def test_a_semicolon_inside_quotes_does_not_decide_the_separator():
    table = table_of(b'"a;b",c\r\n1,2\r\n')
    assert table.headers == ("a;b", "c")


def test_empty_rows_are_skipped_and_the_numbers_stay_as_in_the_file():
    table = table_of(b"\r\nIme,Grad\r\n,\r\nAna,Bor\r\n\r\nIvo,Pec\r\n")
    assert table.header_row == 2 and [r.number for r in table.rows] == [4, 6]


def test_xlsx_keeps_types_and_row_numbers():
    data = xlsx_bytes([["Naslov", "Datum", "Broj gostiju"], ["Prijem", date(2026, 12, 4), 40], [],
                       ["Sastanak", "5.12.2026.", 12.5]])
    table = table_of(data)
    assert table.headers == ("Naslov", "Datum", "Broj gostiju")
    assert [(r.number, r.values) for r in table.rows] == [
        (2, ("Prijem", date(2026, 12, 4), 40)), (4, ("Sastanak", "5.12.2026.", 12.5))]


def test_xlsx_a_named_sheet_and_a_missing_one():
    data = xlsx_bytes([["x"], ["1"]], more={"Ljudi": [["Ime"], ["Ana"]]})
    assert table_of(data, sheet="Ljudi").rows[0].values == ("Ana",)
    with pytest.raises(Unreadable) as refused:
        table_of(data, sheet="Nema")
    assert refused.value.code == "no_sheet" and "Ljudi" in refused.value.details["sheets"]


def test_xlsx_merged_cells_give_their_value_once_and_formulas_never_computed_are_empty():
    data = xlsx_bytes([["Naslov", "Grad"], ["Prijem", "=1+1"], ["Dan", "Niš"]], merge="A3:B3")
    rows = table_of(data).rows
    assert rows[0].values == ("Prijem", "") and rows[1].values == ("Dan", "")


@pytest.mark.parametrize(("data", "code"), [
    (PNG, "not_a_spreadsheet"),
    (b"PK\x03\x04 not really a zip", "bad_xlsx"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "old_excel"),
    (b"", "empty"),
    (b"\xef\xbb\xbf\xff\xfe", "bad_encoding"),
], ids=["png-named-xlsx", "broken-zip", "old-xls", "empty", "bom-then-garbage"])
def test_what_is_not_a_spreadsheet_is_refused_clearly(data, code):
    with pytest.raises(Unreadable) as refused:
        table_of(data)
    assert refused.value.code == code


def test_limits_of_size_rows_and_columns(monkeypatch):
    monkeypatch.setattr(limits, "IMPORT_ROWS", 3)
    with pytest.raises(Unreadable) as rows:
        table_of(csv_bytes([["a"]] + [[str(i)] for i in range(4)]))
    assert rows.value.code == "too_many_rows" and rows.value.details == {"limit": 3}
    assert len(table_of(csv_bytes([["a"]] + [[str(i)] for i in range(3)])).rows) == 3
    with pytest.raises(Unreadable) as xlsx_rows:
        table_of(xlsx_bytes([["a"]] + [[i] for i in range(4)]))
    assert xlsx_rows.value.code == "too_many_rows"
    with pytest.raises(Unreadable) as wide:
        table_of(csv_bytes([["a"] * (limits.IMPORT_COLUMNS + 1)]))
    assert wide.value.code == "too_many_columns"
    monkeypatch.setattr(limits, "IMPORT_UNPACKED_BYTES", 5_000)  # a workbook that unpacks to more: a zip bomb
    with pytest.raises(Unreadable) as bomb:
        table_of(xlsx_bytes([["a"], ["x" * 6_000]]))
    assert bomb.value.code == "too_large"
    monkeypatch.setattr(limits, "IMPORT_BYTES", 10)
    with pytest.raises(Unreadable) as large:
        table_of(b"a,b\r\n1,2\r\n3,4\r\n")
    assert large.value.code == "too_large"


def test_headers_match_in_any_language_case_script_and_diacritics():
    table = table_of(csv_bytes([["NASLOV*", "е-пошта", "DATUM", "broj gostiju", "vrsta", "Napomena"],
                                ["Prijem", "ana@example.rs", "2026-12-04", "1,5", "Takim", "x"]]))
    checked = check(table, EVENTS)
    assert checked.ok, checked.problems
    assert checked.columns.ignored == ("Napomena",)
    assert checked.rows == ((2, {"title": "Prijem", "email": "ana@example.rs", "day": date(2026, 12, 4),
                                 "guests": Decimal("1.5"), "kind": "meeting"}),)


def test_every_problem_at_once_with_its_row_and_column():
    table = table_of(csv_bytes([
        ["Naslov", "Email", "Datum", "Guests", "Vrsta"],
        ["Prijem", "ana@example.rs", "4.12.2026.", "40", "sastanak"],
        ["", "nije adresa", "31.2.2026", "četrdeset", "ručak"],
        ["Naslov koji je predug za polje", "", "", "", ""],
        ["prijem", "", "", "", ""],
    ], sep=";"))
    checked = check(table, EVENTS)
    assert [(p.row, p.column, p.code) for p in checked.problems] == [
        (3, "Naslov", "required"), (3, "Email", "bad_email"), (3, "Datum", "bad_date"),
        (3, "Guests", "bad_number"), (3, "Vrsta", "bad_choice"),
        (4, "Naslov", "too_long"), (5, "Naslov", "duplicate_in_file")]
    assert checked.problems[-1].params == {"value": "prijem", "first_row": 2}
    assert checked.problems[4].params == {"value": "ručak"}


def test_a_missing_required_column_is_one_problem_on_the_header_row():
    checked = check(table_of(csv_bytes([["Email"], ["a@b.rs"]])), EVENTS)
    assert [(p.row, p.field, p.code) for p in checked.problems] == [(1, "title", "missing_column")]


def test_a_header_without_rows_is_a_problem_not_an_empty_success():
    checked = check(table_of(csv_bytes([["Naslov", "Email"]])), EVENTS)
    assert [(p.row, p.code) for p in checked.problems] == [(1, "no_rows")]


def test_a_damaged_workbook_is_refused_as_one_whatever_breaks_inside():
    """zlib, zipfile and the XML parser each fail in their own way on damaged bytes; all read as bad_xlsx."""
    good = xlsx_bytes([["Naslov", "Email"], ["Prijem", "ana@example.rs"]])
    shuffle = random.Random(12)
    codes = set()
    for _ in range(60):
        damaged = bytearray(good)
        for _ in range(5):
            damaged[shuffle.randrange(30, len(damaged))] = shuffle.randrange(256)
        try:
            check(table_of(bytes(damaged)), EVENTS)
        except Unreadable as refused:
            codes.add(refused.code)
    assert codes <= {"bad_xlsx", "too_large"} and "bad_xlsx" in codes
