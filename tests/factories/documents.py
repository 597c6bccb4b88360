"""Office documents and scans as people upload them, made here byte by byte (PDF, DOCX, PPTX, ODT, ODS, zip
bombs) or by the libraries that write them (openpyxl's XLSX, Pillow's TIFF and JPEG)."""

from __future__ import annotations

import io
import zipfile

from openpyxl import Workbook
from PIL import Image


def pdf_bytes(text: str = "Saopstenje", *, encrypted: bool = False, padding: int = 0) -> bytes:
    """A small, whole PDF: one page with `text`; `encrypted` adds the trailer's /Encrypt dictionary as a
    password-protected file has it; `padding` adds a comment of that many bytes (a large file)."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    if encrypted:
        objects.append(b"<< /Filter /Standard /V 2 /R 3 /Length 128 /P -1044 /O <00> /U <00> >>")
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    if padding:
        out += b"%" + b"x" * padding + b"\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    trailer = b"<< /Size %d /Root 1 0 R" % (len(objects) + 1)
    if encrypted:
        trailer += b" /Encrypt %d 0 R /ID [<01> <01>]" % len(objects)
    out += b"trailer\n" + trailer + b" >>\nstartxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def _zip(parts: list[tuple[str, bytes]], *, stored_first: bool = False) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        for index, (name, data) in enumerate(parts):
            method = zipfile.ZIP_STORED if stored_first and index == 0 else zipfile.ZIP_DEFLATED
            archive.writestr(zipfile.ZipInfo(name, (2026, 12, 4, 12, 0, 0)), data, compress_type=method)
    return buf.getvalue()


_RELS = (b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
         b'2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
         b'relationships/officeDocument" Target="%s"/></Relationships>')


def _content_types(main: str, main_type: str, extra: str = "") -> bytes:
    return ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/{main}" ContentType="{main_type}"/>{extra}</Types>').encode()


def docx_bytes(text: str = "Pozadina saopštenja", *, macros: bool = False) -> bytes:
    """A minimal Word document; `macros` makes it a DOCM (macro-enabled type and a vbaProject.bin part)."""
    kind = "ms-word.document.macroEnabled.main+xml" if macros else \
        "vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
    body = ('<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
            f'wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:body></w:document>')
    parts = [("[Content_Types].xml", _content_types("word/document.xml", f"application/{kind}")),
             ("_rels/.rels", _RELS % b"word/document.xml"), ("word/document.xml", body.encode())]
    if macros:
        parts.append(("word/vbaProject.bin", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512)))
    return _zip(parts)


def pptx_bytes() -> bytes:
    kind = "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"
    return _zip([("[Content_Types].xml", _content_types("ppt/presentation.xml", kind)),
                 ("_rels/.rels", _RELS % b"ppt/presentation.xml"),
                 ("ppt/presentation.xml", b'<?xml version="1.0"?><p:presentation xmlns:p="http://schemas.'
                  b'openxmlformats.org/presentationml/2006/main"/>')])


def xlsx_bytes(rows: int = 3) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(["Kanal", "Objava"])
    for n in range(rows):
        sheet.append([f"kanal {n}", n])
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def odf_bytes(mimetype: str = "application/vnd.oasis.opendocument.text", *, encrypted: bool = False) -> bytes:
    """An OpenDocument: `mimetype` stored first and uncompressed, as the standard requires."""
    manifest = ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:'
                'opendocument:xmlns:manifest:1.0"><manifest:file-entry manifest:full-path="content.xml" '
                'manifest:media-type="text/xml">'
                + ('<manifest:encryption-data manifest:checksum-type="SHA1"/>' if encrypted else "")
                + "</manifest:file-entry></manifest:manifest>")
    return _zip([("mimetype", mimetype.encode()), ("META-INF/manifest.xml", manifest.encode()),
                 ("content.xml", b'<?xml version="1.0"?><office:document-content xmlns:office="urn:oasis:'
                  b'names:tc:opendocument:xmlns:office:1.0"/>')], stored_first=True)


def tiff_bytes(size: tuple[int, int] = (40, 60)) -> bytes:
    """A scanned page: a grey TIFF."""
    buf = io.BytesIO()
    Image.new("L", size, 200).save(buf, "TIFF")
    return buf.getvalue()


def zip_bomb(unpacked: int = 4 * 1024 * 1024) -> bytes:
    """A DOCX whose one part unpacks to `unpacked` zero bytes (a few KB packed)."""
    return _zip([("[Content_Types].xml", _content_types("word/document.xml", "application/vnd.openxmlformats-"
                                                        "officedocument.wordprocessingml.document.main+xml")),
                 ("word/document.xml", bytes(unpacked))])


def many_entries(count: int) -> bytes:
    return _zip([("[Content_Types].xml", b"<Types/>"), *((f"word/p{n}.xml", b"") for n in range(count))])


def encrypted_office() -> bytes:
    """An Office file saved with a password: an OLE compound file carrying an EncryptedPackage stream."""
    return (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504) + "EncryptedInfo".encode("utf-16-le") + bytes(64)
            + "EncryptedPackage".encode("utf-16-le") + bytes(1024))
