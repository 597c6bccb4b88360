"""The media library as people browse it: search, a page at a time, descriptions, where a file is used,
and small previews of images.

Uploading itself is publisher.media.store.store_upload; this module never writes a media file of its own
except the cached preview, which is derived data and may be deleted at any time.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from publisher.audit import trail
from publisher.core import permissions, search_index
from publisher.core.actor import Actor
from publisher.core.errors import Invalid, NotFound
from publisher.core.files import private_dir
from publisher.core.models import Media, Post, PostMedia
from publisher.media.store import MAX_ALT_TEXT, get_media, media_path

PER_PAGE = 24
MAX_CREDIT = 300  # Media.credit's column
THUMBNAIL_SIDE = 320
THUMBNAIL_TYPE = "image/jpeg"
PREVIEWABLE = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp"})  # never SVG: it can carry script


@dataclass(frozen=True)
class MediaPage:
    items: list[Media]
    total: int
    page: int
    pages: int
    usage: dict[int, int]  # media id -> how many posts use it


@dataclass(frozen=True)
class Usage:
    post: Post
    alt_text: str | None  # this post's own alt text for the file, if it has one


def _search(query: str) -> Select[Any]:
    """The file's name, alt text and credit, in either script, any case, with or without diacritics."""
    found = search_index.matches(Media.search_text, query)
    return select(Media) if found is None else select(Media).where(found)


def search(session: Session, query: str = "", page: int = 1, per_page: int = PER_PAGE) -> MediaPage:
    """One page of the library, newest first; a page past the end shows the last one."""
    stmt = _search(query)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    items = list(session.scalars(stmt.order_by(Media.created_at.desc(), Media.id.desc())
                                 .limit(per_page).offset((page - 1) * per_page)))
    return MediaPage(items, total, page, pages, usage_counts(session, [m.id for m in items]))


def usage_counts(session: Session, media_ids: list[int]) -> dict[int, int]:
    if not media_ids:
        return {}
    rows = session.execute(select(PostMedia.media_id, func.count()).where(PostMedia.media_id.in_(media_ids))
                           .group_by(PostMedia.media_id))
    return {media_id: count for media_id, count in rows}


def usage(session: Session, media_id: int) -> list[Usage]:
    """Every post that links this file, most recently changed first."""
    rows = session.execute(select(Post, PostMedia.alt_text).join(PostMedia, PostMedia.post_id == Post.id)
                           .where(PostMedia.media_id == media_id)
                           .order_by(Post.updated_at.desc(), Post.id.desc())).unique()
    return [Usage(post, alt) for post, alt in rows]


def describe(session: Session, actor: Actor, media_id: int, *, alt_text: str, credit: str) -> Media:
    """Change a file's alt text and credit (what posts use unless they say otherwise)."""
    permissions.require(actor, "media", "describe")
    alt_text, credit = alt_text.strip(), credit.strip()
    if len(alt_text) > MAX_ALT_TEXT:
        raise Invalid(f"alt text is {len(alt_text)} characters; at most {MAX_ALT_TEXT}", code="alt_too_long")
    if len(credit) > MAX_CREDIT:
        raise Invalid(f"the credit is {len(credit)} characters; at most {MAX_CREDIT}", code="credit_too_long")
    media = get_media(session, media_id)
    before = {"alt_text": media.alt_text, "credit": media.credit}
    after = {"alt_text": alt_text, "credit": credit}
    if before != after:
        media.alt_text, media.credit = alt_text, credit
        trail.record(session, actor, "media.describe", subject=f"media:{media.id}", before=before, after=after)
    return media


def thumbnail(media_dir: Path, media: Media) -> Path:
    """A small JPEG preview of an image, made once and kept next to the library's files.

    Only types that publisher.media.inspection accepted as images (their pixels decoded once already) are
    previewed; a preview is a fresh JPEG, so nothing of the upload but its pixels reaches a browser.
    """
    if media.content_type not in PREVIEWABLE:
        raise NotFound(f"media {media.id} is not an image")
    target = media_dir / ".thumbs" / f"{media.sha256}-{THUMBNAIL_SIDE}.jpg"
    if target.exists():
        return target
    private_dir(target.parent)
    with Image.open(media_path(media_dir, media)) as im:
        im.thumbnail((THUMBNAIL_SIDE, THUMBNAIL_SIDE))
        if im.mode in ("RGBA", "LA", "P"):
            im = im.convert("RGBA")
            background = Image.new("RGB", im.size, (255, 255, 255))
            background.paste(im, mask=im.getchannel("A"))
            im = background
        elif im.mode != "RGB":
            im = im.convert("RGB")
        # Written aside and renamed: two requests at once never serve half a file.
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".thumb-")
        try:
            with os.fdopen(fd, "wb") as out:
                im.save(out, "JPEG", quality=82)
            os.replace(tmp, target)
        finally:
            Path(tmp).unlink(missing_ok=True)
    return target

