"""Posts at each step of the workflow, made through publisher.posts.workflow as people would make them.

`post_row` is the exception: a post written straight to the database in any state, for tests of what reads
posts (alerts, pages) that do not care how it got there.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from publisher.core.models import Post
from publisher.core.runtime import Runtime
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


def approved_post(session: Session, rt: Runtime, office: Office, *, author: str = "ana", approver: str = "marko",
                  **fields: Any) -> int:
    """A post approved by another person (four eyes), with its deliveries; committed."""
    post_id = pending_post(session, rt, office, author=author, **fields)
    workflow.approve(session, rt, office.actor(approver), post_id)
    session.commit()
    return post_id


def post_row(session: Session, office: Office, *, status: str, author: str = "ana", **columns: Any) -> int:
    """A post row in any state, written directly (flushed, not committed)."""
    values = {"title": "T", "body": "B", "language": "sr-Latn", "timezone": "Europe/Belgrade",
              "content_hash": "x", **columns}
    post = Post(status=status, author_id=office.users[author].id, **values)
    session.add(post)
    session.flush()
    return post.id
