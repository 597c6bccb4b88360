"""Remove location and device metadata from a photo before it enters the library.

The library's file is what approvals bind (its SHA-256) and what every channel and every download receives,
so the file kept is the clean one. Metadata is removed *losslessly*: segments and chunks are dropped or
rebuilt, the compressed pixel data is copied byte for byte, and the same upload always gives the same bytes
(so the same photo uploaded twice still lands on one library item).

What stays: the orientation (the picture is shown the right way up), the ICC colour profile, the JPEG
colour-transform marker, resolution, and the artist and copyright tags. Everything else goes: EXIF GPS,
maker notes, camera and lens makes, models and serial numbers, owner names, EXIF thumbnails (they can show
the uncropped original), XMP (location, device, history), IPTC/Photoshop blocks, comments, and any data
after the end of the image (such as the extra pictures of a multi-picture JPEG).

A GIF loses its comments and application blocks (XMP is one) but keeps its frames and looping. Videos are
cleaned by publisher.media.mp4 (location boxes wiped in place). A PDF is stored as uploaded: its metadata is
the author's document (an open question for a later issue).
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

from PIL import Image

from publisher.core.errors import MediaRejected
from publisher.media import mp4

# IFD0 tags kept; all others (Make 0x010F, Model 0x0110, Software, HostComputer, the Exif and GPS
# sub-IFDs with their serial numbers, owner name, maker notes and position) are dropped.
KEPT_EXIF_TAGS = (
    0x0112,  # Orientation
    0x011A,  # XResolution
    0x011B,  # YResolution
    0x0128,  # ResolutionUnit
    0x0213,  # YCbCrPositioning
    0x013B,  # Artist
    0x8298,  # Copyright
)
EXIF_PREFIX = b"Exif\x00\x00"
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# Chunks that describe the pixels (or are the pixels); text, time, EXIF and private chunks are not kept.
_PNG_KEPT = frozenset({
    b"IHDR", b"PLTE", b"IDAT", b"IEND", b"tRNS", b"cHRM", b"gAMA", b"iCCP", b"sBIT", b"sRGB", b"cICP",
    b"mDCv", b"cLLi", b"bKGD", b"hIST", b"pHYs", b"sPLT", b"acTL", b"fcTL", b"fdAT",
})
_WEBP_KEPT = frozenset({b"VP8 ", b"VP8L", b"VP8X", b"ALPH", b"ANIM", b"ANMF", b"ICCP"})
_WEBP_EXIF_FLAG, _WEBP_XMP_FLAG = 0x08, 0x04


def _damaged(what: str) -> MediaRejected:
    return MediaRejected(422, "damaged_file", f"The {what} is damaged in a way that keeps its metadata from "
                         "being removed safely, so it cannot be used. Please export it again and re-upload it.")


def clean_exif(raw: bytes) -> bytes | None:
    """The kept tags of an EXIF block as a new TIFF structure (no "Exif" prefix), or None if none remain."""
    try:
        source = Image.Exif()
        source.load(raw)
        kept = Image.Exif()
        for tag in KEPT_EXIF_TAGS:
            if tag in source:
                kept[tag] = source[tag]
        if not len(kept):
            return None
        return kept.tobytes().removeprefix(EXIF_PREFIX)
    except Exception:  # noqa: BLE001 - hostile input can break the TIFF reader anywhere: keep nothing of it
        return None


# --------------------------------------------------------------------------------------------- JPEG

def _jpeg_keep(marker: int, body: bytes, seen_exif: bool) -> bytes | None:
    """The segment body to write for an APPn/COM marker, or None to drop the segment."""
    if marker == 0xE0 and body.startswith(b"JFIF\x00") and len(body) >= 14:
        return body[:12] + b"\x00\x00"  # the JFIF header without its thumbnail
    if marker == 0xE1 and body.startswith(EXIF_PREFIX) and not seen_exif:
        tiff = clean_exif(body[len(EXIF_PREFIX):])
        return None if tiff is None else EXIF_PREFIX + tiff
    if marker == 0xE2 and body.startswith(b"ICC_PROFILE\x00"):
        return body
    if marker == 0xEE and body.startswith(b"Adobe"):
        return body  # the colour transform a CMYK or YCCK JPEG needs to be decoded right
    return None


def _entropy_end(data: bytes, pos: int) -> int:
    """Where the entropy-coded data starting at pos ends: the 0xFF of the next real marker."""
    while True:
        found = data.find(b"\xff", pos)
        if found < 0 or found + 1 >= len(data):
            raise _damaged("JPEG image")
        following = data[found + 1]
        if following == 0x00 or 0xD0 <= following <= 0xD7 or following == 0xFF:
            pos = found + 1
            continue
        return found


def clean_jpeg(data: bytes) -> bytes:
    if not data.startswith(b"\xff\xd8"):
        raise _damaged("JPEG image")
    out = [b"\xff\xd8"]
    pos, seen_exif = 2, False
    while True:
        if pos >= len(data) or data[pos] != 0xFF:
            raise _damaged("JPEG image")
        while pos < len(data) and data[pos] == 0xFF:
            pos += 1  # fill bytes
        if pos >= len(data):
            raise _damaged("JPEG image")
        marker = data[pos]
        pos += 1
        if marker == 0xD9:
            out.append(b"\xff\xd9")
            return b"".join(out)  # whatever follows the end of the image is not kept
        if marker == 0x01 or 0xD0 <= marker <= 0xD7:
            out.append(bytes((0xFF, marker)))
            continue
        if pos + 2 > len(data):
            raise _damaged("JPEG image")
        (length,) = struct.unpack(">H", data[pos:pos + 2])
        if length < 2 or pos + length > len(data):
            raise _damaged("JPEG image")
        body = data[pos + 2:pos + length]
        pos += length
        if 0xE0 <= marker <= 0xEF or marker == 0xFE:
            kept = _jpeg_keep(marker, body, seen_exif)
            if kept is not None:
                seen_exif = seen_exif or marker == 0xE1
                out.append(bytes((0xFF, marker)) + struct.pack(">H", len(kept) + 2) + kept)
            continue
        out.append(bytes((0xFF, marker)) + struct.pack(">H", length) + body)
        if marker == 0xDA:  # start of scan: the compressed pixels follow, copied as they are
            end = _entropy_end(data, pos)
            out.append(data[pos:end])
            pos = end


# ---------------------------------------------------------------------------------------------- PNG

def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def clean_png(data: bytes) -> bytes:
    if not data.startswith(_PNG_SIGNATURE):
        raise _damaged("PNG image")
    out = [_PNG_SIGNATURE]
    pos = len(_PNG_SIGNATURE)
    while True:
        if pos + 12 > len(data):
            raise _damaged("PNG image")
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind = data[pos + 4:pos + 8]
        end = pos + 12 + length
        if end > len(data):
            raise _damaged("PNG image")
        if kind in _PNG_KEPT:
            out.append(data[pos:end])
        elif kind == b"eXIf":
            tiff = clean_exif(data[pos + 8:end - 4])
            if tiff is not None:
                out.append(_png_chunk(b"eXIf", tiff))
        pos = end
        if kind == b"IEND":
            return b"".join(out)


# --------------------------------------------------------------------------------------------- WebP

def clean_webp(data: bytes) -> bytes:
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WEBP":
        raise _damaged("WebP image")
    (riff_size,) = struct.unpack("<I", data[4:8])
    stop = min(len(data), 8 + riff_size)
    chunks: list[tuple[bytes, bytes]] = []
    pos = 12
    while pos + 8 <= stop:
        kind = data[pos:pos + 4]
        (length,) = struct.unpack("<I", data[pos + 4:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if len(body) < length:
            raise _damaged("WebP image")
        pos += 8 + length + (length & 1)
        if kind in _WEBP_KEPT:
            chunks.append((kind, body))
        elif kind == b"EXIF":
            tiff = clean_exif(body.removeprefix(EXIF_PREFIX))
            if tiff is not None:
                chunks.append((kind, tiff))
    has_exif = any(kind == b"EXIF" for kind, _ in chunks)
    out = []
    for kind, body in chunks:
        if kind == b"VP8X" and body:
            flags = body[0] & ~(_WEBP_EXIF_FLAG | _WEBP_XMP_FLAG)
            body = bytes((flags | (_WEBP_EXIF_FLAG if has_exif else 0),)) + body[1:]
        out.append(kind + struct.pack("<I", len(body)) + body + (b"\x00" if len(body) & 1 else b""))
    payload = b"WEBP" + b"".join(out)
    return b"RIFF" + struct.pack("<I", len(payload)) + payload


CLEANERS = {"image/jpeg": clean_jpeg, "image/png": clean_png, "image/webp": clean_webp}


def clean_image(content_type: str, data: bytes) -> bytes:
    """The image without location and device metadata; types without such metadata come back as they are."""
    cleaner = CLEANERS.get(content_type)
    return data if cleaner is None else cleaner(data)


VIDEO_LABELS = {"video/mp4": "an MP4 video", "video/quicktime": "a QuickTime (MOV) video"}


def strip_file(path: Path, content_type: str, *, dry_run: bool = False) -> bool:
    """Clean the file at path in place; True if its bytes changed (with dry_run: would change, and nothing
    is written). Raises MediaRejected if it cannot be done."""
    if content_type in VIDEO_LABELS:
        return mp4.strip_metadata(path, VIDEO_LABELS[content_type], dry_run=dry_run)
    if content_type not in CLEANERS:
        return False
    data = path.read_bytes()  # an image: at most MediaLimits.max_image_bytes, already checked
    cleaned = CLEANERS[content_type](data)
    if cleaned == data:
        return False
    if not dry_run:
        path.write_bytes(cleaned)
    return True


# ---------------------------------------------------------------------------------------------- GIF

_GIF_KEPT_APPLICATIONS = frozenset({b"NETSCAPE2.0", b"ANIMEXTS1.0", b"ICCRGBG1012"})  # looping, colour


def _gif_sub_blocks(data: bytes, pos: int) -> int:
    """Where the sub-blocks starting at pos end (after their zero terminator)."""
    while True:
        if pos >= len(data):
            raise _damaged("GIF image")
        size = data[pos]
        pos += 1 + size
        if size == 0:
            return pos


def clean_gif(data: bytes) -> bytes:
    """The GIF without comments and application blocks (XMP lives in one); frames and looping stay."""
    if len(data) < 13 or not data.startswith((b"GIF87a", b"GIF89a")):
        raise _damaged("GIF image")
    pos = 13 + (3 << ((data[10] & 0x07) + 1) if data[10] & 0x80 else 0)
    out = [data[:pos]]
    while pos < len(data):
        start, kind = pos, data[pos]
        if kind == 0x3B:  # trailer: whatever follows is not kept
            out.append(b"\x3b")
            return b"".join(out)
        if kind == 0x21 and pos + 1 < len(data):
            label = data[pos + 1]
            pos = _gif_sub_blocks(data, pos + 2)
            application = data[start + 3:start + 14] if label == 0xFF else b""
            if label not in (0xFE, 0xFF) or application in _GIF_KEPT_APPLICATIONS:
                out.append(data[start:pos])
        elif kind == 0x2C and pos + 10 <= len(data):
            packed = data[pos + 9]
            pos += 10 + (3 << ((packed & 0x07) + 1) if packed & 0x80 else 0)
            pos = _gif_sub_blocks(data, pos + 1)  # after the LZW minimum code size
            out.append(data[start:pos])
        else:
            raise _damaged("GIF image")
    out.append(b"\x3b")  # a GIF that ends without its trailer (decoders accept it) gets one
    return b"".join(out)


CLEANERS["image/gif"] = clean_gif
