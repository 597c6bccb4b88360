"""What a post says, as one hash for approval and as one `Content` per channel for the adapters."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from channels.base import Content, MediaItem
from publisher.models import Channel, Post


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
    variants = post.variants or {}
    return Content(
        post_id=post.id or 0,
        title=post.title,
        text=variants.get(channel.name, post.body),
        language=post.language,
        media=tuple(
            MediaItem(
                path=media_dir / link.media.storage_name,
                content_type=link.media.content_type,
                sha256=link.media.sha256,
                size=link.media.size,
                alt_text=link.effective_alt_text,
                filename=link.media.original_name or f"{link.media.sha256[:12]}{link.media.extension}",
            )
            for link in post.media_links
        ),
        variants=dict(variants),
        scheduled_at=post.scheduled_at,
    )
