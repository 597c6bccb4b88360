"""The documents of a record: a panel any record's page includes (the post page today), the record's documents
page (the panel with its attach form, where a refused upload is shown with its reason), a document's page
(its versions, a new version, detaching) and the download of a version.

Every route goes through publisher.documents.attaching, which finds the record and asks its area who may see
or change it; a download is an attachment with the type found in the file's bytes, nosniff and no right to
run anything (web.files.sandboxed)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, send_file, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, Length

from publisher.core.errors import Forbidden, NotFound, PublisherError
from publisher.documents import attaching, store
from publisher.documents.models import KINDS, NOTE, TITLE, Attachment
from publisher.documents.sniffing import ACCEPTED, FORMATS
from publisher.media.downloads import content_disposition, safe_name
from web.activities.preparation import event_page
from web.activities.preparation_words import event_title
from web.context import db, runtime
from web.files import sandboxed
from web.library import file_size

bp = Blueprint("documents", __name__)

KIND_WORDS = {"background": _l("Background"), "reference": _l("Reference"), "scan": _l("Scan"),
              "other": _l("Other")}
FORMAT_WORDS = {f.content_type: f.extension.removeprefix(".").upper() for f in FORMATS.values()}


@dataclass(frozen=True)
class RecordPage:
    """How the pages name a record of an area and link back to it."""

    url: Callable[[int], str]
    title: Callable[[Any], str]


RECORD_PAGES: dict[str, RecordPage] = {
    "post": RecordPage(
        url=lambda post_id: url_for("history.post_detail", post_id=post_id, _anchor="documents"),
        title=lambda post: gettext("Documents of the post “%(title)s”", title=post.title) if post.title
        else gettext("Documents of post %(id)d", id=post.id)),
    # An event's briefing documents, and the signed minutes or report after it (publisher.activities).
    "event": RecordPage(
        url=lambda event_id: event_page(event_id, "preparation"),
        title=lambda event: gettext("Briefing documents of the event “%(title)s”", title=event_title(event))),
    "event_followup": RecordPage(
        url=lambda event_id: event_page(event_id, "followup"),
        title=lambda event: gettext("Documents after the event “%(title)s”", title=event_title(event))),
}


class AttachForm(FlaskForm):
    file = FileField(_l("File"), validators=[FileRequired(_l("Choose a file to attach."))])
    title = StringField(_l("Title"), validators=[
        Length(max=TITLE, message=_l("A title is at most %(max)d characters."))])
    kind = SelectField(_l("Kind"), choices=[SelectChoice(k, KIND_WORDS[k]) for k in KINDS], default="background",
                       validate_choice=False, validators=[AnyOf(KINDS, message=_l("Choose one of the kinds listed."))])
    note = TextAreaField(_l("Note"), validators=[
        Length(max=NOTE, message=_l("A note is at most %(max)d characters."))])


class VersionForm(FlaskForm):
    file = FileField(_l("File of the new version"), validators=[FileRequired(_l("Choose a file to upload."))])
    note = TextAreaField(_l("What changed"), validators=[
        Length(max=NOTE, message=_l("A note is at most %(max)d characters."))])


@dataclass(frozen=True)
class Panel:
    record_type: str
    record_id: int
    attachments: list[Attachment]
    can_edit: bool
    form: AttachForm | None


def refusal(exc: PublisherError) -> str:
    """Why a file was refused, in the reader's language (the service's words are English)."""
    params = exc.details if isinstance(exc.details, dict) else {}
    messages = {
        "empty_file": lambda: gettext("The file is empty."),
        "too_large": lambda: gettext("The file is too large: a document may be at most %(mb)d MB.",
                                     mb=params.get("limit_mb", 0)),
        "unsupported_type": lambda: gettext(
            "This file is not a document that can be attached: its contents were checked, not its name. "
            "Accepted: %(accepted)s.", accepted=ACCEPTED),
        "executable": lambda: gettext("This file is a program, not a document; programs are never accepted."),
        "wrong_name": lambda: gettext(
            "The file is named %(named)s but its contents are %(really)s. Rename it to end in %(extension)s "
            "and attach it again.", named=params.get("named", ""),
            really=params.get("extension", "").removeprefix(".").upper(), extension=params.get("extension", "")),
        "encrypted": lambda: gettext(
            "The file is protected by a password or encrypted, so nobody else could open it. Save it without "
            "protection and attach it again."),
        "macros": lambda: gettext(
            "The file carries macros (programs inside a document). Save it without macros, as DOCX, XLSX or "
            "PPTX, and attach it again."),
        "old_office": lambda: gettext(
            "The file is in an old Office format (DOC, XLS, PPT). Save it as DOCX, XLSX or PPTX and attach it "
            "again."),
        "zip_bomb": lambda: gettext(
            "The file would unpack to far more than a document holds, so it is not opened. Save it again from "
            "its program and attach it anew."),
        "too_many_pixels": lambda: gettext(
            "The image has too many pixels to be opened safely: at most %(mp)d megapixels.",
            mp=params.get("megapixels", 0)),
        "damaged_file": lambda: gettext(
            "The file is damaged or incomplete, so it cannot be used. Save or scan it again and attach it anew."),
    }
    wording = messages.get(exc.code)
    return wording() if wording else exc.message


@contextmanager
def reached() -> Iterator[None]:
    """A record or document that is not there is a 404 page, one the person may not see or change a 403 page,
    each in their language."""
    try:
        yield
    except NotFound:
        abort(404)
    except Forbidden:
        abort(403)


def _record_page(record_type: str) -> RecordPage:
    page = RECORD_PAGES.get(record_type)
    if page is None:
        abort(404)
    return page


@bp.app_template_global()
def documents_panel(record_type: str, record_id: int, form: AttachForm | None = None) -> Panel:
    """What the panel on a record's page shows: its documents, and the attach form to whoever may edit it."""
    actor = current_user.actor()
    with reached():
        attachments = attaching.attached(db(), actor, record_type, record_id)
    can_edit = attaching.may_edit(db(), actor, record_type, record_id)
    if can_edit and form is None:
        form = AttachForm(formdata=None)
    return Panel(record_type, record_id, attachments, can_edit, form if can_edit else None)


@bp.app_template_global()
def document_format(content_type: str) -> str:
    return FORMAT_WORDS.get(content_type, content_type)


@bp.app_template_global()
def document_kind(kind: str) -> str:
    return str(KIND_WORDS.get(kind, kind))


@bp.app_template_global()
def document_size(size: int) -> str:
    return file_size(size)


def _record_title(record_type: str, record_id: int) -> str:
    record = attaching.area(record_type).load(db(), record_id)
    return _record_page(record_type).title(record)


def _documents_page(record_type: str, record_id: int, form: AttachForm, status: int = 200) -> tuple[str, int]:
    _record_page(record_type)
    with reached():
        panel = documents_panel(record_type, record_id, form)
    return render_template("documents.html", panel=panel, heading=_record_title(record_type, record_id),
                           back=_record_page(record_type).url(record_id)), status


@bp.get("/documents/<record_type>/<int:record_id>")
@login_required
def index(record_type: str, record_id: int) -> tuple[str, int]:
    return _documents_page(record_type, record_id, AttachForm(formdata=None))


@bp.post("/documents/<record_type>/<int:record_id>")
@login_required
def attach(record_type: str, record_id: int) -> Response | tuple[str, int]:
    page = _record_page(record_type)
    with reached():
        attaching.record(db(), current_user.actor(), record_type, record_id, edit=True)
    form = AttachForm()
    if not form.validate():
        return _documents_page(record_type, record_id, form, 422)
    upload = form.file.data
    rt = runtime()
    try:
        attaching.attach_upload(db(), store.documents_dir(rt.settings.media_dir), current_user.actor(),
                                record_type, record_id, upload.stream, filename=upload.filename or "",
                                title=form.title.data or "", kind=form.kind.data, note=form.note.data or "",
                                limits=attaching.limits_of(rt.settings))
    except PublisherError as exc:
        if isinstance(exc, (NotFound, Forbidden)):
            raise
        db().rollback()  # a file put in place for this upload goes with the rollback (publisher.documents.store)
        form.file.errors.append(refusal(exc))
        return _documents_page(record_type, record_id, form, 422)
    db().commit()
    flash(gettext("The document is attached."), "success")
    return redirect(page.url(record_id))


def _document_page(record_type: str, record_id: int, document_id: int, form: VersionForm,
                   status: int = 200) -> tuple[str, int]:
    page = _record_page(record_type)
    actor = current_user.actor()
    with reached():
        link = attaching.attachment(db(), actor, record_type, record_id, document_id)
    can_edit = attaching.may_edit(db(), actor, record_type, record_id)
    return render_template("document.html", link=link, document=link.document, form=form if can_edit else None,
                           can_edit=can_edit, record_type=record_type, record_id=record_id,
                           heading=_record_title(record_type, record_id), back=page.url(record_id)), status


@bp.get("/documents/<record_type>/<int:record_id>/<int:document_id>")
@login_required
def show(record_type: str, record_id: int, document_id: int) -> tuple[str, int]:
    return _document_page(record_type, record_id, document_id, VersionForm(formdata=None))


@bp.post("/documents/<record_type>/<int:record_id>/<int:document_id>/versions")
@login_required
def add_version(record_type: str, record_id: int, document_id: int) -> Response | tuple[str, int]:
    _record_page(record_type)
    with reached():
        attaching.attachment(db(), current_user.actor(), record_type, record_id, document_id, edit=True)
    form = VersionForm()
    if not form.validate():
        return _document_page(record_type, record_id, document_id, form, 422)
    upload = form.file.data
    rt = runtime()
    try:
        version = attaching.add_version(db(), store.documents_dir(rt.settings.media_dir), current_user.actor(),
                                        record_type, record_id, document_id, upload.stream,
                                        filename=upload.filename or "", note=form.note.data or "",
                                        limits=attaching.limits_of(rt.settings))
    except PublisherError as exc:
        if isinstance(exc, (NotFound, Forbidden)):
            raise
        db().rollback()
        form.file.errors.append(refusal(exc))
        return _document_page(record_type, record_id, document_id, form, 422)
    db().commit()
    flash(gettext("Version %(num)d is saved; the earlier ones stay.", num=version.number), "success")
    return redirect(url_for("documents.show", record_type=record_type, record_id=record_id,
                            document_id=document_id))


@bp.post("/documents/<record_type>/<int:record_id>/<int:document_id>/detach")
@login_required
def detach(record_type: str, record_id: int, document_id: int) -> Response:
    page = _record_page(record_type)
    with reached():
        attaching.detach(db(), current_user.actor(), record_type, record_id, document_id)
    db().commit()
    flash(gettext("The document is no longer attached here. It is kept, with its versions."), "success")
    return redirect(page.url(record_id))


@bp.get("/documents/<record_type>/<int:record_id>/<int:document_id>/versions/<int:number>")
@login_required
def download(record_type: str, record_id: int, document_id: int, number: int) -> Response:
    _record_page(record_type)
    with reached():
        version, path = attaching.version_file(db(), store.documents_dir(runtime().settings.media_dir),
                                               current_user.actor(), record_type, record_id, document_id, number)
    response = send_file(path, mimetype=version.content_type, conditional=True)
    name = safe_name(version.original_name, version.extension, f"document-{document_id}-{number}")
    response.headers["Content-Disposition"] = content_disposition(
        name, inline=False, fallback=f"document-{document_id}-{number}{version.extension}")
    return sandboxed(response)

