"""An uploaded file kept between its preview and the confirmation, so that what is written is exactly what
was previewed.

The file goes into a private folder (instance/imports, mode 0700, the file 0600) named by its kind and its
SHA-256, so the preview's address names exactly those bytes and reading it back checks them. The preview's
form carries a token sealed with the credential key (authenticated encryption: it cannot be forged) naming
the kind, the SHA-256, the sheet, the person and the time; confirming reads the file only through it, and
refuses when the bytes no longer have that SHA-256, when the token is another person's or kind's, or older
than LIFETIME. The file is removed when the import is written or cancelled; one left behind (the person
closed the tab) is removed once it is older than LIFETIME by the next upload of anyone and by the worker's
hourly housekeeping, so nothing stays.
"""

from __future__ import annotations

import hashlib
import os
import re
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from publisher.core import sealed
from publisher.core.credentials import CredentialBox
from publisher.core.files import PRIVATE_FILE, private_dir
from publisher.imports.table import Unreadable

LIFETIME = timedelta(hours=1)
PURPOSE = "import"
_NAME = re.compile(r"[a-z_]{1,40}-[0-9a-f]{64}")
SHA256 = re.compile(r"[0-9a-f]{64}")


def folder(instance_dir: Path) -> Path:
    return instance_dir / "imports"


def _path(where: Path, kind: str, sha256: str) -> Path:
    name = f"{kind}-{sha256}"
    if not _NAME.fullmatch(name):
        raise Unreadable("import_expired", "the preview cannot be found; upload the file again")
    return where / name


@dataclass(frozen=True)
class Sealed:
    kind: str
    sha256: str
    user: int
    sheet: str | None


def sweep(where: Path, *, older_than: timedelta = LIFETIME) -> int:
    """Remove kept files older than `older_than`; how many went."""
    if not where.is_dir():
        return 0
    limit, removed = time.time() - older_than.total_seconds(), 0
    for path in where.iterdir():
        if _NAME.fullmatch(path.name) and path.stat().st_mtime < limit:
            path.unlink(missing_ok=True)
            removed += 1
    return removed


def keep(where: Path, data: bytes, *, kind: str) -> str:
    """Keep `data` privately (after removing stale files); its SHA-256, which names it."""
    sweep(where)
    private_dir(where)
    sha256 = hashlib.sha256(data).hexdigest()
    target = _path(where, kind, sha256)
    partial = where / f".{target.name}.{os.getpid()}"
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE)
    with os.fdopen(fd, "wb") as out:
        out.write(data)
    os.replace(partial, target)  # the same bytes uploaded again replace the file and start its hour anew
    return sha256


def read(where: Path, kind: str, sha256: str) -> bytes:
    """The kept bytes, exactly those named, or Unreadable when they are gone, stale or changed."""
    path = _path(where, kind, sha256)
    try:
        if path.stat().st_mtime < time.time() - LIFETIME.total_seconds():
            raise FileNotFoundError(path)
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise Unreadable("import_expired", "the preview cannot be found; upload the file again") from exc
    if hashlib.sha256(data).hexdigest() != sha256:
        raise Unreadable("import_changed", "the kept file is not the one previewed; upload it again")
    return data


def discard(where: Path, kind: str, sha256: str) -> None:
    _path(where, kind, sha256).unlink(missing_ok=True)


def seal(box: CredentialBox, *, kind: str, sha256: str, user: int, sheet: str | None, now: datetime) -> str:
    """The confirmation form's token: this person confirms these bytes of this kind, read from this sheet."""
    return sealed.seal(box, PURPOSE, user, {"kind": kind, "sha256": sha256, "sheet": sheet}, now)


def unseal(box: CredentialBox, token: str, *, kind: str, user: int, now: datetime) -> Sealed:
    """What the token confirms, or Unreadable("import_expired") when it is forged, stale or not theirs."""
    opened = sealed.unseal(box, token, PURPOSE, user, now, LIFETIME, slack=timedelta(minutes=1))
    try:
        found = Sealed(str(opened["kind"]), str(opened["sha256"]), int(opened["user"]),
                       opened["sheet"] if isinstance(opened.get("sheet"), str) else None) if opened else None
    except (ValueError, TypeError, KeyError):
        found = None
    if found is None or found.kind != kind or not SHA256.fullmatch(found.sha256):
        raise Unreadable("import_expired", "the preview cannot be found; upload the file again")
    return found

