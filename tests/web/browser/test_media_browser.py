"""Uploading an image with its alt text through the library page in Chromium, as an officer would."""

from __future__ import annotations

from urllib.parse import urlsplit

from sqlalchemy import select

from publisher.core.models import Media
from tests.factories.media import jpeg_bytes
from tests.support.browser import sign_in
from tests.web.browser.test_pages import ON_SQLITE, backend, check_page
from tests.web.conftest import PASSWORD


@ON_SQLITE
def test_an_officer_uploads_an_image_with_alt_text(live_server, page, people, rt, tmp_path, database_url) -> None:
    photo = tmp_path / "konferencija.jpg"
    photo.write_bytes(jpeg_bytes(800, 600))
    sign_in(page, live_server, "ana", PASSWORD)
    page.goto(live_server("/media"))
    page.get_by_label("Fajl", exact=True).set_input_files(str(photo))
    page.get_by_label("Alternativni tekst").fill("Ministarka govori na konferenciji za medije")
    page.get_by_label("Autor / izvor").fill("Foto: Tanjug")
    with page.expect_navigation():
        page.get_by_role("button", name="Otpremi").click()
    assert urlsplit(page.url).path == "/media/1"
    preview = page.get_by_role("img", name="Ministarka govori na konferenciji za medije")
    preview.wait_for()
    assert preview.evaluate("img => img.naturalWidth") == 320  # the preview, decoded by the browser
    check_page(page, f"media-uploaded-{backend(database_url)}")
    with rt.read_sessions() as reader:
        media = reader.scalar(select(Media))
        assert (media.alt_text, media.credit, media.width) == ("Ministarka govori na konferenciji za medije",
                                                               "Foto: Tanjug", 800)


@ON_SQLITE
def test_a_refused_upload_in_the_browser(live_server, page, people, tmp_path, database_url) -> None:
    fake = tmp_path / "fotografija.jpg"
    fake.write_bytes(b"MZ\x90\x00" + bytes(range(256)) * 8)  # a program, renamed
    sign_in(page, live_server, "ana", PASSWORD)
    page.goto(live_server("/media"))
    page.get_by_label("Fajl", exact=True).set_input_files(str(fake))
    with page.expect_navigation():
        page.get_by_role("button", name="Otpremi").click()
    assert page.locator(".error-summary").is_visible()
    assert page.evaluate("document.activeElement.id") == ""  # focus is on the summary, which has no id
    check_page(page, f"media-refused-{backend(database_url)}", 422)
