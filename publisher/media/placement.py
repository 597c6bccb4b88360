"""Putting a library file in place, and taking it away again only when no row and no open upload needs it.

Files are named by their SHA-256, so two uploads of the same bytes share one file. An upload that is refused
after its file was put in place (its transaction rolls back) must not delete a file that another upload, at
the same moment, is about to commit a row for, nor one a committed row points at. So:

- every upload *claims* the file before it inserts its row: a marker (empty folder) in `.pending/`, made under a
  lock on the file's name, in the same step that moves the file into place (temp file + rename, synced);
- when its transaction ends the claim is dropped, again under the lock; after a rollback the file is removed
  only if no other claim on it is left and no committed row names it (asked on a fresh connection that
  never waits for a writer).

A committed row therefore always has its file: before the commit its own claim protects the file, after it
the row does. The lock is `flock` on the `.pending` folder itself, held only for a rename or a short read,
so it holds across the processes of one machine that share the media folder; a process that dies leaves at
most a claim behind, which keeps a file that may be unused (never removes one that is used).
"""

from __future__ import annotations

import fcntl
import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import ColumnElement, event, select
from sqlalchemy.orm import Session, SessionTransaction

from publisher.core.db import SQLITE_BEGIN
from publisher.core.files import private_dir

PENDING = ".pending"


@dataclass(frozen=True)
class Claim:
    media_dir: Path
    sha256: str
    final: Path
    marker: Path


@contextmanager
def locked(media_dir: Path) -> Iterator[None]:
    folder = media_dir / PENDING
    private_dir(folder)
    fd = os.open(folder, os.O_RDONLY)  # the claims' own folder is the lock: no lock files to clean up
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def _sync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _move_into_place(tmp: Path, final: Path) -> None:
    if final.exists():
        return  # the same name means the same bytes: the file that is there is this one
    private_dir(final.parent)
    with open(tmp, "rb") as fp:
        os.fsync(fp.fileno())
    os.replace(tmp, final)
    _sync_dir(final.parent)


def claim(media_dir: Path, sha256: str, tmp: Path, final: Path) -> Claim:
    """Make sure `final` holds the file (moved from `tmp` if it is not there) and mark it as needed."""
    with locked(media_dir):
        marker = media_dir / PENDING / f"{sha256}.{os.getpid()}.{uuid.uuid4().hex}"
        marker.mkdir()  # an empty folder, not a file: the media folder's files are the library's
        _move_into_place(tmp, final)
    return Claim(media_dir, sha256, final, marker)


def restore(media_dir: Path, sha256: str, tmp: Path, final: Path) -> None:
    """Put back the file of a committed row that lost it (a library damaged before this module existed)."""
    with locked(media_dir):
        _move_into_place(tmp, final)


def release(c: Claim, *, committed: bool, row_exists: Callable[[str], bool]) -> None:
    """Drop the claim; after a rollback, remove the file if nothing else needs it."""
    with locked(c.media_dir):
        if c.marker.exists():
            c.marker.rmdir()
        if committed:
            return
        if any((c.media_dir / PENDING).glob(f"{c.sha256}.*")):
            return  # another upload of the same bytes is still open: its row may commit
        if row_exists(c.sha256):
            return
        c.final.unlink(missing_ok=True)


def committed_row(session: Session, sha256_column: ColumnElement[str]) -> Callable[[str], bool]:
    """Whether a committed row has this SHA-256 in `sha256_column`, asked on a fresh connection that reads
    what is committed and never waits for a writer (SQLite: DEFERRED)."""
    bind = session.get_bind().execution_options(**{SQLITE_BEGIN: "DEFERRED"})

    def exists(sha256: str) -> bool:
        with bind.connect() as conn:
            return conn.execute(select(sha256_column).where(sha256_column == sha256).limit(1)).first() is not None
    return exists


def release_with_transactions(key: str, sha256_column: ColumnElement[str]) -> None:
    """Drop the claims a store keeps in `session.info[key]` when the session's transaction ends: kept after
    a commit, the files removed after a rollback unless something else needs them (`release`). Each store
    (the media library, the documents) calls this once, naming the column its rows keep the SHA-256 in."""

    @event.listens_for(Session, "after_commit")
    def _release_committed(session: Session) -> None:
        for claim in session.info.pop(key, []):
            release(claim, committed=True, row_exists=committed_row(session, sha256_column))

    @event.listens_for(Session, "after_transaction_end")
    def _release_rolled_back(session: Session, transaction: SessionTransaction) -> None:
        # Reached after a commit too, when _release_committed has already taken the claims.
        if transaction.parent is not None or key not in session.info:
            return
        for claim in session.info.pop(key):
            release(claim, committed=False, row_exists=committed_row(session, sha256_column))
