"""Holding publishing: everywhere (a day of mourning, a crisis) or on one channel (paused).

While a hold is active nothing it covers is claimed. Releasing it lets the staleness rule decide what
still goes out. Holds are rows, so every worker and web process sees the same state.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from publisher.audit import trail
from publisher.core import clock, limits, permissions
from publisher.core.actor import Actor
from publisher.core.errors import Conflict, Invalid
from publisher.core.models import Channel, Delivery, Hold
from publisher.core.states import DeliveryStatus


def active_holds(session: Session) -> list[Hold]:
    return list(session.scalars(select(Hold).where(Hold.released_at.is_(None)).order_by(Hold.id)))


def global_hold(session: Session) -> Hold | None:
    return session.scalar(select(Hold).where(Hold.released_at.is_(None), Hold.channel_id.is_(None)).limit(1))


def hold(session: Session, actor: Actor, reason: str, channel: Channel | None = None) -> Hold:
    permissions.require(actor, "publishing", "hold")
    if not reason or not reason.strip():
        raise Invalid("a hold needs a reason; it is shown to everyone while the hold lasts")
    limits.check_length(reason, "reason", limits.HOLD_REASON)  # shown on every page to everyone
    existing = session.scalar(select(Hold).where(
        Hold.released_at.is_(None),
        Hold.channel_id.is_(None) if channel is None else Hold.channel_id == channel.id))
    if existing is not None:
        where = f"channel {channel.name!r}" if channel else "all publishing"
        raise Conflict(f"{where} is already on hold since {existing.created_at:%Y-%m-%d %H:%M} UTC: "
                       f"{existing.reason}")
    row = Hold(channel_id=channel.id if channel else None, reason=reason.strip(), created_by=actor.name,
               created_at=clock.now(session))
    session.add(row)
    session.flush()
    trail.record(session, actor, "hold.on", subject=f"channel:{channel.id}" if channel else "global",
                 after={"reason": row.reason})
    return row


def release(session: Session, actor: Actor, channel: Channel | None = None) -> Hold:
    permissions.require(actor, "publishing", "hold")
    row = session.scalar(select(Hold).where(
        Hold.released_at.is_(None),
        Hold.channel_id.is_(None) if channel is None else Hold.channel_id == channel.id))
    if row is None:
        raise Conflict(f"{'channel ' + repr(channel.name) if channel else 'publishing'} is not on hold")
    row.released_at = clock.now(session)
    row.released_by = actor.name
    trail.record(session, actor, "hold.off", subject=f"channel:{channel.id}" if channel else "global",
                 before={"reason": row.reason})
    return row


@dataclass(frozen=True)
class HeldWork:
    """The deliveries a hold stops (or a release lets go): what the confirmation page says."""

    waiting: int  # still to be sent (pending or retrying) on what the hold covers
    due: int  # of those, already due: they go out at once when released, or stop now when held


def held_work(session: Session, now: datetime, channel: Channel | None = None) -> HeldWork:
    query = select(func.count()).select_from(Delivery).where(
        Delivery.status.in_((DeliveryStatus.PENDING, DeliveryStatus.RETRY_WAIT)))
    if channel is not None:
        query = query.where(Delivery.channel_id == channel.id)
    return HeldWork(session.scalar(query), session.scalar(query.where(Delivery.due_at <= now)))
