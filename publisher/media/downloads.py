"""How a library file is handed out: its name and type come from what inspection found in its bytes.

The uploader's file name gives only the readable part of the name (a PDF uploaded as "slika.jpg" downloads
as "slika.pdf"); the extension and the Content-Type are the detected ones. The Content-Disposition header
follows RFC 6266 with an RFC 5987 `filename*` for names beyond ASCII, so Serbian Cyrillic names survive,
and an ASCII `filename` beside it (Cyrillic transliterated to Latin, then accents dropped) for old clients.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from urllib.parse import quote

from publisher.core.errors import NotFound
from publisher.core.models import Media
from publisher.text import translit

MAX_STEM = 100
_UNSAFE = re.compile(r'[\x00-\x1f\x7f-\x9f/\\:*?"<>|;,\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]+')
_ASCII_UNSAFE = re.compile(r"[^A-Za-z0-9._ ()+\-]+")


def download_name(media: Media) -> str:
    """The name a download is saved under: the uploader's name without its extension, plus the detected one."""
    return safe_name(media.original_name, media.extension, f"media-{media.id}")


def safe_name(original: str | None, extension: str, fallback_stem: str) -> str:
    """`original` without its extension and anything a file system or a header cannot take, plus `extension`
    (found in the bytes); `fallback_stem` when nothing readable is left. Documents' downloads use it too."""
    stem = Path(original or "").name
    if "." in stem.lstrip("."):
        stem = stem.rsplit(".", 1)[0]
    stem = " ".join(_UNSAFE.sub(" ", unicodedata.normalize("NFC", stem)).split()).strip(" .")[:MAX_STEM]
    return f"{stem or fallback_stem}{extension}"


def ascii_name(name: str, fallback: str) -> str:
    plain = unicodedata.normalize("NFKD", translit.to_latin(name)).encode("ascii", "ignore").decode("ascii")
    plain = " ".join(_ASCII_UNSAFE.sub("_", plain).split()).strip(" ._")
    return plain if plain and not plain.startswith(".") and "." in plain else fallback


def content_disposition(name: str, *, inline: bool, fallback: str) -> str:
    """`attachment; filename="..."; filename*=UTF-8''...` (or `inline`), safe for any name."""
    simple = ascii_name(name, fallback)
    header = f'{"inline" if inline else "attachment"}; filename="{simple}"'
    if simple != name:
        header += f"; filename*=UTF-8''{quote(name, safe='')}"
    return header


def stored_file(media_dir: Path, media: Media) -> Path:
    """The library file of a row; a clear 404 (not a 500) if the media folder has lost it."""
    path = media_dir / media.storage_name
    if not path.is_file():
        raise NotFound(f"the file of media {media.id} is missing from the media folder; upload it again")
    return path
