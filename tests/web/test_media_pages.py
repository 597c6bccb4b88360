"""The media library pages: uploads checked by their bytes (and nothing left behind when refused), alt text
and credit, search, where a file is used, previews served safely, and who may do what."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from sqlalchemy import select, update

from publisher.core.models import AuditEvent, Media, User
from publisher.media import library
from publisher.media.store import store_upload
from tests.factories.media import jpeg_bytes, png_bytes
from tests.web.page_helpers import at_home, count
from tests.web.test_media_api import bomb_png, stored_files
from tests.web.test_posts_api import new_post, scheduled_post

EVIL = "<script>alert(1)</script>"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + bytes(range(256)) * 4


@pytest.fixture
def signed_in(signed_in):
    return at_home(signed_in)



def speaks_english(session, *names: str) -> None:
    session.execute(update(User).where(User.name.in_(names)).values(locale="en"))
    session.commit()


def upload(browser, data: bytes, name: str = "slika.png", **form):
    return browser.post("/media", {"file": (io.BytesIO(data), name), **form}, content_type="multipart/form-data")



def add_media(session, rt, people, data: bytes, name: str = "", alt: str = "", credit: str = "") -> Media:
    media, _ = store_upload(session, rt.settings.media_dir, io.BytesIO(data), actor=people.actor("ana"),
                            filename=name, alt_text=alt, credit=credit)
    session.commit()
    return media


def colour(n: int) -> bytes:
    return png_bytes(color=(n % 256, (n * 7) % 256, (n * 13) % 256))


def files_in(media_dir: Path) -> list[Path]:
    return [p for p in stored_files(media_dir) if ".thumbs" not in p.parts]


# Uploading


def test_an_officer_uploads_an_image_with_alt_text_and_credit(signed_in, people, rt):
    browser = signed_in("ana")
    response = upload(browser, jpeg_bytes(), "konferencija.png", alt_text="Ministarka govori", credit="Foto: Tanjug")
    assert response.status_code == 302
    with rt.read_sessions() as reader:
        media = reader.scalar(select(Media))
        assert (media.content_type, media.alt_text, media.credit) == ("image/jpeg", "Ministarka govori", "Foto: Tanjug")
        assert response.headers["Location"] == f"/media/{media.id}"
        assert reader.scalar(select(AuditEvent).where(AuditEvent.action == "media.upload")).who == "ana"
    page = browser.get(f"/media/{media.id}").get_data(as_text=True)
    assert "Ministarka govori" in page and "Foto: Tanjug" in page and "Fajl je u biblioteci." in page
    assert len(files_in(rt.settings.media_dir)) == 1


BIG_PNG = png_bytes()[:33] + bytes(21 * 1024 * 1024)  # a PNG's header, then more than images may have


@pytest.mark.parametrize(("data", "name", "said"), [
    (b"Saopstenje za javnost\n" * 50, "saopstenje.jpg", "This file is not an image, video or PDF"),
    (EXE, "fotografija.jpg", "This file is not an image, video or PDF"),
    (bomb_png(), "bomba.png", "too many pixels to be opened safely"),
    (BIG_PNG, "velika.png", "The file is too large. Images may be at most 20 MB"),
    (png_bytes()[:40], "odsecena.png", "The file is damaged or incomplete"),
    (b"", "prazno.png", "The file is empty."),
    (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "grb.png",
     "This file is not an image, video or PDF"),
], ids=["text", "renamed-exe", "decompression-bomb", "too-big", "damaged", "empty", "svg"])
def test_a_refused_upload_says_why_and_leaves_nothing(signed_in, people, session, rt, data, name, said):
    speaks_english(session, "ana")
    browser = signed_in("ana")
    response = upload(browser, data, name, alt_text="nešto")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert said in html
    assert 'class="error-summary"' in html and 'aria-invalid="true"' in html
    assert count(rt, Media) == 0
    assert files_in(rt.settings.media_dir) == []  # not even in .incoming


def test_an_upload_without_a_file_is_refused(signed_in, people):
    response = signed_in("ana").post("/media", {"alt_text": "x"})
    assert response.status_code == 422
    assert "Izaberite fajl" in response.get_data(as_text=True)


def test_a_request_over_the_size_limit_is_refused_before_it_is_read(signed_in, people, app, rt):
    app.config["MAX_CONTENT_LENGTH"] = 64 * 1024
    response = upload(signed_in("ana"), png_bytes() + bytes(128 * 1024))
    assert response.status_code == 413
    assert files_in(rt.settings.media_dir) == []


def test_the_same_file_again_shows_the_one_in_the_library(signed_in, people, session, rt):
    first = add_media(session, rt, people, png_bytes(), "grb.png")
    browser = signed_in("bojan")
    response = upload(browser, png_bytes(), "grb-kopija.png")
    assert response.headers["Location"] == f"/media/{first.id}"
    assert "već bio u biblioteci" in browser.get(response.headers["Location"]).get_data(as_text=True)
    assert count(rt, Media) == 1


@pytest.mark.parametrize("person", ["marko", "jelena"])
def test_only_officers_and_admins_upload_and_describe(signed_in, people, session, rt, person):
    media = add_media(session, rt, people, png_bytes(), "grb.png")
    browser = signed_in(person)
    page = browser.get("/media")
    assert page.status_code == 200 and "grb.png" in page.get_data(as_text=True)
    assert 'enctype="multipart/form-data"' not in page.get_data(as_text=True)
    assert upload(browser, jpeg_bytes()).status_code == 403
    assert browser.post(f"/media/{media.id}", {"alt_text": "x", "credit": ""}).status_code == 403
    assert count(rt, Media) == 1


def test_signed_out_people_see_nothing(client, people, session, rt):
    media = add_media(session, rt, people, png_bytes(), "grb.png")
    for path in ("/media", f"/media/{media.id}", f"/media/{media.id}/preview", f"/media/{media.id}/file"):
        response = client.get(path)
        assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_an_upload_needs_the_csrf_token(signed_in, people, rt):
    browser = signed_in("ana")
    response = browser.post("/media", {"file": (io.BytesIO(png_bytes()), "a.png"), "csrf_token": "forged"},
                            content_type="multipart/form-data")
    assert response.status_code == 400
    assert count(rt, Media) == 0


# Describing


def test_alt_text_and_credit_are_edited_and_audited(signed_in, people, session, rt):
    media = add_media(session, rt, people, png_bytes(), "grb.png", alt="staro")
    browser = signed_in("bojan")
    response = browser.post(f"/media/{media.id}", {"alt_text": "  Grb Republike Srbije ", "credit": "Vlada"})
    assert response.status_code == 302
    with rt.read_sessions() as reader:
        saved = reader.get(Media, media.id)
        assert (saved.alt_text, saved.credit) == ("Grb Republike Srbije", "Vlada")
        event = reader.scalar(select(AuditEvent).where(AuditEvent.action == "media.describe"))
        assert (event.who, event.before["alt_text"], event.after["credit"]) == ("bojan", "staro", "Vlada")


def test_a_new_alt_text_sends_approved_posts_that_use_it_back_and_says_why(signed_in, people, session, rt, api):
    media = add_media(session, rt, people, png_bytes(), "grb.png", alt="Grb")
    post_id = scheduled_post(api, media=[media.id])
    speaks_english(session, "bojan", "ana", "vesna")
    bojan = signed_in("bojan")
    assert bojan.post(f"/media/{media.id}", {"alt_text": "Grb u boji", "credit": ""}).status_code == 302
    flashed = bojan.get(f"/media/{media.id}").get_data(as_text=True)
    assert "1 approved post used this alt text: it went back for approval." in flashed
    shown = api("ana").get(f"/api/v1/posts/{post_id}").json
    assert shown["status"] == "pending_approval" and shown["deliveries"] == []
    assert shown["sent_back"] == {"code": "media_alt_changed", "params": {"file": "grb.png"}}
    why = "The alt text of “grb.png” in the media library changed after approval"
    assert why in signed_in("ana").get(f"/posts/{post_id}/edit").get_data(as_text=True)
    assert why in signed_in("vesna").get(f"/approvals/{post_id}").get_data(as_text=True)


def test_too_long_alt_text_is_refused(signed_in, people, session, rt):
    media = add_media(session, rt, people, png_bytes(), alt="staro")
    response = signed_in("ana").post(f"/media/{media.id}", {"alt_text": "a" * 2001, "credit": ""})
    assert response.status_code == 422
    with rt.read_sessions() as reader:
        assert reader.get(Media, media.id).alt_text == "staro"


def test_an_unknown_file_is_404(signed_in, people):
    browser = signed_in("ana")
    assert browser.get("/media/999").status_code == 404
    assert browser.post("/media/999", {"alt_text": "x"}).status_code == 404
    assert browser.get("/media/999/preview").status_code == 404


def test_names_alt_text_and_credit_are_shown_escaped(signed_in, people, session, rt):
    media = add_media(session, rt, people, png_bytes(), f"{EVIL}.png", alt=EVIL, credit=EVIL)
    browser = signed_in("ana")
    for path in ("/media", f"/media/{media.id}", f"/media?q={EVIL}"):
        html = browser.get(path).get_data(as_text=True)
        assert EVIL not in html and "&lt;script&gt;" in html


# Searching and paging


def test_search_finds_by_name_alt_text_and_credit(signed_in, people, session, rt):
    add_media(session, rt, people, colour(1), "vlada-zgrada.jpg", alt="Zgrada Vlade", credit="Foto: Tanjug")
    add_media(session, rt, people, colour(2), "ministar.png", alt="Министар на конференцији", credit="Beta")
    add_media(session, rt, people, colour(3), "100%_grb.png", alt="", credit="")
    browser = signed_in("jelena")

    def found(query: str) -> set[str]:
        html = browser.get("/media", query_string={"q": query}).get_data(as_text=True)
        return {n for n in ("vlada-zgrada.jpg", "ministar.png", "100%_grb.png") if n in html}

    assert found("ZGRADA") == {"vlada-zgrada.jpg"}  # the name and alt text, any case
    assert found("tanjug") == {"vlada-zgrada.jpg"}  # the credit
    assert found("конференциј") == {"ministar.png"}
    assert found("%") == {"100%_grb.png"}  # a wildcard is a character like any other
    assert found("_") == {"100%_grb.png"}
    assert found("nema-toga") == set()
    assert found("") == {"vlada-zgrada.jpg", "ministar.png", "100%_grb.png"}
    assert found("konferenciji") == {"ministar.png"}  # Latin finds Cyrillic (publisher.text.search_key)
    too_long = browser.get("/media", query_string={"q": "x" * 5000})
    assert too_long.status_code == 422  # refused with a message on the box; the library is shown whole
    assert 'id="filter-q-error"' in too_long.get_data(as_text=True)


def test_the_library_is_shown_a_page_at_a_time(signed_in, people, session, rt, monkeypatch):
    monkeypatch.setattr(library, "PER_PAGE", 3)
    for n in range(7):
        add_media(session, rt, people, colour(n), f"slika-{n}.png")
    browser = signed_in("ana")
    first = browser.get("/media").get_data(as_text=True)
    assert "Strana 1 od 3" in first and "slika-6.png" in first and "slika-3.png" not in first
    last = browser.get("/media?page=3").get_data(as_text=True)
    assert "slika-0.png" in last and "slika-1.png" not in last
    assert browser.get("/media?page=99999").get_data(as_text=True).count("slika-0.png") == 1  # the last page
    for bad in ("0", "-1", "abc", "9" * 40):
        response = browser.get(f"/media?page={bad}")
        assert response.status_code == 200 and "slika-6.png" in response.get_data(as_text=True)


# Where a file is used


def test_a_file_shows_the_posts_that_use_it_with_their_state(signed_in, people, session, rt, api):
    media = add_media(session, rt, people, png_bytes(), "grb.png", alt="Grb")
    other = add_media(session, rt, people, jpeg_bytes(), "druga.jpg", alt="Druga")
    assert new_post(api("ana"), title="Saopštenje o grbu", media=[media.id]).status_code == 201
    assert new_post(api("bojan"), title=EVIL, media=[{"id": media.id, "alt_text": "Grb u boji"}]).status_code == 201
    browser = signed_in("jelena")
    html = browser.get(f"/media/{media.id}").get_data(as_text=True)
    assert "Saopštenje o grbu" in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html and EVIL not in html
    assert html.count(">nacrt<") == 2 and "Grb u boji" in html
    assert "Nijedna objava još ne koristi ovaj fajl." in browser.get(f"/media/{other.id}").get_data(as_text=True)
    assert "Koristi se u 2 objave" in browser.get("/media").get_data(as_text=True)


# Serving files


def test_previews_are_fresh_jpegs_that_cannot_be_sniffed_or_run(signed_in, people, session, rt):
    media = add_media(session, rt, people, png_bytes(400, 300), "grb.png")
    response = signed_in("jelena").client.get(f"/media/{media.id}/preview")  # bytes: not read for a token
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "image/jpeg"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response.headers["Content-Security-Policy"]
    assert "private" in response.headers["Cache-Control"] and "public" not in response.headers["Cache-Control"]
    assert response.data.startswith(b"\xff\xd8\xff")
    from PIL import Image
    assert Image.open(io.BytesIO(response.data)).size == (320, 240)


def test_a_pdf_has_no_preview_and_downloads_as_an_attachment(signed_in, people, session, rt):
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    media = add_media(session, rt, people, pdf, "izvestaj.pdf")
    browser = signed_in("ana")
    assert browser.get(f"/media/{media.id}/preview").status_code == 404
    response = browser.client.get(f"/media/{media.id}/file")
    assert response.status_code == 200 and response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "Preuzmite fajl" in browser.get(f"/media/{media.id}").get_data(as_text=True)


# Downloads: the detected type names the file (issue 10)

@pytest.mark.parametrize(("uploaded_as", "data", "inline", "expected_type", "ascii_name", "utf8_name"), [
    ("slika.png", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", False, "application/pdf",
     "slika.pdf", None),
    ("Конференција за медије.exe", jpeg_bytes(), True, "image/jpeg", "Konferencija za medije.jpg",
     "%D0%9A%D0%BE%D0%BD%D1%84%D0%B5%D1%80%D0%B5%D0%BD%D1%86%D0%B8%D1%98%D0%B0%20%D0%B7%D0%B0%20"
     "%D0%BC%D0%B5%D0%B4%D0%B8%D1%98%D0%B5.jpg"),
    ('"; filename=evil.html\r\nX: y.png', png_bytes(), True, "image/png", "filename_evil.html X y.png",
     "filename%3Devil.html%20X%20y.png"),
    ("", png_bytes(), True, "image/png", None, None),
])
def test_a_download_is_named_and_typed_by_its_bytes(signed_in, people, session, rt, uploaded_as, data, inline,
                                                    expected_type, ascii_name, utf8_name):
    media = add_media(session, rt, people, data, uploaded_as)
    response = signed_in("jelena").client.get(f"/media/{media.id}/file")
    assert response.status_code == 200 and response.headers["Content-Type"] == expected_type
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("inline;" if inline else "attachment;")
    assert f'filename="{ascii_name or f"media-{media.id}{media.extension}"}"' in disposition
    if utf8_name:
        assert disposition.endswith(f"filename*=UTF-8''{utf8_name}")
    else:
        assert "filename*" not in disposition
    assert "\r" not in disposition and "\n" not in disposition
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response.headers["Content-Security-Policy"]


def test_a_row_whose_file_is_missing_is_a_404_not_a_500(signed_in, people, session, rt):
    media = add_media(session, rt, people, png_bytes(), "grb.png")
    (rt.settings.media_dir / media.storage_name).unlink()
    assert signed_in("ana").client.get(f"/media/{media.id}/file").status_code == 404
