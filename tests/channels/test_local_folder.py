"""The local folder adapter: one JSON file per post, media beside it, written atomically."""

from __future__ import annotations

import hashlib
import json
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PIL import Image

from channels import registry
from channels.base import Content, MediaItem, Published
from channels.errors import ChannelConfigError, Rejected, Retryable
from channels.local_folder import LocalFolder

KEY = "p7-c1-0123456789abcdef"


def photo(tmp_path: Path, name: str = "foto.jpg") -> MediaItem:
    path = tmp_path / name
    Image.new("RGB", (4, 3), (10, 120, 200)).save(path, "JPEG")
    data = path.read_bytes()
    return MediaItem(path, "image/jpeg", hashlib.sha256(data).hexdigest(), len(data), "Зграда министарства", name)


def content(*media: MediaItem) -> Content:
    return Content(
        post_id=7,
        title="Саопштење",
        text="Текст саопштења.",
        language="sr-Cyrl",
        media=media,
        variants={"sr-Latn": "Tekst saopštenja."},
        scheduled_at=datetime(2025, 3, 1, 9, 30, tzinfo=UTC),
    )


@pytest.fixture
def archive(tmp_path):
    return tmp_path / "archive" / "posts"  # two levels that do not exist yet


@pytest.fixture
def folder(archive):
    return LocalFolder({"path": str(archive)}, {}, name="Archive")


def all_files(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*"))


def test_publish_writes_the_post_and_its_media(folder, archive, tmp_path):
    image = photo(tmp_path)

    published = folder.publish(content(image), key=KEY)

    target = archive / f"{KEY}.json"
    assert published == Published(KEY, target.as_uri())
    assert published.url.startswith("file:///")
    document = json.loads(target.read_text(encoding="utf-8"))
    assert document["type"] == "post.published"
    assert document["data"] == {
        "id": 7,
        "title": "Саопштење",
        "body": "Текст саопштења.",
        "language": "sr-Cyrl",
        "variants": {"sr-Latn": "Tekst saopštenja."},
        "scheduled_at": "2025-03-01T09:30:00Z",
        "media": [
            {
                "content_type": "image/jpeg",
                "alt_text": "Зграда министарства",
                "sha256": image.sha256,
                "size": image.size,
                "filename": "foto.jpg",
                "file": f"{KEY}.media/01-{image.sha256[:12]}.jpg",
            }
        ],
    }
    assert (archive / document["data"]["media"][0]["file"]).read_bytes() == image.read()
    assert "Саопштење".encode() in target.read_bytes()  # readable UTF-8, not \u escapes
    assert all_files(archive) == [f"{KEY}.json", f"{KEY}.media", f"{KEY}.media/01-{image.sha256[:12]}.jpg"]


def test_republishing_the_same_key_keeps_the_first_file(folder, archive):
    first = folder.publish(content(), key=KEY)
    written = (archive / f"{KEY}.json").read_bytes()

    second = folder.publish(Content(post_id=7, title="", text="changed", language="sr-Cyrl"), key=KEY)

    assert second == first
    assert (archive / f"{KEY}.json").read_bytes() == written


def test_find(folder):
    assert folder.find(KEY) is None
    published = folder.publish(content(), key=KEY)
    assert folder.find(KEY) == published
    assert folder.find("../../etc/passwd") is None


def test_relative_path_is_under_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    adapter = LocalFolder({"path": "out"}, {})

    published = adapter.publish(content(), key=KEY)

    assert published.url == (tmp_path / "out" / f"{KEY}.json").as_uri()


def test_a_failed_write_leaves_no_file_behind(folder, archive, tmp_path, monkeypatch):
    def crash(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", crash)

    with pytest.raises(Retryable, match="No space left on device"):
        folder.publish(content(photo(tmp_path)), key=KEY)

    assert folder.find(KEY) is None
    assert not [name for name in all_files(archive) if name.endswith((".tmp", ".json")) or "/" in name]


def test_no_temporary_file_is_left_after_success(folder, archive, tmp_path):
    folder.publish(content(photo(tmp_path)), key=KEY)
    assert not [p for p in archive.rglob("*") if p.name.startswith(".") or p.suffix == ".tmp"]


def test_media_changed_since_approval_is_rejected(folder, tmp_path):
    image = photo(tmp_path)
    image.path.write_bytes(b"something else")

    with pytest.raises(Rejected, match="foto.jpg: the media file changed since it was approved"):
        folder.publish(content(image), key=KEY)
    assert folder.find(KEY) is None


def test_missing_media_is_rejected(folder, tmp_path):
    image = photo(tmp_path)
    image.path.unlink()

    with pytest.raises(Rejected, match="foto.jpg: the media file cannot be read"):
        folder.publish(content(image), key=KEY)


@pytest.mark.parametrize("key", ["../escape", "a/b", ".hidden", "", "with space", "trailing-newline\n"])
def test_keys_that_are_not_plain_file_names_are_rejected(folder, archive, key):
    with pytest.raises(Rejected):
        folder.publish(content(), key=key)
    assert not archive.exists()


def test_check_creates_the_folder_and_writes(folder, archive):
    health = folder.check()

    assert health.ok and health.message == f"writing to {archive}"
    assert archive.is_dir() and list(archive.iterdir()) == []


def test_check_and_publish_on_an_unwritable_path(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")  # even root cannot make a folder inside a file
    adapter = LocalFolder({"path": str(blocker / "posts")}, {})

    health = adapter.check()

    assert not health.ok
    assert health.message == f"cannot write to {blocker / 'posts'}: Not a directory"
    with pytest.raises(Retryable, match="cannot write to"):
        adapter.publish(content(), key=KEY)


@pytest.mark.parametrize("path", ["", "  ", 42, "bad\x00name"])
def test_bad_path_is_a_config_error(path):
    with pytest.raises(ChannelConfigError):
        LocalFolder({"path": path}, {})


def test_capabilities_are_generous_but_want_alt_text():
    caps = LocalFolder.capabilities()
    assert (caps.title_required, caps.max_text, caps.max_images, caps.max_videos) == (False, None, 20, 2)
    assert caps.alt_text_required and caps.idempotent
    assert "application/pdf" in caps.media_types


def test_registered_under_its_kind():
    assert registry.adapter_class("local_folder") is LocalFolder
