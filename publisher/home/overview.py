"""What the dashboard's home page tells one person: their queue, what waits for a person, and health."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import Session, joinedload

from publisher.core import permissions
from publisher.core.listing import Listing, first_rows
from publisher.core.models import Delivery, Hold, Post, PostContributor, User
from publisher.core.states import DeliveryStatus, PostStatus
from publisher.posts.approvals import awaiting_approval
from publisher.publishing import channel_health, health, holds

# Deliveries the worker will not settle alone: a person decides (went out, send again, cancel).
NEEDS_A_PERSON = (DeliveryStatus.UNKNOWN, DeliveryStatus.FAILED, DeliveryStatus.STALE)
RETURNED_OR_DRAFT = (PostStatus.DRAFT, PostStatus.REJECTED)
COUNT_CAP = 1000


@dataclass(frozen=True)
class Overview:
    awaiting_approval: Listing | None  # None: the person is not an approver
    own_drafts: Listing | None  # None: the person is not an officer
    needs_a_person: Listing
    publishing: dict[str, Any]
    holds: list[Hold]
    failing_channels: list[channel_health.ChannelHealth]  # expiring, failing or broken, by name
    retrying: int  # deliveries waiting to retry (the worker will try again on its own)

    @property
    def runs_normally(self) -> bool:
        """Never while anything retries, failed, waits for a person or a channel is not healthy (issue 11)."""
        return not (self.publishing["problems"] or self.holds or self.failing_channels or self.retrying
                    or self.needs_a_person.total)


def own_drafts(session: Session, user: User, *, limit: int = 20) -> Listing:
    """Drafts and rejected posts this person wrote or edited, most recently changed first."""
    contributed = exists().where(PostContributor.post_id == Post.id, PostContributor.user_id == user.id)
    query = (select(Post).where(Post.status.in_(RETURNED_OR_DRAFT), or_(Post.author_id == user.id, contributed))
             .order_by(Post.updated_at.desc(), Post.id.desc()))
    return first_rows(session, query, limit)


def needs_a_person(session: Session, *, limit: int = 20) -> Listing:
    """Deliveries whose outcome is unknown, that failed, or that went stale: oldest due first.

    Each state's oldest come straight off the (status, due_at, id) index and are merged here: one
    ORDER BY over the three states sorted every such delivery (tens of thousands in a long history)."""
    # Counted up to a cap: past a thousand the exact number changes nothing on this page, and counting
    # tens of thousands of rows on every visit of the home page does.
    counted = select(Delivery.id).where(Delivery.status.in_(NEEDS_A_PERSON)).limit(COUNT_CAP + 1).subquery()
    total = session.scalar(select(func.count()).select_from(counted)) or 0
    oldest: list[Delivery] = []
    for status in NEEDS_A_PERSON:
        oldest += session.scalars(select(Delivery).options(joinedload(Delivery.post))
                                  .where(Delivery.status == status)
                                  .order_by(Delivery.due_at, Delivery.id).limit(limit)).unique()
    oldest.sort(key=lambda delivery: (delivery.due_at, delivery.id))
    return Listing(oldest[:limit], min(total, COUNT_CAP), capped=total > COUNT_CAP)


def overview(session: Session, user: User, now: datetime, *, overdue_after: timedelta,
             warn_before: timedelta = timedelta(days=7)) -> Overview:
    return Overview(
        awaiting_approval=awaiting_approval(session, user) if permissions.may(user, "posts", "approve") else None,
        own_drafts=own_drafts(session, user) if permissions.may(user, "posts", "write") else None,
        needs_a_person=needs_a_person(session),
        publishing=health.publishing_state(session, now, overdue_after=overdue_after),
        holds=holds.active_holds(session),
        failing_channels=channel_health.unhealthy(channel_health.channel_health(session, now, warn_before)),
        retrying=session.scalar(select(func.count()).select_from(Delivery)
                                .where(Delivery.status == DeliveryStatus.RETRY_WAIT)) or 0,
    )
