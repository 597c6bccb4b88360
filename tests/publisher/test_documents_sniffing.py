"""A document is what its bytes say: accepted formats are named, everything else is refused with a reason."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from publisher.documents.sniffing import DocumentLimits, DocumentRefused, sniff_file
from tests.factories import documents as docs
from tests.factories.media import jpeg_bytes, png_bytes

SMALL = DocumentLimits(max_bytes=1024 * 1024, max_unpacked_bytes=1024 * 1024, max_entries=20, max_pixels=10_000)


def sniff(tmp_path, data: bytes, name: str = "", limits: DocumentLimits = SMALL):
    path = tmp_path / "upload"
    path.write_bytes(data)
    return sniff_file(path, name, limits)


def refused(tmp_path, data: bytes, name: str = "", limits: DocumentLimits = SMALL) -> DocumentRefused:
    with pytest.raises(DocumentRefused) as caught:
        sniff(tmp_path, data, name, limits)
    return caught.value


def webp_bytes() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), (1, 2, 3)).save(buf, "WEBP")
    return buf.getvalue()


@pytest.mark.parametrize(("data", "name", "format_name", "content_type"), [
    (docs.pdf_bytes(), "odluka.pdf", "pdf", "application/pdf"),
    (docs.docx_bytes(), "pozadina.docx", "docx",
     "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    (docs.xlsx_bytes(), "plan.xlsx", "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    (docs.pptx_bytes(), "prezentacija.pptx", "pptx",
     "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
    (docs.odf_bytes(), "dopis.odt", "odt", "application/vnd.oasis.opendocument.text"),
    (docs.odf_bytes("application/vnd.oasis.opendocument.spreadsheet"), "tabela.ods", "ods",
     "application/vnd.oasis.opendocument.spreadsheet"),
    (docs.tiff_bytes(), "sken.tiff", "tiff", "image/tiff"),
    (jpeg_bytes(), "sken.jpeg", "jpeg", "image/jpeg"),
    (png_bytes(), "sken.png", "png", "image/png"),
    (webp_bytes(), "slika.webp", "webp", "image/webp"),
    (docs.xlsx_bytes(), "Izveštaj v1.2", "xlsx",  # ".2" names no type: not a lie
     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    (docs.pdf_bytes(), "", "pdf", "application/pdf"),
])
def test_accepted_documents_are_named_by_their_bytes(tmp_path, data, name, format_name, content_type):
    sniffed = sniff(tmp_path, data, name)
    assert (sniffed.format.name, sniffed.content_type, sniffed.size) == (format_name, content_type, len(data))


def test_docx_and_xlsx_are_told_apart_by_their_main_part_not_their_first_bytes(tmp_path):
    # filetype guesses from the first entries' names; a workbook whose first part is under word/ is still one.
    assert sniff(tmp_path, docs.xlsx_bytes(), "a.xlsx").format.name == "xlsx"
    assert sniff(tmp_path, docs.docx_bytes(), "a.docx").format.name == "docx"


@pytest.mark.parametrize(("data", "name", "status", "code"), [
    (b"", "prazan.pdf", 422, "empty_file"),
    (docs.pdf_bytes(padding=2 * 1024 * 1024), "velik.pdf", 413, "too_large"),
    (docs.pdf_bytes()[:-40], "odsecen.pdf", 422, "damaged_file"),
    (docs.pdf_bytes(encrypted=True), "zakljucan.pdf", 422, "encrypted"),
    (docs.encrypted_office(), "zakljucan.docx", 422, "encrypted"),
    (docs.odf_bytes(encrypted=True), "zakljucan.odt", 422, "encrypted"),
    (docs.docx_bytes(macros=True), "makro.docm", 415, "macros"),
    (docs.zip_bomb(4 * 1024 * 1024), "bomba.docx", 422, "zip_bomb"),
    (docs.many_entries(50), "mnogo.docx", 422, "zip_bomb"),
    (b"MZ\x90\x00\x03" + bytes(400), "ugovor.pdf", 415, "executable"),
    (b"\x7fELF\x02\x01\x01" + bytes(400), "alat", 415, "executable"),
    (b"#!/bin/sh\nrm -rf /\n", "skripta.docx", 415, "executable"),
    (b"Saopstenje za javnost\n" * 20, "saopstenje.docx", 415, "unsupported_type"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(1024), "stari.doc", 415, "old_office"),
    (docs.odf_bytes("application/vnd.oasis.opendocument.graphics"), "crtez.odg", 415, "unsupported_type"),
    (png_bytes(200, 200), "sken.png", 422, "too_many_pixels"),
    (png_bytes()[:40], "odsecen.png", 422, "damaged_file"),
    (b"PK\x03\x04" + bytes(100), "slomljen.docx", 422, "damaged_file"),
])
def test_refused_files_say_why(tmp_path, data, name, status, code):
    error = refused(tmp_path, data, name)
    assert (error.status, error.code) == (status, code)
    assert error.message


def test_a_name_that_lies_about_its_type_is_refused_naming_what_the_file_really_is(tmp_path):
    error = refused(tmp_path, docs.pdf_bytes(), "Izvestaj.DOCX")
    assert (error.status, error.code) == (415, "wrong_name")
    assert error.params == {"named": ".docx", "really": "a PDF document", "extension": ".pdf"}
    assert refused(tmp_path, docs.docx_bytes(), "pozadina.xlsx").params["really"] == "a Word document (DOCX)"
    assert refused(tmp_path, jpeg_bytes(), "sken.exe").code == "wrong_name"


def test_an_executable_is_refused_whatever_it_is_called(tmp_path):
    for name in ("ugovor.pdf", "ugovor.exe", "ugovor"):
        assert refused(tmp_path, b"MZ" + bytes(500), name).params["really"] == "an executable"


def test_a_zip_bomb_is_refused_from_its_directory_without_unpacking(tmp_path):
    # 300 MB of zeros declared in a file of a few hundred KB: refused under the default limit of 500 MB too.
    limits = DocumentLimits(max_unpacked_bytes=100 * 1024 * 1024)
    error = refused(tmp_path, docs.zip_bomb(120 * 1024 * 1024), "bomba.docx", limits)
    assert (error.code, error.params) == ("zip_bomb", {"unpacked_mb": 100})


def test_a_part_that_lies_about_its_size_is_read_no_further_than_the_cap(tmp_path, monkeypatch):
    from publisher.documents import sniffing
    monkeypatch.setattr(sniffing, "PART_CAP", 1024)
    data = docs.zip_bomb(10)
    # [Content_Types].xml is about 500 bytes; a 2 KB one is over the (lowered) cap: refused, not read whole.
    big_types = docs._zip([("[Content_Types].xml", b"<Types>" + b" " * 2048 + b"</Types>"),
                           ("word/document.xml", b"<w/>")])
    assert sniff(tmp_path, data, "a.docx").format.name == "docx"
    assert refused(tmp_path, big_types, "a.docx").code == "zip_bomb"
