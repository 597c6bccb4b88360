"""What a person decides about a delivery the worker could not settle alone."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit

from sqlalchemy.orm import Session

from channels.base import Published
from publisher.audit import trail
from publisher.core import clock, permissions
from publisher.core.actor import Actor
from publisher.core.errors import Invalid, NotFound
from publisher.core.models import Delivery
from publisher.core.states import next_delivery_status
from publisher.publishing import alerts
from publisher.publishing.dispatch import lock_delivery, mark_sent, settle_post

DECISIONS = ("went_out", "send_again", "retry_now", "cancel")


def get_delivery(session: Session, delivery_id: int) -> Delivery:
    delivery = session.get(Delivery, delivery_id)
    if delivery is None:
        raise NotFound(f"no delivery with id {delivery_id}")
    return delivery


def decide(session: Session, actor: Actor, delivery_id: int, decision: str, *, url: str | None = None,
           remote_id: str | None = None, now: datetime | None = None) -> Delivery:
    """went_out (with the live URL), send_again, retry_now (skip the backoff), cancel."""
    permissions.require(actor, "deliveries", "decide")
    if decision not in DECISIONS:
        raise Invalid(f"unknown decision {decision!r}; one of {', '.join(DECISIONS)}")
    now = now or clock.now(session)
    delivery = lock_delivery(session, delivery_id)
    if delivery is None:
        raise NotFound(f"no delivery with id {delivery_id}")
    before = delivery.status
    label = f"delivery {delivery.id} ({delivery.channel.name})"
    if decision == "went_out":
        if not url or urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).netloc:
            raise Invalid("say where it went out: the post's public http(s) link")
        mark_sent(delivery, Published(remote_id=remote_id or url, url=url), now, action="confirm_sent", record=label)
    elif decision == "send_again":
        delivery.status = next_delivery_status(before, "send_again", record=label)
        delivery.due_at, delivery.next_attempt_at = now, None
        delivery.error_kind, delivery.error = "person", f"sent again on {actor.name}'s decision"
    elif decision == "retry_now":
        delivery.status = next_delivery_status(before, "retry_now", record=label)
        delivery.due_at, delivery.next_attempt_at = now, None
    else:
        delivery.status = next_delivery_status(before, "cancel", record=label)
    delivery.updated_at = now
    alerts.resolve_for_delivery(session, actor, delivery.id)
    trail.record(session, actor, f"delivery.{decision}", post_id=delivery.post_id,
                 subject=f"delivery:{delivery.id}", before={"status": before},
                 after={"status": delivery.status, "url": delivery.url})
    settle_post(session, delivery.post_id, now, actor=actor)
    return delivery

