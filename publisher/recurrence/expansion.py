"""The occurrences of a series between two UTC instants: the rule runs in local wall time (python-dateutil),
each occurrence is then resolved to UTC through the zone (wall_time), skipped ones are left out and moved
ones appear at their new time. An occurrence is returned when it overlaps the window [after, before).

Bounded twice: the window spans at most MAX_SPAN and the answer holds at most MAX_OCCURRENCES; the rule
itself ends within MAX_YEARS of its start (series), so python-dateutil never walks further than that.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from publisher.recurrence.limits import MAX_DURATION, MAX_OCCURRENCES, MAX_SPAN
from publisher.recurrence.rule import refuse
from publisher.recurrence.series import Series, Wall
from publisher.recurrence.wall_time import to_utc, to_wall

_MARGIN = timedelta(days=1)  # more than any zone's offset change, so the wall-time window holds the UTC one


@dataclass(frozen=True)
class Occurrence:
    original: Wall  # its start as the rule made it: the key of a skip or a move (RECURRENCE-ID)
    local_start: Wall  # where it is now, in wall time (or its date when all-day)
    start: datetime  # aware UTC
    end: datetime  # aware UTC
    moved: bool = False


def occurrences(series: Series, after: datetime, before: datetime) -> list[Occurrence]:
    """The occurrences overlapping [after, before) (aware instants), by start; Invalid for a bad window."""
    _check_window(after, before)
    zone = series.tz
    rule = series.rule.to_rrule(series.wall(series.start), series.last)
    low = to_wall(after - MAX_DURATION, zone) - _MARGIN
    high = to_wall(before, zone) + _MARGIN
    found: list[Occurrence] = []
    for made in rule.between(low, high, inc=True):
        original: Wall = made if not series.all_day else made.date()
        if original in series.skipped or original in series.moved:
            continue
        found.append(_occurrence(series, original, original, series.duration, moved=False))
    for original, change in series.moved.items():
        found.append(_occurrence(series, original, change.start, change.duration or series.duration, moved=True))
    found = [o for o in found if o.start < before and (o.end > after or o.start >= after)]
    found.sort(key=lambda o: (o.start, series.wall(o.original)))
    if len(found) > MAX_OCCURRENCES:  # a rule makes at most one a day, so only many moves reach this
        raise refuse(f"more than {MAX_OCCURRENCES} occurrences in one window: ask for a shorter one",
                     field="window")
    return found


def _occurrence(series: Series, original: Wall, start: Wall, length: timedelta, *, moved: bool) -> Occurrence:
    zone = series.tz
    if isinstance(start, datetime):
        begins = to_utc(start, zone)
        return Occurrence(original, start, begins, begins + length, moved)  # a duration is real time
    first = datetime.combine(start, datetime.min.time())
    return Occurrence(original, start, to_utc(first, zone), to_utc(first + length, zone), moved)  # whole days


def _check_window(after: datetime, before: datetime) -> None:
    for name, value in (("after", after), ("before", before)):
        if not isinstance(value, datetime) or value.tzinfo is None or value.utcoffset() is None:
            raise refuse(f"{name} must be an aware instant (UTC)", field=name)
    if before <= after:
        raise refuse("the window ends before it begins", field="before")
    if before - after > MAX_SPAN:
        raise refuse(f"a window spans at most {MAX_SPAN.days} days", field="before")

