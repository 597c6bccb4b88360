"""The media library's files: stored once by SHA-256, never half-written, never orphaned.

An upload is copied to a temporary file while it is hashed, inspected by its bytes, then moved into
place. If the database transaction that records it rolls back, the file it added is removed again.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from publisher.audit import trail
from publisher.core import permissions
from publisher.core.actor import Actor
from publisher.core.errors import Invalid, MediaRejected, NotFound, TooLarge, UnsupportedMedia
from publisher.core.limits import ALT_TEXT, CREDIT, check_length
from publisher.core.models import Media
from publisher.media.inspection import MediaLimits, inspect_file

CHUNK = 1024 * 1024
MAX_ALT_TEXT = ALT_TEXT
_NEW_FILES = "publisher.media.store.new_files"


def store_upload(
    session: Session,
    media_dir: Path,
    stream: BinaryIO,
    *,
    actor: Actor,
    filename: str = "",
    alt_text: str = "",
    credit: str = "",
    limits: MediaLimits | None = None,
) -> tuple[Media, bool]:
    """Returns (media, created). The same bytes uploaded again return the existing item."""
    permissions.require(actor, "media", "upload")
    if len(alt_text) > MAX_ALT_TEXT:
        raise Invalid(f"alt text is {len(alt_text)} characters; at most {MAX_ALT_TEXT}")
    check_length(credit, "credit", CREDIT)
    limits = limits or MediaLimits()
    ceiling = max(limits.max_image_bytes, limits.max_video_bytes, limits.max_document_bytes)
    incoming = media_dir / ".incoming"
    incoming.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=incoming, prefix="upload-")
    tmp = Path(tmp_name)
    try:
        digest = _copy_hashing(stream, fd, ceiling)
        info = _inspect(tmp, limits)
        existing = session.scalar(select(Media).where(Media.sha256 == digest))
        if existing is not None:
            if alt_text and not existing.alt_text:
                existing.alt_text = alt_text
            return existing, False
        media = Media(
            sha256=digest, content_type=info.content_type, extension=info.extension, size=info.size,
            width=info.width, height=info.height, alt_text=alt_text.strip(), credit=credit.strip(),
            original_name=Path(filename).name[:255], uploaded_by_id=actor.user.id,
        )
        final = media_dir / media.storage_name
        final.parent.mkdir(parents=True, exist_ok=True)
        already_there = final.exists()
        os.replace(tmp, final)
        if not already_there:
            session.info.setdefault(_NEW_FILES, []).append(final)
        session.add(media)
        session.flush()
        trail.record(session, actor, "media.upload", subject=f"media:{media.id}",
                     after={"sha256": digest, "content_type": info.content_type, "size": info.size})
        return media, True
    finally:
        tmp.unlink(missing_ok=True)


def _copy_hashing(stream: BinaryIO, fd: int, ceiling: int) -> str:
    sha = hashlib.sha256()
    size = 0
    with os.fdopen(fd, "wb") as out:
        while chunk := stream.read(CHUNK):
            size += len(chunk)
            if size > ceiling:
                raise TooLarge(f"the file is larger than {ceiling // (1024 * 1024)} MB, the most any upload may be",
                               code="too_large")
            sha.update(chunk)
            out.write(chunk)
    return sha.hexdigest()


def _inspect(path: Path, limits: MediaLimits):  # noqa: ANN202
    try:
        return inspect_file(path, limits)
    except MediaRejected as exc:
        error = {413: TooLarge, 415: UnsupportedMedia}.get(exc.status, Invalid)
        raise error(exc.message, code=exc.code) from None


def get_media(session: Session, media_id: int) -> Media:
    media = session.get(Media, media_id)
    if media is None:
        raise NotFound(f"no media with id {media_id}")
    return media


def media_path(media_dir: Path, media: Media) -> Path:
    return media_dir / media.storage_name


@event.listens_for(Session, "after_commit")
def _forget_new_files(session: Session) -> None:
    session.info.pop(_NEW_FILES, None)


@event.listens_for(Session, "after_rollback")
def _remove_new_files(session: Session) -> None:
    # The row that would have pointed at these files is gone: remove the files too.
    for path in session.info.pop(_NEW_FILES, []):
        Path(path).unlink(missing_ok=True)
