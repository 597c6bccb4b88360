"""The iCalendar writer: what a calendar program reads, checked with two independent parsers (icalendar, which
wrote it, and vobject, which did not)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
import vobject

from publisher.activities.feed_item import Detail, FeedItem
from publisher.activities.ical import calendar
from publisher.activities.timing import EventTime
from publisher.core.errors import Invalid
from publisher.core.multilingual import MultilingualText

NOW = datetime(2026, 3, 1, 8, tzinfo=UTC)
BELGRADE = ZoneInfo("Europe/Belgrade")


def item(time: EventTime, detail: Detail = Detail.PUBLIC, **kw) -> FeedItem:
    fields = dict(uid="event-1@publisher.example", sequence=3, status="confirmed", kind="working_meeting",
                  time=time, updated_at=NOW - timedelta(days=1), created_at=NOW - timedelta(days=2), detail=detail,
                  title=MultilingualText({"sr-Cyrl": "Колегијум министра"}),
                  description=MultilingualText({"sr-Cyrl": "Недељни састанак."}), place="Сала 1", city="Београд",
                  country="RS", officials=("Др Јована Петровић",), organisations=("УНИЦЕФ",),
                  guests=("Јован Јовић",), internal_notes="Улаз са задње стране.")
    fields.update(kw)
    return FeedItem(**fields)


def timed(start: str, end: str, zone: str = "Europe/Belgrade", **kw) -> EventTime:
    return EventTime(all_day=False, zone=zone, start=datetime.fromisoformat(start), end=datetime.fromisoformat(end),
                     **kw)


# A weekly Monday meeting at 10:00 through both DST changes of 2026 (29 March, 25 October), one Monday
# cancelled, one moved to Tuesday at noon.
WEEKLY = timed("2026-03-02T10:00", "2026-03-02T11:00", rule="FREQ=WEEKLY;BYDAY=MO;UNTIL=20261130",
               exceptions={"skipped": ["2026-04-06T10:00"],
                           "moved": [{"original": "2026-05-04T10:00", "start": "2026-05-05T12:00"}]})
TRIP = timed("2026-03-10T09:00", "2026-03-10T17:30", zone="America/New_York")


def write(*items: FeedItem, language: str = "sr-Cyrl", **kw) -> bytes:
    return calendar(items, language=language, name="Агенда", now=NOW, **kw)


def vevents(data: bytes) -> list:
    return [c for c in icalendar.Calendar.from_ical(data).walk("VEVENT")]


def test_the_feed_parses_with_both_parsers_and_keeps_its_uids():
    data = write(item(WEEKLY), item(TRIP, uid="trip@publisher.example"),
                 item(EventTime(all_day=True, zone="Europe/Belgrade", start=date(2026, 5, 12), end=date(2026, 5, 14)),
                      uid="days@publisher.example"))
    assert data.startswith(b"BEGIN:VCALENDAR\r\n") and b"VERSION:2.0" in data and b"PRODID:" in data
    parsed = vobject.readOne(data.decode())
    assert parsed.x_wr_calname.value == "Агенда"
    uids = [e.uid.value for e in parsed.vevent_list]
    # The series, its cancelled and its moved occurrence share a UID; the other two are themselves.
    assert uids.count("event-1@publisher.example") == 3
    assert {"trip@publisher.example", "days@publisher.example"} <= set(uids)
    assert sorted(tz.tzid.value for tz in parsed.vtimezone_list) == ["America/New_York", "Europe/Belgrade"]
    days = next(e for e in parsed.vevent_list if e.uid.value == "days@publisher.example")
    assert days.dtstart.value == date(2026, 5, 12) and days.dtend.value == date(2026, 5, 15)  # DTEND exclusive
    assert len(vevents(data)) == 5


def test_a_weekly_meeting_stays_at_ten_across_both_dst_changes():
    data = write(item(WEEKLY))
    parsed = vobject.readOne(data.decode())
    master = next(e for e in parsed.vevent_list if not hasattr(e, "recurrence_id"))
    assert "UNTIL=20261130T225959Z" in master.rrule.value  # a date UNTIL, as UTC: the series has times
    starts = list(master.getrruleset(addRDate=True))
    assert len(starts) == 40 and starts[-1].date() == date(2026, 11, 30)
    assert all(s.astimezone(BELGRADE).hour == 10 for s in starts)
    utc = {s.date(): s.astimezone(UTC).hour for s in starts}
    assert utc[date(2026, 3, 23)] == 9 and utc[date(2026, 3, 30)] == 8  # spring: one hour earlier in UTC
    assert utc[date(2026, 10, 19)] == 8 and utc[date(2026, 10, 26)] == 9  # autumn: back
    overrides = {e.recurrence_id.value.astimezone(UTC): e for e in parsed.vevent_list if hasattr(e, "recurrence_id")}
    cancelled = overrides[datetime(2026, 4, 6, 8, tzinfo=UTC)]
    assert cancelled.status.value == "CANCELLED" and cancelled.summary.value.startswith("Отказано: ")
    moved = overrides[datetime(2026, 5, 4, 8, tzinfo=UTC)]
    assert moved.dtstart.value.astimezone(UTC) == datetime(2026, 5, 5, 10, tzinfo=UTC)
    assert moved.dtend.value - moved.dtstart.value == timedelta(hours=1) and moved.status.value == "CONFIRMED"


def test_a_trip_abroad_is_written_in_its_own_zone_with_its_vtimezone():
    data = write(item(TRIP))
    assert b"DTSTART;TZID=America/New_York:20260310T090000" in data
    parsed = vobject.readOne(data.decode())
    [zone] = parsed.vtimezone_list
    assert zone.tzid.value == "America/New_York"
    [event] = parsed.vevent_list
    # 8 March 2026 is the US change to summer time: 09:00 EDT is 13:00 UTC.
    assert event.dtstart.value.astimezone(UTC) == datetime(2026, 3, 10, 13, tzinfo=UTC)
    assert event.dtend.value.astimezone(UTC) == datetime(2026, 3, 10, 21, 30, tzinfo=UTC)


def test_busy_detail_shows_the_time_and_nothing_else():
    data = write(item(TRIP, Detail.BUSY, title=MultilingualText(), description=MultilingualText(), place="",
                      city="", country="", officials=(), organisations=(), guests=(), internal_notes=""),
                 language="en")
    [event] = vevents(data)
    assert event["SUMMARY"] == "Busy" and event["CLASS"] == "CONFIDENTIAL" and event["TRANSP"] == "OPAQUE"
    for name in ("DESCRIPTION", "LOCATION", "CATEGORIES"):
        assert name not in event


def test_public_detail_has_no_guests_or_notes_and_full_detail_has_them():
    public = item(TRIP, guests=(), internal_notes="")
    [event] = vevents(write(public, language="sr-Latn"))
    assert event["SUMMARY"] == "Kolegijum ministra" and event["CLASS"] == "PUBLIC"
    description = str(event["DESCRIPTION"])
    assert "Nedeljni sastanak." in description and "Dr Jovana Petrović" in description
    assert "Gosti" not in description and "beleške" not in description
    assert str(event["LOCATION"]) == "Sala 1, Beograd, RS"
    assert event["CATEGORIES"].cats == ["Radni sastanak"]
    [full] = vevents(write(item(TRIP, Detail.FULL), language="sq"))
    text = str(full["DESCRIPTION"])
    assert "Të ftuarit: Jovan Jović" in text and "Shënime të brendshme:\nУлаз са задње стране." in text  # notes as written
    assert text.startswith("Nedeljni sastanak.")  # no Albanian: the Latin text, derived
    assert full["CLASS"] == "CONFIDENTIAL"


def test_statuses_and_a_title_only_in_another_language():
    postponed = item(TRIP, status="postponed", title=MultilingualText({"en": "Visit to New York"}))
    cancelled = item(TRIP, uid="other@publisher.example", status="cancelled")
    [first, second] = vevents(write(postponed, cancelled, language="sq"))
    assert first["STATUS"] == "TENTATIVE" and first["SUMMARY"] == "Shtyrë: Visit to New York"
    assert second["STATUS"] == "CANCELLED" and second["TRANSP"] == "TRANSPARENT"


def test_a_sent_calendar_has_its_method_and_bad_arguments_are_refused():
    data = write(item(TRIP), method="PUBLISH")
    assert b"METHOD:PUBLISH" in data and b"REFRESH-INTERVAL" not in data
    with pytest.raises(Invalid, match="language 'de'"):
        write(item(TRIP), language="de")
    with pytest.raises(Invalid, match="method 'SEND'"):
        write(item(TRIP), method="SEND")
