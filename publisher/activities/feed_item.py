"""One event as a calendar feed, a weekly plan or the API shows it: the fields a reader outside the office may
get, at a chosen level of detail, from an event (the office's own feeds and plans) or from its public copy
(the public agenda). The iCalendar writer (publisher.activities.ical) and the weekly plan read only this, so
what a feed carries is decided here, once:

- BUSY: the time and the status only ("busy"), with a neutral summary;
- PUBLIC: what the public may read (title, description, place, officials, organisations);
- FULL: also the guests and the internal notes: only for the person's own feed when they chose it.
A weekly plan is PUBLIC of every event (public or internal), never FULL: it carries no internal notes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from publisher.activities.models import Event
from publisher.activities.public_view import PublicEvent
from publisher.activities.timing import EventTime
from publisher.core.multilingual import MultilingualText


class Detail(StrEnum):
    BUSY = "busy"
    PUBLIC = "public"
    FULL = "full"


@dataclass(frozen=True)
class FeedItem:
    uid: str
    sequence: int
    status: str  # publisher.activities.kinds.Status
    kind: str
    time: EventTime
    updated_at: datetime  # LAST-MODIFIED
    created_at: datetime | None
    detail: Detail
    title: MultilingualText  # empty with BUSY
    description: MultilingualText
    place: str = ""
    city: str = ""
    country: str = ""
    officials: tuple[str, ...] = ()  # "Name, position" in no particular language: names as the office writes them
    organisations: tuple[str, ...] = ()
    guests: tuple[str, ...] = ()  # FULL only
    internal_notes: str = ""  # FULL only
    event_id: int | None = None


def from_event(event: Event, detail: Detail) -> FeedItem:
    """The office's event at `detail` (a person's own feed, the weekly plan)."""
    time = EventTime.of(event)
    if detail == Detail.BUSY:
        return FeedItem(uid=event.uid, sequence=event.sequence, status=event.status, kind=event.kind, time=time,
                        updated_at=event.updated_at, created_at=event.created_at, detail=detail,
                        title=MultilingualText(), description=MultilingualText(), event_id=event.id)
    full = detail == Detail.FULL
    return FeedItem(
        uid=event.uid, sequence=event.sequence, status=event.status, kind=event.kind, time=time,
        updated_at=event.updated_at, created_at=event.created_at, detail=detail, title=event.title,
        description=event.description, place=event.place, city=event.city, country=event.country,
        officials=tuple(o.name for o in event.officials), organisations=tuple(event.organisations or ()),
        guests=tuple(event.guests or ()) if full else (), internal_notes=event.internal_notes if full else "",
        event_id=event.id,
    )


def from_public(event: PublicEvent) -> FeedItem:
    """A public copy (the public agenda): the approved version, with its current status."""
    officials: list[dict[str, Any]] = event.officials
    return FeedItem(
        uid=event.uid, sequence=event.sequence, status=event.status, kind=event.kind, time=event.time,
        updated_at=event.updated_at, created_at=None, detail=Detail.PUBLIC, title=event.title,
        description=event.description, place=event.place, city=event.city, country=event.country,
        officials=tuple(o.get("name", "") for o in officials), organisations=tuple(event.organisations),
        event_id=event.id,
    )
