"""Deleting a post that never went out, and duplicating any post into a new draft.

A post may be deleted only while it is a draft or was sent back (rejected) and has no delivery at all: such a
post was never approved as it is, and nothing of it can be on a channel. Everything that belongs to the post
goes with it (its channels, its links to library files, its contributors, earlier approvals' snapshots); the
library's files stay, they belong to the library. The audit trail keeps the post's last content, title
included (audit rows name posts by id without a foreign key, so they outlive it).

A duplicate is a new draft by whoever duplicates it, with the same title, texts, language, channels, files
and alt texts, and no time: the original's time has passed or is taken by the original, so the author
chooses one in compose. It carries no approval: it needs its own (four eyes bind a version, not a text).
"""

from __future__ import annotations

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from publisher.audit import trail
from publisher.core import permissions
from publisher.core.actor import Actor
from publisher.core.errors import Conflict
from publisher.core.models import Delivery, Post, PostApproval, PostChannel, PostMedia
from publisher.core.runtime import Runtime
from publisher.core.states import PostStatus
from publisher.destinations.content import content_hash
from publisher.posts import attachments
from publisher.posts.workflow import _lock_post, _snapshot, get_post

DELETABLE = frozenset({PostStatus.DRAFT, PostStatus.REJECTED})


def deletable(post: Post) -> bool:
    """What a page checks before it offers "Delete": the state alone (the service also counts deliveries)."""
    return post.status in DELETABLE


def delete_post(session: Session, actor: Actor, post_id: int, *, base_hash: str | None = None) -> dict:
    """Delete a draft or a rejected post that has no delivery. `base_hash`: the version the person confirmed
    deleting (compared under the row lock, like an edit). Returns the audit snapshot of what was deleted."""
    permissions.require(actor, "posts", "delete")
    post = _lock_post(session, post_id)
    if post.status not in DELETABLE:
        raise Conflict(f"post {post.id} is {post.status}: only a draft or a post sent back may be deleted; "
                       "cancel a post that is waiting or approved instead", code="not_deletable",
                       details={"status": str(post.status)})
    if base_hash is not None and base_hash != post.content_hash:
        raise Conflict("someone else changed the post after you opened it; read it again",
                       code="content_changed", details={"content_hash": post.content_hash})
    if session.scalar(select(func.count()).select_from(Delivery).where(Delivery.post_id == post.id)):
        raise Conflict(f"post {post.id} has deliveries: it cannot be deleted", code="not_deletable",
                       details={"status": str(post.status)})
    gone = _snapshot(post)
    session.execute(delete(PostApproval).where(PostApproval.post_id == post.id))
    attachments.forget_post(session, post.id)  # its documents stay, no longer attached to it
    session.delete(post)  # its channel, media and contributor rows go with it (delete-orphan)
    session.flush()
    trail.record(session, actor, "post.delete", post_id=post_id, before=gone)
    return gone


def duplicate(session: Session, rt: Runtime, actor: Actor, post_id: int) -> Post:
    """A new draft with the content of any post (also a published one); the person duplicating is its
    author. The copy has no time and no approval."""
    permissions.require(actor, "posts", "duplicate")
    source = get_post(session, post_id)
    now = rt.clock()
    copy = Post(title=source.title, body=source.body, language=source.language,
                variants=dict(source.variants or {}), status=PostStatus.DRAFT, timezone=source.timezone,
                author_id=actor.user.id, created_at=now, updated_at=now, content_hash="")
    copy.channel_links = [PostChannel(channel_id=link.channel_id, channel=link.channel)
                          for link in source.channel_links]
    copy.media_links = [PostMedia(media_id=link.media_id, media=link.media, position=link.position,
                                  alt_text=link.alt_text) for link in source.media_links]
    copy.content_hash = content_hash(copy)
    session.add(copy)
    session.flush()
    trail.record(session, actor, "post.duplicate", post_id=copy.id, after=_snapshot(copy),
                 detail={"from_post": source.id})
    return copy
