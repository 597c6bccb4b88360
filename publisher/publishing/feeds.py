"""The public feeds: what a feed channel has published, read from the database for web/public/feed.py.

A feed channel (kind "feed") publishes nothing over the network; its feed is the list of its deliveries
marked sent, newest first. See channels/feed.py for the settings and the entry ids.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import Row, func, select
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


def find_feed_channel(session: Session, slug: str) -> Row | None:
    """The feed channel with this slug (the oldest, should two claim it); None when there is none.

    Column by column, never the whole Channel: the public site's database role may not read its credentials
    (publisher/public/reads.py lists what the feeds read)."""
    if not SLUG.fullmatch(slug):
        return None
    # Few channels exist, and JSON paths differ between SQLite and PostgreSQL: filter here.
    for channel in session.execute(select(Channel.id, Channel.name, Channel.config, Channel.created_at,
                                          Channel.updated_at)
                                   .where(Channel.kind == FEED_KIND).order_by(Channel.id)):
        if (channel.config or {}).get("slug") == slug:
            return channel
    return None


def feed_slugs(session: Session) -> list[tuple[str, str]]:
    """(slug, title) of every feed channel with a slug, by title: what the public landing page lists."""
    found: dict[str, str] = {}
    for channel in session.execute(select(Channel.name, Channel.config).where(Channel.kind == FEED_KIND)
                                   .order_by(Channel.id)):
        slug = str((channel.config or {}).get("slug") or "")
        if SLUG.fullmatch(slug) and slug not in found:
            found[slug] = str((channel.config or {}).get("title") or channel.name)
    return sorted(found.items(), key=lambda item: (item[1].casefold(), item[0]))


def load_feed(session: Session, slug: str, *, limit: int = FEED_LENGTH) -> Feed | None:
    """The feed's last `limit` published entries, newest first; None for an unknown slug."""
    channel = find_feed_channel(session, slug)
    if channel is None:
        return None
    config = channel.config or {}
    public_url = str(config.get("public_url") or "").rstrip("/")
    went_out = func.coalesce(Delivery.sent_at, Delivery.updated_at)
    rows = session.execute(
        select(Delivery.id, Delivery.url, Delivery.idempotency_key, Delivery.sent_at, Delivery.updated_at,
               Post.updated_at.label("post_updated_at"))
        .join(Post, Post.id == Delivery.post_id)
        .where(Delivery.channel_id == channel.id, Delivery.status == DeliveryStatus.SENT)
        .order_by(went_out.desc(), Delivery.id.desc())
        .limit(limit)
    ).all()
    entries = []
    contents = load_contents(session, [(row.id, channel.id) for row in rows], Path())
    for row in rows:
        content = contents.get(row.id)  # the approved version the adapter was given
        if content is None:
            continue
        published = row.sent_at or row.updated_at
        entries.append(FeedEntry(
            # The URL stored at publishing stays the id even if public_url changes later: a reader
            # would otherwise show every entry again.
            id=row.url or entry_url(public_url, slug, row.idempotency_key),
            title=content.title,
            text=content.text,
            language=content.language,
            published=published,
            updated=max(published, row.post_updated_at) if row.post_updated_at else published,
        ))
    updated = max((e.updated for e in entries), default=channel.updated_at or channel.created_at)
    return Feed(
        slug=slug,
        title=str(config.get("title") or channel.name),
        public_url=public_url,
        updated=updated,
        entries=tuple(entries),
    )
