"""Importing an .ics file: a good file becomes internal, tentative events (its UIDs kept, so a second import
skips them); a bad file or a bad row is refused by name and nothing is written."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from publisher.activities import ical_import
from publisher.activities.models import Event
from publisher.core.errors import Invalid

OPTIONS = {"zone": "Europe/Belgrade", "language": "sr-Latn", "max_bytes": 64 * 1024, "max_events": 5}


def ics(*events: str) -> bytes:
    body = "".join(f"BEGIN:VEVENT\r\n{e.strip()}\r\nEND:VEVENT\r\n" for e in events).replace("\n", "\r\n")
    body = body.replace("\r\r\n", "\r\n")
    return ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n" + body + "END:VCALENDAR\r\n").encode()


WEEKLY = """UID:kolegijum@ministarstvo.example
SUMMARY:Колегијум министра
CATEGORIES:Radni sastanak
DTSTART;TZID=Europe/Belgrade:20260302T100000
DTEND;TZID=Europe/Belgrade:20260302T110000
RRULE:FREQ=WEEKLY;BYDAY=MO;UNTIL=20261130T225959Z
EXDATE;TZID=Europe/Belgrade:20260406T100000"""
TRIP = """UID:trip@ministarstvo.example
SUMMARY:Visit to the UN
LOCATION:New York
DTSTART;TZID=America/New_York:20260310T090000
DURATION:PT8H"""
FLOATING = """UID:floating@ministarstvo.example
SUMMARY:Sastanak bez zone
DTSTART:20260311T090000
DTEND:20260311T100000"""
DAYS = """UID:days@ministarstvo.example
SUMMARY:Sajam
DTSTART;VALUE=DATE:20260512
DTEND;VALUE=DATE:20260515"""


def count(session) -> int:
    return session.scalar(select(func.count()).select_from(Event))


def test_a_good_file_becomes_internal_tentative_events_and_a_second_import_skips_them(session, office):
    data = ics(WEEKLY, TRIP, FLOATING, DAYS, "UID:x@example\nSUMMARY:Otkazano\nSTATUS:CANCELLED\n"
                                              "DTSTART:20260312T090000Z\nDTEND:20260312T100000Z")
    checked = ical_import.check(session, data, **OPTIONS)
    assert checked.problems == []
    rows = {row.uid: row for row in checked.rows}
    assert rows["floating@ministarstvo.example"].note == "no time zone in the file: read in Europe/Belgrade"
    assert rows["x@example"].note == "cancelled in the file: skipped" and not rows["x@example"].imported
    made = {e.uid: e for e in ical_import.write(session, office.actor("ana"), data, **OPTIONS)}
    assert len(made) == 4 and all(e.visibility == "internal" and e.status == "tentative" for e in made.values())
    weekly = made["kolegijum@ministarstvo.example"]
    assert weekly.title.get("sr-Cyrl") == "Колегијум министра" and weekly.kind == "working_meeting"
    assert weekly.rule.startswith("FREQ=WEEKLY") and weekly.exceptions["skipped"] == ["2026-04-06T10:00"]
    trip = made["trip@ministarstvo.example"]
    assert (trip.zone, trip.start_local, trip.end_local) == ("America/New_York", "2026-03-10T09:00", "2026-03-10T17:00")
    days = made["days@ministarstvo.example"]
    assert days.all_day and (days.start_local, days.end_local) == ("2026-05-12", "2026-05-14")  # last day inclusive
    again = ical_import.check(session, data, **OPTIONS)
    assert not again.to_create and {r.note for r in again.rows if r.uid == weekly.uid} == {
        "already imported (an event has this UID): skipped"}


@pytest.mark.parametrize(("data", "message"), [
    (b"hello", "not iCalendar"),
    (b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n", r"no event \(VEVENT\)"),
    (ics(*[DAYS.replace("days@", f"d{i}@") for i in range(6)]), "at most 5 are imported at once"),
    (b"BEGIN:VCALENDAR\r\n" + b"X" * 70_000, "larger than 64 KB"),
])
def test_a_file_that_cannot_be_imported_is_refused_whole(session, office, data, message):
    with pytest.raises(Invalid, match=message):
        ical_import.check(session, data, **OPTIONS)


def test_a_bad_row_is_named_and_nothing_is_written(session, office):
    data = ics(TRIP, TRIP.replace("trip@", "bad@").replace("America/New_York", "Eastern Standard Time"),
               FLOATING.replace("floating@", "rule@") + "\nRRULE:FREQ=HOURLY;COUNT=3",
               "UID:noend@x\nSUMMARY:Bez kraja\nDTSTART;TZID=Europe/Belgrade:20260310T090000")
    checked = ical_import.check(session, data, **OPTIONS)
    problems = {row.uid: row.problem for row in checked.problems}
    assert "'Eastern Standard Time', which is not an IANA zone" in problems["bad@ministarstvo.example"]
    assert "HOURLY" in problems["rule@ministarstvo.example"]
    assert problems["noend@x"] == "it has no end (DTEND or DURATION)"
    with pytest.raises(Invalid, match="event 2: .*nothing was imported"):
        ical_import.write(session, office.actor("ana"), data, **OPTIONS)
    assert count(session) == 0
