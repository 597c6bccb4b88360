"""Making notifications, in the transaction of the change they tell about: one row per person told.

Who is told: a post waiting for approval goes to the approvers who did not write it; what happened to a
post (approved, sent back, published, failed) goes to its author and contributors. Nobody is told of their
own action. Each person's choices decide whether the row is listed in the dashboard and whether the worker
mails it; a person who wants neither gets no row.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from publisher.core import permissions
from publisher.core.actor import Actor
from publisher.core.models import Channel, Delivery, Post, PostContributor, User, UserRole
from publisher.core.states import DeliveryStatus, PostStatus
from publisher.notifications.choices import (
    APPROVED,
    AWAITING_APPROVAL,
    FAILED,
    MAILED_KINDS,
    PUBLISHED,
    SENT_BACK,
    choices_for,
)
from publisher.notifications.models import Notification


@dataclass(frozen=True)
class News:
    """One event to tell some people about."""

    user_ids: frozenset[int]
    kind: str
    post_id: int | None = None
    alert_id: int | None = None
    data: dict[str, Any] = field(default_factory=dict)


def tell(session: Session, user_ids: Iterable[int], kind: str, now: datetime, *, post_id: int | None = None,
         alert_id: int | None = None, data: dict[str, Any] | None = None) -> int:
    """One notification of `kind` to each active person, as each chose. Returns how many rows were made."""
    return tell_all(session, [News(frozenset(user_ids), kind, post_id, alert_id, data or {})], now)


def tell_all(session: Session, news: list[News], now: datetime) -> int:
    """Several events at once (the worker settles posts in batches): one query for the people, one for their
    choices and one insert, whatever the number of events."""
    ids = {uid for item in news for uid in item.user_ids}
    if not ids:
        return 0
    people = dict(session.execute(select(User.id, User.email).where(User.id.in_(ids), User.active.is_(True))).all())
    chosen = choices_for(session, people, {item.kind for item in news})
    rows = []
    for item in news:
        for user_id in sorted(item.user_ids & people.keys()):
            choice = chosen[(user_id, item.kind)]
            mail = choice.email and item.kind in MAILED_KINDS and bool(people[user_id])
            if not (choice.dashboard or mail):
                continue
            rows.append({"user_id": user_id, "kind": item.kind, "post_id": item.post_id, "alert_id": item.alert_id,
                         "data": item.data, "created_at": now, "shown": choice.dashboard,
                         "read_at": None if choice.dashboard else now,  # not listed: nothing to read
                         "mail_due": mail, "mail_attempts": 0})
    if rows:
        session.execute(insert(Notification), rows)
    return len(rows)


def approvers_of(session: Session, post: Post) -> set[int]:
    """Active people who may decide this post (any role the table lets approve): none of its writers (four eyes)."""
    deciding = permissions.rule("posts", "approve").roles
    approvers = set(session.scalars(select(User.id).join(UserRole, UserRole.user_id == User.id)
                                    .where(UserRole.role.in_(deciding), User.active.is_(True))))
    return approvers - post.contributor_ids


def _about(post: Post) -> dict[str, Any]:
    return {"title": post.title}


def _by(actor: Actor) -> dict[str, Any]:
    return {"by": (actor.user.display_name or actor.user.name) if actor.user else None}


def _others(ids: Iterable[int], actor: Actor | None) -> set[int]:
    """Never tell people of their own action."""
    return set(ids) - ({actor.user.id} if actor is not None and actor.user is not None else set())


def post_submitted(session: Session, actor: Actor, post: Post, now: datetime) -> int:
    return tell(session, _others(approvers_of(session, post), actor), AWAITING_APPROVAL, now, post_id=post.id,
                data={**_about(post), **_by(actor)})


def post_approved(session: Session, actor: Actor, post: Post, now: datetime) -> int:
    return tell(session, _others(post.contributor_ids, actor), APPROVED, now, post_id=post.id,
                data={**_about(post), **_by(actor)})


def post_sent_back(session: Session, actor: Actor, post: Post, now: datetime, *, comment: str | None = None,
                   reason: dict | None = None) -> int:
    """Rejected with the approver's comment, or back for approval because something it uses changed."""
    data = {**_about(post), **_by(actor), "comment": comment, "reason": reason}
    return tell(session, _others(post.contributor_ids, actor), SENT_BACK, now, post_id=post.id,
                data={k: v for k, v in data.items() if v is not None})


# Anything else approved (publisher.approval): the same kinds and words as a post's, named by its title; the
# record's own page is the area's, so the row carries the subject ("release:7") instead of a post id.

def deciders(session: Session, area: str, writers: Iterable[int]) -> set[int]:
    """Active people whom `area`'s approve rule lets decide, none of its writers (four eyes)."""
    deciding = permissions.rule(area, "approve").roles
    return set(session.scalars(select(User.id).join(UserRole, UserRole.user_id == User.id)
                               .where(UserRole.role.in_(deciding), User.active.is_(True)))) - set(writers)


def subject_submitted(session: Session, actor: Actor, subject: str, title: str, area: str, writers: Iterable[int],
                      now: datetime) -> int:
    return tell(session, _others(deciders(session, area, writers), actor), AWAITING_APPROVAL, now,
                data={"title": title, "subject": subject, **_by(actor)})


def subject_approved(session: Session, actor: Actor, subject: str, title: str, writers: Iterable[int],
                     now: datetime) -> int:
    return tell(session, _others(writers, actor), APPROVED, now, data={"title": title, "subject": subject,
                                                                       **_by(actor)})


def subject_sent_back(session: Session, actor: Actor, subject: str, title: str, writers: Iterable[int],
                      now: datetime, comment: str) -> int:
    return tell(session, _others(writers, actor), SENT_BACK, now,
                data={"title": title, "subject": subject, "comment": comment, **_by(actor)})


SETTLED = {PostStatus.PUBLISHED: PUBLISHED, PostStatus.PARTIALLY_PUBLISHED: FAILED, PostStatus.FAILED: FAILED}


def posts_settled(session: Session, moved: Mapping[int, str], now: datetime, actor: Actor | None = None) -> int:
    """Posts whose deliveries all settled (post id -> new status): published with each channel's link, or
    failed (partly or wholly) with each channel that missed it and why. A few queries for the whole batch."""
    ids = sorted(pid for pid, status in moved.items() if status in SETTLED)
    if not ids:
        return 0
    posts = {pid: (title, author) for pid, title, author in session.execute(
        select(Post.id, Post.title, Post.author_id).where(Post.id.in_(ids)))}
    writers: dict[int, set[int]] = {pid: {author} for pid, (_, author) in posts.items()}
    for pid, uid in session.execute(select(PostContributor.post_id, PostContributor.user_id)
                                    .where(PostContributor.post_id.in_(ids))):
        writers[pid].add(uid)
    outcomes: dict[int, list[dict[str, Any]]] = {pid: [] for pid in ids}
    for pid, name, language, status, url, kind, error in session.execute(
            select(Delivery.post_id, Channel.name, Delivery.language, Delivery.status, Delivery.url,
                   Delivery.error_kind, Delivery.error)
            .join(Channel, Channel.id == Delivery.channel_id).where(Delivery.post_id.in_(ids))
            .order_by(Delivery.post_id, Channel.name, Delivery.language)):
        # A channel that takes language versions one by one has a link (or a failure) per language.
        where = {"channel": name, **({"language": language} if language else {})}
        outcomes[pid].append({**where, "status": status, "url": url, "error_kind": kind, "error": error})
    news = []
    for pid in ids:
        if pid not in posts:
            continue
        sent = [{k: o[k] for k in ("channel", "language", "url") if k in o} for o in outcomes[pid]
                if o["status"] == DeliveryStatus.SENT]
        missed = [{k: o[k] for k in ("channel", "language", "status", "error_kind", "error") if k in o}
                  for o in outcomes[pid] if o["status"] != DeliveryStatus.SENT]
        kind = SETTLED[moved[pid]]
        data: dict[str, Any] = {"title": posts[pid][0], "links": sent}
        if kind == FAILED:
            data |= {"partial": moved[pid] == PostStatus.PARTIALLY_PUBLISHED, "failures": missed}
        news.append(News(frozenset(_others(writers[pid], actor)), kind, pid, data=data))
    return tell_all(session, news, now)
