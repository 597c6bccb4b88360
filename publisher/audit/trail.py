"""Who did what, when: one append-only event per login, change, state move and refusal."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from publisher.core.actor import Actor
from publisher.core.models import AuditEvent


def record(
    session: Session,
    actor: Actor,
    action: str,
    *,
    post_id: int | None = None,
    subject: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    event = AuditEvent(
        actor_id=actor.user.id if actor.user else None,
        actor_name=actor.name,
        via=actor.via,
        action=action,
        post_id=post_id,
        subject=subject,
        before=before,
        after=after,
        detail=detail,
        ip=actor.ip,
    )
    session.add(event)
    return event


def events_for_post(session: Session, post_id: int) -> list[AuditEvent]:
    return list(session.scalars(select(AuditEvent).where(AuditEvent.post_id == post_id).order_by(AuditEvent.id)))
