"""Documents attached to posts: new documents and versions, detaching, who may do what, the audit trail, and
nothing half-written when an upload is refused."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from publisher.core.errors import Forbidden, Invalid, NotFound, TooLarge, UnsupportedMedia
from publisher.core.models import AuditEvent
from publisher.documents import attaching, store
from publisher.documents.models import Attachment, Document, DocumentVersion
from publisher.documents.sniffing import DocumentLimits
from tests.factories import documents as docs
from tests.factories.posts import draft_post


@pytest.fixture
def root(rt):
    return store.documents_dir(rt.settings.media_dir)


@pytest.fixture
def post(session, rt, office):
    post = draft_post(session, rt, office)
    session.commit()
    return post


def files_in(root):
    return sorted(p.name for p in root.rglob("*") if p.is_file())


def attach(session, root, office, post, data=None, name="odluka.pdf", who="ana", **fields):
    document = attaching.attach_upload(session, root, office.actor(who), "post", post.id,
                                       io.BytesIO(docs.pdf_bytes() if data is None else data), filename=name,
                                       **fields)
    session.commit()
    return document


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def test_an_officer_attaches_a_document_to_a_post(session, root, office, post):
    data = docs.docx_bytes()
    document = attach(session, root, office, post, data, "Pozadina odluke.docx", note="nacrt")
    assert (document.title, document.kind, document.current_version) == ("Pozadina odluke", "background", 1)
    version = document.current
    assert (version.number, version.original_name, version.note, version.size, version.extension) == \
        (1, "Pozadina odluke.docx", "nacrt", len(data), ".docx")
    assert version.content_type.endswith("wordprocessingml.document")
    assert (root / version.storage_name).read_bytes() == data
    assert [a.document_id for a in attaching.attached(session, office.actor("marko"), "post", post.id)] == \
        [document.id]
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "document.upload"))
    assert (event.post_id, event.subject, event.after["record"], event.after["sha256"]) == \
        (post.id, f"document:{document.id}", f"post:{post.id}", version.sha256)


def test_a_new_upload_is_a_new_version_and_the_old_one_stays(session, root, office, post):
    document = attach(session, root, office, post)
    first = document.current
    second = attaching.add_version(session, root, office.actor("bojan"), "post", post.id, document.id,
                                   io.BytesIO(docs.pdf_bytes("Izmena")), filename="odluka v2.pdf", note="izmena")
    session.commit()
    session.refresh(document)
    assert [v.number for v in document.versions] == [2, 1]
    assert document.current_version == 2 and second.note == "izmena"
    assert first.sha256 != second.sha256
    assert sorted(files_in(root)) == sorted([first.sha256 + ".pdf", second.sha256 + ".pdf"])
    assert session.scalar(select(AuditEvent).where(AuditEvent.action == "document.version")).after["version"] == 2


def test_the_same_bytes_in_two_documents_are_stored_once(session, root, office, post):
    one = attach(session, root, office, post, name="a.pdf")
    two = attach(session, root, office, post, name="b.pdf")
    assert one.id != two.id and one.current.sha256 == two.current.sha256
    assert len(files_in(root)) == 1


def test_detaching_keeps_the_document_and_its_files(session, root, office, post):
    document = attach(session, root, office, post)
    attaching.detach(session, office.actor("ana"), "post", post.id, document.id)
    session.commit()
    assert attaching.attached(session, office.actor("ana"), "post", post.id) == []
    assert count(session, Document) == 1 and count(session, DocumentVersion) == 1
    assert len(files_in(root)) == 1
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "document.detach"))
    assert (event.post_id, event.subject) == (post.id, f"document:{document.id}")
    with pytest.raises(NotFound):
        attaching.detach(session, office.actor("ana"), "post", post.id, document.id)


@pytest.mark.parametrize(("who", "allowed"), [("ana", True), ("bojan", True), ("marko", False),
                                              ("jelena", False), ("admin", False)])
def test_who_may_edit_a_post_may_change_its_documents(session, root, office, post, who, allowed):
    if allowed:
        attach(session, root, office, post, who=who)
        return
    with pytest.raises(Forbidden):
        attach(session, root, office, post, who=who)
    session.rollback()
    assert count(session, Document) == 0 and files_in(root) == []


def test_everyone_who_sees_the_post_may_download_its_documents(session, root, office, post):
    document = attach(session, root, office, post)
    for who in ("marko", "jelena", "admin"):
        version, path = attaching.version_file(session, root, office.actor(who), "post", post.id, document.id, 1)
        assert version.id == document.current.id and path.read_bytes() == docs.pdf_bytes()


def test_a_document_is_reached_only_through_a_record_it_is_attached_to(session, rt, root, office, post):
    other = draft_post(session, rt, office, title="Druga")
    session.commit()
    document = attach(session, root, office, post)
    with pytest.raises(NotFound):
        attaching.version_file(session, root, office.actor("ana"), "post", other.id, document.id, 1)
    with pytest.raises(NotFound):  # a version of someone else's document: refused before the file is stored
        attaching.add_version(session, root, office.actor("ana"), "post", other.id, document.id,
                              io.BytesIO(docs.pdf_bytes("x")), filename="x.pdf")
    session.rollback()
    with pytest.raises(NotFound):
        attaching.version_file(session, root, office.actor("ana"), "post", post.id, document.id, 2)
    assert count(session, DocumentVersion) == 1 and len(files_in(root)) == 1


@pytest.mark.parametrize(("record_type", "record_id"), [("post", 999_999), ("letter", 1)])
def test_a_record_that_does_not_exist_is_not_found(session, root, office, record_type, record_id):
    with pytest.raises(NotFound):
        attaching.attach_upload(session, root, office.actor("ana"), record_type, record_id,
                                io.BytesIO(docs.pdf_bytes()), filename="a.pdf")
    session.rollback()
    assert count(session, Document) == 0 and files_in(root) == []


@pytest.mark.parametrize(("data", "name", "error", "code"), [
    (docs.pdf_bytes(), "odluka.docx", UnsupportedMedia, "wrong_name"),
    (docs.pdf_bytes(padding=2 * 1024 * 1024), "velika.pdf", TooLarge, "too_large"),
    (b"", "prazan.pdf", Invalid, "empty_file"),
    (docs.pdf_bytes()[:-40], "odsecen.pdf", Invalid, "damaged_file"),
    (docs.pdf_bytes(encrypted=True), "zakljucan.pdf", Invalid, "encrypted"),
    (docs.zip_bomb(3 * 1024 * 1024), "bomba.docx", Invalid, "zip_bomb"),
    (b"MZ" + bytes(300), "alat.pdf", UnsupportedMedia, "executable"),
])
def test_a_refused_upload_leaves_no_row_and_no_file(session, root, office, post, data, name, error, code):
    limits = DocumentLimits(max_bytes=1024 * 1024, max_unpacked_bytes=1024 * 1024)
    with pytest.raises(error) as caught:
        attaching.attach_upload(session, root, office.actor("ana"), "post", post.id, io.BytesIO(data),
                                filename=name, limits=limits)
    session.rollback()
    assert caught.value.code == code
    assert count(session, Document) == 0 and count(session, Attachment) == 0
    assert files_in(root) == []


def test_a_refused_new_version_leaves_the_document_as_it_was(session, root, office, post):
    document = attach(session, root, office, post)
    with pytest.raises(UnsupportedMedia):
        attaching.add_version(session, root, office.actor("ana"), "post", post.id, document.id,
                              io.BytesIO(docs.xlsx_bytes()), filename="tabela.pdf")
    session.rollback()
    session.refresh(document)
    assert document.current_version == 1 and len(document.versions) == 1 and len(files_in(root)) == 1


def test_a_version_rolled_back_after_its_file_was_stored_leaves_no_file(session, root, office, post):
    document = attach(session, root, office, post)
    attaching.add_version(session, root, office.actor("ana"), "post", post.id, document.id,
                          io.BytesIO(docs.xlsx_bytes()), filename="tabela.xlsx")
    assert len(files_in(root)) == 2
    session.rollback()
    assert files_in(root) == [document.current.sha256 + ".pdf"]


@pytest.mark.parametrize(("fields", "code"), [({"title": "x" * 301}, "too_long"), ({"note": "n" * 1001}, "too_long"),
                                              ({"kind": "secret"}, "bad_kind")])
def test_bad_fields_are_refused_before_the_file_is_stored(session, root, office, post, fields, code):
    with pytest.raises(Invalid) as caught:
        attach(session, root, office, post, **fields)
    session.rollback()
    assert caught.value.code == code and files_in(root) == []


def test_documents_are_found_by_title_and_by_file_name_in_either_script(session, root, office, post):
    by_title = attach(session, root, office, post, title="Одлука о буџету", name="a.pdf")
    by_name = attach(session, root, office, post, docs.docx_bytes(), "Izveštaj_o_radu.docx", title="Prilog")
    assert [d.id for d in attaching.search(session, "odluka o budzetu")] == [by_title.id]
    assert [d.id for d in attaching.search(session, "извештај")] == [by_name.id]
    assert attaching.search(session, "") == []


def test_orphan_files_are_removed_and_used_ones_kept(session, root, office, post):
    document = attach(session, root, office, post)
    stray = root / "ab" / ("ab" + "0" * 62 + ".pdf")
    stray.parent.mkdir(parents=True, exist_ok=True)
    stray.write_bytes(b"%PDF-")
    assert list(store.orphans(session, root)) == [stray]
    assert store.remove_orphans(session, root) == [stray]
    assert files_in(root) == [document.current.sha256 + ".pdf"]


def test_a_deleted_draft_takes_its_attachments_along_and_a_new_post_inherits_none(session, rt, root, office, post):
    from publisher.posts import drafts  # noqa: PLC0415

    document = attach(session, root, office, post)
    drafts.delete_post(session, office.actor("ana"), post.id)
    session.commit()
    assert count(session, Attachment) == 0 and session.get(Document, document.id) is not None
    newer = draft_post(session, rt, office, title="Nova")
    session.commit()
    assert attaching.attached(session, office.actor("ana"), "post", newer.id) == []
