"""A folder on this machine: each post becomes `<key>.json` plus its media in `<key>.media/`.

The demo channel for `make run`, and an archive of what went out. The JSON holds the same event the
state portal receives, with each medium's `file` (relative to the JSON) instead of its bytes.

Crash safety: every file is written to a temporary name, flushed to disk, then renamed into place, and
the JSON is written last. So `<key>.json` exists only when the post and all its media are complete;
it is the only thing `publish` and `find` look at.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import mimetypes
import os
import re
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from channels.adapter_kit import ATTACHMENT_TYPES, media_entry, post_payload
from channels.base import Capabilities, Channel, ConfigField, Content, Health, MediaItem, Published
from channels.errors import ChannelConfigError, Rejected, Retryable
from channels.registry import register

# The key becomes a file name: no separators, no leading dot (hidden files, "." and "..").
_KEY = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]{0,199}")
_CHUNK = 1024 * 1024


@register
class LocalFolder(Channel):
    kind = "local_folder"
    label = "Local folder"
    config_fields = (
        ConfigField("path", "Folder to write posts into; created if missing (relative to the working directory)"),
    )
    example_settings = {"path": "/srv/publisher/outbox"}

    def check_config(self) -> None:
        super().check_config()
        path = self.config.get("path")
        if not isinstance(path, str) or not path.strip() or "\x00" in path:
            raise ChannelConfigError(f"{self.kind}: path must be a folder name")

    @property
    def folder(self) -> Path:
        return Path(self.config["path"]).absolute()

    @classmethod
    def capabilities(cls) -> Capabilities:
        return Capabilities(
            max_text=None,
            max_images=20,
            max_videos=2,
            media_types=ATTACHMENT_TYPES,
            alt_text_required=True,
            idempotent=True,  # a second publish with the same key finds the first file
        )

    def publish(self, content: Content, *, key: str) -> Published:
        if not _KEY.fullmatch(key):
            raise Rejected("the delivery key cannot be used as a file name")
        target = self._json_path(key)
        try:
            if target.exists():
                return self._published(key)
            self.folder.mkdir(parents=True, exist_ok=True)
            media = [self._copy_media(key, n, item) for n, item in enumerate(content.media, start=1)]
            payload = post_payload(content, sent_at=datetime.now(UTC), media=media)
            text = json.dumps(payload, ensure_ascii=False, indent=2) + "\n"
            _write_atomically(target, lambda out: out.write(text.encode("utf-8")))
        except OSError as exc:
            # Nothing counts as written until the JSON is in place, so trying again later is safe.
            raise Retryable(f"cannot write to {self.folder}: {exc.strerror or type(exc).__name__}") from None
        return self._published(key)

    def find(self, key: str) -> Published | None:
        if not _KEY.fullmatch(key):
            return None  # publish refuses such keys, so nothing was ever written under one
        try:
            found = self._json_path(key).exists()
        except OSError as exc:
            raise Retryable(f"cannot look into {self.folder}: {exc.strerror or type(exc).__name__}") from None
        return self._published(key) if found else None

    def check(self) -> Health:
        folder = self.folder
        try:
            folder.mkdir(parents=True, exist_ok=True)
            # Actually write: os.access says yes to root and knows nothing of read-only mounts.
            fd, probe = tempfile.mkstemp(dir=folder, prefix=".probe-", suffix=".tmp")
            os.close(fd)
            os.unlink(probe)
        except OSError as exc:
            return Health(ok=False, message=f"cannot write to {folder}: {exc.strerror or type(exc).__name__}")
        return Health(ok=True, message=f"writing to {folder}")

    def _json_path(self, key: str) -> Path:
        return self.folder / f"{key}.json"

    def _published(self, key: str) -> Published:
        return Published(remote_id=key, url=self._json_path(key).as_uri())

    def _copy_media(self, key: str, number: int, item: MediaItem) -> dict[str, Any]:
        extension = mimetypes.guess_extension(item.content_type) or ""
        relative = f"{key}.media/{number:02d}-{item.sha256[:12]}{extension}"
        destination = self.folder / relative
        destination.parent.mkdir(exist_ok=True)
        try:
            source = item.path.open("rb")
        except OSError as exc:
            # The library lost the file: a content problem that waiting will not fix.
            raise Rejected(f"{item.label}: the media file cannot be read ({exc.strerror})") from None
        with source:
            _write_atomically(destination, lambda out: _copy_verified(item, source, out))
        return {**media_entry(item), "file": relative}


def _copy_verified(item: MediaItem, source: IO[bytes], out: IO[bytes]) -> None:
    """Copy in chunks (videos are large), refusing bytes that differ from the approved checksum."""
    digest = hashlib.sha256()
    size = 0
    while chunk := source.read(_CHUNK):
        digest.update(chunk)
        size += len(chunk)
        out.write(chunk)
    if digest.hexdigest() != item.sha256 or size != item.size:
        raise Rejected(f"{item.label}: the media file changed since it was approved")


def _write_atomically(target: Path, write: Callable[[IO[bytes]], object]) -> None:
    """Write into a temporary file beside `target`, flush it to disk, then rename it into place;
    on any failure the temporary file is removed, so a crash or error leaves no half file."""
    fd, temp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            write(out)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp_name, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp_name)
        raise
    _sync_folder(target.parent)


def _sync_folder(folder: Path) -> None:
    # Makes the rename itself durable on POSIX; not every platform can open a folder, hence best effort.
    with contextlib.suppress(OSError, AttributeError):
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
