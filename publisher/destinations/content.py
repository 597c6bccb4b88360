"""What a post says: its frozen version (what approval binds and the worker publishes), its hash, and one
`Content` per channel for the adapters."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from pathlib import Path
from typing import Any, NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from channels.base import Content, MediaItem, ScriptVersion
from publisher.approval.rules import frozen_hash
from publisher.core.models import Channel, Delivery, Post, PostApproval, storage_name
from publisher.text.translit import CYRILLIC, LATIN, to_cyrillic, to_latin

FROZEN_FORMAT = 1


def freeze(post: Post) -> dict[str, Any]:
    """The approved version: everything any channel of the post would receive, computed now.

    Approval stores this and the worker publishes only from it, so a later change to anything the post
    draws on (a library alt text, the transliteration, a variant) cannot reach a channel unapproved. Media
    are frozen by their bytes' hash: the library keeps a file under its hash for as long as it exists."""
    media = _live_media(post)
    shared = build_content(post.id or 0, post.title, post.body, post.language, post.variants or {},
                           post.scheduled_at, media, "", Path())
    channels = {}
    for link in post.channel_links:
        content = shared if link.channel.name not in shared.variants else build_content(
            post.id or 0, post.title, post.body, post.language, post.variants or {}, post.scheduled_at, media,
            link.channel.name, Path())
        channels[str(link.channel_id)] = {"name": link.channel.name, "text": content.text,
                                          "other_script": _script_json(content.other_script)}
    return {
        "format": FROZEN_FORMAT,
        "title": post.title,
        "body": post.body,
        "language": post.language,
        "variants": dict(sorted((post.variants or {}).items())),
        "translations": dict(sorted((post.translations or {}).items())),
        "media": [m._asdict() for m in media],
        "channels": channels,
        "scheduled_at": post.scheduled_at.isoformat() if post.scheduled_at else None,
        "timezone": post.timezone,
    }


def content_hash(post: Post) -> str:
    """Binds an approval to exactly what would go out: the hash of the post's frozen version."""
    return frozen_hash(freeze(post))


def content_for(post: Post, channel: Channel, media_dir: Path) -> Content:
    """What `channel` would receive if the post were approved now (the checks at submit and approval)."""
    return build_content(post.id or 0, post.title, post.body, post.language, post.variants or {},
                         post.scheduled_at, _live_media(post), channel.name, media_dir)


def _live_media(post: Post) -> list[MediaRow]:
    return [MediaRow(link.media.sha256, link.media.extension, link.media.content_type, link.media.size,
                     link.effective_alt_text, link.media.original_name) for link in post.media_links]


def thaw(frozen: dict[str, Any], post_id: int, channel_id: int, media_dir: Path) -> Content:
    """One channel's Content out of a frozen version, exactly as it was approved."""
    channel = frozen["channels"][str(channel_id)]
    media = [MediaRow(**m) for m in frozen["media"]]
    other = channel["other_script"]
    return Content(
        post_id=post_id,
        title=frozen["title"],
        text=channel["text"],
        language=frozen["language"],
        media=_media_items(media, media_dir),
        variants=dict(frozen["variants"]),
        scheduled_at=datetime.fromisoformat(frozen["scheduled_at"]) if frozen["scheduled_at"] else None,
        other_script=ScriptVersion(other["language"], other["title"], other["text"], tuple(other["alt_texts"]))
        if other else None,
    )


def _script_json(version: ScriptVersion | None) -> dict[str, Any] | None:
    if version is None:
        return None
    return {"language": version.language, "title": version.title, "text": version.text,
            "alt_texts": list(version.alt_texts)}


class MediaRow(NamedTuple):
    sha256: str
    extension: str
    content_type: str
    size: int
    alt_text: str
    original_name: str


def load_contents(session: Session, wanted: list[tuple[int, int]], media_dir: Path) -> dict[int, Content]:
    """Each delivery's Content, from the version its approval froze; `wanted` pairs a delivery id with its
    channel id. The worker reads a whole batch of claims at once: two plain selects, each frozen version
    read once however many of its deliveries are in the batch."""
    channel_of = dict(wanted)
    rows = session.execute(select(Delivery.id, Delivery.post_id, Delivery.approval_id)
                           .where(Delivery.id.in_(list(channel_of)))).all()
    approval_ids = sorted({row.approval_id for row in rows if row.approval_id is not None})
    frozen = dict(session.execute(select(PostApproval.id, PostApproval.frozen)
                                  .where(PostApproval.id.in_(approval_ids))).tuples().all()) if approval_ids else {}
    out: dict[int, Content] = {}
    for delivery_id, post_id, approval_id in rows:
        version = frozen.get(approval_id)
        if version is not None and str(channel_of[delivery_id]) in version["channels"]:
            out[delivery_id] = thaw(version, post_id, channel_of[delivery_id], media_dir)
        elif version is None:
            # Approved before versions were frozen (migration 0008): read as it is now, as then.
            post, channel = session.get(Post, post_id), session.get(Channel, channel_of[delivery_id])
            if post is not None and channel is not None:
                out[delivery_id] = content_for(post, channel, media_dir)
    return out


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
        media=_media_items(media, media_dir),
        variants=dict(variants),
        scheduled_at=scheduled_at,
    ))


def _media_items(media: list[MediaRow], media_dir: Path) -> tuple[MediaItem, ...]:
    return tuple(MediaItem(path=media_dir / storage_name(m.sha256, m.extension), content_type=m.content_type,
                           sha256=m.sha256, size=m.size, alt_text=m.alt_text,
                           filename=file_label(m.original_name, m.sha256, m.extension)) for m in media)
