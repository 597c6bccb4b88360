"""An uploaded file kept between its preview and the confirmation, so that what is written is exactly what
was previewed.

The file goes into a private folder (instance/imports, mode 0700, the file 0600) under a random name. The
preview's form carries a token sealed with the credential key (authenticated encryption: it cannot be forged
or read) naming the file, its SHA-256, the import kind, the person and the time. Confirming opens the file
only through the token and refuses it when its bytes no longer have that SHA-256, when the token is another
person's or kind's, or older than LIFETIME. The file is removed when the import is written or cancelled; a
file left behind (the person closed the tab) is removed by the next upload of anyone once it is older than
LIFETIME, so nothing stays.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from publisher.core.credentials import CredentialBox
from publisher.core.errors import CredentialKeyError
from publisher.core.files import PRIVATE_FILE, private_dir
from publisher.imports.table import Unreadable

LIFETIME = timedelta(hours=1)
PURPOSE = "import"
_NAME = re.compile(r"[0-9a-f]{32}")


def folder(instance_dir: Path) -> Path:
    return instance_dir / "imports"


@dataclass(frozen=True)
class Staged:
    token: str
    file: str
    sha256: str
    kind: str
    user: int
    name: str  # the file's name as uploaded, for the preview's heading only


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


def keep(where: Path, box: CredentialBox, data: bytes, *, kind: str, user: int, name: str, now: datetime) -> Staged:
    """Keep `data` privately and return the token that will open it again."""
    sweep(where)
    private_dir(where)
    file = secrets.token_hex(16)
    fd = os.open(where / file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    with os.fdopen(fd, "wb") as out:
        out.write(data)
    digest = hashlib.sha256(data).hexdigest()
    shown = os.path.basename(name or "")[:200]
    token = box.encrypt({"purpose": PURPOSE, "file": file, "sha256": digest, "kind": kind, "user": user,
                         "name": shown, "at": now.isoformat()})
    return Staged(token, file, digest, kind, user, shown)


def unseal(box: CredentialBox, token: str, *, kind: str, user: int, now: datetime) -> Staged:
    """The staged file the token names, or Unreadable("import_expired") when it is forged, stale or not theirs."""
    try:
        sealed = box.decrypt(token)
        at = datetime.fromisoformat(sealed["at"])
        staged = Staged(token, str(sealed["file"]), str(sealed["sha256"]), str(sealed["kind"]),
                        int(sealed["user"]), str(sealed.get("name", "")))
    except (CredentialKeyError, ValueError, TypeError, KeyError) as exc:
        raise Unreadable("import_expired", "the preview cannot be found; upload the file again") from exc
    if sealed.get("purpose") != PURPOSE or (staged.kind, staged.user) != (kind, user) \
            or not _NAME.fullmatch(staged.file) or not now - LIFETIME <= at <= now + timedelta(minutes=1):
        raise Unreadable("import_expired", "the preview cannot be found; upload the file again")
    return staged


def read(where: Path, staged: Staged) -> bytes:
    """The kept bytes, exactly those previewed."""
    try:
        data = (where / staged.file).read_bytes()
    except FileNotFoundError as exc:
        raise Unreadable("import_expired", "the preview cannot be found; upload the file again") from exc
    if hashlib.sha256(data).hexdigest() != staged.sha256:
        raise Unreadable("import_changed", "the kept file is not the one previewed; upload it again")
    return data


def discard(where: Path, staged: Staged) -> None:
    (where / staged.file).unlink(missing_ok=True)
