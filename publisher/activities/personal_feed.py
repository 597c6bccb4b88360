"""A person's own calendar feed (/calendar/<token>.ics): the events they take part in (an official linked to
their account, Official.user_id), or all of the office's events when they chose so and plan events, in a
window around now, at the detail their feed was made with (publisher.activities.feed_tokens).

Cancelled events stay in it with STATUS:CANCELLED, so a subscribed calendar takes the cancellation over.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from publisher.activities.feed_item import Detail, FeedItem, from_event, from_public
from publisher.activities.feed_tokens import CalendarFeedToken, FeedDetail, may_see_all
from publisher.activities.feed_words import WORDS, word
from publisher.activities.ical import calendar
from publisher.activities.models import Event, EventParticipant, Official
from publisher.activities.public_view import public_events

FALLBACK_LANGUAGE = "sr-Latn"  # a person without a language of their own (the office's default)


def items(session: Session, token: CalendarFeedToken, now: datetime, *, after: datetime,
          before: datetime) -> list[FeedItem]:
    """The feed's events overlapping [after, before), at the token's detail."""
    query = select(Event).where(Event.starts_at < before, Event.last_ends_at > after)
    if not (token.all_events and may_see_all(token.user)):
        theirs = (select(EventParticipant.event_id).join(Official, Official.id == EventParticipant.official_id)
                  .where(Official.user_id == token.user_id))
        query = query.where(Event.id.in_(theirs))
    found = list(session.scalars(query.order_by(Event.starts_at, Event.id)))
    if token.detail == FeedDetail.FULL:
        return [from_event(event, Detail.FULL) for event in found]
    if token.detail == FeedDetail.PUBLIC:
        return [from_event(event, Detail.PUBLIC) for event in found]
    # Busy: what the public already sees (its approved version, after its "public from"), the rest as busy.
    public = {p.id: p for p in public_events(session, now, after=after, before=before)} if found else {}
    return [from_public(public[event.id]) if event.id in public else from_event(event, Detail.BUSY)
            for event in found]


def personal_calendar(session: Session, token: CalendarFeedToken, now: datetime, *, days_back: int,
                      days_ahead: int, office_name: str = "") -> bytes:
    """The feed's iCalendar, in its person's language."""
    language = token.user.locale if token.user.locale in WORDS else FALLBACK_LANGUAGE
    found = items(session, token, now, after=now - timedelta(days=days_back), before=now + timedelta(days=days_ahead))
    name = word(language, "my_calendar") + (f" · {office_name}" if office_name else "")
    return calendar(found, language=language, name=name, now=now)
