"""The public agenda as an iCalendar feed (/agenda.ics): the public copies of the events whose "public from" has
passed (publisher.activities.public_view, never an event itself), in a window around now, in one language.

A cancelled event stays in the window with STATUS:CANCELLED and a higher SEQUENCE, so a calendar that
subscribed takes the cancellation over instead of keeping the event.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from publisher.activities.feed_item import from_public
from publisher.activities.feed_words import word
from publisher.activities.ical import calendar
from publisher.activities.public_view import public_events


@dataclass(frozen=True)
class AgendaFeed:
    body: bytes
    last_modified: datetime | None  # the latest change of an event it carries; None when it carries none


def public_agenda(session: Session, now: datetime, *, language: str, office_name: str, days_back: int,
                  days_ahead: int) -> AgendaFeed:
    """The public agenda from `days_back` days ago to `days_ahead` days ahead, its words in `language`."""
    found = public_events(session, now, after=now - timedelta(days=days_back), before=now + timedelta(days=days_ahead))
    name = word(language, "agenda") + (f" · {office_name}" if office_name else "")
    body = calendar([from_public(event) for event in found], language=language, name=name, now=now)
    return AgendaFeed(body, max((event.updated_at for event in found), default=None))
