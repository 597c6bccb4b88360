"""What a destructive action on posts would do, said before it is done: the confirmation pages show it and
ask. Reading only; the moves themselves are the workflow's."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from publisher.core.models import Delivery, Post
from publisher.core.states import POST_MOVES, DeliveryStatus, PostStatus

CANCELLABLE = frozenset(POST_MOVES["cancel"])


@dataclass(frozen=True)
class CancelEffect:
    post: Post
    unsent: list[str]  # the channels whose delivery will not be sent
    loses_approval: bool  # an approved post: its approval goes with it


def cancel_effect(session: Session, post: Post) -> CancelEffect:
    unsent = session.scalars(select(Delivery).where(Delivery.post_id == post.id,
                                                    Delivery.status == DeliveryStatus.PENDING)
                             .order_by(Delivery.channel_id)).all()
    # A channel that takes language versions one by one has several deliveries: it is named once.
    return CancelEffect(post, list(dict.fromkeys(d.channel.name for d in unsent)), post.status == PostStatus.SCHEDULED)


def cancellable(post: Post) -> bool:
    return post.status in CANCELLABLE
