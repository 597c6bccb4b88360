"""The media store keeps files and rows together, even when the transaction fails."""

from __future__ import annotations

import io

import pytest

from publisher.core.errors import TooLarge
from publisher.media.inspection import MediaLimits
from publisher.media.store import store_upload
from tests.factories.media import png_bytes
from tests.factories.people import actor_for as actor
from tests.factories.people import make_user


@pytest.fixture
def officer(session):
    user = make_user(session, "ana", ["officer"])
    session.commit()
    return actor(user)


def files_in(media_dir):
    return sorted(p.name for p in media_dir.rglob("*") if p.is_file())


def test_a_rolled_back_upload_leaves_no_file(rt, session, officer):
    media, created = store_upload(session, rt.settings.media_dir, io.BytesIO(png_bytes()), actor=officer)
    assert created and files_in(rt.settings.media_dir) == [media.sha256 + ".png"]
    session.rollback()
    assert files_in(rt.settings.media_dir) == []


def test_a_committed_upload_stays(rt, session, officer):
    media, _ = store_upload(session, rt.settings.media_dir, io.BytesIO(png_bytes()), actor=officer)
    session.commit()
    session.rollback()
    assert files_in(rt.settings.media_dir) == [media.sha256 + ".png"]


def test_too_large_stops_reading_and_leaves_nothing(rt, session, officer):
    limits = MediaLimits(max_image_bytes=1000, max_video_bytes=2000, max_document_bytes=1000)
    with pytest.raises(TooLarge):
        store_upload(session, rt.settings.media_dir, io.BytesIO(b"\0" * 5000), actor=officer, limits=limits)
    assert files_in(rt.settings.media_dir) == []
