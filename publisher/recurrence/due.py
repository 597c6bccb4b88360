"""What a scheduler does now, after it has been stopped for a while: at most one occurrence, never a burst.

A worker that was down for thirty days must not send thirty reminders when it comes back. Given the last
time it looked and now, `due_now` answers the latest occurrence that started in between, or nothing; the
earlier ones are passed over (counted, so the caller can note it). A use for which a late occurrence is
worthless (a reminder of a meeting that is over) says how late is too late: then even the latest is dropped.
The first area's choice (activities): reminders pass `too_late=` the meeting's length; a weekly plan mailed
on Monday morning passes none, so Tuesday's run still sends the one plan that was missed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from publisher.recurrence.expansion import Occurrence, occurrences
from publisher.recurrence.limits import MAX_SPAN
from publisher.recurrence.rule import refuse
from publisher.recurrence.series import Series

_ONE_SECOND = timedelta(seconds=1)


@dataclass(frozen=True)
class Due:
    occurrence: Occurrence
    passed_over: int  # earlier occurrences since the last run that are not done (within MAX_SPAN back)


def due_now(series: Series, last_run: datetime | None, now: datetime, *,
            too_late: timedelta | None = None) -> Due | None:
    """The latest occurrence that started after `last_run` and by `now`, or None (also when it is more than
    `too_late` old). `last_run` None (never ran) or further back than MAX_SPAN looks back MAX_SPAN only."""
    if last_run is not None and (last_run.tzinfo is None or last_run > now):
        raise refuse("last_run must be an aware instant no later than now", field="last_run")
    since = now - MAX_SPAN + _ONE_SECOND
    if last_run is not None and last_run > since:
        since = last_run
    started = [o for o in occurrences(series, since, now + _ONE_SECOND) if since < o.start <= now]
    if not started:
        return None
    latest = max(started, key=lambda o: o.start)
    if too_late is not None and now - latest.start > too_late:
        return None
    return Due(latest, passed_over=len(started) - 1)
