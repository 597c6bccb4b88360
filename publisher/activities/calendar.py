"""The office's own view of the events: every occurrence overlapping a window, filtered by kind, official and
status, and the conflicts among them (one official in two places at once).

A recurring event is expanded here (publisher.recurrence), so a weekly meeting shows on each of its days;
a cancelled occurrence of it is shown as cancelled rather than left out, as the office wants to see it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, defer, lazyload, selectinload

from publisher.activities.kinds import STOPPED, Status
from publisher.activities.models import Event, EventParticipant, Official
from publisher.activities.timing import EventTime, Wall


@dataclass(frozen=True)
class Filters:
    kinds: frozenset[str] = frozenset()
    official_id: int | None = None
    statuses: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Occurrence:
    event: Event
    original: Wall  # the rule's start of this occurrence (RECURRENCE-ID); the event's start when single
    start: datetime  # aware UTC
    end: datetime
    status: str  # the event's, or "cancelled" for one cancelled occurrence of a series
    moved: bool = False
    # (event id, original start as text): made once, as conflicts and the pages look it up many times
    key: tuple[int, str] = field(init=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "key", (self.event.id, _text(self.original)))


def occurrences(session: Session, after: datetime, before: datetime, filters: Filters = Filters(), *,
                with_cancelled: bool = True, briefly: bool = False) -> list[Occurrence]:
    """Every occurrence overlapping [after, before), by start. `briefly`: for a calendar or a list, which
    show neither the description nor the notes, guests and organisations (those are read if touched)."""
    # Only what a calendar shows: the participants and their officials, not the editors nor the officials'
    # accounts (loading those for 5,000 events cost as much as the rest of the page).
    query = (select(Event).where(Event.starts_at < before, Event.last_ends_at > after)
             .options(lazyload(Event.editors), lazyload(Event.created_by), lazyload(Event.updated_by),
                      selectinload(Event.participants).selectinload(EventParticipant.official)
                      .lazyload(Official.user)))
    if briefly:
        query = query.options(defer(Event.description), defer(Event.internal_notes), defer(Event.guests),
                              defer(Event.organisations), defer(Event.search_text))
    if filters.kinds:
        query = query.where(Event.kind.in_(sorted(filters.kinds)))
    if filters.statuses:
        query = query.where(Event.status.in_(sorted(filters.statuses)))
    if filters.official_id is not None:
        query = query.where(Event.id.in_(select(EventParticipant.event_id)
                                         .where(EventParticipant.official_id == filters.official_id)))
    found: list[Occurrence] = []
    for event in session.scalars(query.order_by(Event.starts_at, Event.id)):
        found.extend(_expand(event, after, before, with_cancelled=with_cancelled))
    found.sort(key=lambda o: (o.start, o.event.id))
    return found


def _expand(event: Event, after: datetime, before: datetime, *, with_cancelled: bool) -> list[Occurrence]:
    time = EventTime.of(event)
    out = [Occurrence(event, o.original, o.start, o.end, event.status, o.moved)
           for o in time.occurrences(after, before)]
    if with_cancelled and event.rule and (event.exceptions or {}).get("skipped"):
        # The cancelled ones too, marked: the series without its skips, keeping only those.
        whole = EventTime(all_day=time.all_day, zone=time.zone, start=time.start, end=time.end, rule=time.rule,
                          exceptions={"moved": (event.exceptions or {}).get("moved", [])})
        skipped = set(event.exceptions["skipped"])
        out += [Occurrence(event, o.original, o.start, o.end, Status.CANCELLED, False)
                for o in whole.occurrences(after, before) if _text(o.original) in skipped]
    return out


def conflicts(found: Iterable[Occurrence]) -> dict[tuple[int, str], set[int]]:
    """For each occurrence that shares an official with another overlapping one (neither cancelled nor
    postponed), the ids of the officials who would be in two places at once."""
    by_official: dict[int, list[Occurrence]] = defaultdict(list)
    for occurrence in found:
        if occurrence.status in STOPPED:
            continue
        for official_id in occurrence.event.official_ids:
            by_official[official_id].append(occurrence)
    clashes: dict[tuple[int, str], set[int]] = defaultdict(set)
    for official_id, theirs in by_official.items():
        theirs.sort(key=lambda o: o.start)
        running: list[Occurrence] = []
        for occurrence in theirs:  # a sweep: each against those still running when it starts
            running = [o for o in running if o.end > occurrence.start]
            for other in running:
                if other.event.id != occurrence.event.id:
                    clashes[occurrence.key].add(official_id)
                    clashes[other.key].add(official_id)
            running.append(occurrence)
    return dict(clashes)


def _text(original: Wall) -> str:
    return original.strftime("%Y-%m-%dT%H:%M") if isinstance(original, datetime) else original.isoformat()
