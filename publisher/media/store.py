"""The media library's files: stored once by SHA-256, never half-written, never missing under a row.

An upload is copied to a temporary file while it is hashed, inspected by its bytes, cleaned of location and
device metadata, then moved into place before its row is inserted (publisher.media.placement). If the
transaction that records it rolls back, the file is removed again unless another upload of the same bytes
still needs it or a committed row names it. Two uploads of the same bytes at once give one row: the second
insert waits for the first (ON CONFLICT DO NOTHING) and then returns the first one's row.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from publisher.audit import trail
from publisher.core import permissions, search_index
from publisher.core.actor import Actor
from publisher.core.errors import (
    Invalid,
    MediaRejected,
    NotFound,
    PublisherError,
    TooLarge,
    UnsupportedMedia,
)
from publisher.core.files import private_dir, sha256_file
from publisher.core.limits import ALT_TEXT, CREDIT, check_length
from publisher.core.models import Media, storage_name
from publisher.media import placement, scrub
from publisher.media.inspection import MediaInfo, MediaLimits, inspect_file

CHUNK = 1024 * 1024
MAX_ALT_TEXT = ALT_TEXT
_CLAIMS = "publisher.media.store.claims"


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
    """Returns (media, created). The same bytes uploaded again return the existing item.

    The file kept is the upload without its location and device metadata (publisher.media.scrub), and its
    SHA-256 is that of the kept bytes: the same photo uploaded twice is cleaned to the same bytes."""
    permissions.require(actor, "media", "upload")
    if len(alt_text) > MAX_ALT_TEXT:
        raise Invalid(f"alt text is {len(alt_text)} characters; at most {MAX_ALT_TEXT}")
    check_length(credit, "credit", CREDIT)
    limits = limits or MediaLimits()
    ceiling = max(limits.max_image_bytes, limits.max_video_bytes, limits.max_document_bytes)
    incoming = media_dir / ".incoming"
    private_dir(incoming)
    fd, tmp_name = tempfile.mkstemp(dir=incoming, prefix="upload-")  # mode 0600, kept by os.replace
    tmp = Path(tmp_name)
    try:
        digest = _copy_hashing(stream, fd, ceiling)
        info = _inspect(tmp, limits)
        if _scrub(tmp, info.content_type):
            info = _inspect(tmp, limits)  # the cleaned file is checked again: still the same, whole picture
            digest = sha256_file(tmp)
        final = media_dir / storage_name(digest, info.extension)
        existing = session.scalar(select(Media).where(Media.sha256 == digest))
        if existing is None:
            claim = placement.claim(media_dir, digest, tmp, final)
            session.info.setdefault(_CLAIMS, []).append(claim)
            media = _insert(session, {
                "sha256": digest, "content_type": info.content_type, "extension": info.extension,
                "size": info.size, "width": info.width, "height": info.height, "alt_text": alt_text.strip(),
                "credit": credit.strip(), "original_name": Path(filename).name[:255],
                "uploaded_by_id": actor.user.id})
            if media is not None:
                trail.record(session, actor, "media.upload", subject=f"media:{media.id}",
                             after={"sha256": digest, "content_type": info.content_type, "size": info.size})
                return media, True
            # Another upload of the same bytes committed its row while this one was checking.
            existing = session.scalars(select(Media).where(Media.sha256 == digest)
                                       .execution_options(populate_existing=True)).one()
        elif not final.exists():
            placement.restore(media_dir, digest, tmp, final)
        if alt_text.strip() and not existing.alt_text:
            # The file had no description: this upload gives it one (posts.workflow.media_described then
            # sends back any approved post that uses it).
            existing.alt_text = alt_text.strip()
            trail.record(session, actor, "media.describe", subject=f"media:{existing.id}",
                         before={"alt_text": ""}, after={"alt_text": existing.alt_text})
        return existing, False
    finally:
        tmp.unlink(missing_ok=True)


def _insert(session: Session, values: dict[str, object]) -> Media | None:
    """The new row, or None when a row with the same SHA-256 exists (committed by another upload).

    ON CONFLICT DO NOTHING waits for a concurrent insert of the same hash to commit or roll back instead of
    failing the whole transaction with an IntegrityError."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    values = {**values, "search_text": search_index.key_of(Media, values)}  # the session's listener is bypassed
    stmt = insert(Media).values(**values).on_conflict_do_nothing(index_elements=["sha256"]).returning(Media.id)
    new_id = session.execute(stmt).scalar()
    return None if new_id is None else session.get(Media, new_id)


def _scrub(path: Path, content_type: str) -> bool:
    try:
        return scrub.strip_file(path, content_type)
    except MediaRejected as exc:
        raise _refusal(exc) from None


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


def _refusal(exc: MediaRejected) -> PublisherError:
    error = {413: TooLarge, 415: UnsupportedMedia}.get(exc.status, Invalid)
    return error(exc.message, code=exc.code)


def _inspect(path: Path, limits: MediaLimits) -> MediaInfo:
    try:
        return inspect_file(path, limits)
    except MediaRejected as exc:
        raise _refusal(exc) from None


def get_media(session: Session, media_id: int) -> Media:
    media = session.get(Media, media_id)
    if media is None:
        raise NotFound(f"no media with id {media_id}")
    return media


def media_path(media_dir: Path, media: Media) -> Path:
    return media_dir / media.storage_name


placement.release_with_transactions(_CLAIMS, Media.sha256)
