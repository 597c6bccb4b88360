"""The public feeds: what a feed channel has published, read from the database for web/feed.py.

A feed channel (kind "feed") publishes nothing over the network; its feed is the list of its deliveries
marked sent, newest first. See channels/feed.py for the settings and the entry ids.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from channels.feed import SLUG, entry_url, feed_url
from publisher.core.models import Channel, Delivery, Post
from publisher.core.states import DeliveryStatus
from publisher.destinations.content import load_contents

FEED_KIND = "feed"
FEED_LENGTH = 50


@dataclass(frozen=True)
class FeedEntry:
    id: str  # permanent: the URL stored when the delivery was published
    title: str
    text: str  # this channel's variant when the post has one
    language: str
    published: datetime
    updated: datetime


@dataclass(frozen=True)
class Feed:
    slug: str
    title: str
    public_url: str
    updated: datetime
    entries: tuple[FeedEntry, ...]

    @property
    def atom_url(self) -> str:
        return feed_url(self.public_url, self.slug, "atom")

    @property
    def rss_url(self) -> str:
        return feed_url(self.public_url, self.slug, "rss")

    @property
    def language(self) -> str | None:
        """The entries' language when they all share one."""
        languages = {entry.language for entry in self.entries}
        return languages.pop() if len(languages) == 1 else None


def find_feed_channel(session: Session, slug: str) -> Channel | None:
    """The feed channel with this slug (the oldest, should two claim it); None when there is none."""
    if not SLUG.fullmatch(slug):
        return None
    # Few channels exist, and JSON paths differ between SQLite and PostgreSQL: filter here.
    for channel in session.scalars(select(Channel).where(Channel.kind == FEED_KIND).order_by(Channel.id)):
        if (channel.config or {}).get("slug") == slug:
            return channel
    return None


def load_feed(session: Session, slug: str, *, limit: int = FEED_LENGTH) -> Feed | None:
    """The feed's last `limit` published entries, newest first; None for an unknown slug."""
    channel = find_feed_channel(session, slug)
    if channel is None:
        return None
    config = channel.config or {}
    public_url = str(config.get("public_url") or "").rstrip("/")
    went_out = func.coalesce(Delivery.sent_at, Delivery.updated_at)
    rows = session.execute(
        select(Delivery, Post)
        .join(Post, Post.id == Delivery.post_id)
        .where(Delivery.channel_id == channel.id, Delivery.status == DeliveryStatus.SENT)
        .order_by(went_out.desc(), Delivery.id.desc())
        .limit(limit)
    ).all()
    entries = []
    contents = load_contents(session, [(delivery.id, channel.id) for delivery, _ in rows], Path())
    for delivery, post in rows:
        content = contents.get(delivery.id)  # the approved version the adapter was given
        if content is None:
            continue
        published = delivery.sent_at or delivery.updated_at
        entries.append(FeedEntry(
            # The URL stored at publishing stays the id even if public_url changes later: a reader
            # would otherwise show every entry again.
            id=delivery.url or entry_url(public_url, slug, delivery.idempotency_key),
            title=content.title,
            text=content.text,
            language=content.language,
            published=published,
            updated=max(published, post.updated_at) if post.updated_at else published,
        ))
    updated = max((e.updated for e in entries), default=channel.updated_at or channel.created_at)
    return Feed(
        slug=slug,
        title=str(config.get("title") or channel.name),
        public_url=public_url,
        updated=updated,
        entries=tuple(entries),
    )
