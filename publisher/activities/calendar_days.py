"""The events of the dashboard's calendar, day by day on the office's wall clock.

Each occurrence is put on every local day it covers: an all-day event on the dates it was written for, wherever
it takes place; a timed one through the office's zone, so a meeting in New York at 09:00 is on the Belgrade
afternoon, its own time kept beside it. A day knows what it shows of an occurrence: its time, or that it takes
the whole day or goes on from the day before. An occurrence that shares an official with another one at the
same time carries the officials and the occurrences it clashes with.

The window is read once (publisher.activities.calendar.occurrences; the participants are selectin-loaded with
their officials), and the filters are applied here, after the conflicts were found: a clash with an event the
filters hide is still a clash.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from publisher.activities.calendar import Filters, Occurrence, conflicts, occurrences
from publisher.activities.models import Event, Official
from publisher.core import permissions
from publisher.core.actor import Actor

_INSTANT = timedelta(microseconds=1)  # an end is exclusive: an event ending at midnight is not on the next day


@dataclass(frozen=True)
class Clash:
    """One official in two places: the other occurrences that official is in at the same time."""

    official: Official
    others: tuple[Occurrence, ...]


@dataclass(frozen=True)
class DayEvent:
    """An occurrence as one local day shows it."""

    occurrence: Occurrence
    day: date
    start: datetime | None  # on the office's wall clock (aware); None for an all-day event
    end: datetime | None
    own_start: datetime | None  # on the event's own wall clock, when its zone is not the office's
    begins_today: bool
    ends_today: bool
    clashes: tuple[Clash, ...] = ()

    @property
    def event(self) -> Event:
        return self.occurrence.event

    @property
    def status(self) -> str:
        return self.occurrence.status

    @property
    def all_day(self) -> bool:
        return bool(self.occurrence.event.all_day)

    @property
    def whole_day(self) -> bool:
        """Shown at the top of the day: an all-day event, or a timed one that began on an earlier day."""
        return self.all_day or not self.begins_today

    @property
    def hour(self) -> int | None:
        """The wall-clock hour it begins in, on the day it begins (None when shown at the top)."""
        return None if self.whole_day or self.start is None else self.start.hour

    @property
    def sort_key(self) -> tuple[bool, datetime, int]:
        """Those taking the whole day first (by their start), then by time."""
        return not self.whole_day, self.occurrence.start, self.event.id


@dataclass(frozen=True)
class EventDays:
    days: dict[date, list[DayEvent]]

    def on(self, day: date) -> list[DayEvent]:
        """The day's occurrences: those taking the whole day first, then by time."""
        return self.days.get(day, [])

    def at_hour(self, day: date, hour: int) -> list[DayEvent]:
        return [e for e in self.on(day) if e.hour == hour]

    def whole_days(self, day: date) -> list[DayEvent]:
        return [e for e in self.on(day) if e.whole_day]

    @property
    def clashing(self) -> int:
        """How many of the occurrences shown clash with another (one on several days counted once)."""
        return len({e.occurrence.key for shown in self.days.values() for e in shown if e.clashes})


def days(session: Session, actor: Actor, first: date, count: int, zone: str, filters: Filters | None = None) -> EventDays:
    """The occurrences on `count` days from `first` (local days in `zone`), each on every day it covers."""
    permissions.require(actor, "activities", "read")
    tz = ZoneInfo(zone)
    last = first + timedelta(days=count - 1)
    after = datetime.combine(first, time(0), tzinfo=tz).astimezone(ZoneInfo("UTC"))
    before = datetime.combine(last + timedelta(days=1), time(0), tzinfo=tz).astimezone(ZoneInfo("UTC"))
    filters = filters or Filters()
    found = occurrences(session, after, before, briefly=True)
    clashes = _clashes(found, conflicts(found))
    by_day: dict[date, list[DayEvent]] = defaultdict(list)
    for occurrence in found:
        if not _kept(occurrence, filters):
            continue
        for shown in _on_days(occurrence, tz, first, last, clashes.get(occurrence.key, ())):
            by_day[shown.day].append(shown)
    for shown in by_day.values():
        shown.sort(key=lambda e: e.sort_key)
    return EventDays(dict(by_day))


def _kept(occurrence: Occurrence, filters: Filters) -> bool:
    """The filters of publisher.activities.calendar.Filters, on an occurrence: its own status counts (one
    cancelled occurrence of a confirmed weekly meeting is cancelled)."""
    event = occurrence.event
    return ((not filters.kinds or event.kind in filters.kinds)
            and (not filters.statuses or occurrence.status in filters.statuses)
            and (filters.official_id is None or filters.official_id in event.official_ids))


def _on_days(occurrence: Occurrence, tz: ZoneInfo, first: date, last: date,
             clashes: tuple[Clash, ...]) -> list[DayEvent]:
    event = occurrence.event
    if event.all_day:
        # Dates as written, in the event's own zone: "12 to 14 May" is those days wherever it is.
        own = ZoneInfo(event.zone)
        begins, ends = occurrence.start.astimezone(own).date(), (occurrence.end - _INSTANT).astimezone(own).date()
        start = end = own_start = None
    else:
        start, end = occurrence.start.astimezone(tz), occurrence.end.astimezone(tz)
        begins, ends = start.date(), (end - _INSTANT).date()
        own_start = occurrence.start.astimezone(ZoneInfo(event.zone)) if event.zone != tz.key else None
    shown = []
    day = max(begins, first)
    while day <= min(ends, last):
        shown.append(DayEvent(occurrence, day, start, end, own_start, day == begins, day == ends, clashes))
        day += timedelta(days=1)
    return shown


def _clashes(found: list[Occurrence], flagged: dict[tuple[int, str], set[int]]) -> dict[tuple[int, str], tuple[Clash, ...]]:
    """For each flagged occurrence, per official, the other occurrences that official is in at the same time:
    a sweep over each official's flagged occurrences by start (a window without clashes costs nothing)."""
    if not flagged:
        return {}
    officials: dict[int, Official] = {}
    theirs: dict[int, list[Occurrence]] = defaultdict(list)
    for occurrence in found:
        if occurrence.key in flagged:
            for participant in occurrence.event.participants:
                if participant.official_id in flagged[occurrence.key]:
                    officials[participant.official_id] = participant.official
                    theirs[participant.official_id].append(occurrence)
    partners: dict[tuple[tuple[int, str], int], list[Occurrence]] = defaultdict(list)
    for official_id, listed in theirs.items():
        listed.sort(key=lambda o: (o.start, o.event.id))
        running: list[Occurrence] = []
        for occurrence in listed:
            running = [o for o in running if o.end > occurrence.start]
            for other in running:
                if other.event.id != occurrence.event.id:
                    partners[(occurrence.key, official_id)].append(other)
                    partners[(other.key, official_id)].append(occurrence)
            running.append(occurrence)
    out: dict[tuple[int, str], tuple[Clash, ...]] = {}
    for key, ids in flagged.items():
        ordered = sorted(ids, key=lambda i: (officials[i].sort, officials[i].name, i))
        out[key] = tuple(Clash(officials[i], tuple(sorted(partners[(key, i)], key=lambda o: (o.start, o.event.id))))
                         for i in ordered)
    return out
