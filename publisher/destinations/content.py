"""What a post says, as one hash for approval and as one `Content` per channel for the adapters."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import NamedTuple

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from channels.base import Content, MediaItem, ScriptVersion
from publisher.core.models import Channel, Media, Post, PostMedia, storage_name
from publisher.text.translit import CYRILLIC, LATIN, to_cyrillic, to_latin


def content_hash(post: Post) -> str:
    """Binds an approval to exactly what was approved: text, variants, media, channels and time."""
    material = {
        "title": post.title,
        "body": post.body,
        "language": post.language,
        "variants": dict(sorted((post.variants or {}).items())),
        "media": [[link.media.sha256, link.effective_alt_text] for link in post.media_links],
        "channels": sorted(link.channel_id for link in post.channel_links),
        "scheduled_at": post.scheduled_at.isoformat() if post.scheduled_at else None,
        "timezone": post.timezone,
    }
    canonical = json.dumps(material, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def content_for(post: Post, channel: Channel, media_dir: Path) -> Content:
    media = [MediaRow(link.media.sha256, link.media.extension, link.media.content_type, link.media.size,
                      link.effective_alt_text, link.media.original_name) for link in post.media_links]
    return build_content(post.id or 0, post.title, post.body, post.language, post.variants or {},
                         post.scheduled_at, media, channel.name, media_dir)


class MediaRow(NamedTuple):
    sha256: str
    extension: str
    content_type: str
    size: int
    alt_text: str
    original_name: str


@cache
def _batch_statements() -> tuple:  # noqa: ANN202 - built once: the worker reads a batch many times a second
    ids = bindparam("ids", expanding=True)
    posts = select(Post.id, Post.title, Post.body, Post.language, Post.variants, Post.scheduled_at).where(
        Post.id.in_(ids))
    media = (select(PostMedia.post_id, Media.sha256, Media.extension, Media.content_type, Media.size,
                    func.coalesce(PostMedia.alt_text, Media.alt_text), Media.original_name)
             .join(PostMedia, PostMedia.media_id == Media.id).where(PostMedia.post_id.in_(ids))
             .order_by(PostMedia.post_id, PostMedia.position))
    return posts, media


def load_contents(session: Session, wanted: list[tuple[int, str]], media_dir: Path) -> dict[tuple[int, str], Content]:
    """The same Content as `content_for`, for many (post id, channel name) pairs in two plain selects:
    the worker reads a whole batch of claims at once instead of a post graph per send."""
    post_ids = sorted({post_id for post_id, _ in wanted})
    read_posts, read_media = _batch_statements()
    conn = session.connection()
    posts = {row.id: row for row in conn.execute(read_posts, {"ids": post_ids})}
    media: dict[int, list[MediaRow]] = {post_id: [] for post_id in post_ids}
    for post_id, *row in conn.execute(read_media, {"ids": post_ids}):
        media[post_id].append(MediaRow(*row))
    return {(post_id, name): build_content(post_id, posts[post_id].title, posts[post_id].body,
                                           posts[post_id].language, posts[post_id].variants or {},
                                           posts[post_id].scheduled_at, media[post_id], name, media_dir)
            for post_id, name in wanted if post_id in posts}


def file_label(original_name: str | None, sha256: str, extension: str) -> str:
    """How an officer knows a file: its uploaded name, else the start of its hash. Adapters name it so in
    their refusals (MediaItem.label), and the compose page finds the file a refusal is about by it."""
    return original_name or f"{sha256[:12]}{extension}"


def with_other_script(content: Content) -> Content:
    """A Serbian post also in the other script (the website publishes both); others as they are."""
    if content.language not in (CYRILLIC, LATIN):
        return content
    other = LATIN if content.language == CYRILLIC else CYRILLIC
    convert = to_latin if other == LATIN else to_cyrillic
    version = ScriptVersion(other, convert(content.title), convert(content.text),
                            tuple(convert(m.alt_text) for m in content.media))
    return dataclasses.replace(content, other_script=version)


def build_content(post_id: int, title: str, body: str, language: str, variants: dict[str, str],
                  scheduled_at: datetime | None, media: list[MediaRow], channel_name: str,
                  media_dir: Path) -> Content:
    return with_other_script(Content(
        post_id=post_id,
        title=title,
        text=variants.get(channel_name, body),
        language=language,
        media=tuple(
            MediaItem(
                path=media_dir / storage_name(m.sha256, m.extension),
                content_type=m.content_type,
                sha256=m.sha256,
                size=m.size,
                alt_text=m.alt_text,
                filename=file_label(m.original_name, m.sha256, m.extension),
            )
            for m in media
        ),
        variants=dict(variants),
        scheduled_at=scheduled_at,
    ))
