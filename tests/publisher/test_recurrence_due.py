"""After a stop a scheduler does at most the latest missed occurrence, never a burst of them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from publisher.core.errors import Invalid
from publisher.recurrence.due import due_now
from publisher.recurrence.series import Series

DAILY = Series.from_json({"start": "2026-03-01T08:00", "zone": "Europe/Belgrade", "minutes": 30,
                          "rule": "FREQ=DAILY;UNTIL=20270101"})


def utc(m: int, d: int, h: int = 0) -> datetime:
    return datetime(2026, m, d, h, tzinfo=UTC)


def test_after_a_thirty_day_stop_only_the_latest_occurrence_is_due() -> None:
    due = due_now(DAILY, last_run=utc(4, 1, 12), now=utc(5, 1, 12))
    assert due is not None
    assert due.occurrence.original == datetime(2026, 5, 1, 8)
    assert due.passed_over == 29  # 2 April to 30 April, counted and not done


def test_the_next_run_finds_nothing_more() -> None:
    assert due_now(DAILY, last_run=utc(5, 1, 12), now=utc(5, 1, 12) + timedelta(minutes=5)) is None


def test_each_occurrence_is_due_once_in_regular_runs() -> None:
    done, last = [], utc(4, 30, 12)
    for minute in range(0, 60 * 48, 7):
        now = utc(5, 1) + timedelta(minutes=minute)
        if due := due_now(DAILY, last, now):
            done.append(due.occurrence.original)
            assert due.passed_over == 0
        last = now
    assert done == [datetime(2026, 5, 1, 8), datetime(2026, 5, 2, 8)]


def test_a_use_that_says_how_late_is_too_late_gets_nothing_after_a_stop() -> None:
    assert due_now(DAILY, utc(4, 1), utc(5, 1, 12), too_late=timedelta(hours=1)) is None
    assert due_now(DAILY, utc(4, 1), utc(5, 1, 6) + timedelta(minutes=30), too_late=timedelta(hours=1))


def test_a_scheduler_that_never_ran_or_stopped_for_years_looks_back_a_bounded_time() -> None:
    assert due_now(DAILY, None, utc(5, 1, 12)).passed_over < 400
    assert due_now(DAILY, datetime(2020, 1, 1, tzinfo=UTC), utc(5, 1, 12)).passed_over < 400


def test_a_last_run_in_the_future_is_refused() -> None:
    with pytest.raises(Invalid, match="no later than now"):
        due_now(DAILY, utc(5, 2), utc(5, 1))
