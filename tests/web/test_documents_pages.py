"""The documents panel on the post page and the documents pages: attach, new version, detach, download, with
the reasons for a refused file in the reader's language and nothing left behind."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from publisher.core.models import AuditEvent
from publisher.documents import store
from publisher.documents.models import Attachment, Document, DocumentVersion
from tests.factories import documents as docs
from tests.factories.posts import draft_post
from tests.web.page_helpers import at_home, count
from tests.web.test_media_pages import speaks_english

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.fixture
def signed_in(signed_in):
    return at_home(signed_in)


@pytest.fixture
def post(session, rt, people):
    post = draft_post(session, rt, people, title="Budžet 2027")
    session.commit()
    return post


def files_in(rt) -> list[str]:
    root = store.documents_dir(rt.settings.media_dir)
    return sorted(p.name for p in root.rglob("*") if p.is_file()) if root.exists() else []


def attach(browser, post_id: int, data: bytes, name: str, **form):
    return browser.post(f"/documents/post/{post_id}", {"file": (io.BytesIO(data), name), **form},
                        content_type="multipart/form-data")


def new_version(browser, post_id: int, document_id: int, data: bytes, name: str, **form):
    return browser.post(f"/documents/post/{post_id}/{document_id}/versions",
                        {"file": (io.BytesIO(data), name), **form}, content_type="multipart/form-data")


def only_document(rt) -> Document:
    with rt.read_sessions() as reader:
        document = reader.scalars(select(Document)).one()
        _ = document.versions  # loaded before the session closes
        return document


def test_an_officer_attaches_a_document_on_the_post_page(signed_in, rt, post):
    browser = signed_in("ana")
    page = browser.get(f"/posts/{post.id}").get_data(as_text=True)
    assert 'id="documents"' in page and "Nijedan dokument nije priložen." in page
    response = attach(browser, post.id, docs.docx_bytes(), "Obrazloženje budžeta.docx", note="za ministra")
    assert response.status_code == 302 and response.headers["Location"] == f"/posts/{post.id}#documents"
    page = browser.get(f"/posts/{post.id}").get_data(as_text=True)
    assert "Dokument je priložen." in page and "Obrazloženje budžeta" in page and "DOCX" in page
    document = only_document(rt)
    assert (document.title, document.current.note, document.current.content_type) == \
        ("Obrazloženje budžeta", "za ministra", DOCX)
    assert len(files_in(rt)) == 1
    with rt.read_sessions() as reader:
        assert reader.scalar(select(AuditEvent).where(AuditEvent.action == "document.upload")).who == "ana"


def test_a_download_is_an_attachment_of_the_type_found_in_its_bytes(signed_in, rt, post):
    browser = signed_in("ana")
    attach(browser, post.id, docs.docx_bytes(), "Обrazloženje.docx")
    document = only_document(rt)
    response = signed_in("jelena").get(f"/documents/post/{post.id}/{document.id}/versions/1")
    assert response.status_code == 200 and response.data == docs.docx_bytes()
    assert response.mimetype == DOCX
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Disposition"].startswith("attachment; ")
    assert "filename*=UTF-8''%D0%9E%D0%B1razlo%C5%BEenje.docx" in response.headers["Content-Disposition"]
    assert "sandbox" in response.headers["Content-Security-Policy"]


def test_a_new_version_keeps_the_old_one(signed_in, rt, post):
    browser = signed_in("ana")
    attach(browser, post.id, docs.pdf_bytes("prva"), "odluka.pdf")
    document = only_document(rt)
    response = new_version(browser, post.id, document.id, docs.pdf_bytes("druga"), "odluka-izmenjena.pdf",
                           note="ispravljen datum")
    assert response.status_code == 302
    page = browser.get(response.headers["Location"]).get_data(as_text=True)
    assert "Verzija 2 je sačuvana" in page and "odluka-izmenjena.pdf" in page and "ispravljen datum" in page
    assert browser.get(f"/documents/post/{post.id}/{document.id}/versions/1").data == docs.pdf_bytes("prva")
    assert browser.get(f"/documents/post/{post.id}/{document.id}/versions/2").data == docs.pdf_bytes("druga")
    assert len(files_in(rt)) == 2


def test_detaching_takes_the_document_off_the_post_and_keeps_it(signed_in, rt, post):
    browser = signed_in("ana")
    attach(browser, post.id, docs.pdf_bytes(), "odluka.pdf")
    document = only_document(rt)
    response = browser.post(f"/documents/post/{post.id}/{document.id}/detach")
    assert response.status_code == 302 and response.headers["Location"] == f"/posts/{post.id}#documents"
    assert "Nijedan dokument nije priložen." in browser.get(f"/posts/{post.id}").get_data(as_text=True)
    assert count(rt, Attachment) == 0 and count(rt, Document) == 1 and len(files_in(rt)) == 1
    assert browser.get(f"/documents/post/{post.id}/{document.id}/versions/1").status_code == 404


@pytest.mark.parametrize(("data", "name", "said"), [
    (docs.pdf_bytes(), "odluka.docx", "The file is named .docx but its contents are PDF"),
    (b"", "prazan.pdf", "The file is empty."),
    (docs.pdf_bytes()[:-40], "odsecen.pdf", "The file is damaged or incomplete"),
    (docs.pdf_bytes(encrypted=True), "zakljucan.pdf", "protected by a password or encrypted"),
    (docs.encrypted_office(), "zakljucan.xlsx", "protected by a password or encrypted"),
    (docs.docx_bytes(macros=True), "makro.docm", "The file carries macros"),
    (docs.many_entries(12_000), "bomba.docx", "would unpack to far more than a document holds"),
    (b"MZ" + bytes(500), "ugovor.pdf", "This file is a program"),
    (b"Saopstenje\n" * 30, "saopstenje.pdf", "This file is not a document that can be attached"),
], ids=["lying-name", "empty", "broken-pdf", "encrypted-pdf", "encrypted-office", "macros", "zip-bomb",
        "executable", "text"])
def test_a_refused_file_says_why_and_leaves_nothing(signed_in, session, rt, post, data, name, said):
    speaks_english(session, "ana")
    browser = signed_in("ana")
    response = attach(browser, post.id, data, name, title="Prilog")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert said in html
    assert 'class="error-summary"' in html and 'aria-invalid="true"' in html
    assert count(rt, Document) == 0 and count(rt, DocumentVersion) == 0 and count(rt, Attachment) == 0
    assert files_in(rt) == []  # not even in .incoming


def test_a_file_over_the_limit_is_refused_in_the_page_language(signed_in, rt, post):
    object.__setattr__(rt.settings, "max_document_bytes", 1024 * 1024)  # PUBLISHER_DOCUMENT_MAX_MB=1
    response = attach(signed_in("ana"), post.id, docs.pdf_bytes(padding=1100 * 1024), "velika.pdf")
    assert response.status_code == 422
    assert "Fajl je prevelik: dokument može imati najviše 1 MB." in response.get_data(as_text=True)
    assert count(rt, Document) == 0 and files_in(rt) == []


def test_a_refused_new_version_leaves_the_document_as_it_was(signed_in, session, rt, post):
    speaks_english(session, "ana")
    browser = signed_in("ana")
    attach(browser, post.id, docs.pdf_bytes(), "odluka.pdf")
    document = only_document(rt)
    response = new_version(browser, post.id, document.id, docs.xlsx_bytes(), "tabela.pdf")
    assert response.status_code == 422 and "its contents are XLSX" in response.get_data(as_text=True)
    assert only_document(rt).current_version == 1 and len(files_in(rt)) == 1


def test_an_attach_without_a_file_is_refused(signed_in, post):
    response = signed_in("ana").post(f"/documents/post/{post.id}", {"title": "x"})
    assert response.status_code == 422
    assert "Izaberite fajl" in response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/documents/post/999999", "/documents/letter/1", "/documents/post/1/999"])
def test_a_record_or_document_that_does_not_exist_is_not_found(signed_in, rt, post, path):
    browser = signed_in("ana")
    assert browser.get(path).status_code == 404
    assert attach(browser, 999_999, docs.pdf_bytes(), "a.pdf").status_code == 404
    assert files_in(rt) == []


def test_a_version_of_another_posts_document_is_not_reached(signed_in, session, rt, people, post):
    other = draft_post(session, rt, people, title="Drugi")
    session.commit()
    browser = signed_in("ana")
    attach(browser, post.id, docs.pdf_bytes(), "odluka.pdf")
    document = only_document(rt)
    assert browser.get(f"/documents/post/{other.id}/{document.id}/versions/1").status_code == 404
    assert new_version(browser, other.id, document.id, docs.pdf_bytes("x"), "x.pdf").status_code == 404
    assert browser.post(f"/documents/post/{other.id}/{document.id}/detach").status_code == 404
    assert count(rt, DocumentVersion) == 1 and count(rt, Attachment) == 1 and len(files_in(rt)) == 1


@pytest.mark.parametrize("person", ["marko", "jelena", "admin"])
def test_who_may_not_edit_posts_reads_documents_but_changes_nothing(signed_in, rt, post, person):
    signed_in_ana = signed_in("ana")
    attach(signed_in_ana, post.id, docs.pdf_bytes(), "odluka.pdf")
    document = only_document(rt)
    browser = signed_in(person)
    page = browser.get(f"/posts/{post.id}").get_data(as_text=True)
    assert "odluka" in page and 'enctype="multipart/form-data"' not in page
    assert browser.get(f"/documents/post/{post.id}/{document.id}/versions/1").status_code == 200
    assert attach(browser, post.id, docs.pdf_bytes("x"), "x.pdf").status_code == 403
    assert new_version(browser, post.id, document.id, docs.pdf_bytes("x"), "x.pdf").status_code == 403
    assert browser.post(f"/documents/post/{post.id}/{document.id}/detach").status_code == 403
    assert count(rt, DocumentVersion) == 1 and count(rt, Attachment) == 1 and len(files_in(rt)) == 1


def test_signed_out_people_see_nothing(client, signed_in, rt, post):
    attach(signed_in("ana"), post.id, docs.pdf_bytes(), "odluka.pdf")
    document = only_document(rt)
    for path in (f"/documents/post/{post.id}", f"/documents/post/{post.id}/{document.id}",
                 f"/documents/post/{post.id}/{document.id}/versions/1"):
        response = client.get(path)
        assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_an_attach_needs_the_csrf_token(signed_in, rt, post):
    response = attach(signed_in("ana"), post.id, docs.pdf_bytes(), "a.pdf", csrf_token="forged")
    assert response.status_code == 400 and count(rt, Document) == 0 and files_in(rt) == []
