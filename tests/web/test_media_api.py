"""Uploads: decided by their bytes, stored once, and a refused one leaves no file and no row."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import pytest
from sqlalchemy import func, select

from publisher.core.models import Media
from tests.factories.media import jpeg_bytes, png_bytes


def send(caller, data: bytes, name: str = "upload.png", **form):
    return caller.post("/api/v1/media", data={"file": (io.BytesIO(data), name), **form},
                       content_type="multipart/form-data")


def stored_files(media_dir: Path) -> list[Path]:
    return [p for p in media_dir.rglob("*") if p.is_file()] if media_dir.exists() else []


def bomb_png(width: int = 30_000, height: int = 30_000) -> bytes:
    """A real small PNG whose header claims a huge image."""
    data = bytearray(png_bytes(1, 1))
    ihdr = 8 + 8  # signature, then length+type of the IHDR chunk
    data[ihdr:ihdr + 8] = struct.pack(">II", width, height)
    crc = zlib.crc32(bytes(data[ihdr - 4:ihdr + 13])) & 0xFFFFFFFF
    data[ihdr + 13:ihdr + 17] = struct.pack(">I", crc)
    return bytes(data)


def test_an_image_is_stored_by_its_hash(api, rt):
    response = send(api("ana"), jpeg_bytes(), name="fotografija.png", alt_text="Ministarka", credit="Foto: Vlada")
    assert response.status_code == 201
    assert response.json["content_type"] == "image/jpeg"  # the bytes decide, not the name
    assert (response.json["width"], response.json["height"]) == (8, 6)
    files = stored_files(rt.settings.media_dir)
    assert [f.name for f in files] == [response.json["sha256"] + ".jpg"]


def test_the_same_file_twice_is_one_file(api, rt, session):
    first = send(api("ana"), png_bytes(), alt_text="")
    second = send(api("bojan"), png_bytes(), alt_text="Grb Republike Srbije")
    assert (first.status_code, second.status_code) == (201, 200)
    assert second.json["id"] == first.json["id"]
    assert second.json["alt_text"] == "Grb Republike Srbije"  # filled in because it was empty
    assert len(stored_files(rt.settings.media_dir)) == 1
    assert session.scalar(select(func.count()).select_from(Media)) == 1


def test_the_file_can_be_read_back(api):
    uploaded = send(api("ana"), png_bytes())
    response = api("jelena").get(uploaded.json["url"])
    assert response.status_code == 200
    assert response.data == png_bytes()
    assert response.headers["Content-Type"] == "image/png"


@pytest.mark.parametrize(
    ("data", "name", "status", "code"),
    [
        (b"<html><script>alert(1)</script></html>", "photo.jpg", 415, "unsupported_type"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "logo.svg", 415,
         "unsupported_type"),
        (b"\x7fELF\x02\x01\x01" + b"\0" * 60, "tool.png", 415, "unsupported_type"),
        (b"", "empty.png", 422, "empty_file"),
        (png_bytes()[:40], "cut.png", 422, "damaged_file"),
        (bomb_png(), "bomb.png", 422, "decompression_bomb"),
    ],
    ids=["html-named-jpg", "svg", "executable", "empty", "truncated", "decompression-bomb"],
)
def test_a_refused_upload_leaves_nothing(api, rt, session, data, name, status, code):
    response = send(api("ana"), data, name=name)
    assert response.status_code == status, response.json
    assert response.json["error"]["code"] == code
    assert response.json["error"]["message"]
    assert stored_files(rt.settings.media_dir) == []
    assert session.scalar(select(func.count()).select_from(Media)) == 0


def test_a_request_over_the_size_limit_is_413(app, api, rt):
    app.config["MAX_CONTENT_LENGTH"] = 64 * 1024
    response = send(api("ana"), png_bytes() + b"\0" * (128 * 1024))
    assert response.status_code == 413
    assert response.json["error"]["code"] == "too_large"
    assert stored_files(rt.settings.media_dir) == []


def test_a_request_without_a_file_is_400(api):
    response = api("ana").post("/api/v1/media", data={"alt_text": "x"}, content_type="multipart/form-data")
    assert response.status_code == 400
    assert "file" in response.json["error"]["message"]


def test_a_download_takes_its_name_and_type_from_the_bytes(api):
    uploaded = send(api("ana"), jpeg_bytes(), name="Министарка у посети.png")
    response = api("jelena").get(uploaded.json["url"])
    assert response.status_code == 200 and response.headers["Content-Type"] == "image/jpeg"
    assert response.headers["Content-Disposition"] == (
        "attachment; filename=\"Ministarka u poseti.jpg\"; filename*=UTF-8''"
        "%D0%9C%D0%B8%D0%BD%D0%B8%D1%81%D1%82%D0%B0%D1%80%D0%BA%D0%B0%20%D1%83%20"
        "%D0%BF%D0%BE%D1%81%D0%B5%D1%82%D0%B8.jpg")
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_an_uploaded_photo_is_stored_and_served_without_its_position(api, rt):
    from tests.factories.media import CAMERA_SERIAL, located_photo
    uploaded = send(api("ana"), located_photo("JPEG"), name="ministar.jpg")
    served = api("jelena").get(uploaded.json["url"]).data
    assert b"GPS" not in served and CAMERA_SERIAL.encode() not in served and b"Canon" not in served
