"""Who did what, when: one append-only event per login, change, state move and refusal.

Rows name people and objects by id and carry no personal data (names, e-mail addresses, what the public
typed): see docs/architecture.md, "The audit log"."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select
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
        actor_name=_name(actor),
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


def record_batch(conn: Connection, actor: Actor, at: datetime, events: Iterable[dict[str, Any]]) -> None:
    """Many events by one actor at one moment in one INSERT: the worker's claims, sends and post moves.

    Each event is a dict of `action` and any of `post_id`, `subject`, `before`, `after`, `detail`; the
    rows say the same as `record` would have written one by one."""
    rows = [{"at": at, "actor_id": actor.user.id if actor.user else None, "actor_name": _name(actor),
             "via": actor.via, "ip": actor.ip, "post_id": None, "subject": "", "before": None, "after": None,
             "detail": None, **event} for event in events]
    unknown = {key for row in rows for key in row} - _COLUMNS
    if unknown:
        raise TypeError(f"audit events have no field(s) {', '.join(sorted(unknown))}")
    if rows:
        conn.execute(insert(AuditEvent.__table__), rows)


def _name(actor: Actor) -> str:
    """A process by its name ("worker:…", "cli:…"); a person only by actor_id, so that erasing a person's data
    later never touches the (chained) log. Pages show the account's name as it is then (AuditEvent.who)."""
    return "" if actor.user else actor.name


_COLUMNS = frozenset({"at", "actor_id", "actor_name", "via", "ip", "action", "post_id", "subject", "before", "after",
                      "detail"})


def events_for_post(session: Session, post_id: int) -> list[AuditEvent]:
    return list(session.scalars(select(AuditEvent).where(AuditEvent.post_id == post_id).order_by(AuditEvent.id)))
