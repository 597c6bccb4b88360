"""Posts newest first, filtered by state and channel, a page at a time (keyset on the id): the API's list."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from publisher.core import search_index
from publisher.core.errors import Malformed
from publisher.core.models import Post, PostChannel
from publisher.core.states import PostStatus
from publisher.destinations.channel_store import get_channel


def newest_posts(session: Session, *, limit: int, before: int | None = None, status: str | None = None,
                 channel: str | None = None, text: str = "") -> tuple[list[Post], int | None]:
    """Up to `limit` posts with ids below `before`, and the `before` of the next page (None: the last one).

    `status` is a post state's name; `channel` a channel's name or id (NotFound when there is none); `text`
    what the title or texts hold (core.search_index)."""
    query = select(Post).order_by(Post.id.desc()).limit(limit + 1)
    if (found := search_index.matches(Post.search_text, text)) is not None:
        query = query.where(found)
    if status:
        if status not in {str(s) for s in PostStatus}:
            raise Malformed(f"unknown status {status!r}", details={"allowed": [str(s) for s in PostStatus]})
        query = query.where(Post.status == status)
    if channel:
        channel_id = get_channel(session, channel).id
        query = query.where(Post.id.in_(select(PostChannel.post_id).where(PostChannel.channel_id == channel_id)))
    if before is not None:
        query = query.where(Post.id < before)
    posts = list(session.scalars(query))
    page = posts[:limit]
    return page, (page[-1].id if len(posts) > limit else None)
