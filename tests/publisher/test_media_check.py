"""Tests for publisher.media.inspection: uploads are judged by their bytes, never by their name."""

from __future__ import annotations

import io
import struct
import warnings
import zipfile
import zlib
from pathlib import Path

import pytest
from PIL import Image

from publisher.media import inspection
from publisher.media.inspection import (
    MediaInfo,
    MediaLimits,
    MediaRejected,
    describe_unknown,
    inspect_file,
    sniff_type,
)
from tests.factories.media import mp4_bytes

ACCEPTED = "Accepted: JPEG, PNG, GIF, WebP, MP4, QuickTime MOV, PDF."


# ------------------------------------------------------------------------ helpers

def image_bytes(fmt: str, size: tuple[int, int] = (64, 48), mode: str = "RGB", **save_args: object) -> bytes:
    """A real image with noisy content (so that compressed data is not trivially short)."""
    noise = Image.effect_noise(size, 80)
    im = noise.convert(mode) if mode != "RGB" else Image.merge("RGB", (noise, noise.transpose(1), noise))
    buf = io.BytesIO()
    im.save(buf, format=fmt, **save_args)
    return buf.getvalue()


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def reject(path: Path, limits: MediaLimits | None = None) -> MediaRejected:
    with pytest.raises(MediaRejected) as excinfo:
        inspect_file(path, limits) if limits is not None else inspect_file(path)
    return excinfo.value


def png_with_ihdr_size(png: bytes, width: int, height: int) -> bytes:
    """Rewrite a real PNG's IHDR width/height and fix the chunk CRC (a cheap decompression bomb)."""
    assert png[12:16] == b"IHDR"
    chunk = bytearray(png[12:29])  # type + 13 data bytes
    chunk[4:12] = struct.pack(">II", width, height)
    crc = struct.pack(">I", zlib.crc32(bytes(chunk)) & 0xFFFFFFFF)
    return png[:12] + bytes(chunk) + crc + png[33:]


def ftyp(major: bytes, compatible: list[bytes], size: int | None = None) -> bytes:
    payload = major + b"\x00\x00\x02\x00" + b"".join(compatible)
    box_size = 8 + len(payload) if size is None else size
    return struct.pack(">I", box_size) + b"ftyp" + payload


def mdat(payload: bytes = b"\x00" * 32) -> bytes:
    return struct.pack(">I", 8 + len(payload)) + b"mdat" + payload


MINIMAL_PDF = (
    b"%PDF-1.4\n"
    b"1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
    b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
    b"trailer << /Root 1 0 R >>\n"
    b"%%EOF\n"
)

SVG_WITH_SCRIPT = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b"<script>alert(document.cookie)</script><rect width='10' height='10'/></svg>\n"
)

HTML_PAGE = b"<!DOCTYPE html>\n<html><head><title>Hi</title></head><body><p>Hello</p></body></html>\n"


def zip_bytes() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        # A fixed date: the bytes name a test case, and every xdist worker must collect the same name.
        zf.writestr(zipfile.ZipInfo("notes.txt", date_time=(2026, 1, 1, 0, 0, 0)), "hello " * 100)
    return buf.getvalue()


ELF_HEAD = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + b"\x02\x00\x3e\x00\x01\x00\x00\x00" + b"\x00" * 40


# --------------------------------------------------------------------- accepted files

@pytest.mark.parametrize(
    ("fmt", "save_args", "content_type", "extension"),
    [
        ("JPEG", {"quality": 85}, "image/jpeg", ".jpg"),
        ("JPEG", {"progressive": True}, "image/jpeg", ".jpg"),
        ("PNG", {}, "image/png", ".png"),
        ("GIF", {}, "image/gif", ".gif"),
        ("WEBP", {"quality": 80}, "image/webp", ".webp"),
        ("WEBP", {"lossless": True}, "image/webp", ".webp"),
    ],
)
def test_accepts_real_images(tmp_path, fmt, save_args, content_type, extension):
    data = image_bytes(fmt, (64, 48), **save_args)
    path = write(tmp_path, "upload.bin", data)  # the name says nothing about the type

    info = inspect_file(path)

    assert info == MediaInfo(content_type, extension, len(data), 64, 48)


def test_accepts_webp_with_alpha_extended_header(tmp_path):
    im = Image.new("RGB", (70, 30), "navy")
    im.putalpha(Image.linear_gradient("L").resize((70, 30)))
    buf = io.BytesIO()
    im.save(buf, format="WEBP", quality=80)
    data = buf.getvalue()
    assert data[12:16] == b"VP8X"  # the extended-format header path of the parser
    info = inspect_file(write(tmp_path, "a.webp", data))
    assert (info.content_type, info.width, info.height) == ("image/webp", 70, 30)


def test_accepts_animated_gif(tmp_path):
    frames = [Image.new("P", (40, 20), color) for color in (1, 2, 3)]
    buf = io.BytesIO()
    frames[0].save(buf, format="GIF", save_all=True, append_images=frames[1:], duration=100)
    info = inspect_file(write(tmp_path, "anim.gif", buf.getvalue()))
    assert (info.content_type, info.width, info.height) == ("image/gif", 40, 20)


def test_type_comes_from_bytes_not_from_the_name(tmp_path):
    data = image_bytes("PNG")
    info = inspect_file(write(tmp_path, "holiday.jpg", data))
    assert (info.content_type, info.extension) == ("image/png", ".png")


def test_accepts_minimal_pdf(tmp_path):
    info = inspect_file(write(tmp_path, "doc", MINIMAL_PDF))
    assert info == MediaInfo("application/pdf", ".pdf", len(MINIMAL_PDF))


def test_accepts_pdf_with_incremental_update_and_trailing_whitespace(tmp_path):
    data = MINIMAL_PDF + b"% update\n" * 20 + b"%%EOF\r\n\r\n"
    assert inspect_file(write(tmp_path, "doc.pdf", data)).content_type == "application/pdf"


@pytest.mark.parametrize(
    ("major", "compatible", "content_type", "extension"),
    [
        (b"isom", [b"isom", b"iso2", b"avc1", b"mp41"], "video/mp4", ".mp4"),
        (b"mp42", [b"mp42", b"isom"], "video/mp4", ".mp4"),
        (b"M4V ", [b"M4V ", b"M4A ", b"mp42", b"isom"], "video/mp4", ".mp4"),
        (b"qt  ", [b"qt  "], "video/quicktime", ".mov"),
    ],
)
def test_accepts_minimal_videos(tmp_path, major, compatible, content_type, extension):
    data = mp4_bytes(major=major, compatible=tuple(compatible), located=False)
    info = inspect_file(write(tmp_path, "clip", data))
    assert info == MediaInfo(content_type, extension, len(data))


# --------------------------------------------------------------------------- sniffing

@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", "image/jpeg"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "image/png"),
        (b"GIF87a\x01\x00\x01\x00", "image/gif"),
        (b"GIF89a\x01\x00\x01\x00", "image/gif"),
        (b"RIFF\x24\x00\x00\x00WEBPVP8 ", "image/webp"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "application/pdf"),
        (ftyp(b"isom", [b"isom"]), "video/mp4"),
        (ftyp(b"iso2", [b"iso2"]), "video/mp4"),
        (ftyp(b"avc1", [b"avc1"]), "video/mp4"),
        (ftyp(b"dash", [b"iso6"]), "video/mp4"),
        (ftyp(b"qt  ", [b"qt  "]), "video/quicktime"),
        (ftyp(b"XYZW", [b"XYZW", b"isom"]), "video/mp4"),  # vendor brand compatible with MP4
        # Not accepted:
        (ftyp(b"heic", [b"mif1", b"heic"]), None),
        (ftyp(b"mif1", [b"mif1", b"heic", b"isom"]), None),
        (ftyp(b"avif", [b"avif", b"mif1", b"miaf"]), None),
        (ftyp(b"M4A ", [b"M4A ", b"isom"]), None),
        (ftyp(b"3gp4", [b"3gp4"]), None),
        (b"RIFF\x24\x00\x00\x00AVI LIST", None),
        (b"GIF90a" + b"\x00" * 26, None),
        (b"%PDF", None),
        (SVG_WITH_SCRIPT, None),
        (HTML_PAGE, None),
        (ELF_HEAD, None),
        (b"PK\x03\x04" + b"\x00" * 28, None),
        (b"", None),
        (b"\xff\xd8", None),
    ],
)
def test_sniff_type(head, expected):
    assert sniff_type(head) == expected


def test_sniff_type_on_real_pillow_output():
    for fmt, expected in (("JPEG", "image/jpeg"), ("PNG", "image/png"), ("GIF", "image/gif"), ("WEBP", "image/webp")):
        assert sniff_type(image_bytes(fmt)[:32]) == expected


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (HTML_PAGE, "an HTML document"),
        (b"\n\n  <html lang='fr'><body>x</body></html>", "an HTML document"),
        (SVG_WITH_SCRIPT, "an SVG image (not accepted: it can carry scripts)"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"></svg>', "an SVG image (not accepted: it can carry scripts)"),
        (b"\xef\xbb\xbf<svg>", "an SVG image (not accepted: it can carry scripts)"),
        ("<svg>".encode("utf-16"), "an SVG image (not accepted: it can carry scripts)"),
        (zip_bytes()[:64], "a ZIP archive"),
        (ELF_HEAD, "an executable"),
        (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00", "an executable"),
        (b"#!/bin/sh\nrm -rf /\n", "an executable script"),
        (b"Dear press office,\nplease publish this.\n", "plain text"),
        (b"MZ is the start of this sentence, which is text.", "plain text"),
        ("Pressemitteilung: Straßenbau in Kö".encode()[:-1], "plain text"),  # head cut inside "ö"
        ("Communiqué de presse".encode("latin-1"), "plain text"),
        (b"<?xml version='1.0'?><feed/>", "an XML document"),
        (b"\x1f\x8b\x08\x00\x00\x00\x00\x00", "a gzip archive"),
        (ftyp(b"heic", [b"mif1", b"heic"]), "a HEIC/HEIF photo (not accepted: convert it to JPEG)"),
        (b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01", "a WebM or Matroska video (not accepted: convert it to MP4)"),
        (b"II*\x00\x08\x00\x00\x00", "a TIFF image (not accepted: convert it to JPEG or PNG)"),
        (bytes(range(256)) * 2, "unknown data"),
        (b"\x00\x01\x02\x03\x04\x05\x06\x07" * 4, "unknown data"),
    ],
)
def test_describe_unknown(head, expected):
    assert describe_unknown(head) == expected


def test_describe_unknown_names_accepted_types_too():
    assert describe_unknown(image_bytes("PNG")[:64]) == "a PNG image"


# ------------------------------------------------------------------------- rejections

def test_rejects_empty_file(tmp_path):
    err = reject(write(tmp_path, "empty.jpg", b""))
    assert (err.status, err.code) == (422, "empty_file")
    assert "empty" in err.message
    assert str(err) == err.message


@pytest.mark.parametrize(
    ("name", "data", "looks_like"),
    [
        ("logo.svg", SVG_WITH_SCRIPT, "an SVG image (not accepted: it can carry scripts)"),
        ("logo.png", SVG_WITH_SCRIPT, "an SVG image (not accepted: it can carry scripts)"),
        ("page.jpg", HTML_PAGE, "an HTML document"),
        ("photos.zip", zip_bytes(), "a ZIP archive"),
        ("photo.jpg", ELF_HEAD + b"\x00" * 200, "an executable"),
        ("photo.jpg", b"This is not really a photo, just some text.\n" * 3, "plain text"),
    ],
)
def test_rejects_unsupported_types_by_content(tmp_path, name, data, looks_like):
    err = reject(write(tmp_path, name, data))
    assert (err.status, err.code) == (415, "unsupported_type")
    assert err.message == (
        f"The file's contents are not an image, video or PDF we accept (it looks like: {looks_like}). {ACCEPTED}"
    )


def test_rejects_truncated_jpeg(tmp_path):
    data = image_bytes("JPEG", (200, 150), quality=95)
    err = reject(write(tmp_path, "cut.jpg", data[: len(data) * 6 // 10]))
    assert (err.status, err.code) == (422, "damaged_file")
    assert "JPEG image" in err.message and "damaged" in err.message


def test_rejects_truncated_png(tmp_path):
    data = image_bytes("PNG", (200, 150))
    err = reject(write(tmp_path, "cut.png", data[: len(data) * 6 // 10]))
    assert (err.status, err.code) == (422, "damaged_file")
    assert "PNG image" in err.message and "damaged" in err.message


def test_rejects_png_with_corrupted_pixel_data(tmp_path):
    data = bytearray(image_bytes("PNG", (200, 150)))
    idat = data.index(b"IDAT")
    data[idat + 100 : idat + 140] = b"\x00" * 40  # CRC no longer matches
    err = reject(write(tmp_path, "bad.png", bytes(data)))
    assert (err.status, err.code) == (422, "damaged_file")


def _png_chunk(kind: bytes, payload: bytes, crc: int | None = None) -> bytes:
    crc = zlib.crc32(kind + payload) & 0xFFFFFFFF if crc is None else crc
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", crc)


@pytest.mark.parametrize("damage", ["missing IEND", "bad CRC after the pixel data"])
def test_rejects_png_damaged_after_the_pixel_data(tmp_path, damage):
    # Decoding the pixels succeeds here; only verify() notices the damage.
    png = image_bytes("PNG", (50, 50))
    iend = _png_chunk(b"IEND", b"")
    assert png.endswith(iend)
    body = png[: -len(iend)]
    if damage == "missing IEND":
        data = body
    else:
        data = body + _png_chunk(b"tEXt", b"Comment\x00hello", crc=1234) + iend
    assert inspect_file(write(tmp_path, "ok.png", body + _png_chunk(b"tEXt", b"Comment\x00hello") + iend))
    err = reject(write(tmp_path, "bad.png", data))
    assert (err.status, err.code) == (422, "damaged_file")


@pytest.mark.parametrize(
    ("name", "data", "label"),
    [
        ("png-sig-jpeg-body", b"\x89PNG\r\n\x1a\n" + image_bytes("JPEG"), "PNG image"),
        ("png-ihdr-jpeg-body", image_bytes("PNG")[:33] + image_bytes("JPEG"), "PNG image"),
        ("jpeg-magic-png-body", b"\xff\xd8\xff\xe0" + image_bytes("PNG"), "JPEG image"),
        ("webp-riff-gif-body", b"RIFF\x00\x10\x00\x00WEBP" + image_bytes("GIF"), "WebP image"),
    ],
)
def test_rejects_mismatched_header_and_body(tmp_path, name, data, label):
    err = reject(write(tmp_path, name, data))
    assert (err.status, err.code) == (422, "damaged_file")
    assert label in err.message


def test_rejects_decompression_bomb_from_png_header(tmp_path):
    data = png_with_ihdr_size(image_bytes("PNG", (8, 8)), 30000, 30000)
    assert len(data) < 1000  # tiny on disk, 900 megapixels once decoded
    before = Image.MAX_IMAGE_PIXELS
    err = reject(write(tmp_path, "bomb.png", data))
    assert (err.status, err.code) == (422, "decompression_bomb")
    assert err.message == (
        "The image is 30000×30000 pixels; images may be at most 12,000 pixels wide or high."
    )
    assert Image.MAX_IMAGE_PIXELS == before  # the global was not touched


def test_rejects_bomb_below_pillows_own_threshold(tmp_path):
    # 8000×8000 = 64 megapixels: Pillow's default guard would not even warn, ours must reject.
    assert 8000 * 8000 < Image.MAX_IMAGE_PIXELS
    data = png_with_ihdr_size(image_bytes("PNG", (8, 8)), 8000, 8000)
    err = reject(write(tmp_path, "big.png", data))
    assert (err.status, err.code) == (422, "decompression_bomb")
    assert err.message == (
        "The image is 8000×8000 pixels (64 megapixels); at most 40 megapixels are accepted."
    )


def test_pixel_limit_is_reported_in_gigapixels(tmp_path):
    data = png_with_ihdr_size(image_bytes("PNG", (8, 8)), 50000, 50000)
    err = reject(write(tmp_path, "huge.png", data), MediaLimits(max_image_side=100_000))
    assert err.message == (
        "The image is 50000×50000 pixels (2.5 gigapixels); at most 40 megapixels are accepted."
    )


@pytest.mark.parametrize(("width", "height"), [(30000, 30000), (10000, 10000)])
def test_pillows_own_bomb_guard_still_applies_with_generous_limits(tmp_path, width, height):
    # 30000² makes Pillow raise DecompressionBombError; 10000² only makes it *warn*,
    # which inspect_file must turn into a rejection too.
    assert width * height > Image.MAX_IMAGE_PIXELS
    generous = MediaLimits(max_image_pixels=10**12, max_image_side=10**6)
    data = png_with_ihdr_size(image_bytes("PNG", (8, 8)), width, height)
    filters_before = list(warnings.filters)
    err = reject(write(tmp_path, "bomb.png", data), generous)
    assert (err.status, err.code) == (422, "decompression_bomb")
    assert "too many pixels" in err.message
    assert warnings.filters == filters_before  # catch_warnings restored the filters


def test_rejects_jpeg_whose_frame_header_claims_huge_size(tmp_path):
    data = bytearray(image_bytes("JPEG", (16, 16)))
    sos = data.index(b"\xff\xda")
    sof = data.index(b"\xff\xc0")
    assert sof < sos and data.count(b"\xff\xc0", 0, sos) == 1
    data[sof + 5 : sof + 9] = struct.pack(">HH", 20000, 20000)  # height, width
    err = reject(write(tmp_path, "bomb.jpg", bytes(data)))
    assert (err.status, err.code) == (422, "decompression_bomb")
    assert "20000×20000" in err.message


def test_rejects_webp_wider_than_max_side(tmp_path):
    data = bytearray(image_bytes("WEBP", (16, 16), quality=80))
    assert data[12:16] == b"VP8 " and data[23:26] == b"\x9d\x01\x2a"
    data[26:28] = struct.pack("<H", 16000)
    err = reject(write(tmp_path, "wide.webp", bytes(data)))
    assert (err.status, err.code) == (422, "decompression_bomb")
    assert err.message == "The image is 16000×16 pixels; images may be at most 12,000 pixels wide or high."


@pytest.mark.parametrize(
    ("fmt", "save_args"),
    [("JPEG", {}), ("PNG", {}), ("GIF", {}), ("WEBP", {}), ("WEBP", {"lossless": True})],
)
def test_custom_pixel_limit_uses_real_dimensions(tmp_path, fmt, save_args):
    data = image_bytes(fmt, (200, 100), **save_args)
    err = reject(write(tmp_path, "img", data), MediaLimits(max_image_pixels=10_000))
    assert (err.status, err.code) == (422, "decompression_bomb")
    assert err.message == "The image is 200×100 pixels (20,000 pixels); at most 10,000 pixels are accepted."


def test_gif_frame_reaching_outside_the_screen_is_checked(tmp_path):
    # The logical screen says 10×10, but the first frame is placed at (200, 200):
    # Pillow grows the canvas to 210×210 when opening it; that size must be checked too.
    data = bytearray(image_bytes("GIF", (10, 10), mode="P"))
    descriptor = data.index(b",\x00\x00\x00\x00\x0a\x00\x0a\x00")
    data[descriptor + 1 : descriptor + 5] = struct.pack("<HH", 200, 200)
    err = reject(write(tmp_path, "frame.gif", bytes(data)), MediaLimits(max_image_side=100))
    assert (err.status, err.code) == (422, "decompression_bomb")
    assert "210×210" in err.message


def test_rejects_image_with_zero_width(tmp_path):
    data = png_with_ihdr_size(image_bytes("PNG", (8, 8)), 0, 8)
    err = reject(write(tmp_path, "zero.png", data))
    assert (err.status, err.code) == (422, "damaged_file")


def test_rejects_too_large_image_before_decoding(tmp_path):
    # A damaged PNG that is also too large: the size is checked first, from stat().
    path = tmp_path / "big.png"
    with path.open("wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n")
        f.truncate(int(25.3 * 1024 * 1024))  # sparse: cheap on disk
    err = reject(path)
    assert (err.status, err.code) == (413, "too_large")
    assert err.message == "The file is 25.3 MB; images may be at most 20 MB."


def test_too_large_message_shows_exact_figures_when_rounding_would_hide_the_excess(tmp_path):
    path = tmp_path / "edge.png"
    with path.open("wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n")
        f.truncate(20 * 1024 * 1024 + 1)
    err = reject(path)
    assert err.code == "too_large"
    assert err.message == "The file is 20,971,521 bytes; images may be at most 20,971,520 bytes (20 MB)."


def test_image_exactly_at_the_limit_is_accepted(tmp_path):
    data = image_bytes("PNG")
    info = inspect_file(write(tmp_path, "a.png", data), MediaLimits(max_image_bytes=len(data)))
    assert info.size == len(data)
    err = reject(tmp_path / "a.png", MediaLimits(max_image_bytes=len(data) - 1))
    assert (err.status, err.code) == (413, "too_large")


@pytest.mark.parametrize(
    ("data", "limits", "message"),
    [
        (image_bytes("PNG", (64, 64)), MediaLimits(max_image_bytes=1000), "images may be at most 1,000 bytes"),
        (mp4_bytes(media=b"\x00" * 2000), MediaLimits(max_video_bytes=1024),
         "videos may be at most 1 KB"),
        (MINIMAL_PDF + b"%" * 3000 + b"\n%%EOF\n", MediaLimits(max_document_bytes=2048),
         "PDF documents may be at most 2 KB"),
    ],
)
def test_rejects_too_large_per_type(tmp_path, data, limits, message):
    err = reject(write(tmp_path, "upload", data), limits)
    assert (err.status, err.code) == (413, "too_large")
    assert err.message.startswith("The file is ")
    assert message in err.message


def test_rejects_pdf_without_eof_marker(tmp_path):
    data = MINIMAL_PDF.replace(b"%%EOF\n", b"")
    err = reject(write(tmp_path, "cut.pdf", data))
    assert (err.status, err.code) == (422, "damaged_file")
    assert "PDF" in err.message and "end-of-file marker" in err.message


def test_rejects_pdf_whose_eof_marker_is_not_near_the_end(tmp_path):
    data = MINIMAL_PDF + b"garbage " * 200  # 1600 bytes after %%EOF
    err = reject(write(tmp_path, "junk.pdf", data))
    assert (err.status, err.code) == (422, "damaged_file")


@pytest.mark.parametrize(
    "data",
    [
        ftyp(b"isom", [b"isom"], size=0) + mdat(),  # "to end of file": not sane for ftyp
        ftyp(b"isom", [b"isom"], size=1) + mdat(),  # 64-bit size marker
        ftyp(b"isom", [b"isom"], size=4) + mdat(),
        ftyp(b"qt  ", [b"qt  "], size=10_000) + mdat(),  # bigger than the file
    ],
)
def test_rejects_video_with_insane_ftyp_size(tmp_path, data):
    err = reject(write(tmp_path, "clip.mp4", data))
    assert (err.status, err.code) == (422, "damaged_file")
    assert "video" in err.message and "damaged" in err.message


def test_rejects_heic_photo_with_a_helpful_message(tmp_path):
    err = reject(write(tmp_path, "IMG_0001.HEIC", ftyp(b"heic", [b"mif1", b"heic"]) + mdat()))
    assert (err.status, err.code) == (415, "unsupported_type")
    assert "HEIC/HEIF photo" in err.message


# --------------------------------------------------------------- reading only the head

class _CountingReader(io.BufferedReader):
    def __init__(self, raw: io.RawIOBase) -> None:
        super().__init__(raw)
        self.bytes_read = 0

    def read(self, size: int | None = -1) -> bytes:
        data = super().read(size)
        self.bytes_read += len(data)
        return data


@pytest.fixture
def counting_open(monkeypatch):
    opened: list[_CountingReader] = []

    def fake_open(path, mode="rb"):
        assert mode == "rb"
        reader = _CountingReader(io.FileIO(path, "rb"))
        opened.append(reader)
        return reader

    monkeypatch.setattr(inspection, "open", fake_open, raising=False)
    return opened


def test_large_video_is_not_read_into_memory(tmp_path, counting_open):
    path = tmp_path / "long.mp4"
    size = 300 * 1024 * 1024
    head = mp4_bytes(located=False, media=b"")
    with path.open("wb") as f:
        # The media data made to reach the end of the (sparse) file.
        f.write(head[:-8] + struct.pack(">I", size - len(head) + 8) + b"mdat")
        f.truncate(size)
    info = inspect_file(path)
    assert (info.content_type, info.size) == ("video/mp4", size)
    # The head, then only the box headers and the index (moov): never the media data.
    assert sum(r.bytes_read for r in counting_open) <= inspection.HEAD_BYTES + 2 * len(head)


def test_large_pdf_reads_only_head_and_tail(tmp_path, counting_open):
    path = tmp_path / "report.pdf"
    size = 40 * 1024 * 1024
    with path.open("wb") as f:
        f.write(b"%PDF-1.7\n")
        f.seek(size - 7)
        f.write(b"%%EOF\r\n")
    info = inspect_file(path)
    assert (info.content_type, info.size) == ("application/pdf", size)
    assert sum(r.bytes_read for r in counting_open) <= inspection.HEAD_BYTES + inspection.PDF_TAIL_BYTES


def test_large_unsupported_file_reads_only_the_head(tmp_path, counting_open):
    path = tmp_path / "video.webm"
    with path.open("wb") as f:
        f.write(b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01")
        f.truncate(100 * 1024 * 1024)
    err = reject(path)
    assert err.code == "unsupported_type" and "WebM" in err.message
    assert sum(r.bytes_read for r in counting_open) <= inspection.HEAD_BYTES


def test_jpeg_header_scan_gives_up_on_endless_fill_bytes(tmp_path, counting_open):
    err = reject(write(tmp_path, "ff.jpg", b"\xff\xd8\xff" + b"\xff" * 100_000))
    assert (err.status, err.code) == (422, "damaged_file")
    assert sum(r.bytes_read for r in counting_open) < inspection.HEAD_BYTES + 1024  # bounded work
