"""A post per channel as the channel will show it: built by each adapter's own `outgoing` (channels/outgoing.py),
the function its `publish` sends from, so a preview never differs from what goes out.

The compose page previews the form as it is (`channel_previews` of the contents `posts.compose` builds) or the
saved post (`post_previews`, the live version); the approval page previews the version to be approved: for a
post waiting for approval its frozen version now (what `workflow.approve` will freeze when the hash matches),
for an approved one the version its approval froze (what the worker reads). Reads only; no network.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from channels.base import Channel as Adapter
from channels.base import Content
from channels.errors import ChannelConfigError
from channels.outgoing import Outgoing, fitting_length
from publisher.core.errors import CredentialKeyError
from publisher.core.models import Channel, Media, Post, PostApproval
from publisher.core.runtime import Runtime
from publisher.core.states import PostStatus
from publisher.destinations.channel_store import build_adapter
from publisher.destinations.content import freeze, frozen_hash, thaw_all

# A post in these states is previewed as it is now; later ones as their approval froze them.
LIVE_STATES = frozenset({PostStatus.DRAFT, PostStatus.PENDING_APPROVAL, PostStatus.REJECTED})


@dataclass(frozen=True)
class PreviewMedium:
    media_id: int | None  # the library item, for its thumbnail; None when the file is no longer in the library
    label: str  # the file's name
    kind: str  # "image", "video" or "file"
    alt_text: str | None  # what the platform gets as the description; None where it takes none


@dataclass(frozen=True)
class ChannelPreview:
    channel_id: int
    name: str  # the channel as the office named it
    kind: str
    outgoing: Outgoing | None  # None when the channel's adapter cannot be built (its settings or key)
    fits: int  # how many characters of the first post's text fit the channel's limit
    media: tuple[PreviewMedium, ...] = ()
    language: str = ""  # the version this delivery carries (a channel may get one delivery per language)

    @property
    def text(self) -> str:
        return self.outgoing.posts[0].text if self.outgoing else ""


@dataclass(frozen=True)
class PostPreview:
    """The previews of one version of a post, with the hash that names that version."""

    content_hash: str
    channels: list[ChannelPreview]


def channel_previews(session: Session, rt: Runtime, contents: Sequence[tuple[Channel, Content]]) -> list[ChannelPreview]:
    """One preview per (channel, content), in the order given."""
    media_ids = _library_ids(session, {m.sha256 for _, content in contents for m in content.media})
    return [_preview(rt, channel, content, media_ids) for channel, content in contents]


def post_previews(session: Session, rt: Runtime, post: Post, *, live: bool = False) -> PostPreview:
    """The post per channel and per delivery (language): the version to be approved (`version_shown`), or as
    it is now with `live`."""
    frozen = freeze(post) if live else version_shown(session, post)
    channels = {c.id: c for c in session.scalars(select(Channel).where(
        Channel.id.in_([int(i) for i in frozen["channels"]])))}
    ordered = [channels[int(i)] for i in sorted(frozen["channels"], key=lambda i: frozen["channels"][i]["name"])
               if int(i) in channels]
    media_dir = rt.settings.media_dir
    # Every delivery of every channel (one per language, or the post as a whole), exactly as frozen.
    contents = [(channel, content) for channel in ordered
                for content in thaw_all(frozen, post.id, channel.id, media_dir).values()]
    return PostPreview(frozen_hash(frozen), channel_previews(session, rt, contents))


def version_shown(session: Session, post: Post) -> dict[str, Any]:
    """The frozen version an approver decides on or the worker sends: a post not yet approved as it would be
    frozen now, an approved one as its approval froze it (approvals made before versions were frozen, as now)."""
    if post.status not in LIVE_STATES and post.approved_hash:
        approved = session.scalar(select(PostApproval.frozen).where(
            PostApproval.post_id == post.id, PostApproval.content_hash == post.approved_hash)
            .order_by(PostApproval.id.desc()).limit(1))
        if approved is not None:
            return approved
    return freeze(post)


def _preview(rt: Runtime, channel: Channel, content: Content, media_ids: dict[str, int]) -> ChannelPreview:
    try:
        adapter = build_adapter(channel, rt.box)
        out = adapter.outgoing(content)
    except (ChannelConfigError, CredentialKeyError):
        return ChannelPreview(channel.id, channel.name, channel.kind, None, 0, language=content.language)
    media = tuple(PreviewMedium(media_ids.get(m.item.sha256), m.item.label, _kind(m.item.content_type), m.alt_text)
                  for m in out.media)
    return ChannelPreview(channel.id, channel.name, channel.kind, out, _fits(adapter, content, out), media,
                          content.language)


def _fits(adapter: Adapter, content: Content, out: Outgoing) -> int:
    """Where the channel's limit falls in the first post's text, counted by the adapter itself."""
    text = out.posts[0].text
    if out.limit is None or not out.over:
        return len(text)
    return fitting_length(text, out.limit, lambda part: adapter.outgoing(
        dataclasses.replace(content, text=part, other_script=None)).used)


def _kind(content_type: str) -> str:
    return "image" if content_type.startswith("image/") else "video" if content_type.startswith("video/") else "file"


def _library_ids(session: Session, hashes: set[str]) -> dict[str, int]:
    if not hashes:
        return {}
    return {row.sha256: row.id for row in session.execute(select(Media.sha256, Media.id)
                                                           .where(Media.sha256.in_(hashes)))}

