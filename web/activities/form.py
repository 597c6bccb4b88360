"""The event form: its fields, the values an event gives them, and what the form sends turned into the fields
publisher.activities.input reads. Time is asked as dates and times (an all-day event needs no time), the
repetition as a choice with an end ("until" or a count) or as an RRULE written by hand.
"""

from __future__ import annotations

import re
from datetime import UTC
from typing import Any
from zoneinfo import ZoneInfo

from flask import request
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import DateInput, DateTimeLocalInput, TimeInput

from publisher.activities import models
from publisher.activities.kinds import Status, Visibility
from publisher.activities.models import Event, Official
from publisher.core.errors import Invalid
from publisher.core.multilingual import LANGUAGES
from publisher.core.zones import known_zones
from web import multilingual_field
from web.activities import words
from web.multilingual_field import MultilingualField

_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)
_TIME = re.compile(r"[0-9]{2}:[0-9]{2}", re.ASCII)
_COUNT = re.compile(r"[0-9]{1,4}", re.ASCII)
_SIMPLE_RULE = re.compile(r"FREQ=(DAILY|WEEKLY|MONTHLY)(?:;COUNT=([0-9]{1,4})|;UNTIL=([0-9]{8}))?", re.ASCII)

# Where a refusal of the core (details["field"]) is shown on this form: the input a person corrects.
FIELD_OF = {"start": "start_date", "end": "end_date"}


class EventForm(FlaskForm):
    kind = SelectField(_l("Kind"), choices=[SelectChoice(k.value, label) for k, label in words.KINDS.items()])
    all_day = BooleanField(_l("All day"))
    start_date = StringField(_l("Starts on"), widget=DateInput())
    start_time = StringField(_l("Start time"), widget=TimeInput())
    end_date = StringField(_l("Ends on"), widget=DateInput())
    end_time = StringField(_l("End time"), widget=TimeInput())
    zone = SelectField(_l("Time zone"))
    repeat = SelectField(_l("Repeats"), choices=[SelectChoice(k, label) for k, label in words.REPEATS.items()])
    until = StringField(_l("Until (day, included)"), widget=DateInput())
    count = StringField(_l("Or this many times"), render_kw={"inputmode": "numeric"})
    rule = StringField(_l("Rule (RRULE, RFC 5545)"), render_kw={"spellcheck": "false", "autocomplete": "off"})
    place = StringField(_l("Place"), render_kw={"maxlength": models.PLACE})
    city = StringField(_l("City"), render_kw={"maxlength": models.CITY})
    country = StringField(_l("Country (two-letter code, such as RS)"), render_kw={"maxlength": 2})
    officials = SelectMultipleField(_l("Who takes part"), coerce=int, validate_choice=False)
    organisations = TextAreaField(_l("Organisations (one per line)"), render_kw={"rows": 3})
    guests = TextAreaField(_l("Guests (one per line; never public)"), render_kw={"rows": 3})
    status = SelectField(_l("Status"), choices=[SelectChoice(k.value, label) for k, label in words.STATUSES.items()],
                         default=Status.TENTATIVE.value)
    visibility = SelectField(_l("Who may see it"), default=Visibility.INTERNAL.value,
                             choices=[SelectChoice(k.value, label) for k, label in words.VISIBILITIES.items()])
    public_from = StringField(_l("Public from (in the event's time zone)"), widget=DateTimeLocalInput())
    internal_notes = TextAreaField(_l("Internal notes (never public)"), render_kw={"rows": 4})
    version = HiddenField()  # the version the person opened: a save over someone else's change is refused


def event_form(officials: list[Official], default_zone: str, event: Event | None = None) -> EventForm:
    """The form as sent, or an event's values (an edit's first view), or an empty one in the office's zone."""
    form = EventForm() if request.method == "POST" else EventForm(data=_values(event) if event else
                                                                  {"zone": default_zone})
    form.zone.choices = [SelectChoice(z, z) for z in sorted(known_zones())]
    form.officials.choices = [SelectChoice(o.id, o.name) for o in officials]
    return form


def texts(event: Event | None) -> tuple[MultilingualField, MultilingualField]:
    """The title and description in the four languages: as sent, else as stored."""
    if request.method == "POST":
        return (multilingual_field.read(request.form, "title", limit=models.TITLE),
                multilingual_field.read(request.form, "description", limit=models.NOTES))
    return (multilingual_field.from_text("title", event.title if event else None, limit=models.TITLE),
            multilingual_field.from_text("description", event.description if event else None, limit=models.NOTES))


def fields(form: EventForm, title: MultilingualField, description: MultilingualField) -> dict[str, Any]:
    """The fields publisher.activities.input.read_event takes; Invalid naming the form's own field when
    something only this form asks for (a day, a time, an end of repetition) cannot be read."""
    all_day = bool(form.all_day.data)
    start_date, end_date = _day(form.start_date.data, "start_date"), _day(form.end_date.data, "end_date",
                                                                            required=False)
    end_date = end_date or start_date
    if all_day:
        start, end = start_date, end_date
    else:
        start = f"{start_date}T{_time(form.start_time.data, 'start_time')}"
        end = f"{end_date}T{_time(form.end_time.data, 'end_time')}"
    return {
        "kind": form.kind.data, "title": _written(title), "description": _written(description), "all_day": all_day,
        "zone": form.zone.data or "", "start": start, "end": end, "rule": rule_text(form),
        "place": form.place.data or "", "city": form.city.data or "", "country": (form.country.data or "").strip(),
        "officials": list(form.officials.data or []), "organisations": form.organisations.data or "",
        "guests": form.guests.data or "", "status": form.status.data, "visibility": form.visibility.data,
        "public_from": (form.public_from.data or "").strip(), "internal_notes": form.internal_notes.data or "",
    }


def rule_text(form: EventForm) -> str:
    """The RRULE: written by hand, else built from the choice of repetition and its end."""
    written = (form.rule.data or "").strip()
    if written or not form.repeat.data:
        return written
    if form.repeat.data not in words.REPEATS:
        raise Invalid(gettext("Choose how the event repeats."), details={"field": "repeat"})
    count = (form.count.data or "").strip()
    until = (form.until.data or "").strip()
    if count:
        if not _COUNT.fullmatch(count) or int(count) < 1:
            raise Invalid(gettext("Write how many times as a whole number, such as 10."), details={"field": "count"})
        return f"FREQ={form.repeat.data};COUNT={int(count)}"
    if until:
        return f"FREQ={form.repeat.data};UNTIL={_day(until, 'until').replace('-', '')}"
    raise Invalid(gettext("Say until which day the event repeats, or how many times."), details={"field": "until"})


def version(form: EventForm) -> int | None:
    text = (form.version.data or "").strip()
    return int(text) if text.isdigit() and len(text) < 10 else None


def _values(event: Event) -> dict[str, Any]:
    start, end = event.start_local, event.end_local
    data: dict[str, Any] = {
        "kind": event.kind, "all_day": event.all_day, "start_date": start[:10], "start_time": start[11:16],
        "end_date": end[:10], "end_time": end[11:16], "zone": event.zone, "place": event.place, "city": event.city,
        "country": event.country, "officials": sorted(event.official_ids),
        "organisations": "\n".join(event.organisations or []), "guests": "\n".join(event.guests or []),
        "status": event.status, "visibility": event.visibility, "internal_notes": event.internal_notes,
        "version": str(event.version), "repeat": "", "rule": "",
    }
    if event.public_from is not None:
        local = event.public_from.astimezone(UTC).astimezone(ZoneInfo(event.zone))
        data["public_from"] = local.strftime("%Y-%m-%dT%H:%M")
    if event.rule:
        simple = _SIMPLE_RULE.fullmatch(event.rule)
        if simple and (simple.group(2) or simple.group(3)):
            data["repeat"], data["count"] = simple.group(1), simple.group(2) or ""
            until = simple.group(3)
            data["until"] = f"{until[:4]}-{until[4:6]}-{until[6:]}" if until else ""
        else:
            data["rule"] = event.rule
    return data


def _written(text: MultilingualField) -> dict[str, str]:
    return {lang: value for lang, value in text.submitted.items() if lang in LANGUAGES and value.strip()}


def _day(value: str | None, name: str, *, required: bool = True) -> str:
    text = (value or "").strip()
    if not text and not required:
        return ""
    if not _DATE.fullmatch(text):
        raise Invalid(gettext("Enter a day, for example 2026-12-07."), details={"field": name})
    return text


def _time(value: str | None, name: str) -> str:
    text = (value or "").strip()[:5]
    if not _TIME.fullmatch(text):
        raise Invalid(gettext("Enter a time, for example 10:00, or mark the event as all day."),
                      details={"field": name})
    return text
