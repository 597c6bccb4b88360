"""The documents' files: stored once by SHA-256 under the media folder's `documents/`, never half-written,
never missing under a row, and removed again when nothing names them.

An upload is copied to a private temporary file while it is hashed (refused as soon as it passes the size
limit), checked by its bytes (publisher.documents.sniffing), then moved into place with a claim
(publisher.media.placement, the same protocol as the media library) before its version row is inserted. A
rollback removes the file unless another open upload claims it or a committed version names it. Files that
no version names any more (left by a process that died between the rename and its commit) are found and
removed by `orphans`/`remove_orphans` (`publisher documents clean`).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from publisher.core.files import private_dir
from publisher.documents.models import DocumentVersion
from publisher.documents.sniffing import DEFAULT_LIMITS, DocumentLimits, DocumentRefused, Sniffed, sniff_file
from publisher.media import placement

CHUNK = 1024 * 1024
FOLDER = "documents"
INCOMING = ".incoming"
STALE_INCOMING_SECONDS = 24 * 3600  # a temporary file this old belongs to no upload still running
_CLAIMS = "publisher.documents.store.claims"


@dataclass(frozen=True)
class StoredFile:
    sha256: str
    sniffed: Sniffed
    original_name: str

    @property
    def size(self) -> int:
        return self.sniffed.size


def documents_dir(media_dir: Path) -> Path:
    """Where documents live: beside the library's files, so a copy of the media folder carries them too."""
    return media_dir / FOLDER


def store(session: Session, root: Path, stream: BinaryIO, filename: str,
          limits: DocumentLimits = DEFAULT_LIMITS) -> StoredFile:
    """Check the upload and put its file in place for a version row this session is about to insert; the
    session's commit keeps it, its rollback takes it away again (unless something else needs it)."""
    if not session.in_transaction():
        session.begin()  # so that this session's commit or rollback, whichever comes, releases the claim
    incoming = private_dir(root / INCOMING)
    fd, tmp_name = tempfile.mkstemp(dir=incoming, prefix="upload-")  # mode 0600, kept by os.replace
    tmp = Path(tmp_name)
    try:
        digest = _copy_hashing(stream, fd, limits.max_bytes)
        sniffed = sniff_file(tmp, filename, limits)
        final = root / _name(digest, sniffed.extension)
        claim = placement.claim(root, digest, tmp, final)
        session.info.setdefault(_CLAIMS, []).append(claim)
        return StoredFile(digest, sniffed, Path(filename.replace("\\", "/")).name[:255])
    finally:
        tmp.unlink(missing_ok=True)


def _name(sha256: str, extension: str) -> str:
    return f"{sha256[:2]}/{sha256}{extension}"


def path_of(root: Path, version: DocumentVersion) -> Path:
    return root / version.storage_name


def _copy_hashing(stream: BinaryIO, fd: int, limit: int) -> str:
    sha = hashlib.sha256()
    size = 0
    with os.fdopen(fd, "wb") as out:
        while chunk := stream.read(CHUNK):
            size += len(chunk)
            if size > limit:  # stop reading: the rest of a 5 GB upload never reaches the disk
                raise DocumentRefused(413, "too_large", f"the file is larger than {limit} bytes",
                                      limit_mb=limit // (1024 * 1024))
            sha.update(chunk)
            out.write(chunk)
    return sha.hexdigest()


# --- files that no version names --------------------------------------------------------------------------------

def orphans(session: Session, root: Path) -> Iterator[Path]:
    """Stored files that no version row names, and temporary files of uploads long gone."""
    if not root.is_dir():
        return
    named = {v for (v,) in session.execute(select(DocumentVersion.sha256).distinct())}
    for folder in sorted(root.iterdir()):
        if folder.name == INCOMING:
            cutoff = time.time() - STALE_INCOMING_SECONDS
            yield from (p for p in sorted(folder.iterdir()) if p.stat().st_mtime < cutoff)
        elif folder.is_dir() and len(folder.name) == 2:
            yield from (p for p in sorted(folder.iterdir())
                        if p.is_file() and p.name.split(".", 1)[0] not in named)


def remove_orphans(session: Session, root: Path) -> list[Path]:
    """Remove what `orphans` finds, each checked again under the store's lock: a file an upload has claimed
    meanwhile, or that a version committed meanwhile names, stays."""
    removed = []
    exists = placement.committed_row(session, DocumentVersion.sha256)
    for path in list(orphans(session, root)):
        sha = path.name.split(".", 1)[0]
        with placement.locked(root):
            if path.parent.name != INCOMING:
                if any((root / placement.PENDING).glob(f"{sha}.*")) or exists(sha):
                    continue
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed


placement.release_with_transactions(_CLAIMS, DocumentVersion.sha256)
