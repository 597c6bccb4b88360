"""Every allowed move of a post and of a delivery, as one table each.

A move not in the table raises `InvalidTransition`, which names the record, its state and the move.
"""

from __future__ import annotations

from enum import StrEnum

from publisher.core.errors import InvalidTransition


class PostStatus(StrEnum):
    DRAFT = "draft"
    PENDING_APPROVAL = "pending_approval"
    SCHEDULED = "scheduled"
    PUBLISHING = "publishing"
    PUBLISHED = "published"
    PARTIALLY_PUBLISHED = "partially_published"
    FAILED = "failed"
    REJECTED = "rejected"
    CANCELLED = "cancelled"


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    RETRY_WAIT = "retry_wait"
    SENT = "sent"
    FAILED = "failed"
    UNKNOWN = "unknown"
    STALE = "stale"  # due too long ago to send unasked: waits for a person
    CANCELLED = "cancelled"


P, D = PostStatus, DeliveryStatus

# action -> {from: to}
POST_MOVES: dict[str, dict[PostStatus, PostStatus]] = {
    "submit": {P.DRAFT: P.PENDING_APPROVAL},
    "approve": {P.PENDING_APPROVAL: P.SCHEDULED},
    "reject": {P.PENDING_APPROVAL: P.REJECTED},
    # Its author (or a contributor) takes it back to fix it before anyone approves it.
    "withdraw": {P.PENDING_APPROVAL: P.DRAFT},
    # An edit of approved content needs a new approval; an edit of rejected content is a new draft.
    "edit": {P.DRAFT: P.DRAFT, P.PENDING_APPROVAL: P.PENDING_APPROVAL, P.SCHEDULED: P.PENDING_APPROVAL,
             P.REJECTED: P.DRAFT},
    "cancel": {P.DRAFT: P.CANCELLED, P.PENDING_APPROVAL: P.CANCELLED, P.SCHEDULED: P.CANCELLED,
               P.REJECTED: P.CANCELLED},
    "start_publishing": {P.SCHEDULED: P.PUBLISHING},
    "finish_published": {P.PUBLISHING: P.PUBLISHED, P.PARTIALLY_PUBLISHED: P.PUBLISHED, P.FAILED: P.PUBLISHED},
    "finish_partially": {P.PUBLISHING: P.PARTIALLY_PUBLISHED, P.FAILED: P.PARTIALLY_PUBLISHED},
    "finish_failed": {P.PUBLISHING: P.FAILED},
    "resume_publishing": {P.PARTIALLY_PUBLISHED: P.PUBLISHING, P.FAILED: P.PUBLISHING},
}

DELIVERY_MOVES: dict[str, dict[DeliveryStatus, DeliveryStatus]] = {
    "claim": {D.PENDING: D.SENDING, D.RETRY_WAIT: D.SENDING},
    "sent": {D.SENDING: D.SENT},
    "retry_later": {D.SENDING: D.RETRY_WAIT},
    "fail": {D.SENDING: D.FAILED},
    "outcome_unknown": {D.SENDING: D.UNKNOWN},  # also: a lease that expired under a dead worker
    "go_stale": {D.PENDING: D.STALE, D.RETRY_WAIT: D.STALE},
    # What a person (or reconciliation) decides:
    "confirm_sent": {D.UNKNOWN: D.SENT, D.STALE: D.SENT, D.FAILED: D.SENT},
    "send_again": {D.UNKNOWN: D.PENDING, D.FAILED: D.PENDING, D.STALE: D.PENDING},
    "retry_now": {D.RETRY_WAIT: D.PENDING},
    "cancel": {D.PENDING: D.CANCELLED, D.RETRY_WAIT: D.CANCELLED, D.STALE: D.CANCELLED, D.UNKNOWN: D.CANCELLED,
               D.FAILED: D.CANCELLED},
}
OPEN_DELIVERY_STATES = frozenset({D.PENDING, D.SENDING, D.RETRY_WAIT})  # the worker still has work






def next_post_status(current: str, action: str, *, record: str = "the post") -> PostStatus:
    return _move(POST_MOVES, PostStatus, current, action, record)


def next_delivery_status(current: str, action: str, *, record: str = "the delivery") -> DeliveryStatus:
    return _move(DELIVERY_MOVES, DeliveryStatus, current, action, record)


def _move(table: dict, kind: type[StrEnum], current: str, action: str, record: str) -> StrEnum:  # noqa: ANN401
    if action not in table:
        raise ValueError(f"no such move: {action}")
    moves = table[action]
    try:
        return moves[kind(current)]
    except (KeyError, ValueError):
        raise InvalidTransition(record, current, action, [str(s) for s in moves]) from None
