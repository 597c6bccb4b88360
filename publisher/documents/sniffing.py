"""What an uploaded document really is, judged by its bytes; never by its name or the type the browser sent.

Accepted: PDF, the Office Open XML documents (DOCX, XLSX, PPTX), the OpenDocument text and spreadsheet (ODT,
ODS), and pictures a scanner or a phone makes (JPEG, PNG, TIFF, WebP). The `filetype` library names pictures
and whatever we refuse; Office files are zip archives that it tells apart by a guess at their first bytes, so
those are opened here and read by their parts: [Content_Types].xml for Office Open XML, the leading `mimetype`
entry for OpenDocument.

Refused, each with its own code: an empty file, one over the size limit, an executable, a name whose
extension says another type, an encrypted PDF or Office file (nobody else in the office could open it), Office
files with macros, and zip archives that would unpack to more than the limit or hold too many entries (a zip
bomb costs nothing to upload and everything to open). The archive is never unpacked: its central directory is
read and at most two small parts are, each read with a cap.
"""

from __future__ import annotations

import re
import warnings
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

import filetype
from PIL import Image

HEAD_BYTES = 8192
PDF_TAIL_BYTES = 1024  # "%%EOF" must be this close to the end (the PDF standard allows trailing junk, not much)
PART_CAP = 2 * 1024 * 1024  # the most read of [Content_Types].xml, a manifest or `mimetype`
_SCAN_CHUNK = 1024 * 1024
_PDF_ENCRYPT = re.compile(rb"/Encrypt\s*(?:\d+\s+\d+\s+R|<<)")  # the trailer's key that says "encrypted"
_EXTENSION = re.compile(r"\.[a-z0-9]{1,6}$")


@dataclass(frozen=True)
class DocumentLimits:
    """Settings: PUBLISHER_DOCUMENT_MAX_MB, PUBLISHER_DOCUMENT_MAX_UNPACKED_MB, PUBLISHER_DOCUMENT_MAX_ENTRIES."""

    max_bytes: int = 50 * 1024 * 1024
    max_unpacked_bytes: int = 500 * 1024 * 1024  # what an Office file's parts may add up to, unpacked
    max_entries: int = 10_000  # parts in an Office file (a large workbook has a few hundred)
    max_pixels: int = 200_000_000  # a scan: an A3 page at 600 dpi is 70 megapixels


DEFAULT_LIMITS = DocumentLimits()


@dataclass(frozen=True)
class Format:
    name: str  # "pdf", "docx", ...
    content_type: str
    extension: str  # the one a stored file and a download get
    label: str  # what the file is, in words of the error messages (English; pages translate by `name`)
    extensions: tuple[str, ...] = ()  # names an uploader may give it; the first is `extension`

    @property
    def accepted_names(self) -> tuple[str, ...]:
        return (self.extension, *self.extensions)


FORMATS: dict[str, Format] = {f.name: f for f in (
    Format("pdf", "application/pdf", ".pdf", "a PDF document"),
    Format("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx",
           "a Word document (DOCX)"),
    Format("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx",
           "an Excel workbook (XLSX)"),
    Format("pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation", ".pptx",
           "a PowerPoint presentation (PPTX)"),
    Format("odt", "application/vnd.oasis.opendocument.text", ".odt", "an OpenDocument text (ODT)"),
    Format("ods", "application/vnd.oasis.opendocument.spreadsheet", ".ods", "an OpenDocument spreadsheet (ODS)"),
    Format("jpeg", "image/jpeg", ".jpg", "a JPEG image", (".jpeg", ".jpe", ".jfif")),
    Format("png", "image/png", ".png", "a PNG image"),
    Format("tiff", "image/tiff", ".tif", "a TIFF image (a scan)", (".tiff",)),
    Format("webp", "image/webp", ".webp", "a WebP image"),
)}
ACCEPTED = "PDF, DOCX, XLSX, PPTX, ODT, ODS, JPEG, PNG, TIFF, WebP"

# The main part of each Office Open XML document, as [Content_Types].xml declares it.
_OOXML_MAIN = {
    "docx": ("word/document.xml", b"wordprocessingml.document.main+xml"),
    "xlsx": ("xl/workbook.xml", b"spreadsheetml.sheet.main+xml"),
    "pptx": ("ppt/presentation.xml", b"presentationml.presentation.main+xml"),
}
_ODF_TYPES = {b"application/vnd.oasis.opendocument.text": "odt",
              b"application/vnd.oasis.opendocument.spreadsheet": "ods"}
_IMAGES = {"image/jpeg": "jpeg", "image/png": "png", "image/tiff": "tiff", "image/webp": "webp"}
_PIL_FORMATS = {"jpeg": {"JPEG", "MPO"}, "png": {"PNG"}, "tiff": {"TIFF"}, "webp": {"WEBP"}}
# What filetype names that we refuse outright, and how a refusal says it.
_EXECUTABLES = {"application/x-msdownload", "application/x-executable", "application/x-mach-binary",
                "application/x-elf", "application/x-shockwave-flash", "application/x-sharedlib",
                "application/vnd.microsoft.portable-executable", "application/x-dex"}


class DocumentRefused(Exception):
    """The upload is not accepted. `code` says why (pages word it in the reader's language from `code` and
    `params`); `message` says it in English for logs and the API; `status` is the HTTP answer."""

    def __init__(self, status: int, code: str, message: str, **params: Any) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.params = params

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class Sniffed:
    format: Format
    size: int
    notes: dict[str, Any] = field(default_factory=dict)

    @property
    def content_type(self) -> str:
        return self.format.content_type

    @property
    def extension(self) -> str:
        return self.format.extension


def sniff_file(path: Path, filename: str = "", limits: DocumentLimits = DEFAULT_LIMITS) -> Sniffed:
    """What the file at `path` is, or DocumentRefused. `filename` is the uploader's name for it: an extension
    that names another type is refused, one that names none ("Izveštaj v1.2") is not looked at."""
    with open(path, "rb") as fp:
        size = fp.seek(0, 2)
        if size == 0:
            raise DocumentRefused(422, "empty_file", "the file is empty (0 bytes)")
        if size > limits.max_bytes:
            raise DocumentRefused(413, "too_large", f"the file is {size} bytes; documents may be at most "
                                  f"{limits.max_bytes} bytes", limit_mb=limits.max_bytes // (1024 * 1024))
        fp.seek(0)
        head = fp.read(HEAD_BYTES)
        fmt = _sniff(fp, head, size, limits)
    _check_name(fmt, filename)
    return Sniffed(fmt, size)


def _sniff(fp: BinaryIO, head: bytes, size: int, limits: DocumentLimits) -> Format:
    if head.startswith(b"%PDF-"):
        _check_pdf(fp, size)
        return FORMATS["pdf"]
    if head.startswith(b"PK\x03\x04"):
        return _sniff_zip(fp, limits)
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        _refuse_compound(fp)
    guess = filetype.guess(head)
    mime = guess.mime if guess else ""
    if mime in _IMAGES:
        name = _IMAGES[mime]
        _check_image(fp, name, limits)
        return FORMATS[name]
    really = describe(head)
    code = "executable" if really == "an executable" else "unsupported_type"
    raise DocumentRefused(415, code, f"the file is {really}; accepted: {ACCEPTED}", really=really)


def describe(head: bytes) -> str:
    """A guess at what a refused file is, for its refusal: "an executable", "a ZIP archive", "plain text"."""
    if not head:
        return "an empty file"
    if head.startswith((b"MZ", b"\x7fELF", b"#!")) or head[:4] in (
            b"\xfe\xed\xfa\xce", b"\xfe\xed\xfa\xcf", b"\xce\xfa\xed\xfe", b"\xcf\xfa\xed\xfe", b"\xca\xfe\xba\xbe"):
        return "an executable"
    guess = filetype.guess(head)
    if guess is not None:
        if guess.mime in _EXECUTABLES:
            return "an executable"
        return f"a {guess.extension.upper()} file ({guess.mime})"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        return "unknown data"
    return "plain text"


# --- PDF ------------------------------------------------------------------------------------------------------

def _check_pdf(fp: BinaryIO, size: int) -> None:
    fp.seek(max(0, size - PDF_TAIL_BYTES))
    tail = fp.read()
    if b"%%EOF" not in tail or b"startxref" not in tail:
        raise DocumentRefused(422, "damaged_file", "the PDF has no end (no %%EOF trailer): it is cut off or "
                              "damaged", really=FORMATS["pdf"].label)
    if _scan(fp, _PDF_ENCRYPT):
        raise DocumentRefused(422, "encrypted", "the PDF is encrypted (protected by a password or against "
                              "copying); save it without protection", really=FORMATS["pdf"].label)


def _scan(fp: BinaryIO, pattern: re.Pattern[bytes]) -> bool:
    """Whether the pattern occurs anywhere in the file, read a chunk at a time with an overlap for matches
    that straddle two chunks."""
    fp.seek(0)
    carry = b""
    while chunk := fp.read(_SCAN_CHUNK):
        if pattern.search(carry + chunk):
            return True
        carry = chunk[-64:]
    return False


# --- zip: Office Open XML and OpenDocument ---------------------------------------------------------------------

def _sniff_zip(fp: BinaryIO, limits: DocumentLimits) -> Format:
    fp.seek(0)
    try:
        archive = zipfile.ZipFile(fp)
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise DocumentRefused(422, "damaged_file", f"the file starts as a zip archive but is damaged ({exc})",
                              really="a ZIP archive") from None
    with archive:
        entries = archive.infolist()
        if len(entries) > limits.max_entries:
            raise DocumentRefused(422, "zip_bomb", f"the archive holds {len(entries)} entries; at most "
                                  f"{limits.max_entries}", entries=limits.max_entries)
        unpacked = sum(e.file_size for e in entries)
        if unpacked > limits.max_unpacked_bytes:
            raise DocumentRefused(422, "zip_bomb", f"the archive would unpack to {unpacked} bytes; at most "
                                  f"{limits.max_unpacked_bytes}", unpacked_mb=limits.max_unpacked_bytes // 2**20)
        names = {e.filename for e in entries}
        if entries and entries[0].filename == "mimetype":
            return _sniff_odf(archive, names)
        if "[Content_Types].xml" in names:
            return _sniff_ooxml(archive, names, entries)
    raise DocumentRefused(415, "unsupported_type", f"the file is a ZIP archive, not an Office document; "
                          f"accepted: {ACCEPTED}", really="a ZIP archive")


def _read_part(archive: zipfile.ZipFile, name: str) -> bytes:
    """A part's bytes, read no further than PART_CAP whatever its header claims."""
    try:
        with archive.open(name) as part:
            data = part.read(PART_CAP + 1)
    except RuntimeError:  # zipfile: "File ... is encrypted, password required for extraction"
        raise DocumentRefused(422, "encrypted", "the Office file is encrypted; save it without a password",
                              really="an encrypted archive") from None
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, ValueError) as exc:
        raise DocumentRefused(422, "damaged_file", f"the Office file is damaged ({exc})",
                              really="a damaged archive") from None
    if len(data) > PART_CAP:
        raise DocumentRefused(422, "zip_bomb", f"the part {name} is larger than {PART_CAP} bytes",
                              unpacked_mb=PART_CAP // 2**20)
    return data


def _sniff_ooxml(archive: zipfile.ZipFile, names: set[str], entries: list[zipfile.ZipInfo]) -> Format:
    if any(e.flag_bits & 0x1 for e in entries):
        raise DocumentRefused(422, "encrypted", "the Office file is encrypted; save it without a password",
                              really="an encrypted archive")
    types = _read_part(archive, "[Content_Types].xml")
    if b"macroEnabled" in types or any(n.lower().endswith("vbaproject.bin") for n in names):
        raise DocumentRefused(415, "macros", "the Office file carries macros (DOCM, XLSM, PPTM); save it as "
                              "DOCX, XLSX or PPTX without macros", really="an Office file with macros")
    for name, (main_part, main_type) in _OOXML_MAIN.items():
        if main_part in names and main_type in types:
            return FORMATS[name]
    raise DocumentRefused(415, "unsupported_type", "the file is an Office package of a kind we do not accept "
                          f"(a template or another kind); accepted: {ACCEPTED}", really="another Office package")


def _sniff_odf(archive: zipfile.ZipFile, names: set[str]) -> Format:
    declared = _read_part(archive, "mimetype").strip()
    name = _ODF_TYPES.get(declared)
    if name is None:
        really = declared.decode("ascii", "replace")[:100] or "an empty type"
        raise DocumentRefused(415, "unsupported_type", f"the file is an OpenDocument of type {really}; "
                              f"accepted: {ACCEPTED}", really=f"an OpenDocument ({really})")
    if "META-INF/manifest.xml" in names and b"encryption-data" in _read_part(archive, "META-INF/manifest.xml"):
        raise DocumentRefused(422, "encrypted", "the OpenDocument file is encrypted; save it without a password",
                              really=FORMATS[name].label)
    if any(n.startswith(("Basic/", "Scripts/")) for n in names):
        raise DocumentRefused(415, "macros", "the OpenDocument file carries macros; save it without them",
                              really="an OpenDocument with macros")
    return FORMATS[name]


def _refuse_compound(fp: BinaryIO) -> None:
    """An OLE compound file: an old .doc/.xls, or a new Office file encrypted with a password (Office wraps
    those in one, with an `EncryptedPackage` stream)."""
    if _scan(fp, re.compile("EncryptedPackage".encode("utf-16-le"))):
        raise DocumentRefused(422, "encrypted", "the Office file is encrypted; save it without a password",
                              really="an encrypted Office file")
    raise DocumentRefused(415, "old_office", "the file is an old-format Office document (DOC, XLS, PPT); "
                          "save it as DOCX, XLSX or PPTX", really="an old-format Office document")


# --- pictures ---------------------------------------------------------------------------------------------------

def _check_image(fp: BinaryIO, name: str, limits: DocumentLimits) -> None:
    fp.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(fp) as image:
                if image.format not in _PIL_FORMATS[name]:
                    raise DocumentRefused(422, "damaged_file", f"the file starts as {FORMATS[name].label} but is "
                                          f"{image.format}", really=FORMATS[name].label)
                width, height = image.size
                if width * height > limits.max_pixels:
                    raise DocumentRefused(422, "too_many_pixels", f"the image has {width}x{height} pixels; at "
                                          f"most {limits.max_pixels}", megapixels=limits.max_pixels // 10**6)
                image.verify()
    except DocumentRefused:
        raise
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError, EOFError) as exc:
        raise DocumentRefused(422, "damaged_file", f"the image is damaged ({exc})",
                              really=FORMATS[name].label) from None


# --- the uploader's name ------------------------------------------------------------------------------------------

def _check_name(fmt: Format, filename: str) -> None:
    suffix = Path(filename.replace("\\", "/")).suffix.lower()
    if not _EXTENSION.fullmatch(suffix) or suffix[1:].isdigit() or suffix in fmt.accepted_names:
        return
    raise DocumentRefused(415, "wrong_name", f"the file is named {suffix} but it is {fmt.label}; rename it to "
                          f"{fmt.extension}", named=suffix, really=fmt.label, extension=fmt.extension)
