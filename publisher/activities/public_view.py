"""What the public may see of the events now: their public copies (AgendaEntry) whose "public from" has passed.

The copies are written by publisher.activities.publication; nothing here reads an event itself, so the
public pages and feeds cannot show an internal event, an internal note, a guest or an unapproved edit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from publisher.activities.kinds import MEETING_KINDS
from publisher.activities.models import AgendaEntry
from publisher.activities.publication import frozen_time
from publisher.activities.timing import EventTime
from publisher.core.multilingual import MultilingualText
from publisher.recurrence.expansion import Occurrence


@dataclass(frozen=True)
class PublicEvent:
    id: int
    uid: str
    sequence: int
    status: str
    kind: str
    updated_at: datetime  # LAST-MODIFIED
    frozen: dict[str, Any]  # the approved version with its cancelled occurrences

    @property
    def title(self) -> MultilingualText:
        return MultilingualText(self.frozen.get("title") or {})

    @property
    def description(self) -> MultilingualText:
        return MultilingualText(self.frozen.get("description") or {})

    @property
    def time(self) -> EventTime:
        return frozen_time(self.frozen)

    @property
    def place(self) -> str:
        return self.frozen.get("place", "")

    @property
    def city(self) -> str:
        return self.frozen.get("city", "")

    @property
    def country(self) -> str:
        return self.frozen.get("country", "")

    @property
    def officials(self) -> list[dict[str, Any]]:
        return list(self.frozen.get("officials") or [])

    @property
    def organisations(self) -> list[str]:
        return list(self.frozen.get("organisations") or [])

    def occurrences(self, after: datetime, before: datetime) -> list[Occurrence]:
        return self.time.occurrences(after, before)


def public_events(session: Session, now: datetime, *, after: datetime | None = None,
                  before: datetime | None = None, kinds: frozenset[str] | None = None,
                  limit: int | None = None) -> list[PublicEvent]:
    """The events the public may see at `now`, overlapping [after, before) when given, by start."""
    query = select(AgendaEntry).where(or_(AgendaEntry.public_from.is_(None), AgendaEntry.public_from <= now))
    if before is not None:
        query = query.where(AgendaEntry.starts_at < before)
    if after is not None:
        query = query.where(AgendaEntry.last_ends_at > after)
    if kinds:
        query = query.where(AgendaEntry.kind.in_(sorted(kinds)))
    query = query.order_by(AgendaEntry.starts_at, AgendaEntry.event_id)
    if limit is not None:
        query = query.limit(limit)
    return [_public(entry) for entry in session.scalars(query)]


def public_event(session: Session, event_id: int, now: datetime) -> PublicEvent | None:
    entry = session.get(AgendaEntry, event_id) if 0 < event_id < 2**31 else None
    if entry is None or (entry.public_from is not None and entry.public_from > now):
        return None
    return _public(entry)


def meetings(session: Session, now: datetime, *, delay_days: int, after: datetime, before: datetime) -> list[PublicEvent]:
    """The public log of meetings with organisations: meetings that ended at least `delay_days` ago."""
    cutoff = now - timedelta(days=delay_days)
    found = public_events(session, now, after=after, before=min(before, cutoff), kinds=frozenset(MEETING_KINDS))
    return [e for e in found if e.organisations]


def _public(entry: AgendaEntry) -> PublicEvent:
    return PublicEvent(id=entry.event_id, uid=entry.uid, sequence=entry.sequence, status=entry.status,
                       kind=entry.kind, updated_at=entry.updated_at, frozen=entry.frozen)
