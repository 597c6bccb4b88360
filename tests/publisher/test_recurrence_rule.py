"""A recurrence rule and a series: what is read, what is written back, and what is refused with which words."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta

import pytest

from publisher.core.errors import Invalid
from publisher.recurrence.rule import parse_rule
from publisher.recurrence.series import Moved, Series

MEETING = {"start": "2026-03-02T10:00", "zone": "Europe/Belgrade", "minutes": 60,
           "rule": "FREQ=WEEKLY;BYDAY=MO;UNTIL=20270630"}


def series(**changes: object) -> Series:
    return Series.from_json({**MEETING, **changes})


def refused(make, *words: str) -> Invalid:
    with pytest.raises(Invalid) as caught:
        make()
    for word in words:
        assert word in caught.value.message
    assert caught.value.status == 422 and caught.value.code == "invalid_recurrence"
    return caught.value


@pytest.mark.parametrize("text", [
    "FREQ=WEEKLY;BYDAY=MO;UNTIL=20270630",
    "FREQ=MONTHLY;BYDAY=-1FR;COUNT=12",
    "FREQ=MONTHLY;BYDAY=+2MO;COUNT=12",
    "FREQ=MONTHLY;BYMONTHDAY=31;UNTIL=20271231",
    "FREQ=YEARLY;BYMONTH=3;BYMONTHDAY=-1;UNTIL=20300101T000000Z",
    "FREQ=DAILY;INTERVAL=3;COUNT=5",
    "FREQ=WEEKLY;INTERVAL=2;COUNT=10;BYDAY=MO,TH;WKST=SU",
])
def test_a_rule_written_back_reads_the_same(text: str) -> None:
    rule = parse_rule(text)
    assert parse_rule(rule.text) == rule
    assert parse_rule("RRULE:" + text.lower()) == rule


def test_the_parts_are_read_into_their_fields() -> None:
    rule = parse_rule("FREQ=MONTHLY;BYDAY=-1FR,2MO;UNTIL=20270630")
    assert rule.freq == "MONTHLY" and rule.by_day == ((-1, "FR"), (2, "MO"))
    assert rule.until == date(2027, 6, 30) and rule.count is None
    assert parse_rule("FREQ=DAILY;UNTIL=20270630T080000Z").until == datetime(2027, 6, 30, 8, tzinfo=UTC)


@pytest.mark.parametrize(("text", "words"), [
    ("FREQ=SECONDLY;COUNT=3", ["FREQ=SECONDLY", "DAILY, WEEKLY, MONTHLY or YEARLY"]),
    ("FREQ=MINUTELY;COUNT=3", ["FREQ=MINUTELY"]),
    ("FREQ=HOURLY;COUNT=3", ["FREQ=HOURLY"]),
    ("FREQ=DAILY;BYSECOND=1;COUNT=3", ["BYSECOND is not supported"]),
    ("FREQ=DAILY;BYHOUR=9,17;COUNT=3", ["BYHOUR is not supported", "once a day"]),
    ("FREQ=MONTHLY;BYSETPOS=-1;BYDAY=FR;COUNT=3", ["BYSETPOS", "BYDAY=-1FR"]),
    ("FREQ=WEEKLY;INTERVAL=0;COUNT=3", ["INTERVAL=0", "from 1 to"]),
    ("FREQ=WEEKLY;INTERVAL=-2;COUNT=3", ["INTERVAL=-2"]),
    ("FREQ=WEEKLY;COUNT=999999999", ["COUNT=999999999", "from 1 to 1000"]),
    ("FREQ=WEEKLY;COUNT=0", ["COUNT=0"]),
    ("FREQ=WEEKLY", ["no end", "COUNT", "UNTIL"]),
    ("FREQ=WEEKLY;COUNT=3;UNTIL=20270101", ["both COUNT and UNTIL"]),
    ("FREQ=WEEKLY;COUNT=3;COUNT=4", ["COUNT is given twice"]),
    ("BYDAY=MO;COUNT=3", ["no FREQ"]),
    ("garbage", ["“garbage”", "NAME=VALUE"]),
    ("FREQ=WEEKLY;X-NAME=1;COUNT=3", ["X-NAME is not a supported part"]),
    ("FREQ=WEEKLY;BYDAY=XX;COUNT=3", ["BYDAY=XX", "weekday"]),
    ("FREQ=WEEKLY;BYDAY=2MO;COUNT=3", ["BYDAY=2MO", "MONTHLY or YEARLY"]),
    ("FREQ=MONTHLY;BYDAY=6MO;COUNT=3", ["BYDAY=6MO", "out of range"]),
    ("FREQ=MONTHLY;BYMONTHDAY=0;COUNT=3", ["BYMONTHDAY=0"]),
    ("FREQ=MONTHLY;BYMONTHDAY=32;COUNT=3", ["BYMONTHDAY=32"]),
    ("FREQ=YEARLY;BYMONTH=13;COUNT=3", ["BYMONTH=13"]),
    ("FREQ=WEEKLY;BYMONTHDAY=3;COUNT=3", ["BYMONTHDAY cannot be used with FREQ=WEEKLY"]),
    ("FREQ=DAILY;UNTIL=20270231", ["UNTIL=20270231 is not a real date"]),
    ("FREQ=DAILY;UNTIL=20270630T080000", ["UNTIL=20270630T080000", "UTC time"]),
    ("FREQ=DAILY;" + "BYMONTH=1;" * 100, ["longer than"]),
])
def test_a_hostile_or_broken_rule_is_refused_naming_the_problem(text: str, words: list[str]) -> None:
    refused(lambda: parse_rule(text), *words)


def test_a_rule_that_is_not_text_is_refused() -> None:
    refused(lambda: parse_rule(None), "RRULE text")
    refused(lambda: parse_rule(["FREQ=DAILY"]), "RRULE text")


def test_a_series_survives_json() -> None:
    made = series(skipped=["2026-04-06T10:00"], moved=[{"original": "2026-05-04T10:00",
                                                         "start": "2026-05-05T12:00", "minutes": 90}])
    assert made.moved == {datetime(2026, 5, 4, 10): Moved(datetime(2026, 5, 5, 12), timedelta(minutes=90))}
    assert Series.from_json(made.to_json()) == made
    assert made.to_json()["skipped"] == ["2026-04-06T10:00"]


def test_an_all_day_series_counts_in_dates() -> None:
    made = Series.from_json({"start": "2026-03-02", "zone": "Europe/Belgrade", "days": 2,
                             "rule": "FREQ=MONTHLY;BYDAY=1MO;COUNT=6", "skipped": ["2026-04-06"]})
    assert made.all_day and made.duration == timedelta(days=2)
    assert Series.from_json(made.to_json()) == made
    refused(lambda: Series.from_json({**made.to_json(), "skipped": ["2026-05-04T10:00"]}), "must be a date")


def test_the_end_is_the_last_occurrence_the_rule_makes() -> None:
    assert series().last == datetime(2027, 6, 28, 10)
    assert series(rule="FREQ=WEEKLY;BYDAY=MO;COUNT=3").last == datetime(2026, 3, 16, 10)


@pytest.mark.parametrize(("changes", "words"), [
    ({"rule": "FREQ=WEEKLY;BYDAY=MO;UNTIL=20260101"}, ["UNTIL is before the start"]),
    ({"rule": "FREQ=WEEKLY;BYDAY=MO;UNTIL=20400101"}, ["more than 10 years"]),
    ({"rule": "FREQ=DAILY;INTERVAL=5;COUNT=1000"}, ["COUNT=1000", "more than 10 years"]),
    ({"rule": "FREQ=WEEKLY;BYDAY=TU;COUNT=3"}, ["start (2026-03-02T10:00) is not one of the days"]),
    ({"rule": "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30;COUNT=3"}, ["is not one of the days"]),
    ({"zone": "Mars/Olympus"}, ["unknown time zone 'Mars/Olympus'"]),
    ({"zone": "../etc/passwd"}, ["unknown time zone"]),
    ({"zone": "localtime"}, ["unknown time zone"]),
    ({"zone": None}, ["no zone"]),
    ({"start": "2026-03-02T10:00+01:00"}, ["not a local date and time"]),
    ({"start": "next monday"}, ["'next monday' is not a local date and time"]),
    ({"start": "0900-03-02T10:00"}, ["years 1900 to 2999"]),
    ({"minutes": -5}, ["minutes must be a whole number from 0 to 20160 (14 days)"]),
    ({"minutes": 60 * 24 * 30}, ["from 0 to 20160"]),
    ({"minutes": "60"}, ["minutes must be a whole number"]),
    ({"days": 1}, ["gives its length in minutes"]),
    ({"skipped": ["2026-03-03T10:00"]}, ["2026-03-03T10:00 is not an occurrence"]),
    ({"skipped": ["2026-03-09T11:00"]}, ["2026-03-09T11:00 is not an occurrence"]),
    ({"skipped": "2026-03-09T10:00"}, ["must be lists"]),
    ({"skipped": ["2026-03-09T10:00"], "moved": [{"original": "2026-03-09T10:00", "start": "2026-03-10T10:00"}]},
     ["both skipped and moved"]),
    ({"moved": [{"original": "2026-03-09T10:00", "start": "2026-03-10T10:00"}] * 2}, ["moved twice"]),
    ({"moved": [{"original": "2026-03-09T10:00", "start": "2026-03-10"}]}, ["must be a local date and time"]),
    ({"skipped": ["2026-03-09T10:00"] * 501}, ["at most 500"]),
    ({"colour": "red"}, ["unknown field 'colour'"]),
])
def test_a_series_that_cannot_be_is_refused_naming_the_field(changes: dict, words: list[str]) -> None:
    refused(lambda: series(**changes), *words)


def test_a_series_that_is_not_an_object_is_refused() -> None:
    refused(lambda: Series.from_json(["FREQ=DAILY"]), "JSON object")


def test_an_impossible_rule_is_refused_at_once() -> None:
    began = time.perf_counter()
    refused(lambda: series(start="2026-03-02T10:00", rule="FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30;COUNT=5"),
            "not one of the days")
    refused(lambda: series(start="2026-03-03T10:00", rule="FREQ=DAILY;BYMONTHDAY=1;BYDAY=TU;COUNT=5"),
            "not one of the days")
    assert time.perf_counter() - began < 1  # python-dateutil alone would search until the year 9999


def test_a_series_made_in_code_is_checked_as_one_read_from_json() -> None:
    rule = parse_rule("FREQ=WEEKLY;COUNT=3")
    refused(lambda: Series("2026-03-02T10:00", "Europe/Belgrade", rule, timedelta(hours=1)), "must be a local date")
    refused(lambda: Series(datetime(2026, 3, 2, 10), "Europe/Belgrade", "FREQ=WEEKLY;COUNT=3",  # type: ignore[arg-type]
                           timedelta(hours=1)), "parsed recurrence rule")
    refused(lambda: Series(datetime(2026, 3, 2, 10), "Europe/Belgrade", rule, timedelta(hours=1),
                           moved={datetime(2026, 3, 9, 10): datetime(2026, 3, 10, 10)}), "must be a Moved")
    refused(lambda: Series(datetime(2026, 3, 2, 10), "Europe/Belgrade", rule, timedelta(seconds=90)), "whole minutes")
    refused(lambda: Series(datetime(2026, 3, 2, 10, tzinfo=UTC), "Europe/Belgrade", rule, timedelta(0)),
            "without a UTC offset")
