"""A person's own notifications as the dashboard and the API read them: the unread count, the list, marking
them read. Nobody reads or marks another person's."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import false, func, or_, select, update
from sqlalchemy.orm import Session

from publisher.core import search_index
from publisher.core.actor import Actor
from publisher.core.errors import Invalid, NotFound
from publisher.core.models import Post
from publisher.notifications.models import Notification

COUNT_CAP = 100  # the header says "99+" past this: counting further costs more than it tells
MAX_PAGE = 100


@dataclass(frozen=True)
class PostState:
    """What a list needs to link a post (web.post_links): its id and its state now, not the whole post."""

    id: int
    status: str


@dataclass(frozen=True)
class Page:
    items: list[Notification]
    next_before: int | None  # the id to ask `before` for the next (older) page; None: this is the last
    posts: dict[int, PostState]  # the posts the items are about, by id


def unread_count(session: Session, user_id: int) -> int:
    """Unread notifications, at most COUNT_CAP; one range of the (user_id, read_at) index."""
    unread = select(Notification.id).where(Notification.user_id == user_id, Notification.read_at.is_(None))
    return session.scalar(select(func.count()).select_from(unread.limit(COUNT_CAP).subquery())) or 0


def newest(session: Session, user_id: int, *, before: int | None = None, limit: int = 20, text: str = "",
           kinds: Iterable[str] = ()) -> Page:
    """The person's listed notifications, newest first, `limit` at a time (keyset: ids below `before`).
    `text` finds them by their post (its search key: title and texts, either script) or, through `kinds`, by
    the kind's name as the reader sees it; the words are made at display time, so they are not searched."""
    if not 1 <= limit <= MAX_PAGE:
        raise Invalid(f"limit must be between 1 and {MAX_PAGE}")
    query = select(Notification).where(Notification.user_id == user_id, Notification.shown.is_(True))
    if text:
        by_post = search_index.matches(Post.search_text, text)
        by_kind = Notification.kind.in_(list(kinds)) if kinds else false()
        query = query.outerjoin(Post, Post.id == Notification.post_id).where(
            or_(by_post, by_kind) if by_post is not None else by_kind)
    if before is not None:
        query = query.where(Notification.id < before)
    rows = list(session.scalars(query.order_by(Notification.id.desc()).limit(limit + 1)))
    more, rows = len(rows) > limit, rows[:limit]
    ids = {n.post_id for n in rows if n.post_id is not None}
    posts = {pid: PostState(pid, status) for pid, status in session.execute(
        select(Post.id, Post.status).where(Post.id.in_(ids)))} if ids else {}
    return Page(rows, rows[-1].id if more else None, posts)


def mark_read(session: Session, actor: Actor, notification_id: int, now: datetime) -> Notification:
    """Mark one of the actor's own notifications read; someone else's is "not found", as if it did not exist."""
    row = session.get(Notification, notification_id)
    if row is None or actor.user is None or row.user_id != actor.user.id:
        raise NotFound(f"no notification with id {notification_id}")
    if row.read_at is None:
        row.read_at = now
    return row


def mark_all_read(session: Session, actor: Actor, now: datetime) -> int:
    """Mark all of the actor's notifications read; returns how many were unread."""
    if actor.user is None:
        return 0
    return session.execute(update(Notification).where(
        Notification.user_id == actor.user.id, Notification.read_at.is_(None)).values(read_at=now)).rowcount


def alerts_resolved(session: Session, alert_ids: list[int], now: datetime) -> None:
    """A resolved alert needs nobody any more: its notifications stop counting as unread, for everyone."""
    if alert_ids:
        session.execute(update(Notification).where(Notification.alert_id.in_(alert_ids),
                                                   Notification.read_at.is_(None)).values(read_at=now))
