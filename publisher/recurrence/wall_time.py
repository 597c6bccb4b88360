"""A local wall time resolved to UTC through its zone, with RFC 5545's rule for the two odd hours a year.

A single post asks its author which of a doubled hour they mean and refuses a time that does not exist
(publisher/posts/schedule_time.py). A series cannot ask about each of its occurrences, so it follows
RFC 5545 (section 3.3.5), which is also what zoneinfo does with fold=0:
- a time that happens twice (clocks go back) is the first of the two, in summer time;
- a time in the spring gap is read with the offset from before the gap, so it moves forward by the gap:
  02:30 on the night clocks jump from 02:00 to 03:00 is 03:30.
Every other occurrence keeps its wall time: a 10:00 meeting is at 10:00 in summer and in winter.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo


def to_utc(local: datetime, zone: ZoneInfo) -> datetime:
    """The UTC instant of naive wall time `local` in `zone` (the first of a doubled hour; a gap moves on)."""
    return local.replace(tzinfo=zone, fold=0).astimezone(UTC)


def to_wall(instant: datetime, zone: ZoneInfo) -> datetime:
    """The naive wall time in `zone` of an aware instant."""
    return instant.astimezone(zone).replace(tzinfo=None, fold=0)


_SECOND = timedelta(seconds=1)


def first_change(zone: ZoneInfo, a: datetime, b: datetime) -> datetime:
    """The first UTC instant in (a, b] whose offset in `zone` differs from the offset at `a` (the offsets at a and b
    must differ). Transitions fall on whole seconds, so a binary search on seconds finds it exactly."""
    start_offset = a.astimezone(zone).utcoffset()
    low, high = a, b
    while high - low > _SECOND:
        middle = low + timedelta(seconds=(high - low) // _SECOND // 2)
        if middle.astimezone(zone).utcoffset() == start_offset:
            low = middle
        else:
            high = middle
    return high


def gap_around(local: datetime, zone: ZoneInfo) -> tuple[datetime, datetime] | None:
    """When naive wall time `local` never happens in `zone` (the hour clocks skip in spring): the gap as wall times,
    its first skipped moment and the time the clocks jump to (02:00 and 03:00). None when `local` happens."""
    a, b = sorted(local.replace(tzinfo=zone, fold=fold).astimezone(UTC) for fold in (0, 1))
    if local in (to_wall(a, zone), to_wall(b, zone)):
        return None
    transition = first_change(zone, a, b)
    return to_wall(transition - _SECOND, zone) + _SECOND, to_wall(transition, zone)
