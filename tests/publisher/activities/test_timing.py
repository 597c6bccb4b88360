"""An event's time: local wall time in its zone, DST, all-day days, a weekly series, another zone abroad."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from publisher.activities.input import read_event
from publisher.activities.timing import EventTime
from publisher.core.errors import Invalid
from tests.factories.events import event_fields


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_a_weekly_meeting_keeps_its_wall_time_across_both_dst_changes():
    # Mondays at 10:00 in Belgrade from March to November 2026: clocks go forward on 29 March, back on 25 October.
    time = EventTime(all_day=False, zone="Europe/Belgrade", start=datetime(2026, 3, 23, 10), end=datetime(2026, 3, 23, 11),
                     rule="FREQ=WEEKLY;BYDAY=MO;UNTIL=20261130")
    found = time.occurrences(utc(2026, 3, 20), utc(2026, 11, 3))
    by_day = {o.start.date(): o for o in found}
    assert by_day[date(2026, 3, 23)].start == utc(2026, 3, 23, 9)  # winter: UTC+1
    assert by_day[date(2026, 3, 30)].start == utc(2026, 3, 30, 8)  # the day after the change: UTC+2
    assert by_day[date(2026, 10, 19)].start == utc(2026, 10, 19, 8)
    assert by_day[date(2026, 10, 26)].start == utc(2026, 10, 26, 9)  # the day after the change back
    assert all(o.end - o.start == timedelta(hours=1) for o in found)
    assert time.last_end() == utc(2026, 11, 30, 10)  # the last Monday, 10:00-11:00 in winter


def test_a_trip_in_another_zone_is_read_in_that_zone():
    # A delegation in New York, 9:00-17:00 local: 15:00-23:00 in Belgrade, 14:00-22:00 UTC in December.
    data = read_event(event_fields(zone="America/New_York", start="2026-12-08T09:00", end="2026-12-08T17:00"))
    assert data.time.first() == (utc(2026, 12, 8, 14), utc(2026, 12, 8, 22))


def test_an_all_day_event_ends_on_its_last_day_inclusive():
    time = EventTime(all_day=True, zone="Europe/Belgrade", start=date(2026, 5, 12), end=date(2026, 5, 14))
    assert time.first() == (utc(2026, 5, 11, 22), utc(2026, 5, 14, 22))
    assert time.length == timedelta(days=3)


def test_a_time_the_clocks_skip_is_refused_by_name():
    with pytest.raises(Invalid, match="does not exist in Europe/Belgrade: the clocks jump from 02:00 to 03:00") \
            as error:
        read_event(event_fields(start="2026-03-29T02:30", end="2026-03-29T04:00"))
    assert error.value.details == {"field": "start", "value": "2026-03-29T02:30", "zone": "Europe/Belgrade",
                                   "gap_start": "2026-03-29T02:00", "gap_end": "2026-03-29T03:00"}


@pytest.mark.parametrize("overrides, field, words", [
    ({"end": "2026-12-07T09:00"}, "end", "ends before it starts"),
    ({"zone": "Europe/Beograd"}, "zone", "unknown time zone"),
    ({"start": "7.12.2026 10:00"}, "start", "is not a local date and time"),
    ({"end": "2026-12-25T10:00"}, "end", "at most 14 days"),
    ({"rule": "FREQ=WEEKLY;BYDAY=TU;COUNT=3"}, "start", "not one of the days the rule names"),
    ({"rule": "FREQ=SECONDLY"}, "rule", "SECONDLY is not supported"),
    ({"all_day": True}, "start", "is not a date"),
    ({"country": "Srbija"}, "country", "at most 2"),
    ({"country": "R1"}, "country", "two-letter country code"),
    ({"title": {}}, "title", "needs a title"),
    ({"title": {"de": "Pressekonferenz"}}, "title", "is not one of"),
    ({"kind": "party"}, "kind", "kind must be one of"),
    ({"officials": ["minister"]}, "officials", "list of ids"),
    ({"secret": "x"}, "secret", "no field"),
])
def test_bad_fields_are_refused_naming_the_field(overrides, field, words):
    with pytest.raises(Invalid, match=words) as error:
        read_event(event_fields(**overrides))
    assert error.value.details["field"] == field
