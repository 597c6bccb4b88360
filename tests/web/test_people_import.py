"""Importing people on the users page: upload → preview with every problem by row and column → confirm →
everyone added, or nobody; the kept file bound by its SHA-256 and removed afterwards; bad files refused
clearly, never a 500."""

from __future__ import annotations

import hashlib
import io
import re

import pytest
from sqlalchemy import func, select

from publisher.core import limits
from publisher.core.models import AuditEvent, User, UserRole
from publisher.imports import staging
from tests.factories.spreadsheets import PNG, csv_bytes, xlsx_bytes
from tests.web.page_helpers import at_home

HEADER = ["User name", "Display name", "E-mail", "Roles", "Language"]
GOOD = [HEADER, ["nina", "Nina Nikolić", "nina@ministarstvo.gov.rs", "officer", "sr-Cyrl"],
        ["dren", "Dren Krasniqi", "", "zyrtar, miratues", "sq"]]
TOKEN = re.compile(r'name="token" value="([^"]+)"')


@pytest.fixture
def admin(signed_in, english):
    english("admin", "bojan")
    return at_home(signed_in)("admin")


def count(rt) -> int:
    with rt.read_sessions() as reader:
        return reader.scalar(select(func.count()).select_from(User))


def kept(rt) -> list:
    where = staging.folder(rt.settings.instance_dir)
    return sorted(p.name for p in where.iterdir()) if where.is_dir() else []


def upload(browser, data: bytes, name: str = "people.csv", **fields):
    return browser.post("/admin/users/import", {"file": (io.BytesIO(data), name), **fields},
                        content_type="multipart/form-data")


def test_upload_preview_confirm_adds_everyone_and_removes_the_file(admin, rt):
    data = csv_bytes(GOOD, sep=";", bom=True)
    before = count(rt)
    response = upload(admin, data)
    sha = hashlib.sha256(data).hexdigest()
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/admin/users/import/{sha}")
    assert kept(rt) == [f"people-{sha}"]
    page = admin.get(f"/admin/users/import/{sha}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "nina@ministarstvo.gov.rs" in html and "Dren Krasniqi" in html
    assert count(rt) == before  # the upload and the preview write nothing
    done = admin.post("/admin/users/import/confirm", {"token": TOKEN.search(html).group(1)})
    assert done.status_code == 302 and done.headers["Location"].endswith("/admin/users")
    assert count(rt) == before + 2 and kept(rt) == []
    assert "2 people were added" in admin.get("/admin/users").get_data(as_text=True)
    audit = admin.get("/audit").get_data(as_text=True)
    assert "people imported from a spreadsheet" in audit and f"the spreadsheet {sha[:16]}…" in audit
    again = admin.post("/admin/users/import/confirm", {"token": TOKEN.search(html).group(1)})
    assert again.status_code == 404 and count(rt) == before + 2  # a second confirmation writes nothing


def test_an_xlsx_with_three_bad_rows_shows_three_problems_and_offers_no_confirmation(admin, rt):
    data = xlsx_bytes([HEADER, ["vuk", "Vuk", "", "officer", ""], ["Loše Ime", "", "", "officer", ""],
                       ["zoran", "", "nije-adresa", "officer", ""], ["ana", "", "", "kuvar", ""]])
    response = upload(admin, data, "people.xlsx")
    page = admin.get(response.headers["Location"])
    html = page.get_data(as_text=True)
    assert page.status_code == 422
    cells = re.findall(r'<td data-label="Row">(\d+)</td><td data-label="Column">([^<]+)</td>', html)
    assert cells == [("3", "User name"), ("4", "E-mail"), ("5", "User name"), ("5", "Roles")]  # ana is taken
    assert "/admin/users/import/confirm" not in html
    assert "exists already" in html and "is not one of the values" in html and "lower-case letters" in html


def test_a_file_changed_after_the_preview_is_not_written(admin, rt):
    data = csv_bytes(GOOD)
    sha = hashlib.sha256(data).hexdigest()
    html = admin.get(upload(admin, data).headers["Location"]).get_data(as_text=True)
    (staging.folder(rt.settings.instance_dir) / f"people-{sha}").write_bytes(csv_bytes(GOOD[:2]))
    before = count(rt)
    response = admin.post("/admin/users/import/confirm", {"token": TOKEN.search(html).group(1)})
    assert response.status_code == 404 and "not the one previewed" in response.get_data(as_text=True)
    assert count(rt) == before


def test_someone_added_since_the_preview_refuses_all_and_shows_why(admin, rt, session, office):
    html = admin.get(upload(admin, csv_bytes(GOOD)).headers["Location"]).get_data(as_text=True)
    admin.post("/admin/users/new", {"name": "nina", "display_name": "", "email": "", "roles": ["officer"],
                                    "locale": "", "password": "dugacka-lozinka-1",
                                    "confirm_password": "dugacka-lozinka-1"})
    before = count(rt)
    response = admin.post("/admin/users/import/confirm", {"token": TOKEN.search(html).group(1)})
    assert response.status_code == 422 and "Nothing was written" in response.get_data(as_text=True)
    assert count(rt) == before and not read_import_audit(rt)


def read_import_audit(rt) -> list:
    with rt.read_sessions() as reader:
        return list(reader.scalars(select(AuditEvent.id).where(AuditEvent.action == "import.people")))


def test_cancel_removes_the_kept_file(admin, rt):
    html = admin.get(upload(admin, csv_bytes(GOOD)).headers["Location"]).get_data(as_text=True)
    assert kept(rt)
    assert admin.post("/admin/users/import/cancel", {"token": TOKEN.search(html).group(1)}).status_code == 302
    assert kept(rt) == []


@pytest.mark.parametrize(("data", "name", "words"), [
    (PNG, "people.xlsx", "not a spreadsheet"),
    (b"", "empty.csv", "empty"),
    (xlsx_bytes([["a"]]), "people.xlsx", None),
], ids=["png-renamed", "empty", "named-sheet-missing"])
def test_files_that_cannot_be_read_are_refused_on_the_form(admin, rt, data, name, words):
    response = upload(admin, data, name, **({} if words else {"sheet": "Ljudi"}))
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and kept(rt) == []
    assert (words or "has no sheet") in html


def test_a_token_of_another_admin_or_forged_is_refused(admin, signed_in, rt, people, session):
    html = admin.get(upload(admin, csv_bytes(GOOD)).headers["Location"]).get_data(as_text=True)
    token = TOKEN.search(html).group(1)
    people.users["bojan"].role_rows.append(UserRole(role="admin"))
    session.commit()
    other = at_home(signed_in)("bojan")
    assert other.post("/admin/users/import/confirm", {"token": token}).status_code == 404
    assert admin.post("/admin/users/import/confirm", {"token": token[:-4] + "AAAA"}).status_code == 404
    assert admin.get("/admin/users/import/" + "0" * 64).status_code == 404
    assert admin.get("/admin/users/import/..%2F..%2Fsecret_key").status_code == 404


def test_only_administrators_reach_the_import(signed_in):
    officer = at_home(signed_in)("ana")
    assert officer.get("/admin/users/import").status_code == 403
    assert upload(officer, csv_bytes(GOOD)).status_code == 403


def test_too_large_a_file_is_refused_on_the_form_or_before_its_body_is_read(admin, rt, monkeypatch):
    monkeypatch.setattr(limits, "IMPORT_BYTES", 1_000)
    over = csv_bytes([HEADER] + [[f"osoba{i}", "", "", "officer", ""] for i in range(100)])
    response = upload(admin, over)
    assert response.status_code == 422 and "larger than" in response.get_data(as_text=True)
    huge = upload(admin, over * 60)  # past the route's body limit: the file's limit and room for the form
    assert huge.status_code == 413 and kept(rt) == []


def test_a_named_sheet_is_previewed_and_written(admin, rt):
    data = xlsx_bytes([["Nešto drugo"], ["x"]], more={"Ljudi": GOOD})
    response = upload(admin, data, "people.xlsx", sheet="Ljudi")
    assert response.status_code == 302 and response.headers["Location"].endswith("?sheet=Ljudi")
    html = admin.get(response.headers["Location"]).get_data(as_text=True)
    assert "Dren Krasniqi" in html
    before = count(rt)
    assert admin.post("/admin/users/import/confirm", {"token": TOKEN.search(html).group(1)}).status_code == 302
    assert count(rt) == before + 2
