"""Posts at each step of the workflow, made through publisher.posts.workflow as people would make them.

`post_row` is the exception: a post written straight to the database in any state, for tests of what reads
posts (alerts, pages) that do not care how it got there.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from publisher.core.actor import Actor
from publisher.core.models import Post, PostChannel
from publisher.core.runtime import Runtime
from publisher.core.states import PostStatus
from publisher.destinations.content import content_hash
from publisher.posts import workflow
from tests.factories.office import Office


def draft_post(session: Session, rt: Runtime, office: Office, *, author: str = "ana",
               channels: tuple[str, ...] = ("portal",), **fields: Any) -> Post:
    """A draft by `author` (an officer); fields as the API takes them (title, body, scheduled_at, …)."""
    wanted = {"title": "Саопштење", "body": "Министарство објављује.", "channels": list(channels), **fields}
    return workflow.create_post(session, rt, office.actor(author), wanted)


def pending_post(session: Session, rt: Runtime, office: Office, *, author: str = "ana", **fields: Any) -> int:
    """A post waiting for approval; committed."""
    post = draft_post(session, rt, office, author=author, **fields)
    workflow.submit(session, rt, office.actor(author), post.id)
    session.commit()
    return post.id


def approve_as_read(session: Session, rt: Runtime, actor: Actor, post_id: int) -> Post:
    """Approve as an approver does: with the hash of the version they read (the page shows it)."""
    return workflow.approve(session, rt, actor, post_id, seen_hash=workflow.get_post(session, post_id).content_hash)


def approved_post(session: Session, rt: Runtime, office: Office, *, author: str = "ana", approver: str = "marko",
                  **fields: Any) -> int:
    """A post approved by another person (four eyes), with its deliveries; committed."""
    post_id = pending_post(session, rt, office, author=author, **fields)
    approve_as_read(session, rt, office.actor(approver), post_id)
    session.commit()
    return post_id


def post_row(session: Session, office: Office, *, status: str, author: str = "ana",
             channels: tuple[str, ...] = (), **columns: Any) -> Post:
    """A post row in any state on the office's `channels`, written directly with its content hash (flushed,
    not committed). `columns` are Post's own (title, body, scheduled_at, …)."""
    now = datetime.now(UTC)
    values = {"title": "T", "body": "B", "language": "sr-Latn", "variants": {}, "timezone": "Europe/Belgrade",
              "created_at": now, "updated_at": now,
              "submitted_at": None if status == PostStatus.DRAFT else now, **columns}
    post = Post(status=status, author_id=office.users[author].id, content_hash="", **values)
    post.channel_links = [PostChannel(channel_id=office.channels[c].id, channel=office.channels[c]) for c in channels]
    post.content_hash = content_hash(post)
    session.add(post)
    session.flush()
    return post
