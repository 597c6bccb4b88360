"""Inspect an uploaded file before it is accepted into the media library.

The type of an upload is decided by the file's *bytes* (magic numbers), never by
its name or the Content-Type the client sent.  :func:`inspect_file` either
returns a :class:`MediaInfo` describing the accepted file or raises
:class:`MediaRejected` carrying an HTTP status, a machine-readable code and a
sentence that can be shown to the uploader as-is.

Only the head of the file is read for sniffing; images are checked for
decompression bombs from their own headers *before* Pillow decodes any pixel
data, and Pillow's global ``Image.MAX_IMAGE_PIXELS`` is never modified.
"""

from __future__ import annotations

import os
import re
import struct
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from PIL import Image

from publisher.core.errors import MediaRejected
from publisher.media import mp4

__all__ = [
    "ACCEPTED_DESCRIPTION",
    "MediaInfo",
    "MediaLimits",
    "describe_unknown",
    "inspect_file",
    "sniff_type",
]

#: How many bytes of the file are read for sniffing and for describe_unknown().
HEAD_BYTES = 4096
#: How far from the end of a PDF the "%%EOF" marker must appear.
PDF_TAIL_BYTES = 1024
#: A JPEG with more header segments than this before its image data is treated as damaged
#: (real files have a few dozen at most; this bounds the work done on hostile input).
_MAX_JPEG_SEGMENTS = 4096

ACCEPTED_DESCRIPTION = "JPEG, PNG, GIF, WebP, MP4, QuickTime MOV, PDF"


@dataclass(frozen=True)
class MediaLimits:
    max_image_bytes: int = 20 * 1024 * 1024
    max_video_bytes: int = 512 * 1024 * 1024
    max_document_bytes: int = 50 * 1024 * 1024
    max_image_pixels: int = 40_000_000  # decompression-bomb guard (width*height)
    max_image_side: int = 12_000


@dataclass(frozen=True)
class MediaInfo:
    content_type: str
    extension: str
    size: int
    width: int | None = None
    height: int | None = None





# --------------------------------------------------------------------------- types

@dataclass(frozen=True)
class _Kind:
    content_type: str
    extension: str
    category: str  # "image" | "video" | "document"
    label: str  # human name, e.g. "a PNG image"
    pil_format: str | None = None  # Pillow format name for images


_KINDS: dict[str, _Kind] = {
    k.content_type: k
    for k in (
        _Kind("image/jpeg", ".jpg", "image", "a JPEG image", "JPEG"),
        _Kind("image/png", ".png", "image", "a PNG image", "PNG"),
        _Kind("image/gif", ".gif", "image", "a GIF image", "GIF"),
        _Kind("image/webp", ".webp", "image", "a WebP image", "WEBP"),
        _Kind("video/mp4", ".mp4", "video", "an MP4 video"),
        _Kind("video/quicktime", ".mov", "video", "a QuickTime (MOV) video"),
        _Kind("application/pdf", ".pdf", "document", "a PDF document"),
    )
}

# Pillow formats that are acceptable for a sniffed type.  A JPEG carrying several
# pictures (phones, 3D cameras) is reported by Pillow as "MPO"; its first frame is a JPEG.
_PIL_FORMATS: dict[str, frozenset[str]] = {
    "image/jpeg": frozenset({"JPEG", "MPO"}),
    "image/png": frozenset({"PNG"}),
    "image/gif": frozenset({"GIF"}),
    "image/webp": frozenset({"WEBP"}),
}

# ISO base media file format major brands that mean "MP4 video".
_MP4_BRANDS = frozenset(
    {
        b"isom", b"iso2", b"iso3", b"iso4", b"iso5", b"iso6", b"iso7", b"iso8", b"iso9",
        b"mp41", b"mp42", b"mp71", b"avc1", b"avc2", b"avc3", b"hvc1", b"hev1",
        b"M4V ", b"M4VH", b"M4VP", b"dash", b"mmp4", b"MSNV", b"XAVC", b"f4v ",
        b"NDAS", b"NDSC", b"NDSH", b"NDSM", b"NDSP", b"NDSS", b"NDXC", b"NDXH", b"NDXM", b"NDXP", b"NDXS",
    }
)
_QUICKTIME_BRANDS = frozenset({b"qt  "})
# ftyp-based formats we do not accept but can name.
_HEIF_BRANDS = frozenset(
    {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"hevm", b"hevs", b"mif1", b"msf1", b"mif2"}
)
_AVIF_BRANDS = frozenset({b"avif", b"avis"})
_AUDIO_BRANDS = frozenset({b"M4A ", b"M4B ", b"M4P ", b"F4A ", b"F4B "})
_NOT_VIDEO_BRANDS = _HEIF_BRANDS | _AVIF_BRANDS | _AUDIO_BRANDS | {b"crx ", b"jp2 ", b"jpx ", b"jpm "}


def _ftyp_brands(head: bytes) -> tuple[bytes, list[bytes]] | None:
    """(major brand, compatible brands) of a leading ftyp box, or None."""
    if len(head) < 12 or head[4:8] != b"ftyp":
        return None
    major = head[8:12]
    (box_size,) = struct.unpack(">I", head[0:4])
    end = min(box_size, len(head)) if box_size >= 16 else 0
    compatible = [head[i:i + 4] for i in range(16, end - 3, 4)]
    return major, compatible


def _sniff_ftyp(head: bytes) -> str | None:
    brands = _ftyp_brands(head)
    if brands is None:
        return None
    major, compatible = brands
    if major in _QUICKTIME_BRANDS:
        return "video/quicktime"
    if major in _MP4_BRANDS:
        return "video/mp4"
    if major in _NOT_VIDEO_BRANDS or any(b in _NOT_VIDEO_BRANDS for b in compatible):
        return None
    # Unknown major brand (camera vendors invent their own): accept it when it
    # declares itself compatible with a standard MP4 brand.
    if any(b in _MP4_BRANDS for b in compatible):
        return "video/mp4"
    return None


def sniff_type(head: bytes) -> str | None:
    """Content type of an accepted format, judged from the first bytes of a file.

    ``head`` should be at least 32 bytes (shorter input is handled, but may not be
    recognised).  Returns None for anything that is not accepted.
    """
    head = bytes(head)
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "image/webp"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    return _sniff_ftyp(head)


# ------------------------------------------------------------------ describe_unknown

_TEXT_CONTROL = frozenset(range(0x00, 0x20)) - {0x09, 0x0A, 0x0C, 0x0D}


def _as_text(head: bytes) -> str | None:
    """The head decoded as text if it plausibly is text (UTF-8, UTF-16 with BOM, Latin-1), else None."""
    if head.startswith(b"\xef\xbb\xbf"):
        data, encoding = head[3:], "utf-8"
    elif head.startswith((b"\xff\xfe", b"\xfe\xff")):
        data, encoding = head, "utf-16"
    else:
        data, encoding = head, "utf-8"
    text: str | None = None
    # The head may cut a multi-byte character in half: allow a few bytes of slack at the end.
    for trim in range(4):
        try:
            text = data[: len(data) - trim].decode(encoding).lstrip("\ufeff")
            break
        except UnicodeDecodeError:
            continue
    if text is None:
        if encoding != "utf-8" or any(0x80 <= b < 0xA0 for b in data):
            return None
        text = data.decode("latin-1")
    if any(ord(c) in _TEXT_CONTROL for c in text):
        return None
    return text


_SVG_RE = re.compile(r"<svg[\s>/]")
_HTML_RE = re.compile(r"<(!doctype\s+html|html|head|body|script|iframe|meta|title|div|p|a|table|style)[\s>/]")


def _describe_markup(text: str) -> str | None:
    lowered = text.lstrip().lower()
    if not lowered.startswith(("<", "{\\rtf")):
        return None
    if _SVG_RE.search(lowered) or "<!doctype svg" in lowered:
        return "an SVG image (not accepted: it can carry scripts)"
    if _HTML_RE.search(lowered):
        return "an HTML document"
    if lowered.startswith("<?xml"):
        return "an XML document"
    if lowered.startswith("{\\rtf"):
        return "an RTF document"
    return None


def describe_unknown(head: bytes) -> str:
    """A human guess at what the file is, for error messages.

    Examples: "an HTML document", "a ZIP archive", "an SVG image (not accepted: it
    can carry scripts)", "an executable", "plain text", "unknown data".
    """
    head = bytes(head)
    if not head:
        return "an empty file"
    accepted = sniff_type(head)
    if accepted is not None:
        return _KINDS[accepted].label

    # Binary signatures first (they are unambiguous).
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")):
        if b"word/" in head:
            return "a Word document (a ZIP archive)"
        if b"xl/" in head:
            return "an Excel workbook (a ZIP archive)"
        if b"ppt/" in head:
            return "a PowerPoint presentation (a ZIP archive)"
        return "a ZIP archive"
    if head.startswith(b"\x7fELF") or (head.startswith(b"MZ") and _as_text(head) is None):
        return "an executable"
    if head[:4] in (b"\xfe\xed\xfa\xce", b"\xfe\xed\xfa\xcf", b"\xce\xfa\xed\xfe", b"\xcf\xfa\xed\xfe"):
        return "an executable"
    if head.startswith(b"\xca\xfe\xba\xbe"):
        return "an executable"  # Mach-O universal binary or Java class file
    if head.startswith(b"#!"):
        return "an executable script"
    if head.startswith(b"\x1f\x8b"):
        return "a gzip archive"
    if head.startswith(b"7z\xbc\xaf\x27\x1c"):
        return "a 7-Zip archive"
    if head.startswith(b"Rar!\x1a\x07"):
        return "a RAR archive"
    if head.startswith(b"BZh") and head[3:4].isdigit():
        return "a bzip2 archive"
    if head.startswith(b"\xfd7zXZ\x00"):
        return "an XZ archive"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "an old-format Microsoft Office document"
    if head.startswith((b"II*\x00", b"MM\x00*")):
        return "a TIFF image (not accepted: convert it to JPEG or PNG)"
    if head.startswith(b"BM") and len(head) >= 14 and head[6:10] == b"\x00\x00\x00\x00":
        return "a BMP image (not accepted: convert it to PNG)"
    if head.startswith(b"8BPS"):
        return "a Photoshop file (not accepted: export it as JPEG or PNG)"
    if head.startswith(b"\x00\x00\x01\x00"):
        return "an icon file"
    if head.startswith(b"\x00\x00\x00\x0cjP  \r\n\x87\n") or head.startswith(b"\xff\x4f\xff\x51"):
        return "a JPEG 2000 image (not accepted: convert it to JPEG or PNG)"
    if head.startswith(b"RIFF") and head[8:12] == b"AVI ":
        return "an AVI video (not accepted: convert it to MP4)"
    if head.startswith(b"RIFF") and head[8:12] == b"WAVE":
        return "a WAV audio file"
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "a WebM or Matroska video (not accepted: convert it to MP4)"
    if head.startswith(b"FLV\x01"):
        return "a Flash video (not accepted: convert it to MP4)"
    if head.startswith(b"OggS"):
        return "an Ogg audio or video file"
    if head.startswith(b"fLaC"):
        return "a FLAC audio file"
    if head.startswith(b"ID3"):
        return "an MP3 audio file"
    brands = _ftyp_brands(head)
    if brands is not None:
        major, compatible = brands
        all_brands = {major, *compatible}
        if major in _AVIF_BRANDS or (major in (b"mif1", b"msf1") and all_brands & _AVIF_BRANDS):
            return "an AVIF image (not accepted: convert it to JPEG or PNG)"
        if all_brands & _HEIF_BRANDS:
            return "a HEIC/HEIF photo (not accepted: convert it to JPEG)"
        if major in _AUDIO_BRANDS:
            return "an MPEG-4 audio file"
        if major.startswith((b"3gp", b"3g2")):
            return "a 3GPP mobile video (not accepted: convert it to MP4)"
        if major == b"crx ":
            return "a camera raw photo (not accepted: convert it to JPEG)"
        return "an ISO media file of an unsupported kind"
    if len(head) >= 8 and head[4:8] in (b"moov", b"mdat", b"wide", b"free", b"skip", b"pnot"):
        return "an old-style QuickTime movie without a file-type header (re-export it as MP4)"
    text = _as_text(head)
    if text is not None:
        markup = _describe_markup(text)
        if markup is not None:
            return markup
        stripped = text.lstrip()
        if stripped.startswith(("%!PS", "%!")):
            return "a PostScript document"
        if stripped.startswith(("{", "[")):
            return "JSON or other structured text"
        return "plain text" if stripped else "an empty text file (only whitespace)"
    if len(head) >= 2 and head[0] == 0xFF and (head[1] & 0xE0) == 0xE0 and (head[1] & 0x06):
        return "an MP3 audio file"  # MPEG audio frame sync without an ID3 tag
    return "unknown data"


# ------------------------------------------------------------------------- formatting

def _human_size(n: int) -> str:
    if n < 1024:
        return f"{n:,} byte" + ("" if n == 1 else "s")
    for unit, scale in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if n >= scale:
            value = f"{n / scale:.1f}".removesuffix(".0")
            return f"{value} {unit}"
    raise AssertionError("unreachable")


def _human_pixels(n: int) -> str:
    if n >= 1_000_000_000:
        return f"{n / 1e9:.1f}".removesuffix(".0") + " gigapixels"
    if n >= 1_000_000:
        return f"{n / 1e6:.1f}".removesuffix(".0") + " megapixels"
    return f"{n:,} pixels"


_CATEGORY_PLURAL = {"image": "images", "video": "videos", "document": "PDF documents"}


def _too_large(size: int, limit: int, category: str) -> MediaRejected:
    shown_size, shown_limit = _human_size(size), _human_size(limit)
    if shown_size == shown_limit:  # e.g. 20.04 MB vs 20 MB: show exact figures
        shown_size, shown_limit = f"{size:,} bytes", f"{limit:,} bytes ({shown_limit})"
    return MediaRejected(
        413,
        "too_large",
        f"The file is {shown_size}; {_CATEGORY_PLURAL[category]} may be at most {shown_limit}.",
    )


def _damaged(message: str, detail: str | None = None) -> MediaRejected:
    return MediaRejected(422, "damaged_file", message, detail)


def _damaged_image(kind: _Kind, detail: str | None = None) -> MediaRejected:
    name = kind.label.split(" ", 1)[1]  # "PNG image"
    return _damaged(
        f"The file starts like a {name} but is damaged, incomplete or not really a {name}, "
        "so it cannot be used. Please export or download it again and re-upload it.",
        detail,
    )


def _check_dimensions(width: int, height: int, limits: MediaLimits) -> None:
    side = max(width, height)
    if side > limits.max_image_side:
        raise MediaRejected(
            422,
            "decompression_bomb",
            f"The image is {width}×{height} pixels; images may be at most "
            f"{limits.max_image_side:,} pixels wide or high.",
        )
    pixels = width * height
    if pixels > limits.max_image_pixels:
        raise MediaRejected(
            422,
            "decompression_bomb",
            f"The image is {width}×{height} pixels ({_human_pixels(pixels)}); "
            f"at most {_human_pixels(limits.max_image_pixels)} are accepted.",
        )


# ------------------------------------------------------------- image header parsing

def _png_size(head: bytes) -> tuple[int, int] | None:
    if len(head) < 24 or head[12:16] != b"IHDR":
        return None
    return struct.unpack(">II", head[16:24])


def _gif_size(head: bytes) -> tuple[int, int] | None:
    if len(head) < 10:
        return None
    return struct.unpack("<HH", head[6:10])


def _webp_size(head: bytes) -> tuple[int, int] | None:
    if len(head) < 30:
        return None
    chunk = head[12:16]
    if chunk == b"VP8X":
        width = 1 + int.from_bytes(head[24:27], "little")
        height = 1 + int.from_bytes(head[27:30], "little")
        return width, height
    if chunk == b"VP8 ":
        if head[23:26] != b"\x9d\x01\x2a":
            return None
        w, h = struct.unpack("<HH", head[26:30])
        return w & 0x3FFF, h & 0x3FFF
    if chunk == b"VP8L":
        if head[20] != 0x2F:
            return None
        (bits,) = struct.unpack("<I", head[21:25])
        return 1 + (bits & 0x3FFF), 1 + ((bits >> 14) & 0x3FFF)
    return None


_JPEG_SOF = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}


def _jpeg_sizes(fp: BinaryIO) -> list[tuple[int, int]] | None:
    """All frame sizes declared by SOF markers before the first scan, or None if malformed."""
    fp.seek(2)
    sizes: list[tuple[int, int]] = []
    for _ in range(_MAX_JPEG_SEGMENTS):
        byte = fp.read(1)
        if byte != b"\xff":
            return None
        marker = 0xFF
        for _fill in range(64):  # optional 0xFF fill bytes before the marker code
            b = fp.read(1)
            if not b:
                return None
            marker = b[0]
            if marker != 0xFF:
                break
        else:
            return None
        if marker == 0x01 or 0xD0 <= marker <= 0xD8:
            continue  # stand-alone markers
        if marker in (0xD9, 0xDA):  # EOI / SOS: the header is over
            return sizes or None
        raw = fp.read(2)
        if len(raw) < 2:
            return None
        (length,) = struct.unpack(">H", raw)
        if length < 2:
            return None
        if marker in _JPEG_SOF:
            if length < 8:
                return None
            body = fp.read(5)
            if len(body) < 5:
                return None
            height, width = struct.unpack(">HH", body[1:5])
            sizes.append((width, height))
            fp.seek(length - 2 - 5, os.SEEK_CUR)
        else:
            fp.seek(length - 2, os.SEEK_CUR)
    return None


def _header_sizes(kind: _Kind, head: bytes, fp: BinaryIO) -> list[tuple[int, int]] | None:
    if kind.content_type == "image/png":
        size = _png_size(head)
    elif kind.content_type == "image/gif":
        size = _gif_size(head)
    elif kind.content_type == "image/webp":
        size = _webp_size(head)
    else:
        return _jpeg_sizes(fp)
    return None if size is None else [size]


# ---------------------------------------------------------------------------- checks

def _check_image(kind: _Kind, head: bytes, fp: BinaryIO, size: int, limits: MediaLimits) -> MediaInfo:
    # 1. Dimensions from our own header parsing, before Pillow touches the pixels (and
    #    independent of Pillow's global MAX_IMAGE_PIXELS, which we must not mutate).
    try:
        header_sizes = _header_sizes(kind, head, fp)
    except (OSError, ValueError, struct.error) as exc:
        raise _damaged_image(kind, f"header: {exc!r}") from exc
    if not header_sizes:
        raise _damaged_image(kind, "no readable dimensions in the header")
    for width, height in header_sizes:
        if width <= 0 or height <= 0:
            raise _damaged_image(kind, f"header declares {width}x{height}")
        _check_dimensions(width, height, limits)

    # 2. Pillow: header again, verify(), then a full decode of the first frame.  A
    #    DecompressionBombWarning (Pillow's own, global limit) is treated as an error.
    allowed = _PIL_FORMATS[kind.content_type]
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            fp.seek(0)
            with Image.open(fp, formats=[kind.pil_format]) as im:
                if im.format not in allowed:
                    raise _damaged_image(kind, f"Pillow detected format {im.format!r}")
                width, height = im.size
                _check_dimensions(width, height, limits)
                im.verify()
            fp.seek(0)
            with Image.open(fp, formats=[kind.pil_format]) as im:
                if im.format not in allowed or im.size != (width, height):
                    raise _damaged_image(kind, "second open disagrees with the first")
                im.load()
        except MediaRejected:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise MediaRejected(
                422,
                "decompression_bomb",
                "The image declares too many pixels to be opened safely; "
                f"at most {_human_pixels(limits.max_image_pixels)} are accepted.",
                repr(exc),
            ) from exc
        except Exception as exc:  # hostile input can make any decoder error surface
            raise _damaged_image(kind, repr(exc)) from exc
    return MediaInfo(kind.content_type, kind.extension, size, width, height)


def _check_pdf(fp: BinaryIO, size: int) -> None:
    fp.seek(max(0, size - PDF_TAIL_BYTES))
    tail = fp.read(PDF_TAIL_BYTES)
    if b"%%EOF" not in tail:
        raise _damaged(
            "The PDF is incomplete or damaged: its end-of-file marker is missing. "
            "Please export or download it again and re-upload it.",
            "no %%EOF in the last 1024 bytes",
        )


def _check_video(kind: _Kind, head: bytes, fp: BinaryIO, size: int) -> None:
    (box_size,) = struct.unpack(">I", head[0:4])
    # The ftyp box holds major brand + minor version (16 bytes with its header) at least;
    # sizes 0 ("to end of file") and 1 (64-bit size) are not sane for an ftyp box.
    if box_size < 16 or box_size > size:
        raise _damaged(
            f"The file starts like {kind.label} but its file-type header is damaged, "
            "so it cannot be used. Please export it again and re-upload it.",
            f"ftyp box size {box_size} for a file of {size} bytes",
        )
    mp4.check(fp, size, kind.label)  # beyond the header: the boxes tile the file, a video track, its data


def inspect_file(path: Path, limits: MediaLimits = MediaLimits()) -> MediaInfo:
    """Check an uploaded file on disk and describe it, or raise :class:`MediaRejected`.

    Errors of the file system itself (missing file, permission denied) are not the
    uploader's fault and propagate as ``OSError``.
    """
    with open(path, "rb") as fp:
        size = os.fstat(fp.fileno()).st_size
        if size == 0:
            raise MediaRejected(422, "empty_file", "The file is empty (0 bytes); nothing was uploaded.")
        head = fp.read(HEAD_BYTES)
        content_type = sniff_type(head)
        if content_type is None:
            raise MediaRejected(
                415,
                "unsupported_type",
                "The file's contents are not an image, video or PDF we accept "
                f"(it looks like: {describe_unknown(head)}). Accepted: {ACCEPTED_DESCRIPTION}.",
            )
        kind = _KINDS[content_type]
        limit = {
            "image": limits.max_image_bytes,
            "video": limits.max_video_bytes,
            "document": limits.max_document_bytes,
        }[kind.category]
        if size > limit:
            raise _too_large(size, limit, kind.category)

        if kind.category == "image":
            return _check_image(kind, head, fp, size, limits)
        if kind.category == "document":
            _check_pdf(fp, size)
        else:
            _check_video(kind, head, fp, size)
        return MediaInfo(kind.content_type, kind.extension, size)
