"""Approval reminders: a post waiting for approval longer than the reminder period reminds the approvers
who may decide it, once per period. The time of the last reminder is stored, not the next one computed
from the submission: a worker that was stopped for days sends one reminder per post, not one per missed
period."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from publisher.core.models import Post
from publisher.core.states import PostStatus
from publisher.notifications.choices import APPROVAL_REMINDER
from publisher.notifications.making import approvers_of, tell
from publisher.notifications.models import ApprovalReminder

BATCH = 200


def remind(session: Session, now: datetime, period: timedelta) -> list[int]:
    """Remind about posts due for it (period 0: reminders are off). Returns the ids of the posts reminded of."""
    if period <= timedelta(0):
        return []
    cutoff = now - period
    due = (select(Post).outerjoin(ApprovalReminder, ApprovalReminder.post_id == Post.id)
           .where(Post.status == PostStatus.PENDING_APPROVAL, Post.submitted_at <= cutoff,
                  or_(ApprovalReminder.reminded_at.is_(None), ApprovalReminder.reminded_at <= cutoff))
           .order_by(Post.submitted_at, Post.id).limit(BATCH)
           .with_for_update(of=Post, skip_locked=True))  # two workers: each post is reminded of by one
    reminded = []
    for post in session.scalars(due).unique():
        tell(session, approvers_of(session, post), APPROVAL_REMINDER, now, post_id=post.id,
             data={"title": post.title, "waiting_since": post.submitted_at.isoformat()})
        session.merge(ApprovalReminder(post_id=post.id, reminded_at=now))
        reminded.append(post.id)
    return reminded
