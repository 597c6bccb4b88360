"""Reconciliation: for a delivery whose outcome is unknown, ask the platform whether it has the post.

`find(key)` answers Published (it went out: record it), None (the platform says it does not have it:
sending again is safe) or raises OutcomeUnknown (it cannot tell). A platform that deduplicates by our
key (`capabilities().idempotent`) is sent again with the same key, which cannot make a second post.
Otherwise a person decides, and an alert asks them to.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from channels.base import Published
from channels.errors import ChannelError, OutcomeUnknown
from publisher.audit import trail
from publisher.core.actor import Actor
from publisher.core.models import Delivery
from publisher.core.runtime import Runtime
from publisher.core.states import DeliveryStatus, next_delivery_status
from publisher.destinations.channel_store import build_adapter
from publisher.publishing import alerts
from publisher.publishing.dispatch import RECONCILABLE, lock_delivery, mark_sent, settle_post

log = logging.getLogger(__name__)
RECONCILER = Actor.system("reconciler")


def reconcile_unknown(rt: Runtime, now: datetime, *, limit: int = 50, http: object = None) -> dict[int, str]:
    """One round over unknown deliveries not yet looked at. Returns {delivery id: what was decided}."""
    with rt.read_sessions() as session:
        todo = list(session.execute(
            select(Delivery.id, Delivery.idempotency_key, Delivery.channel_id)
            .where(Delivery.status == DeliveryStatus.UNKNOWN, Delivery.error_kind.in_(RECONCILABLE))
            .order_by(Delivery.id).limit(limit)))
        channels = {cid: session.get(Delivery, did).channel for did, _, cid in todo}
    decided: dict[int, str] = {}
    for delivery_id, key, channel_id in todo:
        channel = channels[channel_id]
        try:
            adapter = build_adapter(channel, rt.box, http=http)
            idempotent = adapter.capabilities().idempotent
            found: Published | None | str = adapter.find(key)  # a network call: no transaction is open
        except OutcomeUnknown as exc:
            found = "cannot tell: " + exc.message
        except ChannelError as exc:
            log.info("reconcile of delivery %s deferred: %s", delivery_id, exc.message)
            continue  # the platform did not answer; try again next round
        with rt.sessions() as session:
            decided[delivery_id] = _decide(session, delivery_id, found, idempotent, now)
            session.commit()
    return decided


def _decide(session: Session, delivery_id: int, found: Published | None | str, idempotent: bool,
            now: datetime) -> str:
    delivery = lock_delivery(session, delivery_id)
    if delivery is None or delivery.status != DeliveryStatus.UNKNOWN or delivery.error_kind not in RECONCILABLE:
        return "already decided"
    if isinstance(found, Published):
        mark_sent(delivery, found, now, action="confirm_sent")
        decision = "found on the platform"
        alerts.resolve_for_delivery(session, RECONCILER, delivery.id)
    elif found is None or idempotent:
        delivery.status = next_delivery_status(delivery.status, "send_again")
        delivery.due_at = min(delivery.due_at, now)
        delivery.error_kind = "reconciled"
        why = "the platform does not have it" if found is None else "the platform deduplicates by our key"
        delivery.error = f"sent again after an unknown outcome: {why}"
        decision = "send again"
        alerts.resolve_for_delivery(session, RECONCILER, delivery.id)
    else:
        delivery.error_kind = "needs_person"
        delivery.error = f"{delivery.error}; the platform cannot be asked ({found.removeprefix('cannot tell: ')})"
        decision = "ask a person"
        alerts.raise_alert(session, f"unknown:{delivery.id}:{delivery.attempts}", "unknown",
                           f"{delivery.channel.name}: nobody can tell whether post {delivery.post_id} went out. "
                           "Check the platform and say: it went out (with its link), or send again.",
                           post_id=delivery.post_id, delivery_id=delivery.id, channel_id=delivery.channel_id)
    delivery.updated_at = now
    trail.record(session, RECONCILER, "delivery.reconcile", post_id=delivery.post_id,
                 subject=f"delivery:{delivery.id}", before={"status": "unknown"},
                 after={"status": delivery.status}, detail={"decision": decision})
    settle_post(session, delivery.post_id, now)
    return decision
