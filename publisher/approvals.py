"""Approvals: what each approval approved (a snapshot per approval), and what waits for whom.

The snapshot holds the content as the approver saw it, so the next approver reads a diff against the last
approved version instead of the whole post again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import exists, or_, select
from sqlalchemy.orm import Session

from publisher.models import Post, PostApproval, PostContributor, User
from publisher.overview import Listing, _listing, awaiting_approval
from publisher.states import PostStatus


def approved_content(post: Post) -> dict[str, Any]:
    """Everything content_hash binds, in a form that reads back without the rows it came from."""
    return {
        "title": post.title,
        "body": post.body,
        "language": post.language,
        "variants": dict(sorted((post.variants or {}).items())),
        "channels": [{"id": link.channel_id, "name": link.channel.name} for link in post.channel_links],
        "media": [{"id": link.media_id, "sha256": link.media.sha256, "name": link.media.original_name,
                   "alt_text": link.effective_alt_text} for link in post.media_links],
        "scheduled_at": post.scheduled_at.isoformat() if post.scheduled_at else None,
        "timezone": post.timezone,
    }


def record_approval(session: Session, post: Post, approver: User, at: datetime) -> PostApproval:
    """Called by workflow.approve, in its transaction: no approval without its snapshot."""
    row = PostApproval(post_id=post.id, content_hash=post.content_hash, approved_by_id=approver.id,
                       approved_at=at, content=approved_content(post))
    session.add(row)
    return row


def last_approval(session: Session, post_id: int) -> PostApproval | None:
    return session.scalars(select(PostApproval).where(PostApproval.post_id == post_id)
                           .order_by(PostApproval.id.desc()).limit(1)).first()


@dataclass(frozen=True)
class Waiting:
    mine_to_approve: Listing  # four eyes allow this person to approve these
    own: Listing  # written or edited by this person: another approver must decide


def waiting(session: Session, user: User, *, limit: int = 50) -> Waiting:
    """Posts waiting for approval as one approver sees them: theirs to decide, and their own (refused)."""
    contributed = exists().where(PostContributor.post_id == Post.id, PostContributor.user_id == user.id)
    own = (select(Post).where(Post.status == PostStatus.PENDING_APPROVAL,
                              or_(Post.author_id == user.id, contributed))
           .order_by(Post.submitted_at, Post.id))
    return Waiting(awaiting_approval(session, user, limit=limit), _listing(session, own, limit))
