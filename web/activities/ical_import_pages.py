"""Importing events from an .ics file: upload → preview (each event as it will be made, or why not) → confirm.

The upload is kept (publisher.imports.staging) under its SHA-256 and the confirmation carries a sealed token
naming those bytes, the zone and the language chosen, so what is created is exactly what was previewed. Every
imported event is internal and tentative (publisher.activities.ical_import)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext, ngettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import RadioField, StringField
from wtforms.validators import DataRequired, Length

from publisher.activities import ical_import
from publisher.core.errors import Invalid
from publisher.core.multilingual import LANGUAGES
from publisher.imports import staging
from publisher.imports.table import Unreadable
from web.activities import refusals
from web.context import db, runtime
from web.i18n import LANGUAGE_NAMES
from web.roles import permission_required

bp = Blueprint("ical_import", __name__, url_prefix="/events/import")
KIND = "ical_events"


# publisher.activities.ical_import.NOTES in the reader's language
NOTE_WORDS = {
    "override": _l("A change to one occurrence of a series is not imported: change that occurrence in the event "
                   "after the import."),
    "taken": _l("Already imported (an event has this UID)."),
    "cancelled": _l("Cancelled in the file."),
    "utc": _l("A UTC time, read in %(zone)s."),
    "floating": _l("No time zone in the file: read in %(zone)s."),
}


# A file that cannot be imported at all, by the refusal's code (the core's English otherwise)
FILE_WORDS = {
    "bad_zone": lambda d: gettext("Give a time zone, such as Europe/Belgrade."),
    "too_large": lambda d: gettext("The file is larger than %(limit)s KB.", limit=d.get("limit_kb", "")),
    "not_icalendar": lambda d: gettext("The file is not a calendar file (iCalendar, .ics)."),
    "no_events": lambda d: gettext("The file has no event in it."),
    "too_many": lambda d: gettext("The file has %(count)s events; at most %(limit)s are imported at once: split it.",
                                  count=d.get("count", ""), limit=d.get("limit", "")),
}


def note_words(row: ical_import.Row) -> str:
    words = NOTE_WORDS.get(row.note_key)
    return str(words) % {"zone": row.zone} if words is not None else row.note


def problem_words(row: ical_import.Row) -> str:
    return refusals.worded(row.refusal)[1] if row.refusal is not None else row.problem


class ImportForm(FlaskForm):
    file = FileField(_l("Calendar file (.ics)"), validators=[FileRequired(_l("Choose an .ics file."))])
    zone = StringField(_l("Time zone for times without one"), validators=[
        DataRequired(_l("Give a time zone, such as Europe/Belgrade.")), Length(max=64)])
    language = RadioField(_l("Language of the titles written in Latin letters"), choices=list(LANGUAGES),
                          default="sr-Latn")


def _options(zone: str, language: str) -> dict[str, Any]:
    settings = runtime().settings
    return {"zone": zone, "language": language, "max_bytes": settings.ical_import_max_bytes,
            "max_events": settings.ical_import_max_events}


def _form_page(form: ImportForm, status: int = 200) -> tuple[str, int]:
    settings = runtime().settings
    return render_template("activities/ical_import.html", form=form, languages=list(LANGUAGE_NAMES.items()),
                           limit_kb=settings.ical_import_max_bytes // 1024,
                           limit_events=settings.ical_import_max_events), status


@bp.get("")
@permission_required("activities", "write")
def start() -> tuple[str, int]:
    return _form_page(ImportForm(formdata=None, zone=runtime().settings.timezone))


@bp.post("")
@permission_required("activities", "write")
def upload() -> Response | tuple[str, int]:
    form = ImportForm()
    if not form.validate():
        return _form_page(form, 422)
    data = form.file.data.stream.read(runtime().settings.ical_import_max_bytes + 1)
    zone, language = form.zone.data.strip(), form.language.data
    try:
        ical_import.check(db(), data, **_options(zone, language))
    except Invalid as error:  # a file that cannot be imported at all is never kept
        field = form.zone if error.details.get("field") == "zone" else form.file
        words = FILE_WORDS.get(error.code)
        field.errors = [*field.errors, words(error.details or {}) if words else error.message]
        return _form_page(form, 422)
    sha256 = staging.keep(staging.folder(runtime().settings.instance_dir), data, kind=KIND)
    return redirect(url_for("ical_import.preview", sha256=sha256, zone=zone, lang=language))


@bp.get("/<sha256>")
@permission_required("activities", "write")
def preview(sha256: str) -> tuple[str, int]:
    zone, language = request.args.get("zone", "")[:64], request.args.get("lang", "")
    if not staging.SHA256.fullmatch(sha256) or language not in LANGUAGES:
        abort(404)
    return _preview_page(sha256, zone, language)


def _preview_page(sha256: str, zone: str, language: str) -> tuple[str, int]:
    try:
        data = staging.read(staging.folder(runtime().settings.instance_dir), KIND, sha256)
        checked = ical_import.check(db(), data, **_options(zone, language))
    except (Unreadable, Invalid):
        abort(404)
    token = staging.seal(runtime().box, kind=KIND, sha256=sha256, user=current_user.user.id,
                         sheet=f"{zone} {language}", now=runtime().clock())
    return render_template("activities/ical_import_preview.html", checked=checked, token=token, zone=zone,
                           language=language, note_words=note_words, problem_words=problem_words), \
        422 if checked.problems else 200


@bp.post("/confirm")
@permission_required("activities", "write")
def confirm() -> Response | tuple[str, int]:
    try:
        sealed = staging.unseal(runtime().box, request.form.get("token", ""), kind=KIND, user=current_user.user.id,
                                now=runtime().clock())
        zone, language = (sealed.sheet or " ").split(" ", 1)
        folder = staging.folder(runtime().settings.instance_dir)
        made = ical_import.write(db(), current_user.actor(), staging.read(folder, KIND, sealed.sha256),
                                 **_options(zone, language))
    except Unreadable:
        abort(404)
    except Invalid:
        db().rollback()  # the file no longer imports (an event with its UID was made since): show why
        return _preview_page(sealed.sha256, zone, language)
    db().commit()
    staging.discard(folder, KIND, sealed.sha256)
    flash(ngettext("%(num)d event was imported, internal and tentative.",
                   "%(num)d events were imported, internal and tentative.", len(made)), "success")
    return redirect(url_for("ical_import.start"))
