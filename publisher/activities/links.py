"""What an event is linked to: its posts (an announcement before it, a report after it) and its photos from
the media library. The link tables are small and alike, so later areas (press releases, campaigns) add theirs
the same way. Who may edit events links and unlinks; every change is audited on the event."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Integer, String, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from publisher.activities.events import get as get_event
from publisher.activities.events import subject_label
from publisher.activities.models import Event
from publisher.audit import trail
from publisher.core import permissions, search_index
from publisher.core.actor import Actor
from publisher.core.clock import column_default, system_now
from publisher.core.errors import Conflict, Invalid, NotFound
from publisher.core.models import Base, Media, Post, UTCDateTime

ROLES = ("announcement", "report", "other")
MAX_LINKS = 200  # of one kind on one event


class EventPost(Base):
    __tablename__ = "event_posts"

    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True, index=True)
    role: Mapped[str] = mapped_column(String(16))
    linked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    linked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=column_default)

    post: Mapped[Post] = relationship(lazy="joined")
    event: Mapped[Event] = relationship(lazy="joined")


class EventMedia(Base):
    __tablename__ = "event_media"

    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), primary_key=True)
    media_id: Mapped[int] = mapped_column(ForeignKey("media.id", ondelete="CASCADE"), primary_key=True, index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    linked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    linked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=column_default)

    media: Mapped[Media] = relationship(lazy="joined")


# --- posts ------------------------------------------------------------------------------------------------------

def posts_of(session: Session, event_id: int) -> list[EventPost]:
    """The event's posts: announcements first, then reports, then others; newest first within each."""
    order = {role: i for i, role in enumerate(ROLES)}
    links = session.scalars(select(EventPost).where(EventPost.event_id == event_id)
                            .order_by(EventPost.linked_at.desc(), EventPost.post_id.desc()))
    return sorted(links, key=lambda link: order.get(link.role, len(ROLES)))


def find_posts(session: Session, typed: str, limit: int = 10) -> list[Post]:
    """The posts whose title or text holds what was typed (any script, case, accents), newest first: to pick
    the one to link."""
    found = search_index.matches(Post.search_text, typed)
    if found is None:
        return []
    return list(session.scalars(select(Post).where(found).order_by(Post.id.desc()).limit(limit)))


def events_of_post(session: Session, post_id: int) -> list[EventPost]:
    return list(session.scalars(select(EventPost).where(EventPost.post_id == post_id)
                                .order_by(EventPost.event_id)))


def link_post(session: Session, actor: Actor, event_id: int, post_id: int, role: str = "announcement", *,
              now: datetime | None = None) -> EventPost:
    """Link a post to the event in `role`; linking it again changes only its role."""
    if role not in ROLES:
        raise Invalid(f"role must be one of {', '.join(ROLES)}", code="bad_choice", details={"field": "role"})
    event, post = _both(session, actor, event_id, Post, post_id, "post", "post")
    link = session.get(EventPost, (event.id, post.id))
    if link is not None:
        if link.role == role:
            return link
        before, link.role = link.role, role
        session.flush()
        trail.record(session, actor, "event.post_role", subject=subject_label(event), post_id=post.id,
                     before={"post": post.id, "role": before}, after={"post": post.id, "role": role})
        return link
    _check_room(session, EventPost, event.id)
    link = EventPost(event_id=event.id, post_id=post.id, role=role, linked_by_id=_user_id(actor),
                     linked_at=now or system_now())
    session.add(link)
    session.flush()
    trail.record(session, actor, "event.post_link", subject=subject_label(event), post_id=post.id,
                 after={"post": post.id, "role": role})
    return link


def unlink_post(session: Session, actor: Actor, event_id: int, post_id: int) -> None:
    event, link = _remove(session, actor, event_id, EventPost, post_id, "post")
    trail.record(session, actor, "event.post_unlink", subject=subject_label(event), post_id=post_id,
                 before={"post": post_id, "role": link.role})


# --- photos -----------------------------------------------------------------------------------------------------

def media_of(session: Session, event_id: int) -> list[EventMedia]:
    return list(session.scalars(select(EventMedia).where(EventMedia.event_id == event_id)
                                .order_by(EventMedia.position, EventMedia.media_id)))


def link_media(session: Session, actor: Actor, event_id: int, media_id: int, *,
               now: datetime | None = None) -> EventMedia:
    """Link an item of the media library to the event (at the end); linking it again changes nothing."""
    event, media = _both(session, actor, event_id, Media, media_id, "media item", "media")
    link = session.get(EventMedia, (event.id, media.id))
    if link is not None:
        return link
    count = _check_room(session, EventMedia, event.id)
    link = EventMedia(event_id=event.id, media_id=media.id, position=count, linked_by_id=_user_id(actor),
                      linked_at=now or system_now())
    session.add(link)
    session.flush()
    trail.record(session, actor, "event.media_link", subject=subject_label(event), after={"media": media.id})
    return link


def unlink_media(session: Session, actor: Actor, event_id: int, media_id: int) -> None:
    event, _link = _remove(session, actor, event_id, EventMedia, media_id, "media item")
    trail.record(session, actor, "event.media_unlink", subject=subject_label(event), before={"media": media_id})


# --- what linking and unlinking share --------------------------------------------------------------------------

def _both(session: Session, actor: Actor, event_id: int, model: type[Post] | type[Media], target_id: int,
          noun: str, field: str) -> tuple[Event, Any]:
    """The event and the thing to link to it, once the actor may edit events; NotFound naming the missing one."""
    permissions.require(actor, "activities", "edit")
    event = get_event(session, event_id)
    target = session.get(model, target_id) if _storable(target_id) else None
    if target is None:
        raise NotFound(f"no {noun} with id {target_id}", details={"field": field})
    return event, target


def _remove(session: Session, actor: Actor, event_id: int, table: type[EventPost] | type[EventMedia],
            target_id: int, noun: str) -> tuple[Event, Any]:
    """Delete the link of `target_id` to the event (its row is returned, to say what it was)."""
    permissions.require(actor, "activities", "edit")
    event = get_event(session, event_id)
    link = session.get(table, (event.id, target_id)) if _storable(target_id) else None
    if link is None:
        raise NotFound(f"{noun} {target_id} is not linked to event {event_id}")
    session.delete(link)
    session.flush()
    return event, link


def _storable(record_id: int) -> bool:
    return 0 < record_id < 2**31


def _check_room(session: Session, table: type[EventPost] | type[EventMedia], event_id: int) -> int:
    count = session.scalar(select(func.count()).select_from(table).where(table.event_id == event_id)) or 0
    if count >= MAX_LINKS:
        raise Conflict(f"an event holds at most {MAX_LINKS} links of one kind", code="too_many")
    return count


def _user_id(actor: Actor) -> int | None:
    return actor.user.id if actor.user else None
