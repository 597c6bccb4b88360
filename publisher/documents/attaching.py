"""Attaching documents to records: a new document, a new version of one, detaching it, and reading them.

Any area's record can carry documents. An area says how to find one of its records and who may see and
change it by registering a `RecordArea` under its record type ("post" today; requests, letters, reports
later). Who may attach, add a version or detach is who may edit the record; who may list and download is who
may see it. A document is reached through a record it is attached to, never by its id alone, so a person
cannot reach a version of a document that hangs on a record they may not see, and a version is asked for by
(record, document, number): a document of another record is not found.

Every change is in the audit log (document.upload, document.version, document.detach); a post's changes are
in its own story too (the event's post_id).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from publisher.audit import trail
from publisher.core import search_index
from publisher.core.actor import Actor
from publisher.core.errors import Forbidden, Invalid, NotFound, PublisherError, TooLarge, UnsupportedMedia
from publisher.core.limits import check_length
from publisher.core.models import User
from publisher.documents import store
from publisher.documents.models import KINDS, NOTE, TITLE, Attachment, Document, DocumentVersion
from publisher.documents.sniffing import DEFAULT_LIMITS, DocumentLimits, DocumentRefused

# The modules that register their areas when imported; a new area adds its own here.
AREA_MODULES = ("publisher.posts.attachments", "publisher.activities.event_documents")
SEARCH_LIMIT = 50


@dataclass(frozen=True)
class RecordArea:
    load: Callable[[Session, int], Any]  # the record, or None when there is none with that id
    can_view: Callable[[User | None, Any], bool]
    can_edit: Callable[[User | None, Any], bool]


_AREAS: dict[str, RecordArea] = {}
_loaded = False


def register(record_type: str, area: RecordArea) -> None:
    _AREAS[record_type] = area


def area(record_type: str) -> RecordArea:
    global _loaded
    if not _loaded:
        for module in AREA_MODULES:
            importlib.import_module(module)
        _loaded = True
    try:
        return _AREAS[record_type]
    except KeyError:
        raise NotFound(f"documents are not attached to records of type {record_type!r}") from None


def limits_of(settings: Any) -> DocumentLimits:
    """The limits the settings give (publisher.core.config: PUBLISHER_DOCUMENT_MAX_*)."""
    return DocumentLimits(max_bytes=settings.max_document_bytes,
                          max_unpacked_bytes=settings.max_document_unpacked_bytes,
                          max_entries=settings.max_document_entries)


def refusal(exc: DocumentRefused) -> PublisherError:
    """The service error for a refused file: 413 too large, 415 not a type we take, 422 damaged or unsafe."""
    error = {413: TooLarge, 415: UnsupportedMedia}.get(exc.status, Invalid)
    return error(exc.message, code=exc.code, details=exc.params)


# --- reading ----------------------------------------------------------------------------------------------------

def record(session: Session, actor: Actor, record_type: str, record_id: int, *, edit: bool) -> Any:
    """The record, after checking the person may see it (and, with `edit`, change its documents)."""
    hooks = area(record_type)
    record = hooks.load(session, record_id)
    if record is None:
        raise NotFound(f"no {record_type} with id {record_id}")
    if not hooks.can_view(actor.user, record):
        raise Forbidden(f"you may not see this {record_type}")
    if edit and not hooks.can_edit(actor.user, record):
        raise Forbidden(f"changing the documents of a {record_type} needs the right to edit it")
    return record


def may_edit(session: Session, actor: Actor, record_type: str, record_id: int) -> bool:
    try:
        record(session, actor, record_type, record_id, edit=True)
    except (Forbidden, NotFound):
        return False
    return True


def attached(session: Session, actor: Actor, record_type: str, record_id: int) -> list[Attachment]:
    """The record's attachments, newest first, each with its document and versions."""
    record(session, actor, record_type, record_id, edit=False)
    return list(session.scalars(select(Attachment).where(Attachment.record_type == record_type,
                                                         Attachment.record_id == record_id)
                                .order_by(Attachment.attached_at.desc(), Attachment.id.desc())))


def attachment(session: Session, actor: Actor, record_type: str, record_id: int, document_id: int, *,
               edit: bool = False) -> Attachment:
    record(session, actor, record_type, record_id, edit=edit)
    link = session.scalar(select(Attachment).where(Attachment.record_type == record_type,
                                                   Attachment.record_id == record_id,
                                                   Attachment.document_id == document_id))
    if link is None:
        raise NotFound(f"no document {document_id} on {record_type} {record_id}")
    return link


def version_file(session: Session, root: Path, actor: Actor, record_type: str, record_id: int, document_id: int,
                 number: int) -> tuple[DocumentVersion, Path]:
    """A version to download, and its file; only through a record the person may see."""
    document = attachment(session, actor, record_type, record_id, document_id).document
    version = next((v for v in document.versions if v.number == number), None)
    if version is None:
        raise NotFound(f"document {document_id} has no version {number}")
    path = store.path_of(root, version)
    if not path.is_file():
        raise NotFound(f"the file of document {document_id} version {number} is missing from the store")
    return version, path


def search(session: Session, typed: str, limit: int = SEARCH_LIMIT) -> list[Document]:
    """Documents whose title or any version's file name holds what was typed (any script, case, accents).

    For places that list documents across records; each shows only what its reader may see."""
    title = search_index.matches(Document.search_text, typed)
    if title is None:
        return []
    name = search_index.matches(DocumentVersion.search_text, typed)
    by_name = select(DocumentVersion.document_id).where(name)
    return list(session.scalars(select(Document).where(or_(title, Document.id.in_(by_name)))
                                .order_by(Document.id.desc()).limit(limit)))


# --- changing -----------------------------------------------------------------------------------------------------

def _clean(title: str, note: str, kind: str | None = None) -> tuple[str, str]:
    title = " ".join(title.split())
    check_length(title, "title", TITLE)
    check_length(note, "note", NOTE)
    if kind is not None and kind not in KINDS:
        raise Invalid(f"no kind of document {kind!r}; one of {', '.join(KINDS)}", code="bad_kind")
    return title, note.strip()


def _store(session: Session, root: Path, stream: BinaryIO, filename: str,
           limits: DocumentLimits) -> store.StoredFile:
    try:
        return store.store(session, root, stream, filename, limits)
    except DocumentRefused as exc:
        raise refusal(exc) from None


def _audit(session: Session, actor: Actor, action: str, record_type: str, record_id: int, document: Document,
           **after: Any) -> None:
    trail.record(session, actor, action, subject=f"document:{document.id}",
                 post_id=record_id if record_type == "post" else None,
                 after={"record": f"{record_type}:{record_id}", **after})


def attach_upload(session: Session, root: Path, actor: Actor, record_type: str, record_id: int, stream: BinaryIO,
                  *, filename: str, title: str = "", kind: str = "background", note: str = "",
                  limits: DocumentLimits = DEFAULT_LIMITS) -> Document:
    """A new document from an upload, attached to the record. Its title is the file's name when none is given.
    The caller commits (the file stays) or rolls back (the file goes unless something else needs it)."""
    record(session, actor, record_type, record_id, edit=True)
    title, note = _clean(title, note, kind)
    stored = _store(session, root, stream, filename, limits)
    title = title or Path(stored.original_name).stem[:TITLE] or stored.sniffed.format.label
    document = Document(title=title, kind=kind, created_by_id=actor.user.id if actor.user else None,
                        current_version=1)
    document.versions.append(_version(actor, stored, 1, note))
    session.add(document)
    session.flush()
    session.add(Attachment(document_id=document.id, record_type=record_type, record_id=record_id,
                           attached_by_id=actor.user.id if actor.user else None))
    session.flush()
    _audit(session, actor, "document.upload", record_type, record_id, document, version=1, sha256=stored.sha256,
           content_type=stored.sniffed.content_type, size=stored.size)
    return document


def add_version(session: Session, root: Path, actor: Actor, record_type: str, record_id: int, document_id: int,
                stream: BinaryIO, *, filename: str, note: str = "",
                limits: DocumentLimits = DEFAULT_LIMITS) -> DocumentVersion:
    """A new version of a document attached to the record: the earlier ones stay as they are."""
    attachment(session, actor, record_type, record_id, document_id, edit=True)
    _, note = _clean("", note)
    # The document's row, locked (PostgreSQL; SQLite holds its write lock already): two new versions at once
    # get numbers one after the other instead of one failing on the unique number.
    document = session.scalars(select(Document).where(Document.id == document_id).with_for_update(of=Document)
                               .execution_options(populate_existing=True)).one()
    stored = _store(session, root, stream, filename, limits)
    number = max(v.number for v in document.versions) + 1
    version = _version(actor, stored, number, note)
    document.versions.append(version)
    document.current_version = number
    session.flush()
    _audit(session, actor, "document.version", record_type, record_id, document, version=number,
           sha256=stored.sha256, content_type=stored.sniffed.content_type, size=stored.size)
    return version


def _version(actor: Actor, stored: store.StoredFile, number: int, note: str) -> DocumentVersion:
    sniffed = stored.sniffed
    return DocumentVersion(number=number, sha256=stored.sha256, size=sniffed.size,
                           content_type=sniffed.content_type, extension=sniffed.extension,
                           original_name=stored.original_name, note=note,
                           uploaded_by_id=actor.user.id if actor.user else None)


def detach(session: Session, actor: Actor, record_type: str, record_id: int, document_id: int) -> None:
    """Take the document off the record; the document and its versions stay (other records may hold it,
    and the audit log names it)."""
    link = attachment(session, actor, record_type, record_id, document_id, edit=True)
    document = link.document
    session.delete(link)
    session.flush()
    _audit(session, actor, "document.detach", record_type, record_id, document)
