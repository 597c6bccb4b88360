"""Alerts: things a person must look at, raised once per condition and mailed to the people concerned."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from publisher.audit import chain, trail
from publisher.core import clock, limits, permissions, search_index
from publisher.core.actor import Actor
from publisher.core.errors import Conflict, Invalid, NotFound
from publisher.core.limits import check_length
from publisher.core.models import Alert, Channel, Post, User, UserRole
from publisher.notifications import inbox
from publisher.notifications import making as notify
from publisher.notifications.choices import ALERT
from publisher.outbox.queueing import queue_mail


def raise_alert(session: Session, key: str, kind: str, message: str, *, post_id: int | None = None,
                delivery_id: int | None = None, channel_id: int | None = None) -> None:
    """Idempotent by `key`: the same condition seen again by another worker adds nothing."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    now = clock.now(session)
    alert_id = session.scalar(insert(Alert).values(
        key=key, kind=kind, message=message, post_id=post_id, delivery_id=delivery_id, channel_id=channel_id,
        created_at=now, search_text=search_index.key_of(Alert, {"message": message}),
    ).on_conflict_do_nothing(index_elements=["key"]).returning(Alert.id))
    if alert_id is not None:  # new: the people it concerns see it in their notifications too
        alert = session.get(Alert, alert_id)
        post = session.get(Post, post_id) if post_id else None
        notify.tell(session, [u.id for u in concerned(session, alert)], ALERT, now, post_id=post.id if post else None,
                    alert_id=alert_id, data={"alert_kind": kind, **({"title": post.title} if post else {})})


def _searched(query: Select[Any], text: str, kinds: Iterable[str]) -> Select[Any]:
    """Alerts whose message, comment or resolver holds `text`, or of one of `kinds` (those whose name, in the
    reader's language, holds it: the page knows the names)."""
    found = search_index.matches(Alert.search_text, text)
    if found is None:
        return query
    kinds = list(kinds)
    return query.where(or_(found, Alert.kind.in_(kinds)) if kinds else found)


def open_alerts(session: Session, limit: int = 100, *, text: str = "", kinds: Iterable[str] = ()) -> list[Alert]:
    query = select(Alert).where(Alert.resolved_at.is_(None)).order_by(Alert.id.desc()).limit(limit)
    return list(session.scalars(_searched(query, text, kinds)))


def recently_resolved(session: Session, limit: int = 50, *, text: str = "",
                      kinds: Iterable[str] = ()) -> list[Alert]:
    query = (select(Alert).where(Alert.resolved_at.is_not(None))
             .order_by(Alert.resolved_at.desc(), Alert.id.desc()).limit(limit))
    return list(session.scalars(_searched(query, text, kinds)))


def channel_kinds(session: Session) -> dict[int, str]:
    """Each channel's kind by id: the alerts page explains a platform's error by the kind of its channel."""
    return dict(session.execute(select(Channel.id, Channel.kind)).all())


def count_open(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Alert).where(Alert.resolved_at.is_(None))) or 0


def resolve(session: Session, actor: Actor, alert_id: int, comment: str) -> Alert:
    """A person says what was done about it: the comment stays with the alert for the next reader."""
    permissions.require(actor, "alerts", "resolve")
    comment = comment.strip() if isinstance(comment, str) else ""
    if not comment:
        raise Invalid("resolving an alert needs a comment saying what was done", code="comment_required")
    check_length(comment, "comment", limits.COMMENT)
    alert = session.get(Alert, alert_id)
    if alert is None:
        raise NotFound(f"no alert with id {alert_id}")
    if alert.resolved_at is not None:
        raise Conflict(f"alert {alert_id} was already resolved by {alert.resolved_by}")
    alert.resolved_at = clock.now(session)
    alert.resolved_by = actor.name
    alert.resolution_comment = comment
    inbox.alerts_resolved(session, [alert.id], alert.resolved_at)
    trail.record(session, actor, "alert.resolve", post_id=alert.post_id, subject=f"alert:{alert.id}",
                 detail={"kind": alert.kind})
    return alert


def resolve_for_delivery(session: Session, actor: Actor, delivery_id: int) -> None:
    """A person settled the delivery: its open alerts are answered too."""
    resolved = []
    for alert in session.scalars(select(Alert).where(Alert.delivery_id == delivery_id,
                                                     Alert.resolved_at.is_(None))):
        alert.resolved_at = clock.now(session)
        alert.resolved_by = actor.name
        resolved.append(alert.id)
    inbox.alerts_resolved(session, resolved, clock.now(session))


def concerned(session: Session, alert: Alert) -> list[User]:
    """The people an alert is mailed to: the post's author and every approver; for channel and worker alerts
    the admins too. Those without an e-mail address are not told by mail (the alerts page shows it)."""
    roles = ["approver"] if alert.post_id else ["approver", "admin"]
    users = list(session.scalars(select(User).join(UserRole).where(UserRole.role.in_(roles), User.active)))
    if alert.post_id:
        post = session.get(Post, alert.post_id)
        if post is not None:
            users.append(post.author)
    return sorted({u.id: u for u in users}.values(), key=lambda u: (u.display_name or u.name).casefold())


def recipients(session: Session, alert: Alert) -> list[str]:
    return sorted({u.email for u in concerned(session, alert) if u.email})


def queue_pending(session: Session, *, limit: int = 50) -> int:
    """Hand alerts not yet mailed to the outbox (publisher.outbox sends, retries and records them); the caller
    commits. Returns how many were queued."""
    queued = 0
    head = chain.head(session)  # in every mail: a copy outside the database shows a cut tail later
    for alert in session.scalars(select(Alert).where(Alert.notified_at.is_(None), Alert.resolved_at.is_(None))
                                 .order_by(Alert.id).limit(limit)):
        to = recipients(session, alert)
        alert.notified_at = clock.now(session)
        if not to:
            alert.notify_error = "nobody to notify: no approver has an e-mail address"
            continue
        where = f"Post {alert.post_id}" if alert.post_id else "The office's publishing"
        try:  # queue_mail checks everything before it adds a row: a refusal leaves nothing behind
            queue_mail(session, to=to, subject=f"[publisher] {alert.kind}: {alert.message[:120]}",
                       body=f"{where} needs attention.\n\n{alert.message}\n\nAlert {alert.id}, raised "
                            f"{alert.created_at:%Y-%m-%d %H:%M} UTC. Resolve it in publisher once handled.\n\n"
                            f"Audit log head: {head or 'nothing sealed yet'}\n", kind="alert",
                       record=f"alert:{alert.id}")
        except Invalid as exc:
            alert.notify_error = f"not mailed: {exc}"[:500]
            continue
        alert.notify_error = None
        queued += 1
    return queued
