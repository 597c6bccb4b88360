"""Properties of any series hypothesis can think of, in zones with odd clocks: wall time is kept, windows
split without losing or doubling an occurrence, JSON keeps everything, and a scheduler never bursts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from publisher.recurrence.due import due_now
from publisher.recurrence.expansion import occurrences
from publisher.recurrence.rule import WEEKDAYS, parse_rule
from publisher.recurrence.series import Series
from publisher.recurrence.wall_time import to_utc, to_wall

ZONES = ["Europe/Belgrade", "America/New_York", "Asia/Tokyo", "Australia/Lord_Howe", "Europe/Dublin",
         "America/Santiago", "Pacific/Chatham", "UTC"]
FAST = settings(max_examples=60, deadline=None)


@st.composite
def series(draw: st.DrawFn) -> Series:
    start = draw(st.datetimes(datetime(2025, 1, 1), datetime(2027, 12, 31))).replace(second=0, microsecond=0)
    start = start.replace(day=min(start.day, 28))  # every month has it: COUNT is reached within ten years
    freq = draw(st.sampled_from(["DAILY", "WEEKLY", "MONTHLY", "YEARLY"]))
    parts = [f"FREQ={freq}", f"INTERVAL={draw(st.integers(1, 3))}"]
    if freq == "WEEKLY":
        days = draw(st.sets(st.sampled_from(WEEKDAYS), max_size=3)) | {WEEKDAYS[start.weekday()]}
        parts.append("BYDAY=" + ",".join(sorted(days)))
    if freq == "MONTHLY" and draw(st.booleans()):
        parts.append(f"BYDAY={(start.day - 1) // 7 + 1}{WEEKDAYS[start.weekday()]}")
    most = {"DAILY": 60, "WEEKLY": 60, "MONTHLY": 30, "YEARLY": 3}[freq]
    parts.append(f"COUNT={draw(st.integers(1, most))}" if draw(st.booleans())
                 else f"UNTIL={start + timedelta(days=draw(st.integers(0, 900))):%Y%m%d}")
    return Series.from_json({"start": start.isoformat(timespec="minutes"), "zone": draw(st.sampled_from(ZONES)),
                             "minutes": 0, "rule": ";".join(parts)})


@FAST
@given(series())
def test_every_occurrence_keeps_the_start_wall_time_unless_that_time_does_not_exist(s: Series) -> None:
    for o in occurrences(s, datetime(2025, 1, 1, tzinfo=UTC), datetime(2026, 2, 1, tzinfo=UTC)):
        assert o.local_start.time() == s.start.time()
        if to_wall(o.start, s.tz) != o.local_start:  # only a time in a spring gap may move, and only forward
            assert to_wall(o.start, s.tz) > o.local_start
            assert to_wall(to_utc(o.local_start, s.tz), s.tz) != o.local_start


@FAST
@given(series(), st.integers(1, 390))
def test_two_adjoining_windows_hold_what_their_union_holds(s: Series, cut: int) -> None:
    low, high = datetime(2025, 6, 1, tzinfo=UTC), datetime(2026, 7, 1, tzinfo=UTC)
    middle = low + timedelta(days=cut)
    whole = occurrences(s, low, high)
    assert occurrences(s, low, middle) + occurrences(s, middle, high) == whole
    assert len({o.original for o in whole}) == len(whole)


@FAST
@given(series())
def test_json_and_rule_text_keep_everything(s: Series) -> None:
    assert Series.from_json(s.to_json()) == s
    assert parse_rule(s.rule.text) == s.rule


@FAST
@given(series(), st.datetimes(datetime(2025, 1, 1), datetime(2027, 1, 1)), st.integers(0, 90 * 24))
def test_a_scheduler_is_given_at_most_one_occurrence_and_only_one_it_has_not_seen(
        s: Series, last: datetime, hours: int) -> None:
    last_run = last.replace(tzinfo=UTC)
    now = last_run + timedelta(hours=hours)
    due = due_now(s, last_run, now)
    if due is not None:
        assert last_run < due.occurrence.start <= now
        assert due_now(s, now, now + timedelta(seconds=1)) is None or \
            due_now(s, now, now + timedelta(seconds=1)).occurrence.start > now
