"""Events from an .ics file (RFC 5545): checked whole, shown as a preview, then created all at once or not at all.

Every imported event is internal and tentative, so nothing goes public or counts as confirmed before a person
looks at it (and a second one approves its public fields). What is read of each VEVENT: SUMMARY (the title;
Cyrillic text is taken as Serbian Cyrillic, any other as the language chosen), DESCRIPTION, LOCATION, CATEGORIES
(a kind's name in any of our languages gives the kind, else "other"), DTSTART with DTEND or DURATION, its TZID,
RRULE and EXDATE (the skipped occurrences). A time with no zone (floating) is read in the zone chosen for the
file (the office's by default); a UTC time is moved to that zone's wall time. Refused, by row: a TZID that is
not an IANA zone, a rule or time the events refuse, no end. Skipped with a note: a UID already imported, an
event cancelled in the file, a changed single occurrence (RECURRENCE-ID: change it after the import).
Refused whole: a file too large, not iCalendar, with no VEVENT, or with more events than the limit.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from icalendar import Calendar
from sqlalchemy import select
from sqlalchemy.orm import Session

from publisher.activities import events
from publisher.activities.feed_words import WORDS
from publisher.activities.input import EventInput, read_event
from publisher.activities.kinds import Kind
from publisher.activities.models import Event
from publisher.activities.timing import EventTime, show
from publisher.core.actor import Actor
from publisher.core.errors import Invalid
from publisher.core.multilingual import LANGUAGES
from publisher.core.zones import known_zones
from publisher.text.translit import CYRILLIC, detect_script

UID_LENGTH = 255


# What happened to a row that is skipped or read with a remark, by key ({zone}: the zone it was read in).
NOTES = {
    "override": "a change to one occurrence of a series is not imported: change that occurrence in the event after "
                "the import",
    "taken": "already imported (an event has this UID): skipped",
    "cancelled": "cancelled in the file: skipped",
    "utc": "a UTC time, read in {zone}",
    "floating": "no time zone in the file: read in {zone}",
}


@dataclass(frozen=True)
class Row:
    """One VEVENT of the file: what will be made of it, or why not."""

    number: int  # its place among the file's VEVENTs, from 1
    uid: str
    title: str
    start: str = ""  # as the event will have it: "2026-03-02T10:00" or "2026-03-02"
    zone: str = ""
    rule: str = ""
    problem: str = ""  # refused: nothing is imported while any row has one
    note_key: str = ""  # skipped, or imported with a remark: a key of NOTES
    data: EventInput | None = field(default=None, compare=False, repr=False)
    keep_uid: bool = False
    refusal: Invalid | None = field(default=None, compare=False, repr=False)  # the error `problem` says

    @property
    def note(self) -> str:
        """The remark in English (the API, the log); the preview words NOTES' keys in the reader's language."""
        return NOTES[self.note_key].format(zone=self.zone) if self.note_key else ""

    @property
    def imported(self) -> bool:
        return self.data is not None


@dataclass(frozen=True)
class Checked:
    rows: list[Row]

    @property
    def problems(self) -> list[Row]:
        return [row for row in self.rows if row.problem]

    @property
    def to_create(self) -> list[Row]:
        return [row for row in self.rows if row.imported]


def check(session: Session, data: bytes, *, zone: str, language: str, max_bytes: int, max_events: int) -> Checked:
    """Every VEVENT of `data` checked; Invalid for a file that cannot be imported at all."""
    if zone not in known_zones():
        raise Invalid(f"unknown time zone {zone[:64]!r}: use an IANA name such as Europe/Belgrade", code="bad_zone",
                      details={"field": "zone"})
    if language not in LANGUAGES:
        raise Invalid(f"language must be one of {', '.join(LANGUAGES)}", code="bad_language",
                      details={"field": "language"})
    if len(data) > max_bytes:
        raise Invalid(f"the file is larger than {max_bytes // 1024} KB", code="too_large",
                      details={"field": "file", "limit_kb": max_bytes // 1024})
    try:
        calendar = Calendar.from_ical(data.decode("utf-8-sig"))
    except (ValueError, UnicodeDecodeError, IndexError, KeyError, TypeError) as error:
        raise Invalid(f"the file is not iCalendar (.ics): {str(error)[:120]}", code="not_icalendar",
                      details={"field": "file"}) from None
    if getattr(calendar, "name", "") != "VCALENDAR":
        raise Invalid("the file is not iCalendar (.ics): it does not begin with BEGIN:VCALENDAR",
                      code="not_icalendar", details={"field": "file"})
    found = calendar.walk("VEVENT")
    if not found:
        raise Invalid("the file has no event (VEVENT) in it", code="no_events", details={"field": "file"})
    if len(found) > max_events:
        raise Invalid(f"the file has {len(found)} events; at most {max_events} are imported at once: split it",
                      code="too_many", details={"field": "file", "count": len(found), "limit": max_events})
    taken = set(session.scalars(select(Event.uid).where(Event.uid.in_(
        [str(c.get("UID", ""))[:UID_LENGTH] for c in found if c.get("UID")]))))
    seen: set[str] = set()
    rows = []
    for number, component in enumerate(found, start=1):
        row = _row(number, component, zone=zone, language=language, taken=taken, seen=seen)
        seen.add(row.uid)
        rows.append(row)
    return Checked(rows)


def write(session: Session, actor: Actor, data: bytes, **options: Any) -> list[Event]:
    """Create every importable event of the file, or none (Invalid when any row is refused)."""
    checked = check(session, data, **options)
    if checked.problems:
        first = checked.problems[0]
        raise Invalid(f"event {first.number}: {first.problem}; nothing was imported", code="import_refused",
                      details={"field": "file", "row": first.number})
    made = []
    for row in checked.to_create:
        assert row.data is not None
        event = events.create(session, actor, row.data)
        if row.keep_uid:
            event.uid = row.uid  # the file's own UID: importing the file again finds it
        made.append(event)
    session.flush()
    return made


def _row(number: int, component: Any, *, zone: str, language: str, taken: set[str], seen: set[str]) -> Row:
    uid = str(component.get("UID", "")).strip()
    title = str(component.get("SUMMARY", "")).strip()
    shown = Row(number=number, uid=uid, title=title)
    if component.get("RECURRENCE-ID") is not None:
        return dataclasses.replace(shown, note_key="override")
    if uid and uid[:UID_LENGTH] in taken:
        return dataclasses.replace(shown, note_key="taken")
    if str(component.get("STATUS", "")).upper() == "CANCELLED":
        return dataclasses.replace(shown, note_key="cancelled")
    try:
        fields, event_zone, note = _fields(component, zone, language)
        checked = read_event(fields)
        skipped = _exdates(component, checked.time, event_zone)
        if skipped:  # the series checked again with them: each must be one of its occurrences
            checked = dataclasses.replace(checked, time=dataclasses.replace(checked.time,
                                                                            exceptions={"skipped": skipped}))
    except Invalid as error:
        return dataclasses.replace(shown, problem=error.message, refusal=error)
    keep = bool(uid) and len(uid) <= UID_LENGTH and uid not in seen
    return dataclasses.replace(shown, start=show(checked.time.start), zone=checked.time.zone,
                               rule=checked.time.rule or "", note_key=note, data=checked, keep_uid=keep)


def _fields(component: Any, default_zone: str, language: str) -> tuple[dict[str, Any], str, str]:
    """The event's fields as the form sends them, its zone, and a remark for the preview (a key of NOTES)."""
    if component.get("DTSTART") is None:
        raise Invalid("it has no start (DTSTART)", code="required")
    start, zone, note = _when(component, "DTSTART", default_zone)
    all_day = not isinstance(start, datetime)
    if component.get("DTEND") is not None:
        end, end_zone, _ = _when(component, "DTEND", zone)
        if isinstance(end, datetime) and isinstance(start, datetime) and end_zone != zone:
            end = end.replace(tzinfo=ZoneInfo(end_zone)).astimezone(ZoneInfo(zone)).replace(tzinfo=None)
    elif component.get("DURATION") is not None:
        end = start + component.decoded("DURATION")
    elif all_day:
        end = start + timedelta(days=1)
    else:
        raise Invalid("it has no end (DTEND or DURATION)", code="required")
    if all_day:
        if isinstance(end, datetime):
            raise Invalid("it starts on a date and ends at a time", code="bad_time")
        end = end - timedelta(days=1)  # iCalendar's end date is the day after; ours is the last day
    summary = str(component.get("SUMMARY", "")).strip()
    if not summary:
        raise Invalid("it has no title (SUMMARY)", code="required")
    title_language = CYRILLIC if detect_script(summary) == CYRILLIC else language
    description = str(component.get("DESCRIPTION", "")).strip()
    rule = component.get("RRULE")
    fields: dict[str, Any] = {
        "kind": _kind(component), "title": {title_language: summary},
        "description": {title_language: description} if description else {}, "all_day": all_day, "zone": zone,
        "start": show(start), "end": show(end), "rule": rule.to_ical().decode() if rule is not None else "",
        "place": str(component.get("LOCATION", "")).strip(), "status": "tentative", "visibility": "internal",
    }
    return fields, zone, note


def _when(component: Any, name: str, default_zone: str) -> tuple[datetime | date, str, str]:
    """A DTSTART or DTEND as wall time (or a date) and its zone; a remark (a key of NOTES) when the zone was not
    the file's."""
    value = component[name]
    moment = value.dt
    if not isinstance(moment, datetime):
        return moment, default_zone, ""
    tzid = value.params.get("TZID")
    if tzid is not None:
        if tzid not in known_zones():
            raise Invalid(f"{name} has the time zone {str(tzid)[:64]!r}, which is not an IANA zone (such as "
                          "Europe/Belgrade): change it in the file, or export it with IANA zones", code="bad_zone")
        return moment.replace(tzinfo=None, fold=0), str(tzid), ""
    if moment.tzinfo is not None:  # UTC ("Z"): the same instant on the chosen zone's clock
        wall = moment.astimezone(UTC).astimezone(ZoneInfo(default_zone)).replace(tzinfo=None, fold=0)
        return wall, default_zone, "utc"
    return moment, default_zone, "floating"


def _exdates(component: Any, time: EventTime, zone: str) -> list[str]:
    """EXDATE values as the occurrences to skip, in the event's wall time."""
    found = component.get("EXDATE")
    if found is None:
        return []
    skipped = []
    for entry in found if isinstance(found, list) else [found]:
        for value in entry.dts:
            moment = value.dt
            if isinstance(moment, datetime) and moment.tzinfo is not None:
                tz = ZoneInfo(zone)
                moment = moment.astimezone(tz).replace(tzinfo=None)
            if time.all_day and isinstance(moment, datetime):
                moment = moment.date()
            skipped.append(show(moment))
    if not time.rule:
        raise Invalid("it skips occurrences (EXDATE) but does not repeat (no RRULE)", code="invalid_recurrence")
    return sorted(set(skipped))


def _kind(component: Any) -> str:
    """The kind whose name, in any of our languages, is one of the event's CATEGORIES; else other."""
    names = {text.casefold(): key for words in WORDS.values() for key, text in words.items() if key in set(Kind)}
    found = component.get("CATEGORIES")
    for entry in found if isinstance(found, list) else [found] if found is not None else []:
        for category in getattr(entry, "cats", []):
            if str(category).strip().casefold() in names:
                return str(names[str(category).strip().casefold()])
    return Kind.OTHER
