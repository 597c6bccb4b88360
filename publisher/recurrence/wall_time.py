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

from datetime import UTC, datetime
from zoneinfo import ZoneInfo


def to_utc(local: datetime, zone: ZoneInfo) -> datetime:
    """The UTC instant of naive wall time `local` in `zone` (the first of a doubled hour; a gap moves on)."""
    return local.replace(tzinfo=zone, fold=0).astimezone(UTC)


def to_wall(instant: datetime, zone: ZoneInfo) -> datetime:
    """The naive wall time in `zone` of an aware instant."""
    return instant.astimezone(zone).replace(tzinfo=None, fold=0)
