"""Occurrences of a series: wall time kept across DST in any zone, the month's odd days, skips and moves,
and windows that are refused."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from publisher.core.errors import Invalid
from publisher.recurrence.expansion import occurrences
from publisher.recurrence.series import Series
from publisher.recurrence.wall_time import gap_around


def make(start: str, rule: str, zone: str = "Europe/Belgrade", **more: object) -> Series:
    return Series.from_json({"start": start, "zone": zone, "minutes": 60, "rule": rule, **more})


def utc(y: int, m: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    return datetime(y, m, d, h, mi, tzinfo=UTC)


def starts(series: Series, after: datetime, before: datetime) -> list[str]:
    return [o.start.strftime("%Y-%m-%d %H:%M") for o in occurrences(series, after, before)]


def test_a_weekly_meeting_stays_at_ten_across_both_changes_in_belgrade() -> None:
    meeting = make("2026-03-16T10:00", "FREQ=WEEKLY;BYDAY=MO;UNTIL=20261231")
    spring = starts(meeting, utc(2026, 3, 16), utc(2026, 4, 7))  # clocks go forward on 29 March
    assert spring == ["2026-03-16 09:00", "2026-03-23 09:00", "2026-03-30 08:00", "2026-04-06 08:00"]
    autumn = starts(meeting, utc(2026, 10, 19), utc(2026, 11, 3))  # and back on 25 October
    assert autumn == ["2026-10-19 08:00", "2026-10-26 09:00", "2026-11-02 09:00"]
    for o in occurrences(meeting, utc(2026, 3, 16), utc(2026, 12, 31)):
        assert o.start.astimezone(meeting.tz).strftime("%H:%M") == "10:00"
        assert o.end - o.start == timedelta(hours=1)


def test_a_trip_to_new_york_keeps_new_york_time_across_its_own_changes() -> None:
    call = make("2026-03-02T09:30", "FREQ=WEEKLY;BYDAY=MO,TH;COUNT=6", zone="America/New_York")
    # New York springs forward on 8 March, three weeks before Belgrade.
    assert starts(call, utc(2026, 3, 1), utc(2026, 3, 20)) == [
        "2026-03-02 14:30", "2026-03-05 14:30", "2026-03-09 13:30", "2026-03-12 13:30",
        "2026-03-16 13:30", "2026-03-19 13:30"]


def test_tokyo_has_no_summer_time_so_utc_never_moves() -> None:
    daily = make("2026-03-25T09:00", "FREQ=DAILY;COUNT=10", zone="Asia/Tokyo")
    assert {o.start.strftime("%H:%M") for o in occurrences(daily, utc(2026, 3, 20), utc(2026, 4, 10))} == {"00:00"}


def test_a_time_in_the_spring_gap_moves_forward_and_a_doubled_hour_is_the_first() -> None:
    night = make("2026-03-22T02:30", "FREQ=WEEKLY;BYDAY=SU;UNTIL=20261101")
    gap = occurrences(night, utc(2026, 3, 28), utc(2026, 3, 30))[0]  # 02:00 jumps to 03:00 on 29 March
    assert gap.local_start == datetime(2026, 3, 29, 2, 30)  # still named by its wall time
    assert gap.start == utc(2026, 3, 29, 1, 30)  # = 03:30 summer time
    doubled = occurrences(night, utc(2026, 10, 24), utc(2026, 10, 26))[0]  # 02:30 happens twice on 25 October
    assert doubled.start == utc(2026, 10, 25, 0, 30)  # the first, in summer time


def test_monthly_on_the_31st_skips_the_months_without_one() -> None:
    rent = make("2026-01-31T12:00", "FREQ=MONTHLY;BYMONTHDAY=31;UNTIL=20261231")
    assert [o.local_start.strftime("%m-%d") for o in occurrences(rent, utc(2026, 1, 1), utc(2027, 1, 1))] == [
        "01-31", "03-31", "05-31", "07-31", "08-31", "10-31", "12-31"]
    last_day = make("2026-01-31T12:00", "FREQ=MONTHLY;BYMONTHDAY=-1;COUNT=4")
    assert [o.local_start.day for o in occurrences(last_day, utc(2026, 1, 1), utc(2026, 6, 1))] == [31, 28, 31, 30]


def test_the_last_friday_of_each_month() -> None:
    review = make("2026-01-30T14:00", "FREQ=MONTHLY;BYDAY=-1FR;COUNT=5")
    assert [o.local_start.date() for o in occurrences(review, utc(2026, 1, 1), utc(2026, 7, 1))] == [
        date(2026, 1, 30), date(2026, 2, 27), date(2026, 3, 27), date(2026, 4, 24), date(2026, 5, 29)]


def test_count_and_until_end_the_series_where_they_say() -> None:
    window = (utc(2026, 3, 1), utc(2027, 1, 1))
    assert len(occurrences(make("2026-03-02T10:00", "FREQ=WEEKLY;BYDAY=MO;COUNT=4"), *window)) == 4
    until = make("2026-03-02T10:00", "FREQ=WEEKLY;BYDAY=MO;UNTIL=20260323")
    assert starts(until, *window)[-1] == "2026-03-23 09:00"  # UNTIL as a date includes its day
    before_noon_utc = make("2026-03-02T10:00", "FREQ=WEEKLY;BYDAY=MO;UNTIL=20260323T085959Z")
    assert starts(before_noon_utc, *window)[-1] == "2026-03-16 09:00"  # a UTC UNTIL is exact


def test_one_occurrence_skipped_and_one_moved() -> None:
    meeting = make("2026-03-02T10:00", "FREQ=WEEKLY;BYDAY=MO;COUNT=4", skipped=["2026-03-09T10:00"],
                   moved=[{"original": "2026-03-16T10:00", "start": "2026-03-17T15:00", "minutes": 30}])
    found = occurrences(meeting, utc(2026, 3, 1), utc(2026, 4, 1))
    assert [(o.original, o.local_start, o.moved) for o in found] == [
        (datetime(2026, 3, 2, 10), datetime(2026, 3, 2, 10), False),
        (datetime(2026, 3, 16, 10), datetime(2026, 3, 17, 15), True),
        (datetime(2026, 3, 23, 10), datetime(2026, 3, 23, 10), False)]
    assert found[1].end - found[1].start == timedelta(minutes=30)


def test_a_moved_occurrence_appears_where_it_went_not_where_it_was() -> None:
    meeting = make("2026-03-02T10:00", "FREQ=WEEKLY;BYDAY=MO;COUNT=4",
                   moved=[{"original": "2026-03-02T10:00", "start": "2026-04-20T10:00"}])
    assert starts(meeting, utc(2026, 3, 1), utc(2026, 3, 3)) == []
    assert starts(meeting, utc(2026, 4, 20), utc(2026, 4, 21)) == ["2026-04-20 08:00"]


def test_an_occurrence_that_began_before_the_window_and_still_runs_is_in_it() -> None:
    retreat = make("2026-03-02T10:00", "FREQ=WEEKLY;BYDAY=MO;COUNT=2", minutes=60 * 48)
    assert starts(retreat, utc(2026, 3, 3), utc(2026, 3, 4)) == ["2026-03-02 09:00"]
    assert starts(retreat, utc(2026, 3, 4, 9), utc(2026, 3, 5)) == []  # ended exactly at the window's start


def test_an_all_day_occurrence_runs_from_local_midnight_to_midnight() -> None:
    fair = Series.from_json({"start": "2026-10-24", "zone": "Europe/Belgrade", "days": 2,
                             "rule": "FREQ=YEARLY;COUNT=2"})
    first = occurrences(fair, utc(2026, 10, 1), utc(2026, 11, 1))[0]
    assert (first.start, first.end) == (utc(2026, 10, 23, 22), utc(2026, 10, 25, 23))  # 49 hours: clocks went back
    assert first.local_start == first.original == date(2026, 10, 24)


@pytest.mark.parametrize(("after", "before", "words"), [
    (utc(2026, 3, 1), utc(2026, 3, 1), "ends before it begins"),
    (utc(2026, 3, 1), utc(2028, 3, 1), "at most 400 days"),
    (datetime(2026, 3, 1), utc(2026, 4, 1), "after must be an aware instant"),
])
def test_a_bad_window_is_refused(after: datetime, before: datetime, words: str) -> None:
    meeting = make("2026-03-02T10:00", "FREQ=WEEKLY;BYDAY=MO;COUNT=4")
    with pytest.raises(Invalid, match=words):
        occurrences(meeting, after, before)


def test_a_window_long_after_the_end_is_empty_and_quick() -> None:
    sparse = make("2016-02-29T10:00", "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=29;BYDAY=MO;UNTIL=20260101")
    assert starts(sparse, utc(2030, 1, 1), utc(2030, 12, 31)) == []


@pytest.mark.parametrize("zone, local, gap", [
    ("Europe/Belgrade", "2026-03-29T02:30", ("2026-03-29T02:00", "2026-03-29T03:00")),
    ("Australia/Lord_Howe", "2026-10-04T02:15", ("2026-10-04T02:00", "2026-10-04T02:30")),  # a half-hour jump
    ("Europe/Belgrade", "2026-10-25T02:30", None),  # happens twice, but happens
    ("Europe/Belgrade", "2026-03-29T03:00", None),
])
def test_the_gap_around_a_time_that_never_happens_is_named_by_its_wall_times(zone, local, gap):
    found = gap_around(datetime.fromisoformat(local), ZoneInfo(zone))
    assert (found and tuple(t.isoformat(timespec="minutes") for t in found)) == gap
