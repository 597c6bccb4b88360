"""Importing people from a CSV or XLSX file (admins only): upload → preview (every problem by row and column,
the rows as they will be written) → confirm → the users page saying how many were added.

The upload is kept (publisher.imports.staging) under its SHA-256: the preview's address names those bytes,
and the confirmation's sealed token binds them, so what is written is what was previewed. Imported people
have no password until an administrator sets one on their page (publisher.people.importing)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext, ngettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import StringField
from wtforms.validators import Length

from publisher.core import limits
from publisher.imports import staging
from publisher.imports.table import Unreadable
from publisher.imports.writing import Refused
from publisher.people import importing
from web import import_words, labels
from web.auth import login_manager
from web.context import db, runtime
from web.i18n import LANGUAGE_NAMES

bp = Blueprint("people_import", __name__, url_prefix="/admin/users/import")

KIND = importing.PEOPLE.name
SHOWN_ROWS = 20  # the preview shows this many rows; the problems are all shown
FIELD_LABELS = {"name": _l("User name"), "display_name": _l("Display name"), "email": _l("E-mail"),
                "roles": _l("Roles"), "locale": _l("Interface language")}
# What a field's pattern asks for, where "not in the form this column needs" would leave the person guessing.
PATTERN_WORDS = {"name": _l("Use up to 64 lower-case letters, digits, '.', '_' or '-', starting with a letter or "
                            "digit.")}


@bp.before_request
def _admins_only() -> Response | None:
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if not current_user.may("people", "manage"):
        abort(403)
    return None


class ImportForm(FlaskForm):
    file = FileField(_l("Spreadsheet"), validators=[FileRequired(_l("Choose a CSV or XLSX file."))])
    sheet = StringField(_l("Sheet (optional)"), validators=[
        Length(max=100, message=_l("A sheet's name is at most %(max)d characters."))])


def _folder() -> Any:
    return staging.folder(runtime().settings.instance_dir)


def _upload_page(form: FlaskForm, status: int = 200) -> tuple[str, int]:
    return render_template("admin_import.html", form=form, limit_mb=limits.IMPORT_BYTES // (1024 * 1024),
                           limit_rows=limits.IMPORT_ROWS, fields=importing.PEOPLE.fields,
                           field_labels=FIELD_LABELS, language_names=LANGUAGE_NAMES.values()), status


@bp.get("")
def start() -> tuple[str, int]:
    return _upload_page(ImportForm(formdata=None))


@bp.post("")
def upload() -> Response | tuple[str, int]:
    form = ImportForm()
    if not form.validate():
        return _upload_page(form, 422)
    data = form.file.data.stream.read(limits.IMPORT_BYTES + 1)
    sheet = (form.sheet.data or "").strip() or None
    try:
        importing.preview(db(), current_user.actor(), data, sheet=sheet)  # unreadable files are never kept
    except Unreadable as exc:
        form.file.errors.append(import_words.unreadable(exc))
        return _upload_page(form, 422)
    sha256 = staging.keep(_folder(), data, kind=KIND)
    return redirect(url_for("people_import.preview", sha256=sha256, **({"sheet": sheet} if sheet else {})))


def _preview_page(sha256: str, sheet: str | None, *, refused: str | None = None) -> tuple[str, int]:
    try:
        data = staging.read(_folder(), KIND, sha256)
        checked = importing.preview(db(), current_user.actor(), data, sheet=sheet)
    except Unreadable as exc:
        return render_template("admin_import_gone.html", message=import_words.unreadable(exc)), 404
    token = staging.seal(runtime().box, kind=KIND, sha256=sha256, user=current_user.user.id, sheet=sheet,
                         now=runtime().clock())
    problems = [(p.row, p.column or str(FIELD_LABELS.get(p.field, p.field)),
                 str(PATTERN_WORDS[p.field]) if p.code == "bad_pattern" and p.field in PATTERN_WORDS
                 else import_words.problem(p)) for p in checked.problems]
    return render_template("admin_import_preview.html", checked=checked, rows=checked.rows[:SHOWN_ROWS],
                           problems=problems, token=token, sha256=sha256, refused=refused,
                           field_labels=FIELD_LABELS, languages=LANGUAGE_NAMES,
                           role_list=labels.role_list), 422 if problems else 200


@bp.get("/<sha256>")
def preview(sha256: str) -> tuple[str, int]:
    if not staging.SHA256.fullmatch(sha256):
        abort(404)
    sheet = request.args.get("sheet", "").strip()[:100] or None
    return _preview_page(sha256, sheet)


def _sealed() -> staging.Sealed | None:
    try:
        return staging.unseal(runtime().box, request.form.get("token", ""), kind=KIND, user=current_user.user.id,
                              now=runtime().clock())
    except Unreadable:
        return None


@bp.post("/confirm")
def confirm() -> Response | tuple[str, int]:
    sealed = _sealed()
    if sealed is None:
        return render_template("admin_import_gone.html",
                               message=import_words.UNREADABLE["import_expired"]), 404
    try:
        data = staging.read(_folder(), KIND, sealed.sha256)
        checked = importing.write(db(), current_user.actor(), data, sha256=sealed.sha256, sheet=sealed.sheet)
    except Refused:
        db().rollback()  # someone added one of these people since the preview: show what is wrong now
        return _preview_page(sealed.sha256, sealed.sheet, refused=gettext("Nothing was written."))
    except Unreadable as exc:
        db().rollback()
        return render_template("admin_import_gone.html", message=import_words.unreadable(exc)), 404
    db().commit()
    staging.discard(_folder(), KIND, sealed.sha256)
    flash(ngettext("%(num)d person was added. They have no password yet: set one on their page and give it to "
                   "them in person.",
                   "%(num)d people were added. They have no password yet: set one on each person's page and give "
                   "it to them in person.", len(checked.rows)), "success")
    return redirect(url_for("admin.user_list"))


@bp.post("/cancel")
def cancel() -> Response:
    sealed = _sealed()
    if sealed is not None:
        staging.discard(_folder(), KIND, sealed.sha256)
    flash(gettext("The import is cancelled; nothing was written."), "info")
    return redirect(url_for("admin.user_list"))
