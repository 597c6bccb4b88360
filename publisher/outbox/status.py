"""What the outbox holds, for the administrators' page, and what a person may do about a recipient whose
fate is unknown: send it again or say it arrived. Both are deliberate, audited acts of a person."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from publisher.audit import trail
from publisher.core import clock, permissions
from publisher.core.actor import Actor
from publisher.core.errors import Conflict, Invalid, NotFound
from publisher.outbox.models import QUEUED, SENT, STATES, UNKNOWN, OutboxMessage, OutboxRecipient

RESEND, MARK_SENT = "resend", "mark_sent"
ACTIONS = (RESEND, MARK_SENT)


@dataclass(frozen=True)
class Listing:
    messages: list[OutboxMessage]
    counts: dict[str, int]  # recipients per state, over the whole outbox


def recipients_of(session: Session, records: list[str]) -> dict[str, list[OutboxRecipient]]:
    """Each record's recipients ("alert:12" -> whom its mail went to, and how it fared), by address; for the
    page of what the mail was about."""
    found: dict[str, list[OutboxRecipient]] = {record: [] for record in records}
    if not records:
        return found
    rows = session.execute(select(OutboxMessage.record, OutboxRecipient).join(OutboxRecipient)
                           .where(OutboxMessage.record.in_(records))
                           .order_by(OutboxRecipient.address, OutboxRecipient.id))
    for record, recipient in rows:
        found[record].append(recipient)
    return found


def listing(session: Session, *, state: str = "", text: str = "", limit: int = 100) -> Listing:
    """The newest messages with a recipient in `state` (any, if empty) whose subject, address, kind or record
    holds `text` (case aside)."""
    if state and state not in STATES:
        raise Invalid(f"no such state: {state!r}", code="outbox_state")
    query = select(OutboxMessage).join(OutboxRecipient).options(selectinload(OutboxMessage.recipients))
    if state:
        query = query.where(OutboxRecipient.state == state)
    text = " ".join(text.split()).casefold()
    if text:
        pattern = "%" + _escaped(text) + "%"
        query = query.where(or_(*(func.lower(column).like(pattern, escape="\\") for column in (
            OutboxMessage.subject, OutboxRecipient.address, OutboxMessage.kind, OutboxMessage.record,
            OutboxMessage.message_id))))
    messages = list(session.scalars(query.distinct().order_by(OutboxMessage.id.desc()).limit(limit)))
    counts = dict(session.execute(select(OutboxRecipient.state, func.count()).group_by(OutboxRecipient.state)).all())
    return Listing(messages, {s: counts.get(s, 0) for s in STATES})


def _escaped(text: str) -> str:
    """`text` as a LIKE pattern matching itself: its %, _ and the escape character are literal."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def recipient(session: Session, recipient_id: int) -> OutboxRecipient:
    row = session.get(OutboxRecipient, recipient_id)
    if row is None:
        raise NotFound(f"no outbox recipient with id {recipient_id}")
    return row


def settle(session: Session, actor: Actor, recipient_id: int, action: str) -> OutboxRecipient:
    """A person's decision on an "unknown" recipient: RESEND queues it again (the same Message-ID), MARK_SENT
    records that it arrived. Conflict if it is no longer unknown (someone else decided first)."""
    permissions.require(actor, "outbox", "manage")
    if action not in ACTIONS:
        raise Invalid(f"no such action: {action!r}", code="outbox_action")
    row = recipient(session, recipient_id)
    if row.state != UNKNOWN:
        raise Conflict(f"outbox recipient {recipient_id} is {row.state}, not unknown")
    now = clock.now(session)
    before = {"state": row.state}
    if action == RESEND:
        row.state, row.next_attempt_at, row.step = QUEUED, None, None
    else:
        row.state, row.sent_at = SENT, now
    row.settled_by, row.settled_at = actor.name, now
    trail.record(session, actor, f"outbox.{action}", subject=f"outbox:{row.message_id}:{row.id}",
                 before=before, after={"state": row.state}, detail={"address": row.address})
    return row
