"""Library files stored before uploads were cleaned: which still carry location or device metadata.

Read-only on purpose. Cleaning such a file changes its bytes and so its SHA-256, which approvals bind; an
operator replaces it by uploading it again (the new upload is cleaned) and swapping it in the posts that use
it, which sends an approved post back for approval (docs/operations.md).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from publisher.core.errors import MediaRejected
from publisher.core.models import Media
from publisher.media import scrub


@dataclass(frozen=True)
class Leftover:
    media: Media
    problem: str  # "metadata", "missing" or "unreadable"


def leftovers(session: Session, media_dir: Path) -> Iterator[Leftover]:
    """Every library item whose file still has metadata the upload would now remove, or is missing."""
    for media in session.scalars(select(Media).order_by(Media.id)):
        path = media_dir / media.storage_name
        if not path.is_file():
            yield Leftover(media, "missing")
            continue
        try:
            if scrub.strip_file(path, media.content_type, dry_run=True):
                yield Leftover(media, "metadata")
        except MediaRejected:
            yield Leftover(media, "unreadable")
