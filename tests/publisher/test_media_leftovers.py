"""`publisher media check`: library files stored before uploads were cleaned are found, not changed."""

from __future__ import annotations

import hashlib
import io

from publisher.core.models import Media, storage_name
from publisher.media.store import store_upload
from tests.factories.media import located_photo, mp4_bytes
from tests.factories.people import actor_for, make_user
from tests.publisher.test_cli import cli  # noqa: F401  (the fixture)


def _old_upload(session, media_dir, data: bytes, content_type: str, extension: str, name: str) -> Media:
    """A row and file as the library stored them before cleaning existed: the bytes as uploaded."""
    digest = hashlib.sha256(data).hexdigest()
    path = media_dir / storage_name(digest, extension)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    media = Media(sha256=digest, content_type=content_type, extension=extension, size=len(data),
                  original_name=name)
    session.add(media)
    session.flush()
    return media


def test_old_files_with_metadata_and_missing_files_are_listed_and_left_alone(cli, session, settings,  # noqa: F811
                                                                             monkeypatch):
    monkeypatch.setenv("PUBLISHER_MEDIA_DIR", str(settings.media_dir))
    media_dir = settings.media_dir
    officer = actor_for(make_user(session, "ana", ["officer"]))
    clean, _ = store_upload(session, media_dir, io.BytesIO(located_photo("PNG")), actor=officer)
    photo = _old_upload(session, media_dir, located_photo("JPEG"), "image/jpeg", ".jpg", "ministar.jpg")
    video = _old_upload(session, media_dir, mp4_bytes(), "video/mp4", ".mp4", "poseta.mp4")
    gone = _old_upload(session, media_dir, located_photo("WEBP"), "image/webp", ".webp", "nestalo.webp")
    session.commit()
    (media_dir / gone.storage_name).unlink()
    before = (media_dir / photo.storage_name).read_bytes()

    code, out, _ = cli("media", "check")
    assert code == 1
    assert f"media {photo.id}\tmetadata\tministar.jpg" in out and f"media {video.id}\tmetadata" in out
    assert f"media {gone.id}\tmissing" in out and f"media {clean.id}\t" not in out
    assert (media_dir / photo.storage_name).read_bytes() == before  # only looked at

    session.delete(photo)
    session.delete(video)
    session.delete(gone)
    session.commit()
    assert cli("media", "check")[:2] == (0, "every library file is clean\n")
