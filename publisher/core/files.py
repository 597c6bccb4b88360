"""Private files and folders: what publisher creates on disk is readable by its own user only.

The database, its WAL files, the media, the keys and the backups hold what the office has not published
yet and the channels' credentials; nothing of it is for the other accounts on the machine.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600


def private_dir(path: Path) -> Path:
    """Create `path` and every missing folder above it with mode 0700; an existing folder is left as it is."""
    missing = []
    current = Path(path)
    while not current.exists():
        missing.append(current)
        if current.parent == current:
            break
        current = current.parent
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=PRIVATE_DIR)
        except FileExistsError:
            continue
        os.chmod(folder, PRIVATE_DIR)  # mkdir's mode passes through the umask; say it once more
    return Path(path)


def private_file(path: Path) -> bool:
    """Create an empty file with mode 0600 unless it exists; True when it was created now.

    SQLite creates a database's -wal and -shm files with the database file's own mode, so a database
    created this way keeps all three private."""
    private_dir(Path(path).parent)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    except FileExistsError:
        return False
    os.close(fd)
    return True


def sha256_file(path: Path, chunk: int = 1024 * 1024) -> str:
    """The SHA-256 of a file, read a chunk at a time (media and backups can be larger than memory allows)."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            digest.update(block)
    return digest.hexdigest()
