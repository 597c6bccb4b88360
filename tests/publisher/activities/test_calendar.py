"""The office's calendar of events: occurrences in a window, filters, cancelled occurrences, conflicts."""

from __future__ import annotations

from datetime import UTC, datetime

from publisher.activities import events
from publisher.activities.calendar import Filters, conflicts, occurrences
from tests.factories.events import make_event, make_official

WEEK = (datetime(2026, 12, 7, tzinfo=UTC), datetime(2026, 12, 14, tzinfo=UTC))


def test_a_weekly_meeting_shows_on_its_day_and_a_cancelled_occurrence_is_marked(session, office, minister):
    meeting = make_event(session, office.actor("ana"), kind="working_meeting", start="2026-11-30T09:00",
                         end="2026-11-30T10:00", rule="FREQ=WEEKLY;BYDAY=MO;COUNT=8", officials=[minister.id])
    conference = make_event(session, office.actor("ana"))  # 7 December, 10:00
    events.cancel_occurrence(session, office.actor("ana"), meeting.id, "2026-12-07T09:00")
    found = occurrences(session, *WEEK)
    assert [(o.event.id, o.start.hour, o.status) for o in found] == [(meeting.id, 8, "cancelled"),
                                                                     (conference.id, 9, "confirmed")]
    assert [o.event.id for o in occurrences(session, *WEEK, with_cancelled=False)] == [conference.id]


def test_filters_by_kind_official_and_status(session, office, minister):
    secretary = make_official(session, "Марко Марковић", "state_secretary")
    a = make_event(session, office.actor("ana"), officials=[minister.id])
    b = make_event(session, office.actor("ana"), kind="interview", status="tentative", officials=[secretary.id])
    assert [o.event.id for o in occurrences(session, *WEEK, Filters(kinds=frozenset({"interview"})))] == [b.id]
    assert [o.event.id for o in occurrences(session, *WEEK, Filters(official_id=minister.id))] == [a.id]
    assert [o.event.id for o in occurrences(session, *WEEK, Filters(statuses=frozenset({"tentative"})))] == [b.id]


def test_the_same_official_in_two_places_at_once_is_a_conflict_unless_one_is_cancelled(session, office, minister):
    a = make_event(session, office.actor("ana"), officials=[minister.id])
    b = make_event(session, office.actor("ana"), kind="interview", start="2026-12-07T10:30",
                   end="2026-12-07T11:30", officials=[minister.id])
    c = make_event(session, office.actor("ana"), kind="interview", start="2026-12-07T11:00",
                   end="2026-12-07T12:00")  # nobody from the list: no conflict
    found = conflicts(occurrences(session, *WEEK))
    assert found == {(a.id, "2026-12-07T10:00"): {minister.id}, (b.id, "2026-12-07T10:30"): {minister.id}}
    assert (c.id, "2026-12-07T11:00") not in found
    events.set_status(session, office.actor("ana"), b.id, "postponed")
    assert conflicts(occurrences(session, *WEEK)) == {}
