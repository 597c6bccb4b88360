"""Importing people from a spreadsheet: all rows or none, checked against the file and the database, audited
with counts, the imported people without a password until an administrator sets one."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import func, select

from publisher.core.errors import Forbidden
from publisher.core.models import AuditEvent, User
from publisher.imports.writing import Refused
from publisher.people import accounts, importing
from tests.factories.spreadsheets import csv_bytes, xlsx_bytes

HEADER = ["Korisničko ime", "Ime i prezime", "E-pošta", "Uloge", "Jezik"]
GOOD = [HEADER, ["nina", "Nina Nikolić", "nina@ministarstvo.gov.rs", "službenik", "sr-Cyrl"],
        ["dren", "Dren Krasniqi", "", "zyrtar; miratues", "Shqip"],
        ["petar", "Петар Ђурић", "petar@ministarstvo.gov.rs", "approver", ""]]


def people_count(session) -> int:
    return session.scalar(select(func.count()).select_from(User))


def write(session, office, data: bytes):
    return importing.write(session, office.actor("admin"), data, sha256=hashlib.sha256(data).hexdigest())


def test_everyone_in_the_file_is_added_without_a_password_and_audited_once(session, office):
    data = csv_bytes(GOOD, sep=";", bom=True)
    before = people_count(session)
    checked = write(session, office, data)
    session.commit()
    assert people_count(session) == before + 3
    nina, dren = accounts.get_user(session, "nina"), accounts.get_user(session, "dren")
    assert (nina.display_name, nina.email, nina.roles, nina.locale) == (
        "Nina Nikolić", "nina@ministarstvo.gov.rs", frozenset({"officer"}), "sr-Cyrl")
    assert (dren.email, dren.roles, dren.locale) == (None, frozenset({"officer", "approver"}), "sq")
    assert nina.password_hash is None and not accounts.check_password(nina, "")
    audit = session.scalars(select(AuditEvent).where(AuditEvent.action == "import.people")).all()
    assert len(audit) == 1 and audit[0].detail["rows"] == 3 == len(checked.rows)
    assert audit[0].detail["sha256"] == hashlib.sha256(data).hexdigest()
    assert "Nina" not in str(audit[0].detail)  # no personal data in the log


def test_a_workbook_with_latin_names_in_cp1250_and_an_xlsx_read_alike(session, office):
    write(session, office, csv_bytes(GOOD[:2], sep=";", encoding="cp1250"))
    write(session, office, xlsx_bytes([HEADER, GOOD[2]]))
    session.commit()
    assert accounts.get_user(session, "nina").display_name == "Nina Nikolić"
    assert accounts.get_user(session, "dren").display_name == "Dren Krasniqi"


def test_three_bad_rows_are_three_problems_and_nothing_is_written(session, office):
    data = xlsx_bytes([HEADER, ["nina", "Nina", "nina@ministarstvo.gov.rs", "officer", ""],
                       ["Loše Ime", "X", "", "officer", ""],
                       ["zoran", "Zoran", "nije-adresa", "officer", ""],
                       ["vuk", "Vuk", "", "kuvar", ""]])
    before = people_count(session)
    with pytest.raises(Refused) as refused:
        write(session, office, data)
    session.rollback()
    assert [(p.row, p.column, p.code) for p in refused.value.problems] == [
        (3, "Korisničko ime", "bad_pattern"), (4, "E-pošta", "bad_email"), (5, "Uloge", "bad_choice")]
    assert people_count(session) == before
    assert session.scalar(select(func.count()).where(AuditEvent.action == "import.people")) == 0


def test_user_names_twice_in_the_file_or_already_taken(session, office):
    data = csv_bytes([HEADER, ["nina", "", "", "officer", ""], ["ana", "", "", "officer", ""],
                      ["nina", "", "", "officer", ""]])
    with pytest.raises(Refused) as refused:
        write(session, office, data)
    assert [(p.row, p.code, p.params) for p in refused.value.problems] == [
        (3, "taken", {"value": "ana"}), (4, "duplicate_in_file", {"value": "nina", "first_row": 2})]
    checked = importing.preview(session, office.actor("admin"), data)
    assert len(checked.problems) == 2 and len(checked.rows) == 3


def test_a_row_refused_while_writing_undoes_the_rows_before_it(session, office, monkeypatch):
    real = importing.accounts.add_user

    def refusing(session_, name, *args, **kw):
        if name == "petar":
            raise importing.accounts.Conflict("someone took it meanwhile")
        return real(session_, name, *args, **kw)

    monkeypatch.setattr(importing.accounts, "add_user", refusing)
    before = people_count(session)
    with pytest.raises(Refused) as refused:
        write(session, office, csv_bytes(GOOD))
    assert [(p.row, p.code) for p in refused.value.problems] == [(4, "refused")]
    assert people_count(session) == before  # the savepoint took nina and dren back, before any rollback


def test_only_an_administrator_imports(session, office):
    with pytest.raises(Forbidden):
        importing.preview(session, office.actor("ana"), csv_bytes(GOOD))
    with pytest.raises(Forbidden):
        importing.write(session, office.actor("ana"), csv_bytes(GOOD), sha256="0" * 64)
