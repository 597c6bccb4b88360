"""A person's private calendar feed: the secret address their calendar program subscribes to (migration 0029).

The address carries a random token; only its SHA-256 is stored, so the table alone opens no feed. A token is
shown once, when it is made, and is revoked by its owner (the feed then answers 404). What the feed shows is
chosen with it (`detail`) and kept low by default, because such feeds end up in third-party calendars:
- busy (the default): every event as "busy", except what is already on the public agenda, which it shows as
  the public sees it;
- public: the title, description, place and who takes part of every event, but no guests or internal notes;
- full: everything, guests and internal notes included.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import Boolean, ForeignKey, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from publisher.audit import trail
from publisher.core import permissions
from publisher.core.actor import Actor
from publisher.core.clock import column_default
from publisher.core.errors import Forbidden, Invalid, NotFound
from publisher.core.models import Base, User, UTCDateTime

TOKEN_PREFIX = "cal_"
TOKEN_RE = re.compile(r"cal_[A-Za-z0-9_-]{43}")  # the prefix and 32 random bytes, URL-safe base64
MAX_TOKENS = 10  # live feeds one person may have (a phone, a laptop, ...)
USE_NOTE_EVERY = timedelta(hours=1)  # last_used_at is written at most this often: a fetch need not write


class FeedDetail(StrEnum):
    BUSY = "busy"
    PUBLIC = "public"
    FULL = "full"


class CalendarFeedToken(Base):
    __tablename__ = "calendar_feed_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # SHA-256 of the token; never the token
    detail: Mapped[str] = mapped_column(String(16), default=FeedDetail.BUSY)
    all_events: Mapped[bool] = mapped_column(Boolean, default=False)  # the office's events, not only one's own
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=column_default)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(lazy="joined")


def may_see_all(user: User) -> bool:
    """Officers and cabinet staff, who plan the events, may subscribe to all of them."""
    return permissions.may(user, "activities", "write")


def create(session: Session, actor: Actor, *, detail: str, all_events: bool = False) -> tuple[CalendarFeedToken, str]:
    """A new feed for the actor; the plain token is returned once and never stored."""
    permissions.require(actor, "activities", "read", doing="subscribing to the calendar")
    if actor.user is None:
        raise Forbidden("a calendar feed belongs to a person")
    if detail not in set(FeedDetail):
        raise Invalid(f"detail must be one of {', '.join(FeedDetail)}", code="bad_choice", details={"field": "detail"})
    if all_events and not may_see_all(actor.user):
        raise Forbidden("only those who plan events may subscribe to all of the office's events")
    if len(live(session, actor.user)) >= MAX_TOKENS:
        raise Invalid(f"you have {MAX_TOKENS} calendar feeds: revoke one you no longer use first",
                      code="too_many", details={"field": "detail"})
    plain = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = CalendarFeedToken(user_id=actor.user.id, token_hash=digest(plain), detail=detail, all_events=all_events)
    session.add(token)
    session.flush()
    trail.record(session, actor, "calendar_feed.create", subject=f"calendar_feed:{token.id}",
                 after={"detail": detail, "all_events": all_events})
    return token, plain


def revoke(session: Session, actor: Actor, token_id: int, now: datetime) -> CalendarFeedToken:
    """Revoke one of the actor's own feeds; another person's is "not found"."""
    token = session.get(CalendarFeedToken, token_id) if 0 < token_id < 2**31 else None
    if token is None or actor.user is None or token.user_id != actor.user.id:
        raise NotFound(f"no calendar feed with id {token_id}")
    if token.revoked_at is None:
        token.revoked_at = now
        session.flush()
        trail.record(session, actor, "calendar_feed.revoke", subject=f"calendar_feed:{token.id}")
    return token


def live(session: Session, user: User) -> list[CalendarFeedToken]:
    return list(session.scalars(select(CalendarFeedToken).where(
        CalendarFeedToken.user_id == user.id, CalendarFeedToken.revoked_at.is_(None)).order_by(CalendarFeedToken.id)))


def find(session: Session, plain: str) -> CalendarFeedToken | None:
    """The live feed of this token, or None (unknown, revoked, or its person may no longer read the events)."""
    if not TOKEN_RE.fullmatch(plain):
        return None
    token = session.scalar(select(CalendarFeedToken).where(CalendarFeedToken.token_hash == digest(plain)))
    if token is None or token.revoked_at is not None or not token.user.active:
        return None
    if not permissions.may(token.user, "activities", "read"):
        return None
    return token


def note_use(token: CalendarFeedToken, now: datetime) -> bool:
    """Mark the feed used (at most once an hour); True when the row changed and wants a commit."""
    if token.last_used_at is not None and now - token.last_used_at < USE_NOTE_EVERY:
        return False
    token.last_used_at = now
    return True


def digest(plain: str) -> str:
    return hashlib.sha256(plain.encode()).hexdigest()
