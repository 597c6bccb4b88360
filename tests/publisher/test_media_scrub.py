"""Photos and videos enter the library without their position or the camera's identity (issue 10).

The library's file is what channels receive and what others download, so the stored file itself is checked.
"""

from __future__ import annotations

import io
import struct

import pytest
from PIL import Image

from publisher.core.errors import Invalid, MediaRejected
from publisher.core.models import Media
from publisher.media import scrub
from publisher.media.inspection import inspect_file
from publisher.media.store import media_path, store_upload
from tests.factories.media import (
    CAMERA_SERIAL,
    LOCATION_ISO6709,
    located_photo,
    mp4_bytes,
)
from tests.factories.people import actor_for, make_user

LEAKS = (CAMERA_SERIAL.encode(), b"Canon", b"Ana Owner", b"MAKERNOTE", b"xmpmeta", b"GPSLatitude",
         LOCATION_ISO6709.encode(), b"com.apple.quicktime.location")


def _leaks(data: bytes) -> list[bytes]:
    return [leak for leak in LEAKS if leak in data]


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_a_photo_loses_position_and_device_but_keeps_picture_orientation_and_colour(fmt):
    original = located_photo(fmt)
    assert _leaks(original), "the test photo must carry what is to be removed"
    content_type = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}[fmt]
    cleaned = scrub.clean_image(content_type, original)

    assert _leaks(cleaned) == []
    with Image.open(io.BytesIO(original)) as before, Image.open(io.BytesIO(cleaned)) as after:
        exif = after.getexif()
        assert exif.get_ifd(0x8825) == {} and exif.get_ifd(0x8769) == {}  # no GPS, no camera sub-IFD
        assert 0x010F not in exif and 0x0110 not in exif  # make and model
        assert exif[0x0112] == 6  # orientation kept: the picture is still shown the right way up
        assert (exif[0x013B], exif[0x8298]) == ("Press office", "Ministry")  # credit and copyright may stay
        assert after.info.get("icc_profile") == before.info.get("icc_profile") is not None
        assert "xmp" not in after.info and "comment" not in after.info
        assert after.tobytes() == before.tobytes()  # the same pixels: nothing was re-encoded


def test_jpeg_pixel_data_is_copied_byte_for_byte():
    original = located_photo("JPEG", (300, 200))
    cleaned = scrub.clean_jpeg(original)
    scan = original.index(b"\xff\xda")
    assert cleaned.endswith(original[scan:])  # from the start of scan to the end: untouched
    assert scrub.clean_jpeg(cleaned) == cleaned  # cleaning is stable: the same photo gives the same bytes


def test_multi_picture_jpeg_keeps_only_the_first_picture():
    first, second = located_photo("JPEG"), located_photo("JPEG", (32, 32))
    cleaned = scrub.clean_jpeg(first + second)
    assert _leaks(cleaned) == [] and cleaned.endswith(b"\xff\xd9") and cleaned.count(b"\xff\xd8") == 1


def test_a_video_loses_its_location_boxes_in_place(tmp_path):
    original = mp4_bytes()
    assert _leaks(original)
    path = tmp_path / "clip.mp4"
    path.write_bytes(original)
    assert scrub.strip_file(path, "video/mp4")
    cleaned = path.read_bytes()
    assert _leaks(cleaned) == []
    assert len(cleaned) == len(original)  # nothing moved: every chunk offset still points at its data
    assert cleaned[cleaned.index(b"mdat"):] == original[original.index(b"mdat"):]
    assert inspect_file(path).content_type == "video/mp4"
    assert not scrub.strip_file(path, "video/mp4")  # nothing left to remove


def _truncated() -> bytes:
    return mp4_bytes()[:-20]


def _without_moov() -> bytes:
    data = mp4_bytes(located=False)
    start = data.index(b"moov") - 4
    (size,) = struct.unpack(">I", data[start:start + 4])
    return data[:start] + data[start + size:]


def _offset_past_end() -> bytes:
    data = bytearray(mp4_bytes(located=False))
    at = data.index(b"stco") + 12
    data[at:at + 4] = struct.pack(">I", len(data) + 1000)
    return bytes(data)


@pytest.mark.parametrize(("make", "words"), [
    (_truncated, "cut short"),
    (_without_moov, "no single moov"),
    (lambda: mp4_bytes(handler=b"soun"), "no video track"),
    (_offset_past_end, "past its end"),
    (lambda: mp4_bytes()[:24] + b"<html><script>alert(1)</script></html>", "not really a video"),
    (lambda: mp4_bytes()[:24] + b"\x00\x00\x00\x10\x01\x02\x03\x04" + b"\x00" * 8, "not really a video"),
])
def test_a_fake_or_cut_mp4_is_refused_with_a_clear_message(tmp_path, make, words):
    path = tmp_path / "clip.mp4"
    path.write_bytes(make())
    with pytest.raises(MediaRejected) as refused:
        inspect_file(path)
    assert refused.value.code == "damaged_file"
    assert words in refused.value.message and "MP4 video" in refused.value.message


@pytest.fixture
def officer(session):
    user = make_user(session, "ana", ["officer"])
    session.commit()
    return actor_for(user)


def test_the_library_keeps_the_clean_file_and_the_same_photo_deduplicates(rt, session, officer):
    original = located_photo("JPEG")
    media, created = store_upload(session, rt.settings.media_dir, io.BytesIO(original), actor=officer,
                                  filename="ministar.jpg")
    session.commit()
    stored = media_path(rt.settings.media_dir, media).read_bytes()
    assert created and _leaks(stored) == []
    assert media.size == len(stored) < len(original)
    again, created = store_upload(session, rt.settings.media_dir, io.BytesIO(original), actor=officer)
    session.commit()
    assert (again.id, created) == (media.id, False)
    assert session.query(Media).count() == 1


def test_a_stored_video_has_no_location(rt, session, officer):
    media, _ = store_upload(session, rt.settings.media_dir, io.BytesIO(mp4_bytes()), actor=officer)
    session.commit()
    assert _leaks(media_path(rt.settings.media_dir, media).read_bytes()) == []


def test_a_cut_video_upload_is_refused(rt, session, officer):
    with pytest.raises(Invalid) as refused:
        store_upload(session, rt.settings.media_dir, io.BytesIO(_truncated()), actor=officer)
    assert "cut short" in refused.value.message


def test_a_gif_loses_comments_and_application_blocks_but_keeps_frames_and_looping():
    frames = [Image.new("RGB", (20, 10), colour) for colour in ((255, 0, 0), (0, 255, 0), (0, 0, 255))]
    buf = io.BytesIO()
    frames[0].save(buf, "GIF", save_all=True, append_images=frames[1:], loop=0, duration=100,
                   comment=b"taken at " + LOCATION_ISO6709.encode())
    original = buf.getvalue()
    original = original[:-1] + b"\x21\xff\x0bXMP DataXMP" + b"\x05" + b"GPS44" + b"\x00\x3b"  # an XMP block
    cleaned = scrub.clean_gif(original)
    assert LOCATION_ISO6709.encode() not in cleaned and b"XMP DataXMP" not in cleaned
    with Image.open(io.BytesIO(original)) as before, Image.open(io.BytesIO(cleaned)) as after:
        assert after.n_frames == before.n_frames == 3 and after.info["loop"] == 0
        for index in range(3):
            before.seek(index)
            after.seek(index)
            assert after.convert("RGB").tobytes() == before.convert("RGB").tobytes()
