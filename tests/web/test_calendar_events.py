"""Events beside posts in the dashboard's calendar (web/queue.py, web/calendar_events.py): in the month, the
week's hour grid and the week's list, each linking to its page; a weekly meeting on each week and its cancelled
occurrence struck through; the filters (what to show, kind, official, status) in the address; conflicts named;
a trip abroad at the office's time with its own beside it; nobody without activities.read sees events; and the
month reads its events with as many queries for few events as for many."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import event as sql_event

from publisher.activities import events
from publisher.core.states import PostStatus
from tests.factories.events import make_event, make_official
from tests.factories.posts import post_row

MONDAY = "2026-12-07"  # the factory's press conference: 10:00-11:00 in Belgrade


@pytest.fixture
def minister(session, people):
    official = make_official(session, "Др Јована Петровић", "minister")
    session.commit()
    return official


def page(browser, path: str, status: int = 200) -> str:
    response = browser.get(path)
    assert response.status_code == status, response.get_data(as_text=True)[:800]
    return response.get_data(as_text=True)


def entry_of(html: str, href: str) -> str:
    """The calendar entry (<li>) that holds the link `href`."""
    at = html.index(f'href="{href}"')
    start = html.rindex("<li", 0, at)
    return html[start:html.index("</li>", at)]


def test_an_event_and_a_post_in_the_month_the_week_and_the_list(session, office, minister, signed_in, english):
    post_row(session, office, status=PostStatus.SCHEDULED, channels=("portal",), title="Najava konferencije",
             scheduled_at=datetime(2026, 12, 7, 8, 0, tzinfo=UTC))  # 09:00 in Belgrade
    conference = make_event(session, office.actor("ana"), officials=[minister.id])
    session.commit()
    english("ana")
    ana = signed_in("ana")
    month = page(ana, f"/calendar?view=month&day={MONDAY}")
    entry = entry_of(month, f"/events/{conference.id}")
    assert 'class="cal-entry cal-event event-confirmed"' in entry
    assert '<span class="cal-event-tag">Event</span>' in entry and "Konferencija za medije ministra" in entry
    assert "Press conference · confirmed" in entry and '<time datetime="2026-12-07T10:00:00+01:00">10:00</time>' in entry
    assert month.index("Najava konferencije") < month.index(f"/events/{conference.id}")  # by time
    week = page(ana, f"/calendar?view=week&day={MONDAY}")
    slots = re.findall(r'<div class="cal-slot[^"]*"[^>]*>(.*?)</div>', week[week.index(f'id="day-{MONDAY}"'):], re.S)
    assert "Najava konferencije" in slots[9] and f"/events/{conference.id}" in slots[10]
    listing = page(ana, f"/calendar?view=list&day={MONDAY}")
    line = entry_of(listing, f"/events/{conference.id}")
    assert '10:00</time>–<time datetime="2026-12-07T11:00:00+01:00">11:00</time>' in line
    assert "Сала 1, Немањина 11, Београд" in line and "Обезбеђење" not in listing  # never the internal notes
    assert listing.index("Najava konferencije") < listing.index(f"/events/{conference.id}")


def test_a_weekly_meeting_is_on_each_week_and_its_cancelled_occurrence_struck(session, office, minister, signed_in,
                                                                               english):
    meeting = make_event(session, office.actor("ana"), kind="working_meeting", title={"sr-Latn": "Kolegijum"},
                         start="2026-11-30T09:00", end="2026-11-30T10:00", rule="FREQ=WEEKLY;BYDAY=MO;COUNT=10",
                         visibility="internal", officials=[minister.id])
    events.cancel_occurrence(session, office.actor("ana"), meeting.id, "2026-12-14T09:00")
    session.commit()
    english("ana")
    month = page(signed_in("ana"), "/calendar?view=month&day=2026-12-01&show=events")
    found = re.findall(r'<li class="cal-entry cal-event event-(\w+)">\s*<span class="cal-entry-time">'
                       r'<time datetime="(\d{4}-\d\d-\d\d)T09:00:00\+01:00">', month)
    assert found == [("confirmed", "2026-11-30"), ("confirmed", "2026-12-07"), ("cancelled", "2026-12-14"),
                     ("confirmed", "2026-12-21"), ("confirmed", "2026-12-28"), ("confirmed", "2027-01-04")]
    cancelled = month[month.index('event-cancelled">'):]
    cancelled = cancelled[:cancelled.index("</li>")]
    assert f'<s><a href="/events/{meeting.id}">Kolegijum</a></s>' in cancelled
    assert "Working meeting · cancelled" in cancelled
    for monday in ("2026-12-07", "2026-12-21"):  # and in each week's views
        week = page(signed_in("ana"), f"/calendar?view=week&day={monday}")
        assert week.count(f'href="/events/{meeting.id}"') == 1


def test_the_filters_choose_posts_events_kind_official_and_status(session, office, minister, signed_in, english):
    secretary = make_official(session, "Марко Марковић", "state_secretary")
    conference = make_event(session, office.actor("ana"), officials=[minister.id])
    interview = make_event(session, office.actor("ana"), kind="interview", status="tentative",
                           start="2026-12-08T12:00", end="2026-12-08T13:00", officials=[secretary.id])
    post_row(session, office, status=PostStatus.SCHEDULED, channels=("portal",), title="Vest u utorak",
             scheduled_at=datetime(2026, 12, 8, 8, 0, tzinfo=UTC))
    session.commit()
    english("ana")
    ana = signed_in("ana")
    shown = {}
    for query in ("", "show=posts", "show=events", "kind=interview", f"official={minister.id}",
                  "event_status=tentative", "kind=interview&kind=press_conference&status=draft"):
        html = page(ana, f"/calendar?view=list&day={MONDAY}&{query}")
        shown[query] = (f"/events/{conference.id}" in html, f"/events/{interview.id}" in html, "Vest u utorak" in html)
    assert shown == {"": (True, True, True), "show=posts": (False, False, True), "show=events": (True, True, False),
                     "kind=interview": (False, True, True), f"official={minister.id}": (True, False, True),
                     "event_status=tentative": (False, True, True),
                     "kind=interview&kind=press_conference&status=draft": (True, True, False)}
    html = page(ana, f"/calendar?view=month&day={MONDAY}&show=events&kind=interview&official={secretary.id}")
    assert '<option value="events" selected>Events only</option>' in html
    assert '<option value="interview" selected>Interview</option>' in html
    assert f'<option value="{secretary.id}" selected>Marko Marković</option>' in html
    assert (f'href="/calendar?view=month&amp;day=2027-01-01&amp;show=events&amp;official={secretary.id}'
            f'&amp;kind=interview" rel="next"') in html  # the period's links keep the filters: bookmarkable
    for query in ("show=all", "kind=party", "event_status=done", "official=999999", "official=x"):
        response = ana.get(f"/calendar?view=month&day={MONDAY}&{query}")
        assert response.status_code == 400, query
        assert "Choose" in response.get_data(as_text=True)


def test_one_official_in_two_places_is_flagged_and_the_list_names_the_clash(session, office, minister, signed_in,
                                                                             english):
    conference = make_event(session, office.actor("ana"), officials=[minister.id])
    visit = make_event(session, office.actor("ana"), kind="visit", title={"sr-Latn": "Poseta Nišu"},
                       start="2026-12-07T10:30", end="2026-12-07T12:00", city="Niš", officials=[minister.id])
    alone = make_event(session, office.actor("ana"), kind="statement", start="2026-12-07T10:45",
                       end="2026-12-07T11:00")  # nobody from the list: no clash
    session.commit()
    english("ana")
    ana = signed_in("ana")
    month = page(ana, f"/calendar?view=month&day={MONDAY}")
    assert "2 events shown clash with others: the same person would be in two places at once." in month
    for event in (conference, visit):
        entry = entry_of(month, f"/events/{event.id}")
        assert "cal-clash" in entry and "Dr Jovana Petrović is in two places." in entry
    assert "cal-clash" not in entry_of(month, f"/events/{alone.id}")
    listing = page(ana, f"/calendar?view=list&day={MONDAY}")
    line = entry_of(listing, f'/events/{conference.id}')
    assert f'Clashes with: <a href="/events/{visit.id}">Poseta Nišu</a>' in line and "07/12/2026, 10:30" in line
    serbian = page(signed_in("marko"), f"/calendar?view=list&day={MONDAY}")  # Serbian, Latin script
    assert "Dr Jovana Petrović" in serbian and "Др Јована" not in serbian
    events.set_status(session, office.actor("ana"), visit.id, "postponed")
    session.commit()
    assert "is in two places" not in page(ana, f"/calendar?view=month&day={MONDAY}")


def test_a_trip_to_new_york_is_at_the_belgrade_time_with_its_own_beside_it(session, office, minister, signed_in,
                                                                         english):
    trip = make_event(session, office.actor("ana"), kind="international_meeting", title={"en": "UN General Assembly"},
                      zone="America/New_York", start="2026-12-08T09:00", end="2026-12-08T10:30", city="New York",
                      country="US", officials=[minister.id])
    summit = make_event(session, office.actor("ana"), kind="visit", title={"en": "Summit in Brussels"}, all_day=True,
                        start="2026-12-09", end="2026-12-10")  # two whole days
    session.commit()
    english("ana")
    ana = signed_in("ana")
    week = page(ana, f"/calendar?view=week&day={MONDAY}")
    tuesday = week[week.index('id="day-2026-12-08"'):week.index('id="day-2026-12-09"')]
    slots = re.findall(r'<div class="cal-slot[^"]*"[^>]*>(.*?)</div>', tuesday, re.S)
    trip_entry = entry_of(slots[15], f"/events/{trip.id}")
    assert ('<time datetime="2026-12-08T15:00:00+01:00" title="15:00 (09:00 America/New_York)">15:00</time> '
            '<span class="cal-event-zone">(09:00 America/New_York)</span>') in trip_entry
    for day in ("2026-12-09", "2026-12-10"):  # at the top of each day it covers, not in an hour
        column = week[week.index(f'id="day-{day}"'):]
        strip = column[column.index('<div class="cal-strip'):column.index('<div class="cal-slot')]
        assert f"/events/{summit.id}" in strip and "all day" in strip
    assert week.count(f"/events/{summit.id}") == 2
    assert ">All day<" in week


def test_nobody_without_activities_read_sees_events_or_their_filters(session, office, minister, signed_in, english):
    conference = make_event(session, office.actor("ana"), officials=[minister.id])
    post_row(session, office, status=PostStatus.SCHEDULED, channels=("portal",), title="Vest",
             scheduled_at=datetime(2026, 12, 7, 8, 0, tzinfo=UTC))
    session.commit()
    english("admin", "jelena")
    admin = page(signed_in("admin"), f"/calendar?view=month&day={MONDAY}&kind=nonsense&show=events")
    assert "Vest" in admin and f"/events/{conference.id}" not in admin and "cal-event" not in admin
    assert 'name="kind"' not in admin and 'name="official"' not in admin and 'name="show"' not in admin
    manager = page(signed_in("jelena"), f"/calendar?view=month&day={MONDAY}")  # managers read events
    assert f"/events/{conference.id}" in manager and 'name="official"' in manager


@pytest.mark.parametrize("path", [f"/calendar?view=month&day={MONDAY}", "/events?from=2026-12-01"],
                         ids=["month", "events-list"])
def test_the_month_reads_few_or_many_events_with_the_same_queries(session, office, minister, signed_in, rt, path):
    ana = signed_in("ana")
    counted: list[str] = []

    def seen(conn, cursor, statement, *args) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            counted.append(statement)

    def queries() -> int:
        counted.clear()
        sql_event.listen(rt.engine, "before_cursor_execute", seen)
        try:
            page(ana, path)
        finally:
            sql_event.remove(rt.engine, "before_cursor_execute", seen)
        return len(counted)

    secretary = make_official(session, "Марко Марковић", "state_secretary")
    for day in (7, 8):
        make_event(session, office.actor("ana"), start=f"2026-12-{day:02d}T10:00", end=f"2026-12-{day:02d}T11:00",
                   officials=[minister.id])
    session.commit()
    few = queries()
    for day in range(9, 25):
        make_event(session, office.actor("ana"), start=f"2026-12-{day:02d}T10:00", end=f"2026-12-{day:02d}T11:00",
                   officials=[minister.id, secretary.id], rule="FREQ=DAILY;COUNT=3" if day % 4 == 0 else None)
    session.commit()
    assert queries() == few
