"""Posts whose deliveries went out, failed or wait for a person, as the worker would have left them: rows
written directly (pages that read what the worker recorded do not care how it got there; the worker's own
tests make theirs through dispatch)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from publisher.audit import trail
from publisher.core.actor import Actor
from publisher.core.models import Delivery, DeliveryAttempt, Post, PostChannel
from publisher.core.states import DeliveryStatus
from tests.factories.office import Office

D = DeliveryStatus
BASE = datetime(2025, 3, 10, 9, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Made:
    post: Post
    deliveries: dict[str, Delivery]  # by channel name


def post_with_deliveries(session: Session, office: Office, title: str, outcomes: dict[str, str], *, at: datetime = BASE,
              author: str = "ana", approver: str | None = "marko", error: str | None = None,
              body: str = "Tekst saopštenja.") -> Made:
    """A post on the office's channels, each delivery in the state given (channel name -> state; "name:sq" for a
    channel's delivery of one language version)."""
    post = Post(title=title, body=body, language="sr-Latn", status="published", timezone="Europe/Belgrade",
                content_hash="0" * 64, author_id=office.users[author].id, scheduled_at=at - timedelta(minutes=5),
                approved_by_id=office.users[approver].id if approver else None,
                approved_at=at - timedelta(hours=1) if approver else None, created_at=at - timedelta(hours=2),
                updated_at=at)
    session.add(post)
    session.flush()
    trail.record(session, office.actor(author), "post.create", post_id=post.id, after={"status": "draft"})
    if approver:
        trail.record(session, office.actor(approver), "post.approve", post_id=post.id,
                     before={"status": "pending_approval"}, after={"status": "scheduled"})
    made: dict[str, Delivery] = {}
    for name, status in outcomes.items():
        channel_name, _, language = name.partition(":")
        channel = office.channels[channel_name]
        if not any(n.partition(":")[0] == channel_name for n in made):
            session.add(PostChannel(post_id=post.id, channel_id=channel.id))
        sent = status == D.SENT
        delivery = Delivery(
            post_id=post.id, channel_id=channel.id, language=language, status=status, idempotency_key=f"p{post.id}-{uuid.uuid4().hex}",
            due_at=at - timedelta(minutes=5), attempts=0 if status == D.STALE else 1,
            sent_at=at if sent else None, url=f"https://example.org/{channel_name}/{post.id}" + (f"/{language}" if language else "") if sent else None,
            remote_id=f"r{post.id}" if sent else None,
            error=None if sent or status == D.STALE else (error or f"{status}: the channel said no"),
            error_kind=None if sent else status, created_at=at - timedelta(hours=1), updated_at=at)
        session.add(delivery)
        session.flush()
        if status != D.STALE:
            session.add(DeliveryAttempt(
                delivery_id=delivery.id, number=1, worker_id="worker-a", started_at=at - timedelta(seconds=3),
                finished_at=at, outcome={"sent": "sent", "retry_wait": "retry"}.get(status, status),
                error=delivery.error))
        trail.record(session, Actor.system("worker:worker-a"), f"delivery.{status}", post_id=post.id,
                     subject=f"delivery:{delivery.id}", before={"status": "sending"}, after={"status": status})
        made[name] = delivery
    session.flush()
    return Made(post, made)
